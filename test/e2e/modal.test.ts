import assert from 'node:assert/strict';
import { startLocalStack, type LocalStack } from '../../src/sandbox/local-stack.js';
import { CALLBACK, INPUT } from '../../src/ui/ids.js';

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
    [INPUT.agent.block]: { [INPUT.agent.action]: { type: 'plain_text_input', value: fields.agent ?? 'agent@example.com' } },
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
