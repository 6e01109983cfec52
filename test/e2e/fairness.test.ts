import assert from 'node:assert/strict';
import { startLocalStack, type LocalStack } from '../../sandbox/local-stack.js';
import { ACTION } from '../../src/ui/ids.js';
import { eventually } from '../helpers/eventually.js';

const invitations = (stack: LocalStack) => stack.slack.callsTo('chat.postMessage').filter((call) => /sent the invitation/.test(call.args.text ?? ''));
const ticketPosts = (stack: LocalStack) => stack.apizee.requests.filter((request) => request.method === 'POST' && request.path === '/api/tickets');
const lookups = (stack: LocalStack) => stack.apizee.requests.filter((request) => request.method === 'GET' && request.path === '/api/tickets' && request.query.reference);

describe('e2e: budget fairness (Apizee at 12 requests a minute)', function () {
  this.timeout(30_000);
  let stack: LocalStack;

  afterEach(async () => {
    await stack?.close();
  });

  it("a burst of Refresh clicks from many users neither queues at Apizee nor delays the next session's creation", async () => {
    // Tracking stays out of the way (one pass an hour), so the minute's requests are counted by hand.
    stack = await startLocalStack({ apizeeRatePerMinute: 12, env: { TRACK_INTERVAL_SECONDS: '3600' } });
    for (let i = 1; i <= 6; i++) await stack.requester.slash(`+3361234560${i} ref:FAIR-${i}`);
    await eventually('six invitations', () => invitations(stack).length === 6, 10_000);
    // Login and six tickets: 7 of 12. 2 are kept for new sessions, 1 for tracking: 2 to spare.
    const cards = stack.slack.callsTo('chat.postMessage').filter((call) => !call.args.thread_ts);
    const sessionIds = cards.map((card) => {
      const update = stack.slack.callsTo('chat.update').find((call) => call.args.ts === card.response.ts && /"value":"[0-9a-f-]{36}"/.test(JSON.stringify(call.args.blocks)));
      return { ts: card.response.ts as string, id: JSON.stringify(update!.args.blocks).match(/"value":"([0-9a-f-]{36})"/)![1]! };
    });
    assert.equal(sessionIds.length, 6);

    // Eight colleagues each click Refresh on every card at once: 48 clicks. (A refused click costs
    // nothing, so it does not count against its user: test/services/refresh-limits.test.ts.)
    const users = Array.from({ length: 8 }, (_, i) => `U0PEER${i}`);
    const clicks = users.flatMap((userId) =>
      sessionIds.map(({ ts, id }) =>
        stack.requester.interaction(stack.requester.blockAction({ actionId: ACTION.refresh, value: id, userId, channelId: 'C0SUPPORT', messageTs: ts })),
      ),
    );
    const acks = await Promise.all(clicks);
    assert.ok(acks.every((ack) => ack.status === 200));
    const refusals = () => stack.slack.callsTo('response_url').filter((call) => /was checked|refreshed several cards|tracking will bring/.test(call.args.text ?? ''));
    // Every click but the one that was spent on Apizee is answered, ephemerally, with no vendor call.
    await eventually('every refused click answered', () => refusals().length + lookups(stack).length >= 48, 10_000);
    assert.ok(refusals().every((call) => call.args.response_type === 'ephemeral'));
    assert.ok(refusals().some((call) => /tracking will bring FAIR-\d's status up to date shortly/.test(call.args.text)));
    assert.ok(refusals().some((call) => /was checked \d+ s ago/.test(call.args.text)), 'a card checked moments ago says when');
    assert.equal(lookups(stack).length, 1, JSON.stringify(lookups(stack).map((request) => request.query.reference)));

    // A new session now goes to Apizee at once (queued behind refreshes, it would wait about a minute).
    const asked = Date.now();
    await stack.requester.slash('+33612345699 ref:FAIR-NEW');
    await eventually('the new ticket at Apizee', () => ticketPosts(stack).length === 7, 5000);
    const waited = ticketPosts(stack)[6]!.at.getTime() - asked;
    assert.ok(waited < 2500, `the new ticket reached Apizee ${waited} ms after the command`);
    await eventually('its invitation', () => invitations(stack).length === 7, 5000);
    assert.equal(stack.apizee.rateLimitedCount, 0);
  });

  it('answers stats from what it kept for 5 minutes, asking Apizee once, and says how old the figures are', async () => {
    stack = await startLocalStack({ apizeeRatePerMinute: 60, vendors: ['apizee'] });
    const statsCalls = () => stack.apizee.requests.filter((request) => /tickets-stats$/.test(request.path));
    const answers = () => stack.slack.callsTo('response_url').filter((call) => /Rendezvous usage/.test(call.args.text ?? ''));
    await stack.requester.slash('stats', { userId: 'U0ONE' });
    await eventually('the first answer', () => answers().length === 1);
    await stack.requester.slash('stats', { userId: 'U0TWO' });
    await eventually('the second answer', () => answers().length === 2);
    assert.equal(statsCalls().length, 1);
    assert.doesNotMatch(answers()[0]!.args.text, /as of/);
    assert.match(answers()[1]!.args.text, /\(as of \d+ s ago\)/);
    assert.match(JSON.stringify(answers()[1]!.args.blocks), /Apizee's own figures/);
  });
});
