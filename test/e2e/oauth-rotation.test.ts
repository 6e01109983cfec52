import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createApp, type Rendezvous } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { oauthEnvironment, registerOAuthApp, sandboxEnvironment, startSandboxes, type Sandboxes } from '../../sandbox/local-stack.js';
import { installThroughOAuth } from '../../sandbox/slack-install.js';
import { SlackRequester } from '../../sandbox/slack-requests.js';
import { freshPostgresDatabase } from '../helpers/databases.js';
import { eventually } from '../helpers/eventually.js';

const TEAM = 'T0ROTATE';
/** Below Slack's 2-hour renewal window: due for renewal as soon as it is installed. */
const SHORT_LIFETIME_S = 3600;
const SLACK_LIFETIME_S = 43_200;

describe('e2e: token rotation with two app instances on one PostgreSQL database', function () {
  this.timeout(60_000);
  let sandboxes: Sandboxes | undefined;
  let database: { url: string; drop(): Promise<void> } | undefined;
  const apps: Rendezvous[] = [];

  afterEach(async () => {
    for (const app of apps.splice(0)) await app.stop();
    await sandboxes?.close();
    await database?.drop();
  });

  it('renews a token once, whichever instance needs it first, and both go on with the new one', async function () {
    database = await freshPostgresDatabase();
    if (!database) this.skip();
    sandboxes = await startSandboxes({ apizeeRatePerMinute: 600, slack: { tokenLifetimeSeconds: SHORT_LIFETIME_S } });
    const signingSecret = randomBytes(16).toString('hex');
    const env = {
      ...sandboxEnvironment(sandboxes, { vendors: ['apizee'], apizeeRatePerMinute: 600 }),
      ...oauthEnvironment(),
      SLACK_SIGNING_SECRET: signingSecret,
      ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      DATABASE_URL: database!.url,
      PORT: '0',
      TRACK_INTERVAL_SECONDS: '30',
    };
    const urls: string[] = [];
    for (let i = 0; i < 2; i += 1) {
      const app = createApp(loadConfig(env), { logger: createLogger('silent') });
      apps.push(app);
      urls.push(`http://127.0.0.1:${(await app.start()).port}`);
    }
    registerOAuthApp(sandboxes.slack, urls[0]!);
    assert.equal((await installThroughOAuth(urls[0]!, { team: TEAM })).status, 200);
    const [installed] = sandboxes.slack.tokensOf(TEAM);
    sandboxes.slack.setTokenLifetime(SLACK_LIFETIME_S);

    // Commands reach both instances at once: each authorizes with the workspace's token, due for renewal.
    const requesters = urls.map((appUrl) => new SlackRequester({ appUrl, signingSecret, fakeSlack: sandboxes!.slack, teamId: TEAM }));
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, i) => requesters[i % 2]!.slash(`+3361234560${i} ref:CASE-${i}`, { channelId: `C0ROT${i}`, userId: 'U0AGENT' })),
    );
    for (const answer of answers) assert.match(JSON.stringify(answer.body), /Creating the Apizee session/);
    await eventually('six cards', () => sandboxes!.slack.callsTo('chat.postMessage').filter((call) => !call.args.thread_ts).length === 6, 20_000);

    const refreshes = sandboxes.slack.callsTo('oauth.v2.access').filter((call) => call.args.grant_type === 'refresh_token');
    assert.equal(refreshes.length, 1, 'one refresh across both instances');
    assert.equal(refreshes[0]!.response.ok, true);
    const renewed = refreshes[0]!.response.access_token as string;
    // Every call went out with a token of the workspace that Slack accepted: the installed one
    // while the renewal was under way, the renewed one after.
    for (const call of sandboxes.slack.calls.filter((call) => call.token !== undefined)) {
      assert.ok([installed, renewed].includes(call.token), `${call.method} with an unknown token`);
      assert.equal(call.response.ok, true, `${call.method}: ${JSON.stringify(call.response)}`);
    }
    // From now on, both instances use the renewed token (the old one is never cached once due).
    const before = sandboxes.slack.calls.length;
    await Promise.all(requesters.map((requester, i) => requester.slash(`+3369876540${i} ref:LATER-${i}`, { channelId: `C0LATER${i}`, userId: 'U0AGENT' })));
    await eventually('two more cards', () => sandboxes!.slack.calls.slice(before).filter((call) => call.method === 'chat.postMessage' && !call.args.thread_ts).length === 2, 20_000);
    for (const call of sandboxes.slack.calls.slice(before).filter((call) => call.token !== undefined)) assert.equal(call.token, renewed, call.method);
    const stored = await apps[0]!.database.db.selectFrom('installations').select(['bot_credentials', 'version', 'refresh_owner']).executeTakeFirstOrThrow();
    assert.equal(stored.refresh_owner, null, 'the lease was given back');
    assert.equal(stored.bot_credentials.includes(renewed), false, 'sealed, not in clear');
  });
});
