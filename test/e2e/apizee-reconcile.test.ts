import assert from 'node:assert/strict';
import { startLocalStack, type LocalStack } from '../../sandbox/local-stack.js';
import type { ApizeeLostAnswer } from '../../sandbox/apizee.js';

const CHANNEL = 'C0SUPPORT';
const AGENT = 'U0AGENT';

function waitForReply(stack: LocalStack, pattern: RegExp, timeoutMs = 8000) {
  return stack.slack.waitFor('chat.postMessage', (call) => Boolean(call.args.thread_ts) && pattern.test(call.args.text), timeoutMs);
}

const ticketPosts = (stack: LocalStack) => stack.apizee.requests.filter((request) => request.method === 'POST' && request.path === '/api/tickets');
const lookups = (stack: LocalStack) => stack.apizee.requests.filter((request) => request.method === 'GET' && request.path === '/api/tickets' && request.query.reference);

describe('e2e: an Apizee creation whose answer is lost is reconciled, not failed', function () {
  this.timeout(30_000);
  let stack: LocalStack;

  beforeEach(async () => {
    // A one-second client timeout, so that a held answer times out quickly.
    stack = await startLocalStack({ apizeeRatePerMinute: 60, vendors: ['apizee'], env: { APIZEE_TIMEOUT_SECONDS: '1' } });
  });
  afterEach(async () => {
    await stack.close();
  });

  for (const mode of ['timeout', 'unreadable'] as ApizeeLostAnswer[]) {
    it(`adopts the ticket Apizee made when the POST /tickets answer is ${mode === 'timeout' ? 'never sent' : 'not JSON'}: one ticket, one SMS, not failed`, async () => {
      stack.apizee.loseNextAnswer('POST', /^\/api\/tickets$/, mode);
      await stack.requester.slash('+33 6 12 34 56 78 apizee ref:CASE-LOST', { userId: AGENT, channelId: CHANNEL });
      const invited = await waitForReply(stack, /found the ticket by its reference/);
      assert.match(invited.args.text, /sent the invitation by SMS/);
      assert.match(invited.args.text, new RegExp(`<@${AGENT}> started this session`));

      assert.equal(stack.apizee.tickets.size, 1, 'one ticket only');
      assert.equal(ticketPosts(stack).length, 1, 'the POST is never sent again');
      assert.equal(lookups(stack)[0]?.query.reference, 'CASE-LOST');
      const [ticket] = [...stack.apizee.tickets.values()];
      const card = await stack.slack.waitFor('chat.update', (call) => JSON.stringify(call.args.blocks).includes('Invited'));
      assert.ok(!JSON.stringify(card.args.blocks).includes('Failed'));

      // Adopted for good: tracking follows the adopted ticket to its end.
      stack.apizee.setTicketState(ticket!.id, 'inprogress');
      await waitForReply(stack, /guest joined/);
      const failed = stack.slack.callsTo('chat.postMessage').filter((call) => /could not be created/.test(call.args.text ?? ''));
      assert.deepEqual(failed, []);
    });
  }

  it('adopts the meeting Apizee made when the POST /conferences answer is not JSON: one meeting, invitations sent once', async () => {
    stack.apizee.loseNextAnswer('POST', /^\/api\/conferences$/, 'unreadable');
    await stack.requester.slash('meet jane@example.com, +33612345678 "Site visit"', { userId: AGENT, channelId: CHANNEL });
    const invited = await waitForReply(stack, /found the meeting by its reference/);
    assert.match(invited.args.text, /Dial-in/);
    assert.equal(stack.apizee.conferences.size, 1);
    const posts = stack.apizee.requests.filter((request) => request.method === 'POST' && request.path === '/api/conferences');
    assert.equal(posts.length, 1);
    // Looked up by the session's reference, which the conference name carries.
    const search = stack.apizee.requests.find((request) => request.method === 'GET' && request.path === '/api/conferences');
    assert.ok(search?.query.search && posts[0]!.query.name!.endsWith(`Rendezvous ${search.query.search}`), JSON.stringify(search?.query));
    const [conference] = [...stack.apizee.conferences.values()];
    stack.apizee.setConferenceStatus(conference!.id, 'ongoing');
    await waitForReply(stack, /meeting started/);
  });

  it('fails after the lookup when Apizee made nothing (the POST timed out before reaching the API)', async () => {
    // A gateway that holds the request past the client timeout, without passing it on.
    stack.apizee.faults.failNext(/^\/api\/tickets$/, { status: 504, delayMs: 3000 });
    await stack.requester.slash('+33 6 12 34 56 78 apizee ref:CASE-NONE', { userId: AGENT, channelId: CHANNEL });
    const failed = await waitForReply(stack, /could not be created/);
    assert.match(failed.args.text, /took too long/);
    assert.equal(lookups(stack)[0]?.query.reference, 'CASE-NONE', 'looked up before failing');
    assert.equal(stack.apizee.tickets.size, 0);
  });

  it('says Apizee may have sent the invitation when the lookup fails too, and never posts twice', async () => {
    stack.apizee.loseNextAnswer('POST', /^\/api\/tickets$/, 'timeout');
    await stack.requester.slash('+33 6 12 34 56 78 apizee ref:CASE-DARK', { userId: AGENT, channelId: CHANNEL });
    for (let waited = 0; ticketPosts(stack).length === 0; waited += 20) {
      assert.ok(waited < 5000, 'the POST reached the sandbox');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    // Apizee goes dark after creating the ticket: the lookup (and its one retry) fail.
    stack.apizee.faults.failNext(/^\/api\/tickets$/, { status: 503, times: 2 });
    const failed = await waitForReply(stack, /could not be created/);
    assert.match(failed.args.text, /may have sent the invitation\. Check in Apizee before trying again/);
    assert.equal(ticketPosts(stack).length, 1);
  });

  it('still fails at once on a clear refusal, without a lookup', async () => {
    stack.apizee.faults.failNext(/^\/api\/tickets$/, { status: 503 });
    await stack.requester.slash('+33 6 12 34 56 78 apizee ref:CASE-REFUSED', { userId: AGENT, channelId: CHANNEL });
    await waitForReply(stack, /could not be created/);
    assert.equal(lookups(stack).length, 0);
    assert.equal(stack.apizee.tickets.size, 0);
  });
});
