import assert from 'node:assert/strict';
import { startLocalStack, type LocalStack } from '../../sandbox/local-stack.js';

const CHANNEL = 'C0SUPPORT';
const AGENT = 'U0AGENT';

function threadReplies(stack: LocalStack) {
  return stack.slack.callsTo('chat.postMessage').filter((call) => call.args.thread_ts);
}

async function waitForReply(stack: LocalStack, pattern: RegExp, timeoutMs = 8000) {
  return stack.slack.waitFor('chat.postMessage', (call) => Boolean(call.args.thread_ts) && pattern.test(call.args.text), timeoutMs);
}

describe('e2e: Apizee ticket from a slash command', function () {
  this.timeout(30_000);
  let stack: LocalStack;

  beforeEach(async () => {
    // Tracking four times a second, and Apizee at 240 a minute: the ticket's life is followed sooner.
    stack = await startLocalStack({ apizeeRatePerMinute: 240, env: { TRACK_INTERVAL_SECONDS: '0.25' } });
  });
  afterEach(async () => {
    await stack.close();
  });

  it('creates the ticket, posts the card, and keeps card and thread true through the ticket life', async () => {
    const response = await stack.requester.slash('+33 6 12 34 56 78 apizee ref:CASE-42 "Bring the router"', {
      userId: AGENT,
      channelId: CHANNEL,
    });
    assert.equal(response.status, 200);
    assert.equal(response.body.response_type, 'ephemeral');
    assert.match(response.body.text, /Creating the Apizee session/);

    const card = await stack.slack.waitFor('chat.postMessage', (call) => !call.args.thread_ts);
    assert.equal(card.args.channel, CHANNEL);
    const cardJson = JSON.stringify(card.args.blocks);
    assert.ok(cardJson.includes('+33 6•• •• •• 78'));
    assert.ok(cardJson.includes('CASE-42'));
    assert.ok(!cardJson.includes('612345678'), 'the card never shows the phone number');

    const invited = await waitForReply(stack, /sent the invitation by SMS/);
    assert.equal(invited.args.thread_ts, card.response.ts);
    assert.match(invited.args.text, new RegExp(`<@${AGENT}> started this session`));
    assert.equal(invited.args.metadata.event_type, 'rendezvous_milestone');

    const [ticket] = [...stack.apizee.tickets.values()];
    assert.ok(ticket);
    assert.equal(ticket.reference, 'CASE-42');
    const created = stack.apizee.requests.find((request) => request.method === 'POST' && request.path === '/api/tickets');
    assert.equal(created?.query.phone, '+33612345678');
    assert.equal(created?.query.invite, '1');
    assert.equal(created?.query.scope, 'sso');
    assert.equal(created?.query.agent, 'agent@example.com');
    assert.equal(created?.query.description, 'Bring the router');

    const sso = await stack.slack.waitFor('response_url', (call) => /agent link/.test(call.args.text ?? ''));
    assert.equal(sso.args.response_type, 'ephemeral');
    assert.match(sso.args.text, /access_token=/);
    for (const call of stack.slack.callsTo('chat.postMessage').concat(stack.slack.callsTo('chat.update'))) {
      assert.ok(!JSON.stringify(call.args).includes('access_token'), 'the SSO link never reaches the channel');
    }

    const update = await stack.slack.waitFor('chat.update', (call) => JSON.stringify(call.args.blocks).includes('Invited'));
    const buttons = JSON.stringify(update.args.blocks);
    assert.ok(buttons.includes('Join as agent'), buttons);
    assert.ok(buttons.includes(`/entrypoint/${ticket.buttonId}/tickets/${ticket.id}`), buttons);

    stack.apizee.setTicketState(ticket.id, 'inprogress');
    await waitForReply(stack, /guest joined/);
    stack.apizee.completeWithMedia(ticket.id);
    const ended = await waitForReply(stack, /session ended after/);
    assert.equal(ended.args.thread_ts, card.response.ts);
    const media = await waitForReply(stack, /files? from the session/);
    assert.match(JSON.stringify(media.args.blocks), /openstreetmap\.org/);
    await stack.slack.waitFor('chat.update', (call) => JSON.stringify(call.args.blocks).includes('Ended'));

    // Give tracking a few more passes (four a second): nothing is posted twice.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const texts = threadReplies(stack).map((call) => call.args.text as string);
    assert.equal(texts.length, 4, texts.join('\n'));
    assert.deepEqual(stack.slack.rejections, []);
    assert.equal(stack.apizee.rateLimitedCount, 0);
  });
});
