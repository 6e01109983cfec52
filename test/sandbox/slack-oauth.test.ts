import assert from 'node:assert/strict';
import { webApi } from '@slack/bolt';
import { startFakeSlackApi, type FakeSlackApi } from '../../sandbox/slack-api.js';
import { silentSlackLogger } from '../helpers/silent-slack-logger.js';

const { WebClient } = webApi;

const APP = { clientId: '1111.2222', clientSecret: 'client-secret', redirectUrl: 'http://127.0.0.1:9/slack/oauth_redirect' };

async function slackError(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (error) {
    return (error as { data?: { error?: string } }).data?.error;
  }
  assert.fail('expected Slack to refuse the call');
}

describe('Slack stand-in: OAuth install and tokens per workspace', () => {
  let fake: FakeSlackApi;
  const client = (token?: string) => new WebClient(token, { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 }, logger: silentSlackLogger });

  beforeEach(async () => {
    fake = await startFakeSlackApi({ oauth: APP });
  });
  afterEach(async () => {
    await fake.close();
  });

  /** The consent page, as a browser follows it: back to the redirect URL with a code and the state. */
  async function consent(query: Record<string, string>): Promise<URL> {
    const page = await fetch(`${fake.url}/oauth/v2/authorize?${new URLSearchParams({ client_id: APP.clientId, scope: 'commands,chat:write', ...query })}`, { redirect: 'manual' });
    assert.equal(page.status, 302);
    return new URL(page.headers.get('location')!);
  }

  async function install(teamId: string): Promise<string> {
    const back = await consent({ team: teamId, state: 'st' });
    const answer = await client().oauth.v2.access({ client_id: APP.clientId, client_secret: APP.clientSecret, code: back.searchParams.get('code')! });
    return answer.access_token!;
  }

  it('sends the browser back with a code and the state, and trades the code once for a bot token of that workspace', async () => {
    const back = await consent({ team: 'T0AAA', state: 'state-123' });
    assert.equal(`${back.origin}${back.pathname}`, APP.redirectUrl);
    assert.equal(back.searchParams.get('state'), 'state-123');
    const code = back.searchParams.get('code')!;
    assert.equal(await slackError(client().oauth.v2.access({ client_id: APP.clientId, client_secret: 'wrong', code })), 'bad_client_secret');
    const answer = await client().oauth.v2.access({ client_id: APP.clientId, client_secret: APP.clientSecret, code });
    assert.equal(answer.token_type, 'bot');
    assert.match(answer.access_token!, /^xoxb-/);
    assert.deepEqual(answer.team, { id: 'T0AAA', name: 'Workspace T0AAA' });
    assert.equal(answer.enterprise, null);
    assert.equal(answer.is_enterprise_install, false);
    assert.equal(answer.scope, 'commands,chat:write');
    assert.ok(answer.bot_user_id);
    assert.ok(answer.app_id);
    assert.deepEqual(answer.authed_user, { id: 'U0INSTALLER' });
    assert.equal(answer.refresh_token, undefined, 'no rotation unless asked for');
    assert.equal(await slackError(client().oauth.v2.access({ client_id: APP.clientId, client_secret: APP.clientSecret, code })), 'invalid_code');
  });

  it('answers auth.test and every call for the workspace of the token, and records which token each call used', async () => {
    const [tokenA, tokenB] = [await install('T0AAA'), await install('T0BBB')];
    assert.notEqual(tokenA, tokenB);
    const [whoA, whoB] = [await client(tokenA).auth.test(), await client(tokenB).auth.test()];
    assert.equal(whoA.team_id, 'T0AAA');
    assert.equal(whoB.team_id, 'T0BBB');
    assert.notEqual(whoA.user_id, whoB.user_id);
    const card = await client(tokenA).chat.postMessage({ channel: 'C0AAA', text: 'card of A' });
    assert.equal(fake.callsTo('chat.postMessage')[0]?.token, tokenA);
    assert.equal(fake.callsTo('chat.postMessage')[0]?.teamId, 'T0AAA');
    assert.equal(fake.teamOf(tokenB), 'T0BBB');
    assert.deepEqual(fake.tokensOf('T0AAA'), [tokenA]);
    // Another workspace's bot cannot edit this card.
    assert.equal(await slackError(client(tokenB).chat.update({ channel: 'C0AAA', ts: card.ts!, text: 'x' })), 'cant_update_message');
    await client(tokenA).chat.update({ channel: 'C0AAA', ts: card.ts!, text: 'updated' });
    // The single-workspace token still works as before.
    assert.equal((await client('xoxb-test').auth.test()).team_id, fake.teamId);
  });

  it('refuses a workspace\'s tokens once it removed the app, and no one else\'s', async () => {
    const [tokenA, tokenB] = [await install('T0AAA'), await install('T0BBB')];
    fake.revokeTokens('T0AAA');
    assert.equal(await slackError(client(tokenA).chat.postMessage({ channel: 'C0AAA', text: 'x' })), 'token_revoked');
    await client(tokenB).chat.postMessage({ channel: 'C0BBB', text: 'still here' });
  });

  it('with token rotation: expiring tokens, a refresh token spent once, the old token good until it expires', async () => {
    fake.setTokenLifetime(1);
    const back = await consent({ team: 'T0AAA' });
    const installed = await client().oauth.v2.access({ client_id: APP.clientId, client_secret: APP.clientSecret, code: back.searchParams.get('code')! });
    assert.match(installed.access_token!, /^xoxe\.xoxb-/);
    assert.equal(installed.expires_in, 1);
    assert.match(installed.refresh_token!, /^xoxe-1-/);
    fake.setTokenLifetime(43_200);
    const refresh = { client_id: APP.clientId, client_secret: APP.clientSecret, grant_type: 'refresh_token' as const, refresh_token: installed.refresh_token! };
    const renewed = await client().oauth.v2.access(refresh);
    assert.notEqual(renewed.access_token, installed.access_token);
    assert.equal(renewed.expires_in, 43_200);
    assert.notEqual(renewed.refresh_token, installed.refresh_token);
    assert.deepEqual(renewed.team, { id: 'T0AAA', name: 'Workspace T0AAA' });
    assert.equal(await slackError(client().oauth.v2.access(refresh)), 'invalid_refresh_token', 'a refresh token is spent once');
    assert.equal((await client(installed.access_token).auth.test()).team_id, 'T0AAA', 'the old token works until it expires');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    assert.equal(await slackError(client(installed.access_token).auth.test()), 'token_expired');
    assert.equal((await client(renewed.access_token).auth.test()).team_id, 'T0AAA');
  });

  it('plays an Enterprise Grid org-wide install: no team, the enterprise, is_enterprise_install', async () => {
    const back = await consent({ enterprise: 'E0ORG', org_wide: '1' });
    const answer = await client().oauth.v2.access({ client_id: APP.clientId, client_secret: APP.clientSecret, code: back.searchParams.get('code')! });
    assert.equal(answer.team, null);
    assert.deepEqual(answer.enterprise, { id: 'E0ORG', name: 'Organisation E0ORG' });
    assert.equal(answer.is_enterprise_install, true);
    const who = await client(answer.access_token).auth.test();
    assert.equal(who.is_enterprise_install, true);
    assert.equal(who.enterprise_id, 'E0ORG');
  });

  it('refuses the consent page to an unknown client id', async () => {
    const page = await fetch(`${fake.url}/oauth/v2/authorize?client_id=nope&scope=commands`, { redirect: 'manual' });
    assert.equal(page.status, 400);
  });
});
