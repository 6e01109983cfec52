import assert from 'node:assert/strict';
import type { InputBlock, ModalView } from '@slack/types';
import { CALLBACK, INPUT, productInput } from '../../src/ui/ids.js';
import { inviteModal, type ModalVendor } from '../../src/ui/invite-modal.js';
import { smsSessionDelivery } from '../../src/vendors/genesys/products.js';
import { vendorModules } from '../../src/vendors/index.js';
import { PRODUCT_INPUT } from '../helpers/product-inputs.js';

/** Configured vendors as the modal gets them: the modules' declarations, as data. */
const configured = (names: string[], fieldDefaults: ModalVendor['fieldDefaults'] = {}): ModalVendor[] =>
  vendorModules.filter((module) => names.includes(module.name)).map(({ name, label, products }) => ({ name, label, products, fieldDefaults }));

const input = (blocks: ModalView['blocks'], blockId: string) => {
  const block = blocks.find((item) => item.block_id === blockId);
  assert.ok(block, `no block ${blockId}`);
  return block as InputBlock;
};

describe('inviteModal', () => {
  const view = inviteModal({
    vendors: configured(['apizee', 'blitzz'], { agent: 'agent@example.com' }),
    vendor: 'apizee',
    channelId: 'C0123CHAN',
  });

  it('fits Slack modal limits', () => {
    assert.equal(view.callback_id, CALLBACK.inviteModal);
    assert.equal(view.title.text, 'Start a remote session');
    assert.ok(view.title.text.length <= 24);
    assert.ok(view.submit!.text.length <= 24 && view.close!.text.length <= 24);
    assert.ok(view.blocks.length <= 100);
    assert.ok(view.private_metadata!.length <= 3000);
    assert.deepEqual(JSON.parse(view.private_metadata!), { channelId: 'C0123CHAN', vendor: 'apizee', meeting: false });
  });

  it('lists the blocks in order, with an agent field for Apizee', () => {
    assert.deepEqual(
      view.blocks.map((block) => block.block_id),
      ['vendor', 'kind', 'phone', 'email', 'delivery', 'message', 'reference', 'agent', 'conversation'],
    );
  });

  it('updates in place when the vendor changes', () => {
    const vendor = input(view.blocks, INPUT.vendor.block);
    assert.equal(vendor.dispatch_action, true);
    assert.equal(vendor.element.type, 'static_select');
    assert.equal(vendor.element.action_id, INPUT.vendor.action);
    if (vendor.element.type !== 'static_select') return;
    assert.deepEqual(vendor.element.options?.map((option) => option.value), ['apizee', 'blitzz']);
    assert.equal(vendor.element.initial_option?.value, 'apizee');
  });

  it('posts the card in the conversation it was opened from, with a response URL', () => {
    const conversation = input(view.blocks, INPUT.conversation.block).element;
    assert.equal(conversation.type, 'conversations_select');
    if (conversation.type !== 'conversations_select') return;
    assert.equal(conversation.response_url_enabled, true);
    assert.equal(conversation.initial_conversation, 'C0123CHAN');
  });

  it('pre-fills the agent, who is required', () => {
    const agent = input(view.blocks, PRODUCT_INPUT.agent.block);
    assert.equal(agent.element.action_id, PRODUCT_INPUT.agent.action);
    assert.equal(agent.optional, false);
    assert.equal(agent.element.type === 'plain_text_input' && agent.element.initial_value, 'agent@example.com');
  });

  it("offers only Apizee's deliveries and message limit", () => {
    const delivery = input(view.blocks, INPUT.delivery.block).element;
    assert.deepEqual(delivery.type === 'static_select' && delivery.options?.map((option) => option.value), ['sms', 'email']);
    const message = input(view.blocks, INPUT.message.block).element;
    assert.equal(message.type === 'plain_text_input' && message.max_length, 300);
  });

  it('has no agent field for another vendor, and Blitzz keeps messages to 100 characters', () => {
    const blitzz = inviteModal({ vendors: configured(['apizee', 'blitzz']), vendor: 'blitzz' });
    assert.equal(blitzz.blocks.some((block) => block.block_id === PRODUCT_INPUT.agent.block), false);
    const message = input(blitzz.blocks, INPUT.message.block).element;
    assert.equal(message.type === 'plain_text_input' && message.max_length, 100);
    const delivery = input(blitzz.blocks, INPUT.delivery.block).element;
    assert.deepEqual(delivery.type === 'static_select' && delivery.options?.map((option) => option.value), ['sms', 'whatsapp', 'email']);
  });

  it('has no delivery choice for a vendor that delivers nothing itself', () => {
    const conpeek = inviteModal({ vendors: configured(['conpeek']), vendor: 'conpeek' });
    assert.equal(conpeek.blocks.some((block) => block.block_id === INPUT.delivery.block), false);
  });
});

