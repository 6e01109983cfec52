import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { apizeeAgentLinks } from '../../src/vendors/apizee/agent-links.js';

/** The link-unfurl parts of manifest.yml (README "Link unfurls"). */
describe('manifest.yml: link unfurls', () => {
  const manifest = readFileSync(new URL('../../manifest.yml', import.meta.url), 'utf8');

  it('lists at most 5 unfurl domains, Apizee’s default agent portal among them', () => {
    const block = /\n {2}unfurl_domains:\n((?: {4}- .*\n)+)/.exec(manifest)?.[1] ?? '';
    const domains = [...block.matchAll(/- ([\w.-]+)/g)].map((match) => match[1]);
    assert.ok(domains.length >= 1 && domains.length <= 5, `${domains.length} domains`);
    // The default portal is APIZEE_API_URL's host without /api (src/vendors/apizee/connect.ts).
    assert.ok(domains.includes(apizeeAgentLinks('https://cloud.apizee.com').hosts[0]), domains.join(', '));
  });

  it('subscribes to link_shared and asks for links:read and links:write', () => {
    assert.match(manifest, /bot_events:\n(?:\s+- .*\n)*\s+- link_shared\b/);
    assert.match(manifest, /\n\s+- links:read\b/);
    assert.match(manifest, /\n\s+- links:write\b/);
  });
});
