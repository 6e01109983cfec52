import assert from 'node:assert/strict';
import { startLocalStack, type LocalStack } from '../../sandbox/local-stack.js';
import { ACTION } from '../../src/ui/ids.js';

const STARTER = 'U0AGENT';
const COLLEAGUE = 'U0OTHER';
const ADMIN = 'U0ADMIN';

describe('e2e: session card buttons', function () {
  this.timeout(20_000);
  let stack: LocalStack;
  let cardTs: string;
  let sessionId: string;

  beforeEach(async () => {
    stack = await startLocalStack({ apizeeRatePerMinute: 60, env: { TRACK_INTERVAL_SECONDS: '30' }, slack: { admins: [ADMIN] } });
    await stack.requester.slash('+33612345678 ref:CASE-7', { userId: STARTER, channelId: 'C0SUPPORT' });
    await stack.slack.waitFor('chat.postMessage', (call) => Boolean(call.args.thread_ts));
    const card = stack.slack.callsTo('chat.postMessage').find((call) => !call.args.thread_ts)!;
    cardTs = card.response.ts;
    const update = await stack.slack.waitFor('chat.update', (call) => JSON.stringify(call.args.blocks).includes('Customer link'));
    sessionId = JSON.stringify(update.args.blocks).match(/"value":"([0-9a-f-]{36})"/)![1]!;
  });
  afterEach(async () => {
    await stack.close();
  });

  const click = (actionId: string, userId: string) =>
    stack.requester.interaction(
      stack.requester.blockAction({ actionId, value: sessionId, userId, channelId: 'C0SUPPORT', messageTs: cardTs }),
    );

  it('shows the customer link only to the starter, ephemerally', async () => {
    const response = await click(ACTION.customerLink, STARTER);
    assert.equal(response.status, 200);
    const reply = await stack.slack.waitFor('response_url', (call) => /Customer link/.test(call.args.text ?? ''));
    assert.equal(reply.args.response_type, 'ephemeral');
    const [ticket] = [...stack.apizee.tickets.values()];
    assert.ok(reply.args.text.includes(ticket!.requestorUrl.replace(/&/g, '&amp;')));
  });

  it('refuses the customer link to a colleague, and gives it to an admin', async () => {
    await click(ACTION.customerLink, COLLEAGUE);
    const refused = await stack.slack.waitFor('response_url', (call) => /Only <@U0AGENT>/.test(call.args.text ?? ''));
    assert.ok(!refused.args.text.includes('diag.apizee'));
    await click(ACTION.customerLink, ADMIN);
    await stack.slack.waitFor('response_url', (call) => /Customer link/.test(call.args.text ?? ''));
  });

  it('refreshes the card from Apizee', async () => {
    const [ticket] = [...stack.apizee.tickets.values()];
    stack.apizee.setTicketState(ticket!.id, 'inprogress');
    await click(ACTION.refresh, COLLEAGUE);
    await stack.slack.waitFor('chat.update', (call) => JSON.stringify(call.args.blocks).includes('In progress'));
    await stack.slack.waitFor('chat.postMessage', (call) => /guest joined/.test(call.args.text));
    const lookups = stack.apizee.requests.filter((request) => request.method === 'GET' && request.path === '/api/tickets' && request.query.reference === 'CASE-7');
    assert.equal(lookups.length, 1, JSON.stringify(stack.apizee.requests.map((r) => [r.method, r.path, r.query, r.status])));
  });

  it('lets only the starter cancel, and says Apizee was not told', async () => {
    await click(ACTION.cancel, COLLEAGUE);
    await stack.slack.waitFor('response_url', (call) => /Only <@U0AGENT>/.test(call.args.text ?? ''));
    await click(ACTION.cancel, STARTER);
    const update = await stack.slack.waitFor('chat.update', (call) => JSON.stringify(call.args.blocks).includes('Cancelled'));
    assert.match(JSON.stringify(update.args.blocks), /Apizee was not told/);
    assert.ok(!JSON.stringify(update.args.blocks).includes(ACTION.refresh), 'a cancelled card has no buttons');
    const reply = await stack.slack.waitFor('chat.postMessage', (call) => /Cancelled in Rendezvous/.test(call.args.text));
    assert.equal(reply.args.thread_ts, cardTs);
    await stack.app.tracking.runOnce();
    const polls = stack.apizee.requests.filter((request) => request.method === 'GET').length;
    await stack.app.tracking.runOnce();
    assert.equal(stack.apizee.requests.filter((request) => request.method === 'GET').length, polls, 'tracking stopped');
  });
});