describe("inviteModal: products' own fields", () => {
  const all = configured(['apizee', 'blitzz', 'conpeek', 'imbee', 'genesys'], { agent: 'agent@example.com', bridgeId: 4, roomId: 5 });
  const ids = (view: ModalView) => view.blocks.map((block) => block.block_id);

  it('keeps the block and action ids Slack already knows', () => {
    const declared = vendorModules.flatMap((module) => module.products.flatMap((product) => product.fields.map(productInput)));
    const known = Object.values(PRODUCT_INPUT);
    for (const id of declared) assert.ok(known.some((item) => item.block === id.block && item.action === id.action), JSON.stringify(id));
    for (const id of known) assert.ok(declared.some((item) => item.block === id.block && item.action === id.action), JSON.stringify(id));
  });

  it('draws a meeting with its date-time, number and checkbox fields, then the link channel', () => {
    const view = inviteModal({ vendors: all, vendor: 'apizee', meeting: true, via: smsSessionDelivery });
    assert.deepEqual(ids(view), ['vendor', 'kind', 'participants', 'meeting_name', 'message', 'reference', 'start_time', 'duration', 'moderation', 'agent', 'via', 'slack_call', 'conversation']);
    assert.equal(input(view.blocks, 'start_time').element.type, 'datetimepicker');
    const duration = input(view.blocks, 'duration').element;
    assert.deepEqual(duration.type === 'number_input' && [duration.min_value, duration.max_value, duration.is_decimal_allowed], ['1', '1440', false]);
    assert.equal(input(view.blocks, 'moderation').element.type, 'checkboxes');
    assert.equal(input(view.blocks, 'agent').optional, true);
  });

  it('draws a date and a number for Imbee, and offers the link channel only where a product accepts it', () => {
    const imbee = inviteModal({ vendors: all, vendor: 'imbee', via: smsSessionDelivery });
    assert.deepEqual(ids(imbee).slice(-4), ['imbee_expiry', 'imbee_max_uses', 'via', 'conversation']);
    assert.equal(input(imbee.blocks, 'imbee_expiry').element.type, 'datepicker');
    assert.equal(inviteModal({ vendors: all, vendor: 'imbee' }).blocks.some((block) => block.block_id === 'via'), false);
    assert.equal(inviteModal({ vendors: all, vendor: 'blitzz', via: smsSessionDelivery }).blocks.some((block) => block.block_id === 'via'), false);
  });

  it('pre-fills whole numbers typed as text (a Conpeek room) from settings', () => {
    const room = inviteModal({ vendors: all, vendor: 'conpeek', meeting: true });
    assert.deepEqual(ids(room), ['vendor', 'kind', 'participants', 'meeting_name', 'reference', 'conpeek_bridge', 'conpeek_room', 'conversation']);
    const bridge = input(room.blocks, 'conpeek_bridge');
    assert.equal(bridge.optional, false);
    assert.equal(bridge.element.type === 'plain_text_input' && bridge.element.initial_value, '4');
  });

  it('draws a command-form product (Genesys) with its fields and a reference only', () => {
    assert.deepEqual(ids(inviteModal({ vendors: all, vendor: 'genesys' })), ['vendor', 'genesys_session', 'genesys_target', 'reference', 'conversation']);
  });
});
