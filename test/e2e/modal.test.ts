import assert from 'node:assert/strict';
import { startLocalStack, type LocalStack } from '../../sandbox/local-stack.js';
import { ACTION, CALLBACK, INPUT } from '../../src/ui/ids.js';
import { eventually } from '../helpers/eventually.js';
import { PRODUCT_INPUT } from '../helpers/product-inputs.js';

type Values = Record<string, Record<string, Record<string, unknown>>>;

function formValues(fields: { phone?: string; email?: string; message?: string; agent?: string; channel?: string; delivery?: string }): Values {
  const values: Values = {
    [INPUT.vendor.block]: { [INPUT.vendor.action]: { type: 'static_select', selected_option: { value: 'apizee' } } },
    [INPUT.phone.block]: { [INPUT.phone.action]: { type: 'plain_text_input', value: fields.phone ?? null } },
    [INPUT.email.block]: { [INPUT.email.action]: { type: 'email_text_input', value: fields.email ?? null } },
    [INPUT.delivery.block]: {
      [INPUT.delivery.action]: { type: 'static_select', selected_option: fields.delivery ? { value: fields.delivery } : null },
    },
    [INPUT.message.block]: { [INPUT.message.action]: { type: 'plain_text_input', value: fields.message ?? null } },
    [INPUT.reference.block]: { [INPUT.reference.action]: { type: 'plain_text_input', value: null } },
    [PRODUCT_INPUT.agent.block]: { [PRODUCT_INPUT.agent.action]: { type: 'plain_text_input', value: fields.agent ?? 'agent@example.com' } },
    [INPUT.conversation.block]: {
      [INPUT.conversation.action]: { type: 'conversations_select', selected_conversation: fields.channel ?? 'C0FIELD' },
    },
  };
  return values;
}

describe('e2e: the invite modal', function () {
  this.timeout(20_000);
  let stack: LocalStack;

  beforeEach(async () => {
    stack = await startLocalStack({ apizeeRatePerMinute: 60 });
  });
  afterEach(async () => {
    await stack.close();
  });

  it('opens at once on an empty command, before any vendor call', async () => {
    const started = Date.now();
    const response = await stack.requester.slash('', { userId: 'U0AGENT', channelId: 'C0SUPPORT' });
    assert.equal(response.status, 200);
    const open = await stack.slack.waitFor('views.open');
    assert.equal(open.response.ok, true);
    assert.equal(open.args.view.callback_id, CALLBACK.inviteModal);
    assert.ok(open.at - started < 3000, `views.open came ${open.at - started} ms after the command`);
    assert.equal(stack.apizee.requests.length, 0, 'no Apizee call before the modal');
    const conversation = open.args.view.blocks.find((block: { block_id?: string }) => block.block_id === INPUT.conversation.block);
    assert.equal(conversation.element.initial_conversation, 'C0SUPPORT');
    assert.deepEqual(stack.slack.rejections, []);
  });

  it('answers bad input on the right fields and creates nothing', async () => {
    await stack.requester.slash('', { userId: 'U0AGENT' });
    await stack.slack.waitFor('views.open');
    const response = await stack.requester.interaction(
      stack.requester.viewSubmission({
        callbackId: CALLBACK.inviteModal,
        userId: 'U0AGENT',
        values: formValues({ phone: '0612345678', email: 'not-an-address', message: 'x'.repeat(301) }),
      }),
    );
    assert.equal(response.status, 200);
    assert.equal(response.body.response_action, 'errors');
    assert.match(response.body.errors[INPUT.phone.block], /country code/);
    assert.ok(response.body.errors[INPUT.email.block]);
    assert.equal(stack.apizee.tickets.size, 0);
  });

  it('requires a contact, and a phone for SMS', async () => {
    const none = await stack.requester.interaction(
      stack.requester.viewSubmission({ callbackId: CALLBACK.inviteModal, values: formValues({}) }),
    );
    assert.match(none.body.errors[INPUT.phone.block], /phone number or an e-mail/);
    const smsWithoutPhone = await stack.requester.interaction(
      stack.requester.viewSubmission({ callbackId: CALLBACK.inviteModal, values: formValues({ email: 'jane@example.com', delivery: 'sms' }) }),
    );
    assert.match(smsWithoutPhone.body.errors[INPUT.phone.block], /phone number is needed/);
  });

  it('creates the ticket from a valid submission and posts the card where asked, the SSO link only to the starter', async () => {
    await stack.requester.slash('', { userId: 'U0AGENT', channelId: 'C0SUPPORT' });
    await stack.slack.waitFor('views.open');
    const response = await stack.requester.interaction(
      stack.requester.viewSubmission({
        callbackId: CALLBACK.inviteModal,
        userId: 'U0AGENT',
        values: formValues({ email: 'Jane.Doe@Example.com', channel: 'C0FIELD' }),
        responseUrls: [{ blockId: INPUT.conversation.block, actionId: INPUT.conversation.action, channelId: 'C0FIELD' }],
      }),
    );
    assert.equal(response.status, 200);
    const card = await stack.slack.waitFor('chat.postMessage', (call) => !call.args.thread_ts);
    assert.equal(card.args.channel, 'C0FIELD');
    assert.ok(JSON.stringify(card.args.blocks).includes('J•••@example.com'));
    const reply = await stack.slack.waitFor('chat.postMessage', (call) => Boolean(call.args.thread_ts));
    assert.match(reply.args.text, /sent the invitation by e-mail to J•••@example.com/);
    const sso = await stack.slack.waitFor('response_url', (call) => /agent link/.test(call.args.text ?? ''));
    assert.equal(sso.args.response_type, 'ephemeral');
    const created = stack.apizee.requests.find((request) => request.method === 'POST' && request.path === '/api/tickets');
    assert.equal(created?.query.email, 'Jane.Doe@example.com');
    assert.equal(created?.query.phone, undefined);
  });
});

