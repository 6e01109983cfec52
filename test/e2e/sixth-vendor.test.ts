import assert from 'node:assert/strict';
import { startLocalStack, type LocalStack } from '../../sandbox/local-stack.js';
import { vendorModules } from '../../src/vendors/index.js';
import { ACTION, CALLBACK, INPUT } from '../../src/ui/ids.js';
import { acmeModule, type AcmeCall } from '../fixtures/acme/index.js';

const CHANNEL = 'C0SUPPORT';
const STARTER = 'U0AGENT';

/**
 * "Adding a sixth vendor is one new folder and one line": a module written only against the
 * VendorModule contract (test/fixtures/acme/) joins the list, and the grammar, help, `vendors`,
 * modal, form, card, thread and Cancel all follow, with no other change to the app.
 */
describe('e2e: a sixth vendor is one folder and one line', function () {
  this.timeout(30_000);
  let stack: LocalStack;
  let calls: AcmeCall[];

  beforeEach(async () => {
    calls = [];
    stack = await startLocalStack({
      vendors: ['apizee'],
      modules: [...vendorModules, acmeModule(calls)],
      env: { ACME_API_KEY: 'acme-key', ACME_QUEUE: 'Support FR' },
    });
  });
  afterEach(async () => {
    await stack.close();
    assert.deepEqual(stack.slack.rejections, [], 'Slack accepted every payload');
  });

  it('is offered by help and `vendors`, from what it declares', async () => {
    const vendors = await stack.requester.slash('vendors');
    assert.match(vendors.body.text, /\*Acme\*/);
    assert.match(vendors.body.text, /phone callback: Acme rings the invitee back from a queue/);
    const help = await stack.requester.slash('help');
    assert.match(help.body.text, /acme/);
  });

  it('creates a session from the slash command: card, thread, its own card note, and Cancel', async () => {
    const ack = await stack.requester.slash('+33612345678 acme ref:CASE-6 "Call me at noon"', { userId: STARTER, channelId: CHANNEL });
    assert.match(ack.body.text, /Creating the Acme session/);
    await stack.slack.waitFor('chat.postMessage', (call) => Boolean(call.args.thread_ts) && /Acme will ring \+33 6•• •• •• 78 back from Support FR/.test(call.args.text));
    assert.deepEqual(calls, [{ phone: '+33612345678', queue: 'Support FR', note: 'Call me at noon', reference: 'CASE-6' }]);
    const card = await stack.slack.waitFor('chat.update', (call) => JSON.stringify(call.args.blocks).includes('Invitation sent'));
    const blocks = JSON.stringify(card.args.blocks);
    assert.match(blocks, /\*Acme phone callback\*/);
    assert.match(blocks, /📞 Queue: Support FR/, 'the card note drawn from the details its schema read back');
    const sessionId = blocks.match(/"value":"([0-9a-f-]{36})"/)![1]!;
    await stack.requester.interaction(stack.requester.blockAction({ actionId: ACTION.cancel, value: sessionId, userId: STARTER, channelId: CHANNEL, messageTs: card.args.ts }));
    await stack.slack.waitFor('chat.postMessage', (call) => Boolean(call.args.thread_ts) && /Acme's documents name no cancel call, so Acme was not told/.test(call.args.text));
  });

  it('checks its rules before calling it: its delivery and its message limit', async () => {
    const byMail = await stack.requester.slash('jane@example.com acme');
    assert.match(byMail.body.text, /Acme delivers by SMS only/);
    const long = await stack.requester.slash(`+33612345678 acme "${'x'.repeat(41)}"`);
    assert.match(long.body.text, /Acme takes at most 40 characters; this message has 41/);
    assert.equal(calls.length, 0);
  });

  it('draws its own modal field, pre-filled from its settings, and reads it back', async () => {
    await stack.requester.slash('', { userId: STARTER, channelId: CHANNEL });
    const open = await stack.slack.waitFor('views.open');
    const view = open.response.view;
    const payload = {
      type: 'block_actions',
      team: { id: 'T0001', domain: 'sandbox' },
      user: { id: STARTER, username: 'agent', team_id: 'T0001' },
      api_app_id: 'A0RENDEZVOUS',
      trigger_id: 'trigger',
      container: { type: 'view', view_id: view.id },
      view: { ...view, type: 'modal', callback_id: CALLBACK.inviteModal, state: { values: {} } },
      actions: [{ type: 'static_select', action_id: ACTION.vendorSelect, block_id: INPUT.vendor.block, selected_option: { value: 'acme' }, action_ts: '1' }],
    };
    await stack.requester.interaction(payload);
    const update = await stack.slack.waitFor('views.update', (call) => call.args.view.private_metadata.includes('"vendor":"acme"'));
    const queue = update.args.view.blocks.find((block: { block_id: string }) => block.block_id === 'acme_queue');
    assert.equal(queue?.element.initial_value, 'Support FR');
    const submitted = await stack.requester.interaction(
      stack.requester.viewSubmission({
        callbackId: CALLBACK.inviteModal,
        values: {
          [INPUT.vendor.block]: { [INPUT.vendor.action]: { type: 'static_select', selected_option: { value: 'acme' } } },
          [INPUT.phone.block]: { [INPUT.phone.action]: { type: 'plain_text_input', value: '+33 6 12 34 56 78' } },
          acme_queue: { acme_queue_input: { type: 'plain_text_input', value: 'Billing' } },
          [INPUT.conversation.block]: { [INPUT.conversation.action]: { type: 'conversations_select', selected_conversation: CHANNEL } },
        },
      }),
    );
    assert.equal(submitted.status, 200);
    await stack.slack.waitFor('chat.postMessage', (call) => Boolean(call.args.thread_ts) && /back from Billing/.test(call.args.text));
    assert.equal(calls[0]?.queue, 'Billing');
  });
});
