import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sandboxEnvironment, startLocalStack, startSandboxes, type LocalStack, type Sandboxes } from '../../sandbox/local-stack.js';
import type { FakeSlackCall } from '../../sandbox/slack-api.js';
import { SlackRequester } from '../../sandbox/slack-requests.js';
import { createApp, type Rendezvous } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { eventually } from '../helpers/eventually.js';

const ARCHIVED = 'C0ARCHIVED';
const HEALTHY = 'C0HEALTHY';
const STARTER = 'U0AGENT';
const COLLEAGUE = 'U0OTHER';

const isThreadPost = (channel: string) => (call: FakeSlackCall) => call.method === 'chat.postMessage' && call.args.channel === channel && Boolean(call.args.thread_ts);

/**
 * Tracking runs four times a second here (the stacks' 1 s otherwise), and Apizee allows 240
 * requests a minute, so the sessions move on sooner; the outbox and its waits are the app's own.
 */
const FAST_TRACKING = { TRACK_INTERVAL_SECONDS: '0.25' };

/** The measurement: a channel archived after its card was posted, beside a healthy one. */
describe('e2e: the outbox when a channel refuses posts', function () {
  this.timeout(40_000);
  let stack: LocalStack;

  afterEach(async () => {
    await stack?.close();
  });

  it('tries each reply once, sets it aside, tells the starter once by DM and on App Home, posts the other sessions’ replies, and stops at once', async () => {
    stack = await startLocalStack({ apizeeRatePerMinute: 240, vendors: ['apizee'], env: FAST_TRACKING });
    await stack.requester.slash('+33612345678 ref:CASE-ARCH', { userId: STARTER, channelId: ARCHIVED });
    await stack.requester.slash('+33612345679 ref:CASE-OK', { userId: COLLEAGUE, channelId: HEALTHY });
    await stack.slack.waitFor('chat.postMessage', (call) => isThreadPost(ARCHIVED)(call) && /sent the invitation/.test(call.args.text));
    await stack.slack.waitFor('chat.postMessage', (call) => isThreadPost(HEALTHY)(call) && /sent the invitation/.test(call.args.text));
    const tickets = [...stack.apizee.tickets.values()];
    const archivedTicket = tickets.find((ticket) => ticket.reference === 'CASE-ARCH')!;
    const healthyTicket = tickets.find((ticket) => ticket.reference === 'CASE-OK')!;

    stack.slack.archiveChannel(ARCHIVED);
    const archivedAt = Date.now();
    stack.apizee.setTicketState(archivedTicket.id, 'inprogress');
    stack.apizee.setTicketState(healthyTicket.id, 'inprogress');
    await stack.slack.waitFor('chat.postMessage', (call) => isThreadPost(HEALTHY)(call) && /guest joined/.test(call.args.text), 10_000);
    const dm = await stack.slack.waitFor('chat.postMessage', (call) => call.args.channel === STARTER, 10_000);
    assert.equal(dm.response.ok, true, JSON.stringify(dm.response));
    assert.match(dm.args.text, /CASE-ARCH/);
    assert.match(dm.args.text, new RegExp(`<#${ARCHIVED}>`));
    assert.match(dm.args.text, /refuses posts there \(`is_archived`\)/);

    // More replies come due in the archived thread; the healthy one goes on.
    stack.apizee.completeWithMedia(archivedTicket.id);
    stack.apizee.completeWithMedia(healthyTicket.id);
    await stack.slack.waitFor('chat.postMessage', (call) => isThreadPost(HEALTHY)(call) && /session ended after/.test(call.args.text), 10_000);
    await stack.slack.waitFor('chat.postMessage', (call) => isThreadPost(HEALTHY)(call) && /files? from the session/.test(call.args.text), 10_000);
    const db = stack.app.database.db;
    await eventually('the archived session’s later replies set aside', async () => {
      const rows = await db.selectFrom('milestones').innerJoin('sessions', 'sessions.id', 'milestones.session_id').select(['milestones.key', 'milestones.dead_lettered_at']).where('sessions.reference', '=', 'CASE-ARCH').execute();
      return ['ended', 'media'].every((key) => rows.some((row) => (row.key === key || row.key.startsWith(`${key}:`)) && row.dead_lettered_at !== null));
    });
    // Several more tracking passes (four a second), for longer than a first retry's backoff (≤ 2 s): nothing is tried again.
    await new Promise((resolve) => setTimeout(resolve, 2500));

    const tries = stack.slack.calls.filter((call) => isThreadPost(ARCHIVED)(call) && call.at >= archivedAt);
    const triedIds = tries.map((call) => call.args.metadata?.event_payload?.outbox_id as string | undefined);
    const rowsOfArchived = () =>
      db
        .selectFrom('milestones')
        .innerJoin('sessions', 'sessions.id', 'milestones.session_id')
        .select(['milestones.id', 'milestones.key', 'milestones.attempts', 'milestones.posted_ts', 'milestones.dead_lettered_at', 'milestones.last_error'])
        .where('sessions.reference', '=', 'CASE-ARCH')
        .execute();
    // A try the stand-in just answered may still be being recorded: give it a moment.
    await eventually('every reply tried in the archived thread set aside', async () => {
      const dead = new Set((await rowsOfArchived()).filter((row) => row.dead_lettered_at !== null).map((row) => row.id));
      return triedIds.every((id) => id !== undefined && dead.has(id));
    });
    const rows = await rowsOfArchived();
    const detail = JSON.stringify({ tries: tries.map((call) => [call.args.text, call.response.error, call.at - archivedAt]), rows });
    assert.equal(new Set(triedIds).size, triedIds.length, `no reply was tried twice: ${detail}`);
    assert.ok(tries.every((call) => call.response.error === 'is_archived'), detail);
    const deadLetters = rows.filter((row) => row.dead_lettered_at !== null);
    assert.ok(['joined', 'ended', 'media'].every((key) => deadLetters.some((row) => row.key === key || row.key.startsWith(`${key}:`))), detail);
    assert.ok(deadLetters.every((row) => row.last_error === 'is_archived' && Number(row.attempts) <= 1), detail);
    assert.ok(tries.length <= deadLetters.length, `${tries.length} tries for ${deadLetters.length} replies due: ${detail}`);
    assert.equal(stack.slack.calls.filter((call) => call.method === 'chat.postMessage' && call.args.channel === STARTER).length, 1, 'one DM for the session');

    const healthyReplies = stack.slack.calls.filter(isThreadPost(HEALTHY)).map((call) => call.args.text as string);
    assert.equal(healthyReplies.length, 4, healthyReplies.join('\n'));

    // The starter's Home tab lists what could not be posted: republished when the reply was set
    // aside, and so whenever they open it.
    const republished = stack.slack.callsTo('views.publish').filter((call) => call.args.user_id === STARTER);
    assert.ok(republished.some((call) => JSON.stringify(call.args.view.blocks).includes('Replies that could not be posted')), 'republished when set aside');
    stack.slack.reset();
    await stack.requester.event({ type: 'app_home_opened', user: STARTER, channel: 'D0AGENT', tab: 'home', event_ts: (Date.now() / 1000).toFixed(6) }, { eventId: 'Ev0OUTBOX01' });
    await eventually('the Home tab with the replies set aside', () => {
      const view = stack.slack.lastView(STARTER);
      const json = JSON.stringify(view?.blocks ?? []);
      return json.includes('Replies that could not be posted') && json.includes('CASE-ARCH') && json.includes('is_archived');
    });
    assert.ok(!JSON.stringify(stack.slack.lastView(COLLEAGUE)?.blocks ?? []).includes('could not be posted'));

    // SIGTERM's path: stop() does not hang on the refusing thread.
    const stopping = Date.now();
    await stack.app.stop();
    assert.ok(Date.now() - stopping < 3000, `stop() took ${Date.now() - stopping} ms`);
  });
});

