import assert from 'node:assert/strict';
import { startLocalStack, type LocalStack } from '../../sandbox/local-stack.js';
import { eventually } from '../helpers/eventually.js';

describe('e2e: when Apizee or Slack misbehave', function () {
  this.timeout(30_000);
  let stack: LocalStack;
  // Where Apizee calls are still held or queued when the test is over, closing the stack need not
  // wait for them (SHUTDOWN_TIMEOUT_SECONDS is 10 by default): shutdown is tested in shutdown.test.ts.
  const QUICK_CLOSE = { SHUTDOWN_TIMEOUT_SECONDS: '1' };

  afterEach(async () => {
    await stack?.close();
  });

  it('acks a command in well under 3 s while Apizee takes 10 s to answer', async () => {
    stack = await startLocalStack({ apizeeRatePerMinute: 60, env: QUICK_CLOSE });
    stack.apizee.faults.setDelay(/\/tickets$/, 10_000);
    const response = await stack.requester.slash('+33612345678');
    assert.equal(response.status, 200);
    assert.ok(response.ms < 1000, `acked after ${response.ms} ms`);
    assert.match(response.body.text, /Creating the Apizee session/);
    // The card is up before Apizee answers, saying it is being created.
    const card = await stack.slack.waitFor('chat.postMessage', (call) => !call.args.thread_ts);
    assert.match(JSON.stringify(card.args.blocks), /Creating/);
  });

  it('puts a vendor failure on the card and in the thread, in plain words, and records it', async () => {
    stack = await startLocalStack({ apizeeRatePerMinute: 60 });
    stack.apizee.faults.failNext(/\/tickets$/, { status: 503 });
    await stack.requester.slash('+33612345678 ref:DOWN-1');
    const update = await stack.slack.waitFor('chat.update', (call) => JSON.stringify(call.args.blocks).includes('Failed'));
    assert.match(JSON.stringify(update.args.blocks), /Apizee is not answering right now/);
    const reply = await stack.slack.waitFor('chat.postMessage', (call) => Boolean(call.args.thread_ts));
    assert.match(reply.args.text, /could not be created/);
    const [row] = await stack.app.database.db.selectFrom('sessions').selectAll().execute();
    assert.equal(row?.status, 'failed');
    assert.equal(row?.last_error, 'unavailable');
    assert.equal(row?.tracking, 0);
    // A POST that creates things is never retried blindly.
    assert.equal(stack.apizee.requests.filter((request) => request.method === 'POST' && request.path === '/api/tickets').length, 1);
  });

  it('tells the starter how to add the app when the card cannot be posted, and creates nothing', async () => {
    stack = await startLocalStack({ apizeeRatePerMinute: 60, slack: { channelsWithoutApp: ['G0PRIVATE'] } });
    await stack.requester.slash('+33612345678', { channelId: 'G0PRIVATE' });
    const reply = await stack.slack.waitFor('response_url', (call) => /can't post the session card/.test(call.args.text ?? ''));
    assert.equal(reply.args.response_type, 'ephemeral');
    assert.match(reply.args.text, /\/invite @Rendezvous/);
    assert.equal(stack.apizee.tickets.size, 0);
  });

  it('logs in again once when the token expired', async () => {
    stack = await startLocalStack({ apizeeRatePerMinute: 60 });
    await stack.requester.slash('+33612345678');
    await stack.slack.waitFor('chat.postMessage', (call) => /sent the invitation/.test(call.args.text));
    stack.apizee.expireTokens();
    await stack.requester.slash('+33612345679');
    await eventually('the second invitation', () =>
      stack.slack.callsTo('chat.postMessage').filter((call) => /sent the invitation/.test(call.args.text)).length === 2,
    );
    assert.equal(stack.apizee.tickets.size, 2);
    assert.equal(stack.apizee.requests.filter((request) => request.path === '/api/token').length, 2);
  });

  it('queues behind the per-minute limit, says about how long, and never gets a 429', async () => {
    stack = await startLocalStack({ apizeeRatePerMinute: 3, env: QUICK_CLOSE });
    const acks = [];
    for (const phone of ['+33612345601', '+33612345602', '+33612345603']) {
      acks.push((await stack.requester.slash(phone)).body.text as string);
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    assert.match(acks[0]!, /^⏳ Creating the Apizee session…$/);
    // login + 2 tickets use the 3 slots: the third ticket waits about a minute.
    assert.match(acks[2]!, /queued behind Apizee's 3 requests a minute, about \d+ s/);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(stack.apizee.tickets.size, 2);
    assert.equal(stack.apizee.rateLimitedCount, 0);
  });

  it('posts every card at once while Apizee queues, and a vendor behind its limit never holds up another', async () => {
    stack = await startLocalStack({ apizeeRatePerMinute: 3, env: QUICK_CLOSE });
    // Twenty Apizee sessions: login and two tickets use the minute's 3 requests, the rest wait.
    for (let i = 0; i < 20; i++) await stack.requester.slash(`+336123456${String(i).padStart(2, '0')} apizee`);
    const ack = await stack.requester.slash('+44 7400 123456 blitzz ref:CASE-NEXT');
    assert.match(ack.body.text, /Creating the Blitzz session/);
    await eventually('the Blitzz invitation, not queued behind Apizee', () => stack.blitzz.invitations.length === 1, 5000);
    const cards = () => stack.slack.callsTo('chat.postMessage').filter((call) => !call.args.thread_ts);
    await eventually('21 cards, one per command, before Apizee has answered', () => cards().length === 21, 5000);
    assert.equal(stack.apizee.tickets.size, 2);
    assert.equal(stack.apizee.rateLimitedCount, 0);
  });

  it('answers help and unparseable text with usage, ephemerally', async () => {
    stack = await startLocalStack();
    const help = await stack.requester.slash('help');
    assert.equal(help.body.response_type, 'ephemeral');
    assert.match(help.body.text, /\/rendezvous/);
    const bad = await stack.requester.slash('0612345678');
    assert.match(bad.body.text, /country code/);
    assert.equal(stack.slack.callsTo('chat.postMessage').length, 0);
  });
});

describe('e2e: Slack rate limits', function () {
  this.timeout(30_000);
  let stack: LocalStack;
  afterEach(async () => {
    await stack?.close();
  });

  it('a 429 on a thread reply pauses background posts as asked, posts it once, and never holds up commands', async () => {
    stack = await startLocalStack({ apizeeRatePerMinute: 60, vendors: ['apizee'] });
    stack.apizee.faults.setDelay(/\/tickets$/, 400);
    await stack.requester.slash('+33612345678 ref:RL-1', { channelId: 'C0ONE' });
    await stack.slack.waitFor('chat.postMessage', (call) => call.args.channel === 'C0ONE' && !call.args.thread_ts);
    stack.slack.failNext('chat.postMessage', 'ratelimited', { status: 429, retryAfter: 2 });
    const limitedAt = Date.now();
    await stack.slack.waitFor('chat.postMessage', (call) => call.status === 429, 5000);

    // Meanwhile an agent's command goes through at once: its card is posted well within the pause.
    const before = Date.now();
    await stack.requester.slash('+33612345679 ref:RL-2', { channelId: 'C0TWO' });
    await stack.slack.waitFor('chat.postMessage', (call) => call.args.channel === 'C0TWO' && !call.args.thread_ts && call.status === 200, 3000);
    assert.ok(Date.now() - before < 1500, 'the interactive card did not wait behind the 429');

    const reply = await stack.slack.waitFor('chat.postMessage', (call) => call.args.channel === 'C0ONE' && Boolean(call.args.thread_ts) && call.status === 200, 10_000);
    assert.ok(reply.at - limitedAt >= 1900, `retried after ${reply.at - limitedAt} ms, not before Retry-After`);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const posted = stack.slack.callsTo('chat.postMessage').filter((call) => call.args.channel === 'C0ONE' && call.args.thread_ts && call.status === 200);
    assert.equal(posted.length, 1);
  });
});