describe('e2e: the invite modal across vendors', function () {
  this.timeout(20_000);
  let stack: LocalStack;

  beforeEach(async () => {
    stack = await startLocalStack({ apizeeRatePerMinute: 60 });
  });
  afterEach(async () => {
    await stack.close();
    assert.deepEqual(stack.slack.rejections, []);
  });

  async function openModal() {
    await stack.requester.slash('', { userId: 'U0AGENT', channelId: 'C0SUPPORT' });
    return stack.slack.waitFor('views.open');
  }

  async function choose(actionId: string, value: string, view: { id: string; hash: string; private_metadata: string }) {
    const payload = {
      type: 'block_actions',
      team: { id: 'T0001', domain: 'sandbox' },
      user: { id: 'U0AGENT', username: 'agent', team_id: 'T0001' },
      api_app_id: 'A0RENDEZVOUS',
      trigger_id: 'trigger',
      container: { type: 'view', view_id: view.id },
      view: { ...view, type: 'modal', callback_id: CALLBACK.inviteModal, state: { values: {} } },
      actions: [{ type: 'static_select', action_id: actionId, block_id: actionId === ACTION.vendorSelect ? INPUT.vendor.block : INPUT.kind.block, selected_option: { value }, action_ts: '1' }],
    };
    const response = await stack.requester.interaction(payload);
    assert.equal(response.status, 200);
    return stack.slack.waitFor('views.update', (call) => call.args.view_id === view.id && call.args.view.private_metadata.includes(`"vendor":"${value === 'meeting' ? 'apizee' : value}"`));
  }

  it('offers every configured vendor and swaps in a vendor’s own fields in place', async () => {
    const open = await openModal();
    const vendorSelect = open.args.view.blocks[0];
    assert.deepEqual(
      vendorSelect.element.options.map((option: { value: string }) => option.value),
      ['apizee', 'blitzz', 'conpeek', 'imbee', 'genesys'],
    );
    const view = open.response.view;
    const update = await choose(ACTION.vendorSelect, 'blitzz', view);
    assert.equal(update.args.hash, view.hash, 'views.update carries the hash');
    const ids = update.args.view.blocks.map((block: { block_id: string }) => block.block_id);
    assert.ok(ids.includes(PRODUCT_INPUT.blitzzSession.block) && !ids.includes(PRODUCT_INPUT.agent.block), ids.join(','));
    const message = update.args.view.blocks.find((block: { block_id: string }) => block.block_id === INPUT.message.block);
    assert.equal(message.element.max_length, 100);
    assert.match(message.hint.text, /WhatsApp/);
  });

  it('switches Apizee to a meeting with its own fields', async () => {
    const open = await openModal();
    const update = await choose(ACTION.kindSelect, 'meeting', open.response.view);
    const ids = update.args.view.blocks.map((block: { block_id: string }) => block.block_id);
    assert.ok(ids.includes(INPUT.participants.block) && ids.includes(PRODUCT_INPUT.startTime.block) && !ids.includes(INPUT.phone.block), ids.join(','));
  });

  it('creates a Blitzz invitation from the modal, refusing a past-due or too long message first', async () => {
    const values = (message: string) => ({
      [INPUT.vendor.block]: { [INPUT.vendor.action]: { type: 'static_select', selected_option: { value: 'blitzz' } } },
      [INPUT.phone.block]: { [INPUT.phone.action]: { type: 'plain_text_input', value: '+44 7400 123456' } },
      [INPUT.message.block]: { [INPUT.message.action]: { type: 'plain_text_input', value: message } },
      [PRODUCT_INPUT.blitzzSession.block]: { [PRODUCT_INPUT.blitzzSession.action]: { type: 'plain_text_input', value: '123456789' } },
      [INPUT.conversation.block]: { [INPUT.conversation.action]: { type: 'conversations_select', selected_conversation: 'C0SUPPORT' } },
    });
    const tooLong = await stack.requester.interaction(stack.requester.viewSubmission({ callbackId: CALLBACK.inviteModal, values: values('x'.repeat(120)) }));
    assert.match(tooLong.body.errors[INPUT.message.block], /at most 100 characters/);
    assert.equal(stack.blitzz.requests.length, 0);
    const ok = await stack.requester.interaction(stack.requester.viewSubmission({ callbackId: CALLBACK.inviteModal, values: values('Show us the meter') }));
    assert.equal(ok.status, 200);
    await eventually('the Blitzz invitation', () => stack.blitzz.invitations.length === 1);
    assert.equal(stack.blitzz.invitations[0]!.body.IsoCode, 'UK');
    assert.equal(stack.blitzz.invitations[0]!.body.Message, 'Show us the meter');
  });

  it('creates an Apizee meeting from the modal and pushes its link through Genesys', async () => {
    await stack.requester.interaction(
      stack.requester.viewSubmission({
        callbackId: CALLBACK.inviteModal,
        privateMetadata: JSON.stringify({ vendor: 'apizee', meeting: true }),
        values: {
          [INPUT.participants.block]: { [INPUT.participants.action]: { type: 'plain_text_input', value: 'jane@example.com\n+33 6 12 34 56 78' } },
          [INPUT.meetingName.block]: { [INPUT.meetingName.action]: { type: 'plain_text_input', value: 'Boiler check' } },
          [PRODUCT_INPUT.duration.block]: { [PRODUCT_INPUT.duration.action]: { type: 'number_input', value: '45' } },
          [PRODUCT_INPUT.moderation.block]: { [PRODUCT_INPUT.moderation.action]: { type: 'checkboxes', selected_options: [{ value: 'on' }] } },
          [INPUT.via.block]: { [INPUT.via.action]: { type: 'plain_text_input', value: '0000Na9B26EF006E' } },
          [INPUT.conversation.block]: { [INPUT.conversation.action]: { type: 'conversations_select', selected_conversation: 'C0SUPPORT' } },
        },
      }),
    );
    await stack.slack.waitFor('chat.postMessage', (call) => /link went to the customer through Genesys/.test(call.args.text ?? ''), 8000);
    const created = stack.apizee.requests.find((request) => request.method === 'POST' && request.path === '/api/conferences');
    assert.equal(created?.query.participants, 'jane@example.com,+33612345678');
    assert.equal(created?.query.duration, '45');
    assert.equal(created?.query.moderation, 'true');
    const [conference] = [...stack.apizee.conferences.values()];
    assert.equal(stack.genesys.operations[0]?.url, conference?.shortUrl);
  });

  it('sends a Genesys invitation from the modal and requires its fields', async () => {
    const base = {
      [INPUT.vendor.block]: { [INPUT.vendor.action]: { type: 'static_select', selected_option: { value: 'genesys' } } },
      [INPUT.conversation.block]: { [INPUT.conversation.action]: { type: 'conversations_select', selected_conversation: 'C0SUPPORT' } },
    };
    const missing = await stack.requester.interaction(stack.requester.viewSubmission({ callbackId: CALLBACK.inviteModal, values: base }));
    assert.ok(missing.body.errors[PRODUCT_INPUT.genesysSession.block] && missing.body.errors[PRODUCT_INPUT.genesysTarget.block]);
    await stack.requester.interaction(
      stack.requester.viewSubmission({
        callbackId: CALLBACK.inviteModal,
        values: {
          ...base,
          [PRODUCT_INPUT.genesysSession.block]: { [PRODUCT_INPUT.genesysSession.action]: { type: 'plain_text_input', value: '0000Na9B26EF006E' } },
          [PRODUCT_INPUT.genesysTarget.block]: { [PRODUCT_INPUT.genesysTarget.action]: { type: 'plain_text_input', value: stack.genesys.targets[1] } },
        },
      }),
    );
    await stack.slack.waitFor('chat.postMessage', (call) => /brought sms-overflow into the SMS session/.test(call.args.text ?? ''), 8000);
  });
});

