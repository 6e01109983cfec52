import assert from 'node:assert/strict';
import { apizeeAgentLinks } from '../../src/vendors/apizee/agent-links.js';

// The seed's own links (vendor document 003), on Apizee's hosts.
const SSO_URL =
  'https://cloud.apizee.com?access_token=eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJjbG91ZC5hcGl6ZWUuY29tIiwiaWF0IjoxNjg5MTc2ODkyfQ.L4_xNKE4JdyStmGcJQJqkMeRtDjvnZky9p';

describe('Apizee agent links (link unfurls)', () => {
  const links = apizeeAgentLinks('https://cloud.apizee.com');

  it('names the portal host, for unfurl_domains', () => {
    assert.deepEqual(links.hosts, ['cloud.apizee.com']);
    assert.deepEqual(apizeeAgentLinks('https://apizee.acme.example:8443/').hosts, ['apizee.acme.example:8443']);
  });

  it('reads a ticket’s agent room, agent_url/entrypoint/{button_id}/tickets/{id} (seed 003)', () => {
    assert.deepEqual(links.sessionOf('https://cloud.apizee.com/entrypoint/223/tickets/82070'), { kind: 'ticket', vendorId: '82070' });
    assert.deepEqual(links.sessionOf('https://CLOUD.apizee.com/entrypoint/223/tickets/82070/'), { kind: 'ticket', vendorId: '82070' });
    assert.deepEqual(links.sessionOf('https://cloud.apizee.com/entrypoint/1/tickets/007'), { kind: 'ticket', vendorId: '7' });
  });

  for (const [what, url] of [
    ['the single-use SSO link (access_token)', SSO_URL],
    ['an agent room with a token in its query', 'https://cloud.apizee.com/entrypoint/223/tickets/82070?access_token=abc'],
    ['an agent room with any query', 'https://cloud.apizee.com/entrypoint/223/tickets/82070?x=1'],
    ['an agent room with a fragment', 'https://cloud.apizee.com/entrypoint/223/tickets/82070#token=abc'],
    ['the customer link (requestor_url)', 'https://diag.apizee.com?convId=88a2c81a-2b5a-496f-8546-0d7bdde8&pwd=798042'],
    ['the meeting link (url)', 'https://meet.apizee.com/private/7a3dc7993234907508525829e02f2388/ae226154999f5d50f9e6f909e27c5113'],
    ['the meeting short link (short_url)', 'https://apz.fr/v639BqrklV'],
    ['the information page', 'https://apz.fr/d6Nx453elx'],
    ['a media link on the portal', 'https://cloud.apizee.com/media/showVideo/1/hash/4b6c0600-b2fc-11ed-afc2-a9d424af1014'],
    ['the portal itself', 'https://cloud.apizee.com'],
    ['another host with the same path', 'https://cloud.apizee.evil/entrypoint/223/tickets/82070'],
    ['a subdomain of the portal', 'https://x.cloud.apizee.com/entrypoint/223/tickets/82070'],
    ['plain http', 'http://cloud.apizee.com/entrypoint/223/tickets/82070'],
    ['credentials in the URL', 'https://user:pw@cloud.apizee.com/entrypoint/223/tickets/82070'],
    ['a longer path', 'https://cloud.apizee.com/entrypoint/223/tickets/82070/edit'],
    ['a ticket id that is not a number', 'https://cloud.apizee.com/entrypoint/223/tickets/abc'],
    ['a ticket id too long to be one', `https://cloud.apizee.com/entrypoint/223/tickets/${'9'.repeat(16)}`],
    ['not a URL', 'cloud.apizee.com/entrypoint/223/tickets/82070'],
  ] as const) {
    it(`never takes ${what} for an agent link`, () => {
      assert.equal(links.sessionOf(url), undefined);
    });
  }
});