/** A stack like startLocalStack's, with a short timeout for background Slack calls. */
async function stackWithTimeout(timeoutMs: number): Promise<{ app: Rendezvous; sandboxes: Sandboxes; requester: SlackRequester; close(): Promise<void> }> {
  const sandboxes = await startSandboxes({ apizeeRatePerMinute: 240 });
  const dataDir = mkdtempSync(join(tmpdir(), 'rendezvous-outbox-'));
  const signingSecret = randomBytes(16).toString('hex');
  const config = loadConfig({
    ...sandboxEnvironment(sandboxes, { vendors: ['apizee'], apizeeRatePerMinute: 240 }),
    SLACK_SIGNING_SECRET: signingSecret,
    PORT: '0',
    DATABASE_URL: `file:${join(dataDir, 'rendezvous.db')}`,
    ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    ...FAST_TRACKING,
  });
  const app = createApp(config, { logger: createLogger('silent'), slackBackgroundTimeoutMs: timeoutMs });
  const { port } = await app.start();
  const requester = new SlackRequester({ appUrl: `http://127.0.0.1:${port}`, signingSecret, fakeSlack: sandboxes.slack });
  return {
    app,
    sandboxes,
    requester,
    async close() {
      await app.stop();
      await sandboxes.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

describe('e2e: the outbox when Slack’s answer to a thread reply is lost', function () {
  this.timeout(40_000);
  let stack: Awaited<ReturnType<typeof stackWithTimeout>> | undefined;

  afterEach(async () => {
    await stack?.close();
    stack = undefined;
  });

  for (const mode of ['hang', 'reset'] as const) {
    it(`${mode === 'hang' ? 'Slack posts the reply but never answers (the client times out)' : 'Slack posts the reply and the connection drops'}: the reply stands once in the thread`, async () => {
      stack = await stackWithTimeout(1500);
      const slack = stack.sandboxes.slack;
      await stack.requester.slash('+33612345678 ref:CASE-LOST', { userId: STARTER, channelId: HEALTHY });
      await slack.waitFor('chat.postMessage', (call) => isThreadPost(HEALTHY)(call) && /sent the invitation/.test(call.args.text));
      const [ticket] = [...stack.sandboxes.apizee.tickets.values()];
      slack.loseAnswerNext('chat.postMessage', { mode });
      stack.sandboxes.apizee.setTicketState(ticket!.id, 'inprogress');
      await slack.waitFor('chat.postMessage', (call) => isThreadPost(HEALTHY)(call) && /guest joined/.test(call.args.text), 10_000);
      const db = stack.app.database.db;
      await eventually(
        'the joined reply recorded as posted',
        async () => {
          const row = await db.selectFrom('milestones').select(['posted_ts']).where('key', '=', 'joined').executeTakeFirst();
          return Boolean(row?.posted_ts);
        },
        15_000,
      );
      // A few more passes (four a second): nothing is posted again.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const [thread] = slack.messages(HEALTHY);
      const joined = thread!.replies.filter((reply) => /guest joined/.test(reply.text ?? ''));
      assert.equal(joined.length, 1, thread!.replies.map((reply) => reply.text).join('\n'));
      const row = await db.selectFrom('milestones').select(['posted_ts', 'attempts', 'dead_lettered_at']).where('key', '=', 'joined').executeTakeFirstOrThrow();
      assert.equal(row.posted_ts, joined[0]!.ts, 'the look-up found the reply the lost answer posted');
      assert.equal(Number(row.attempts), 1, 'posted once; settled by its metadata, not by a second post');
      assert.equal(slack.callsTo('conversations.replies').length >= 1, true);
    });
  }
});

describe('e2e: tracker card updates throttled by Slack', function () {
  this.timeout(30_000);
  let stack: LocalStack;

  afterEach(async () => {
    await stack?.close();
  });

  it('go through the background client: a new session’s card is posted at once meanwhile, and the card is updated once Slack’s wait is over', async () => {
    stack = await startLocalStack({ apizeeRatePerMinute: 60, vendors: ['apizee'] });
    await stack.requester.slash('+33612345678 ref:CASE-429', { userId: STARTER, channelId: HEALTHY });
    await stack.slack.waitFor('chat.postMessage', (call) => isThreadPost(HEALTHY)(call) && /sent the invitation/.test(call.args.text));
    const [ticket] = [...stack.apizee.tickets.values()];
    stack.slack.failNext('chat.update', 'ratelimited', { status: 429, retryAfter: 3 });
    stack.apizee.setTicketState(ticket!.id, 'inprogress');
    const throttled = await stack.slack.waitFor('chat.update', (call) => call.status === 429, 10_000);
    // Had the tracker used the interactive client (app.client), its whole queue would now wait
    // 3 s: a new session's card (posted through it) would wait too.
    await stack.requester.slash('+33612345679 ref:CASE-NEW', { userId: COLLEAGUE, channelId: 'C0OTHER' });
    const card = await stack.slack.waitFor('chat.postMessage', (call) => call.args.channel === 'C0OTHER' && !call.args.thread_ts);
    assert.ok(card.at - throttled.at < 1500, `the new card came ${card.at - throttled.at} ms after the 429`);
    assert.equal(card.response.ok, true);
    // The tracker's card update is sent again after the 3 s Slack asked for, and lands.
    const updated = await stack.slack.waitFor('chat.update', (call) => call.status === 200 && call.at > throttled.at && /In progress|joined/i.test(JSON.stringify(call.args.blocks)), 10_000);
    assert.ok(updated.at - throttled.at >= 2900, `sent again ${updated.at - throttled.at} ms after the 429`);
  });
});