describe('e2e: shortcuts', function () {
  this.timeout(20_000);
  let stack: LocalStack;
  beforeEach(async () => {
    stack = await startLocalStack({ apizeeRatePerMinute: 60, vendors: ['apizee'] });
  });
  afterEach(async () => {
    await stack.close();
    assert.deepEqual(stack.slack.rejections, []);
  });

  const base = { team: { id: 'T0001', domain: 'sandbox' }, user: { id: 'U0AGENT', username: 'agent', team_id: 'T0001' }, api_app_id: 'A0RENDEZVOUS', token: 'x' };

  it('opens the invite modal from the global shortcut', async () => {
    const response = await stack.requester.interaction({ ...base, type: 'shortcut', callback_id: 'start_remote_session', trigger_id: 'trigger-global', action_ts: '1' });
    assert.equal(response.status, 200);
    const open = await stack.slack.waitFor('views.open');
    assert.equal(open.args.trigger_id, 'trigger-global');
    assert.equal(open.args.view.callback_id, CALLBACK.inviteModal);
  });

  it('says by direct message to try again when Slack throttles views.open past the global shortcut’s trigger', async () => {
    stack.slack.failNext('views.open', 'ratelimited', { status: 429, retryAfter: 5 });
    const response = await stack.requester.interaction({ ...base, type: 'shortcut', callback_id: 'start_remote_session', trigger_id: 'trigger-busy', action_ts: '1' });
    assert.equal(response.status, 200);
    const told = await stack.slack.waitFor('chat.postMessage', (call) => call.args.channel === 'U0AGENT');
    assert.match(String(told.args.text), /did not let Rendezvous open the invite form in time\. Use the "Start a remote session" shortcut again/);
    assert.equal(stack.slack.callsTo('views.open').length, 1, 'a wait past the trigger is not tried');
  });

  it('says ephemerally where the message is when Slack throttles the message shortcut’s views.open', async () => {
    stack.slack.failNext('views.open', 'ratelimited', { status: 429, retryAfter: 5 });
    const message = { type: 'message', user: 'U0CUSTOMERCARE', ts: '1700000000.000200', text: 'Call +33 6 12 34 56 78' };
    await stack.requester.interaction({ ...base, type: 'message_action', callback_id: 'invite_from_message', trigger_id: 'trigger-busy-2', action_ts: '1', message_ts: message.ts, channel: { id: 'C0CASES', name: 'cases' }, message });
    const told = await stack.slack.waitFor('chat.postEphemeral', (call) => call.args.channel === 'C0CASES' && call.args.user === 'U0AGENT');
    assert.match(String(told.args.text), /Use "Invite from this message" again/);
  });

  it('invites the contact found in a message, and links the card from that message’s thread', async () => {
    const message = { type: 'message', user: 'U0CUSTOMERCARE', ts: '1700000000.000100', text: 'Customer on +33 6 12 34 56 78 needs help with the router' };
    await stack.requester.interaction({
      ...base,
      type: 'message_action',
      callback_id: 'invite_from_message',
      trigger_id: 'trigger-message',
      action_ts: '1',
      message_ts: message.ts,
      channel: { id: 'C0CASES', name: 'cases' },
      message,
      response_url: stack.slack.responseUrl(),
    });
    const open = await stack.slack.waitFor('views.open');
    const phone = open.args.view.blocks.find((block: { block_id: string }) => block.block_id === INPUT.phone.block);
    assert.equal(phone.element.initial_value, '+33612345678');
    const submitted = await stack.requester.interaction(
      stack.requester.viewSubmission({
        callbackId: CALLBACK.inviteModal,
        privateMetadata: open.args.view.private_metadata,
        values: {
          [INPUT.phone.block]: { [INPUT.phone.action]: { type: 'plain_text_input', value: '+33612345678' } },
          [PRODUCT_INPUT.agent.block]: { [PRODUCT_INPUT.agent.action]: { type: 'plain_text_input', value: 'agent@example.com' } },
          [INPUT.conversation.block]: { [INPUT.conversation.action]: { type: 'conversations_select', selected_conversation: 'C0CASES' } },
        },
      }),
    );
    assert.equal(submitted.status, 200);
    assert.equal(submitted.body, '', JSON.stringify(submitted.body));
    const card = await stack.slack.waitFor('chat.postMessage', (call) => call.args.channel === 'C0CASES' && !call.args.thread_ts);
    const link = await stack.slack.waitFor('chat.postMessage', (call) => call.args.thread_ts === message.ts);
    assert.match(link.args.text, /started a remote session .* from this message/);
    assert.ok(card.response.ok);
  });
});
