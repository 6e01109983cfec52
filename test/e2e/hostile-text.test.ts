import assert from 'node:assert/strict';
import { SANDBOX_CONPEEK, startLocalStack, type LocalStack } from '../../sandbox/local-stack.js';
import { CALLBACK, INPUT } from '../../src/ui/ids.js';
import { HOSTILE_INPUT, liveTokensFrom, messageProblems } from '../helpers/block-kit.js';
import { PRODUCT_INPUT } from '../helpers/product-inputs.js';

const CHANNEL = 'C0SUPPORT';

/**
 * A Conpeek room participant named with Slack's control syntax, typed into the modal (a
 * plain_text_input, which Slack passes on raw): every message the app then sends (card,
 * updates, thread replies, ephemerals) shows it and pings or links nothing, text and blocks alike.
 */
describe('e2e: hostile names reach Slack as words only', function () {
  this.timeout(30_000);
  let stack: LocalStack;

  before(async () => {
    stack = await startLocalStack({ vendors: ['conpeek'] });
  });
  after(async () => {
    await stack.close();
  });

  it('a Conpeek participant name carrying <!channel>, <@U123>, & and <http://evil|click>', async () => {
    const values = {
      [INPUT.vendor.block]: { [INPUT.vendor.action]: { type: 'static_select', selected_option: { value: 'conpeek' } } },
      [INPUT.kind.block]: { [INPUT.kind.action]: { type: 'static_select', selected_option: { value: 'meeting' } } },
      [INPUT.participants.block]: { [INPUT.participants.action]: { type: 'plain_text_input', value: `Jane ${HOSTILE_INPUT}` } },
      [INPUT.meetingName.block]: { [INPUT.meetingName.action]: { type: 'plain_text_input', value: `Review ${HOSTILE_INPUT}` } },
      [INPUT.conversation.block]: { [INPUT.conversation.action]: { type: 'conversations_select', selected_conversation: CHANNEL } },
      [PRODUCT_INPUT.conpeekBridge.block]: { [PRODUCT_INPUT.conpeekBridge.action]: { type: 'plain_text_input', value: String(SANDBOX_CONPEEK.bridgeId) } },
      [PRODUCT_INPUT.conpeekRoom.block]: { [PRODUCT_INPUT.conpeekRoom.action]: { type: 'plain_text_input', value: String(SANDBOX_CONPEEK.roomId) } },
    };
    const response = await stack.requester.interaction(stack.requester.viewSubmission({ callbackId: CALLBACK.inviteModal, values }));
    assert.equal(response.status, 200, JSON.stringify(response.body));
    assert.equal(response.body, '', JSON.stringify(response.body));
    await stack.slack.waitFor('chat.postMessage', (call) => Boolean(call.args.thread_ts) && /invitation/.test(call.args.text ?? ''));
    await stack.slack.waitFor('chat.update', (call) => JSON.stringify(call.args.blocks).includes('Link ready'));
    // The name did reach Conpeek as typed.
    assert.ok(stack.conpeek.invitations.some((invitation) => invitation.name.includes('<!channel>')));

    const sent = stack.slack.calls.filter((call) => ['chat.postMessage', 'chat.update', 'chat.postEphemeral', 'response_url'].includes(call.method));
    assert.ok(sent.length >= 3, `${sent.length} messages`);
    for (const call of sent) {
      const message = { text: call.args.text as string | undefined, blocks: call.args.blocks };
      assert.deepEqual(liveTokensFrom(message), [], `${call.method}: ${JSON.stringify(message)}`);
      assert.deepEqual(messageProblems(message), [], call.method);
    }
    assert.ok(sent.some((call) => JSON.stringify(call.args).includes('&lt;!channel&gt;')), 'the name is shown, escaped');
  });
});
