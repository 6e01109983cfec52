import assert from 'node:assert/strict';
import { startLocalStack, type LocalStack } from '../../sandbox/local-stack.js';
import { CALLBACK, INPUT } from '../../src/ui/ids.js';
import { eventually } from '../helpers/eventually.js';
import { PRODUCT_INPUT } from '../helpers/product-inputs.js';

const STARTER = 'U0AGENT';
/** A private channel the app was never added to: Slack hides it (channel_not_found). */
const SECRET = 'G0SECRET';
/** A direct message between two people: no app is part of it. */
const THEIR_DM = 'D0TWOPEOPLE';

/**
 * PRODUCT §1.3 "Where the card cannot be posted": the app posts only where it is a member
 * (public channels through chat:write.public), and tells the starter, ephemerally, how to add it;
 * nothing reaches the vendor. Slack answers `channel_not_found` for conversations it hides from the app.
 */
describe('e2e: private channels and direct messages', function () {
  this.timeout(20_000);
  let stack: LocalStack;

  beforeEach(async () => {
    stack = await startLocalStack({ apizeeRatePerMinute: 60, env: { TRACK_INTERVAL_SECONDS: '30' }, slack: { hiddenConversations: [SECRET, THEIR_DM] } });
  });
  afterEach(async () => {
    await stack.close();
    assert.deepEqual(stack.slack.rejections, []);
  });

  const sessionRows = () => stack.app.database.db.selectFrom('sessions').select(['status', 'last_error', 'channel_id']).execute();
  const modalValues = (channel: string) => ({
    [INPUT.vendor.block]: { [INPUT.vendor.action]: { type: 'static_select', selected_option: { value: 'apizee' } } },
    [INPUT.phone.block]: { [INPUT.phone.action]: { type: 'plain_text_input', value: '+33612345678' } },
    [PRODUCT_INPUT.agent.block]: { [PRODUCT_INPUT.agent.action]: { type: 'plain_text_input', value: 'agent@example.com' } },
    [INPUT.conversation.block]: { [INPUT.conversation.action]: { type: 'conversations_select', selected_conversation: channel } },
  });

  it('a command in a private channel without the app: the starter is told how to add it, and nothing is created', async () => {
    await stack.requester.slash('+33612345678', { userId: STARTER, channelId: SECRET });
    const reply = await stack.slack.waitFor('response_url', (call) => /can't post the session card/.test(call.args.text ?? ''));
    assert.equal(reply.args.response_type, 'ephemeral');
    assert.match(reply.args.text, new RegExp(`<#${SECRET}>.*\\/invite @Rendezvous`));
    assert.equal(stack.apizee.tickets.size, 0);
    await eventually('the session failed', async () => (await sessionRows())[0]?.status === 'failed');
    assert.deepEqual(await sessionRows(), [{ status: 'failed', last_error: 'card_not_posted', channel_id: SECRET }]);
    const card = stack.slack.callsTo('chat.postMessage')[0];
    assert.equal(card?.response.error, 'channel_not_found');
    assert.equal(stack.slack.callsTo('chat.postMessage').length, 1, 'tried once: Slack will not change its mind');
  });

  it('a command in a DM between people: the starter is told to start from a channel or from their DM with the app', async () => {
    await stack.requester.slash('+33612345678', { userId: STARTER, channelId: THEIR_DM });
    const reply = await stack.slack.waitFor('response_url', (call) => /can't post the session card/.test(call.args.text ?? ''));
    assert.equal(reply.args.response_type, 'ephemeral');
    assert.match(reply.args.text, /in that direct message: Rendezvous is not part of it\. Start the session from a channel/);
    assert.ok(!reply.args.text.includes(`<#${THEIR_DM}>`));
    assert.equal(stack.apizee.tickets.size, 0);
  });

  it('the modal aimed at a private channel without the app: told through the response_url Slack gave for it', async () => {
    const submitted = await stack.requester.interaction(
      stack.requester.viewSubmission({
        callbackId: CALLBACK.inviteModal,
        userId: STARTER,
        values: modalValues(SECRET),
        responseUrls: [{ blockId: INPUT.conversation.block, actionId: INPUT.conversation.action, channelId: SECRET }],
      }),
    );
    assert.equal(submitted.body, '');
    const reply = await stack.slack.waitFor('response_url', (call) => /can't post the session card/.test(call.args.text ?? ''));
    assert.equal(reply.args.response_type, 'ephemeral');
    assert.equal(stack.apizee.tickets.size, 0);
  });

  it('the modal aimed there with no response_url: no ephemeral can reach the starter, so the app’s DM with them says it', async () => {
    await stack.requester.interaction(stack.requester.viewSubmission({ callbackId: CALLBACK.inviteModal, userId: STARTER, values: modalValues(SECRET) }));
    const told = await stack.slack.waitFor('chat.postMessage', (call) => call.args.channel === STARTER && /can't post the session card/.test(call.args.text ?? ''));
    assert.equal(told.response.channel, `D${STARTER.slice(1)}`, "the app's own DM with the starter");
    assert.match(told.args.text, /\/invite @Rendezvous/);
    assert.equal(stack.slack.callsTo('chat.postEphemeral')[0]?.response.error, 'channel_not_found', 'the ephemeral was tried first');
    assert.equal(stack.apizee.tickets.size, 0);
  });

  it("posts in a public channel without an invitation, and in the starter's own DM with the app", async () => {
    await stack.requester.slash('+33612345678 ref:CASE-PUB', { userId: STARTER, channelId: 'C0NEVERJOINED' });
    await stack.requester.slash('+33612345679 ref:CASE-DM', { userId: STARTER, channelId: `D${STARTER.slice(1)}` });
    await eventually('two tickets', () => stack.apizee.tickets.size === 2);
    const cards = stack.slack.callsTo('chat.postMessage').filter((call) => !call.args.thread_ts);
    assert.deepEqual(cards.map((call) => [call.args.channel, call.response.ok]).sort(), [
      ['C0NEVERJOINED', true],
      [`D${STARTER.slice(1)}`, true],
    ]);
  });
});
