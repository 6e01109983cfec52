/**
 * Genesys outcomes from a signed slash command to the card and thread, against the sandbox that
 * notifies exactly as seed 001 shows: success without `referenceId` (ParticipantsUpdated, then
 * NewMessages), failure by the `Error` carrying it, nothing at all for a lost outcome.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SANDBOX_GENESYS, sandboxEnvironment, startLocalStack, startSandboxes, type LocalStack, type Sandboxes } from '../../sandbox/local-stack.js';
import { SlackRequester } from '../../sandbox/slack-requests.js';
import type { FakeSlackApi } from '../../sandbox/slack-api.js';
import { createApp, type Rendezvous } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { eventually } from '../helpers/eventually.js';

const CHANNEL = 'C0SUPPORT';
const STARTER = 'U0AGENT';
const SMS = SANDBOX_GENESYS.smsSession;

const reply = (slack: FakeSlackApi, pattern: RegExp, timeoutMs = 8000) =>
  slack.waitFor('chat.postMessage', (call) => Boolean(call.args.thread_ts) && pattern.test(call.args.text), timeoutMs);
const cardShowing = (slack: FakeSlackApi, pattern: RegExp, timeoutMs = 8000) =>
  slack.waitFor('chat.update', (call) => pattern.test(JSON.stringify(call.args.blocks)), timeoutMs);

describe('e2e: Genesys outcomes by SMS session, from the slash command', function () {
  this.timeout(30_000);

  describe('one app', () => {
    let stack: LocalStack;

    async function start(env: Record<string, string> = {}) {
      stack = await startLocalStack({ vendors: ['genesys'], env });
      return stack;
    }

    afterEach(async () => {
      await stack.close();
      assert.deepEqual(stack.slack.rejections, [], 'Slack accepted every payload');
    });

    it('an Invite succeeds by ParticipantsUpdated alone (no referenceId), naming who joined on the card and in the thread', async () => {
      await start();
      // A first Invite: nothing was heard of this SMS session before it, so its ParticipantJoined settles it.
      await stack.requester.slash(`genesys ${SMS} queue:sms-overflow`, { userId: STARTER, channelId: CHANNEL });
      await reply(stack.slack, /Genesys brought sms-overflow into the SMS session/);
      // From now on the sandbox sends only the seed's First Notification: the app knows the
      // participants from before this request, so a new Agent among them is the success.
      stack.genesys.setJoinNotifications(['ParticipantsUpdated']);
      await stack.requester.slash(`genesys ${SMS} agent:agent-2`, { userId: STARTER, channelId: CHANNEL });
      await reply(stack.slack, /Genesys accepted the request to bring agent-2 into SMS session/);
      await reply(stack.slack, /Genesys brought agent-2 into the SMS session 0000Na9B26EF006E\.$/);
      const card = await cardShowing(stack.slack, /agent-2 joined the SMS session/);
      assert.match(JSON.stringify(card.args.blocks), /In progress/);
      // Sent as the parameter table says: a path target as targetPath, on /api/v2/me/smssessions.
      const invite = stack.genesys.operations[1];
      assert.deepEqual(
        [invite?.operationName, invite?.path, invite?.targetPath, invite?.targetUri, invite?.userUri],
        ['Invite', `/api/v2/me/smssessions/${SMS}`, '/users/agent-2', undefined, undefined],
      );
    });

    it('an Invite fails on the Error notification carrying its referenceId', async () => {
      await start();
      await stack.requester.slash(`genesys ${SMS} /users/nobody`, { userId: STARTER, channelId: CHANNEL });
      await reply(stack.slack, /Genesys could not bring nobody in \(Genesys SMS session 0000Na9B26EF006E\): Operation failed/);
      const card = await cardShowing(stack.slack, /Failed/);
      assert.match(JSON.stringify(card.args.blocks), /Genesys said: Operation failed/);
    });

    it('with no outcome after the wait, the card says "Not confirmed by Genesys", not "Failed"', async () => {
      await start({ GENESYS_OUTCOME_TIMEOUT_SECONDS: '1' });
      stack.genesys.setJoinNotifications([]);
      await stack.requester.slash(`genesys ${SMS} agent:agent-2`, { userId: STARTER, channelId: CHANNEL });
      await reply(stack.slack, /Not confirmed by Genesys: no outcome within 1 s/);
      const card = await cardShowing(stack.slack, /Not confirmed by Genesys/);
      assert.doesNotMatch(JSON.stringify(card.args.blocks), /Failed/);
    });

    it('refuses free text such as "Support FR" before calling Genesys, saying what to write', async () => {
      await start();
      const ack = await stack.requester.slash(`genesys ${SMS} Support FR`, { userId: STARTER, channelId: CHANNEL });
      assert.match(ack.body.text, /"Support FR" is not a Genesys user or queue\. Give agent:&lt;id&gt;, queue:&lt;id&gt;|"Support FR" is not a Genesys user or queue\. Give agent:<id>, queue:<id>/);
      assert.equal(stack.genesys.operations.length, 0);
    });

    it('a link pushed with via: is "sent" on statusCode 0; only a later Error says it did not reach the customer', async () => {
      stack = await startLocalStack({ vendors: ['conpeek', 'genesys'] });
      await stack.requester.slash(`+33612345678 conpeek via:${SMS}`, { userId: STARTER, channelId: CHANNEL });
      await reply(stack.slack, /The link went to the customer through Genesys SMS session/);
      stack.genesys.failNextOperations();
      await stack.requester.slash(`+33612345679 conpeek via:${SMS}`, { userId: STARTER, channelId: CHANNEL });
      await reply(stack.slack, /The link did not reach the customer through Genesys SMS session 0000Na9B26EF006E: Genesys said Operation failed/);
    });
  });

  describe('a restart', () => {
    let sandboxes: Sandboxes;
    let dataDir: string;
    const apps: Rendezvous[] = [];
    const signingSecret = randomBytes(16).toString('hex');
    const encryptionKey = randomBytes(32).toString('base64');

    afterEach(async () => {
      for (const app of apps.splice(0)) await app.stop();
      await sandboxes.close();
      rmSync(dataDir, { recursive: true, force: true });
    });

    async function startApp(): Promise<{ app: Rendezvous; url: string }> {
      const config = loadConfig({
        ...sandboxEnvironment(sandboxes, { vendors: ['genesys'] }),
        SLACK_SIGNING_SECRET: signingSecret,
        ENCRYPTION_KEY: encryptionKey,
        PORT: '0',
        DATABASE_URL: `file:${join(dataDir, 'rendezvous.db')}`,
        TRACK_INTERVAL_SECONDS: '0.5',
      });
      const app = createApp(config, { logger: createLogger('silent') });
      apps.push(app);
      const { port } = await app.start();
      return { app, url: `http://127.0.0.1:${port}` };
    }

    it('a pending Invite is settled by a new app instance on the same database when it hears the outcome', async () => {
      // The outcome comes 5 s after the request: long after the first instance is gone.
      sandboxes = await startSandboxes({ genesysOutcomeDelayMs: 5000 });
      dataDir = mkdtempSync(join(tmpdir(), 'rendezvous-restart-'));
      const first = await startApp();
      const requester = new SlackRequester({ appUrl: first.url, signingSecret, fakeSlack: sandboxes.slack });
      await requester.slash(`genesys ${SMS} agent:agent-2`, { userId: STARTER, channelId: CHANNEL });
      await reply(sandboxes.slack, /Genesys accepted the request to bring agent-2/);
      await first.app.stop();
      apps.splice(apps.indexOf(first.app), 1);
      await eventually('the first instance stopped listening', () => sandboxes.genesys.cometdClients === 0, 2000);

      // The new instance finds the Invite waiting in the database and listens for it.
      await startApp();
      await eventually('the new instance listens', () => sandboxes.genesys.cometdClients === 1, 3000);
      await reply(sandboxes.slack, /Genesys brought agent-2 into the SMS session/, 8000);
      await cardShowing(sandboxes.slack, /agent-2 joined the SMS session/);
    });
  });
});
