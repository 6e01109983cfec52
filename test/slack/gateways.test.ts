import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { BoundedMap } from '../../src/domain/bounded-map.js';
import type { TeamRef } from '../../src/domain/installation.js';
import { NOT_INSTALLED, SlackGateway, SlackPostError } from '../../src/slack/gateway.js';
import { TokenGateways } from '../../src/slack/gateways.js';
import { BOT_SCOPES } from '../../src/slack/scopes.js';

/** A gateway that records which token posted what, and fails as told. */
function recordingGateway(token: string, posted: Array<[string, string]>, failWith?: () => string | undefined): SlackGateway {
  const gateway = Object.create(SlackGateway.prototype) as SlackGateway;
  return Object.assign(gateway, {
    postMessage: async ({ channel }: { channel: string }) => {
      const code = failWith?.();
      if (code) throw new SlackPostError(code);
      posted.push([token, channel]);
      return { channel, ts: '1.1' };
    },
    isAdmin: async () => true,
    permalink: async () => `https://example.slack.com/${token}`,
  });
}

describe('TokenGateways (OAuth: each workspace through its own token)', () => {
  it('calls with the team\'s token and builds one gateway per token', async () => {
    const tokens: Record<string, string> = { T0AAA: 'xoxb-a', T0BBB: 'xoxb-b' };
    const posted: Array<[string, string]> = [];
    const built: string[] = [];
    const gateways = new TokenGateways({
      tokenFor: async (team) => tokens[team.teamId],
      build: (token) => {
        built.push(token);
        return recordingGateway(token, posted);
      },
    });
    const blocks: never[] = [];
    await gateways.of({ teamId: 'T0AAA' }).postMessage({ channel: 'C1', text: 'a', blocks });
    await gateways.of({ teamId: 'T0BBB' }).postMessage({ channel: 'C2', text: 'b', blocks });
    await gateways.of({ teamId: 'T0AAA' }).postMessage({ channel: 'C3', text: 'a', blocks });
    assert.deepEqual(posted, [['xoxb-a', 'C1'], ['xoxb-b', 'C2'], ['xoxb-a', 'C3']]);
    assert.deepEqual(built, ['xoxb-a', 'xoxb-b']);
    // A renewed token: a new gateway for it.
    tokens.T0AAA = 'xoxb-a2';
    await gateways.of({ teamId: 'T0AAA' }).postMessage({ channel: 'C4', text: 'a', blocks });
    assert.deepEqual(posted.at(-1), ['xoxb-a2', 'C4']);
  });

  it('keeps a bounded number of gateways', async () => {
    const built: string[] = [];
    const gateways = new TokenGateways({ tokenFor: async (team) => `xoxb-${team.teamId}`, build: (token) => (built.push(token), recordingGateway(token, [])), max: 2 });
    for (const teamId of ['T1', 'T2', 'T3', 'T1']) await gateways.of({ teamId }).postMessage({ channel: 'C', text: 'x', blocks: [] });
    assert.deepEqual(built, ['xoxb-T1', 'xoxb-T2', 'xoxb-T3', 'xoxb-T1'], 'T1 fell out of the cache of two');
  });

  it('refuses a workspace without installation permanently, before any call (its admin lookups too); its permalink answers none', async () => {
    const gateways = new TokenGateways({ tokenFor: async () => undefined, build: () => assert.fail('no gateway for a workspace without token') });
    const refused = await gateways.of({ teamId: 'T0GONE' }).postMessage({ channel: 'C', text: 'x', blocks: [] }).catch((error: unknown) => error);
    assert.ok(refused instanceof SlackPostError);
    assert.equal(refused.code, NOT_INSTALLED);
    assert.equal(refused.permanent, true);
    await assert.rejects(gateways.of({ teamId: 'T0GONE' }).userRoles('U1'), (error: unknown) => error instanceof SlackPostError && error.code === NOT_INSTALLED);
    assert.equal(await gateways.of({ teamId: 'T0GONE' }).permalink('C', '1.1'), undefined);
  });

  it('drops the cached token when Slack refuses it, and only then', async () => {
    const forgotten: TeamRef[] = [];
    let code: string | undefined = 'token_revoked';
    const gateways = new TokenGateways({ tokenFor: async () => 'xoxb-x', forget: (team) => forgotten.push(team), build: (token) => recordingGateway(token, [], () => code) });
    await assert.rejects(gateways.of({ teamId: 'T0AAA', enterpriseId: 'E1' }).postMessage({ channel: 'C', text: 'x', blocks: [] }));
    assert.deepEqual(forgotten, [{ teamId: 'T0AAA', enterpriseId: 'E1' }]);
    code = 'channel_not_found';
    await assert.rejects(gateways.of({ teamId: 'T0AAA' }).postMessage({ channel: 'C', text: 'x', blocks: [] }));
    assert.equal(forgotten.length, 1);
  });
});

describe('BoundedMap', () => {
  it('drops the least recently used entry beyond its size', () => {
    const map = new BoundedMap<string, number>(2);
    map.set('a', 1);
    map.set('b', 2);
    assert.equal(map.get('a'), 1);
    map.set('c', 3);
    assert.equal(map.get('b'), undefined);
    assert.equal(map.get('a'), 1);
    assert.equal(map.size, 2);
    map.deleteWhere((key) => key === 'a');
    assert.equal(map.get('a'), undefined);
  });
});

describe('bot scopes', () => {
  it('are the ones manifest.yml lists, so an OAuth install asks for what the app was set up with', () => {
    const manifest = readFileSync(new URL('../../manifest.yml', import.meta.url), 'utf8');
    const bot = /scopes:\n\s+bot:\n((?:\s+- .*\n)+)/.exec(manifest)?.[1] ?? '';
    const listed = [...bot.matchAll(/- ([\w:.]+)/g)].map((match) => match[1]);
    assert.deepEqual(listed, [...BOT_SCOPES]);
  });
});
