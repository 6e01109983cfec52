import assert from 'node:assert/strict';
import { startLocalStack, type LocalStack } from '../../sandbox/local-stack.js';
import type { SlackArgs } from '../../sandbox/slack-api.js';
import { ACTION, CALLBACK, INPUT } from '../../src/ui/ids.js';
import { eventually } from '../helpers/eventually.js';
import { captureLogs } from '../helpers/log-capture.js';
import { PRODUCT_INPUT } from '../helpers/product-inputs.js';

const STARTER = 'U0AGENT';
const COLLEAGUE = 'U0OTHER';
const ADMIN = 'U0ADMIN';
/** What every Apizee `sso_url` carries (seed 003): a single-use agent login. */
const SSO = 'access_token=';

/**
 * PRODUCT §1.3: the single-use agent SSO link (Apizee `sso_url`) is only ever sent ephemerally,
 * and only to the starter. Every way a session starts and everything anyone does with it
 * afterwards, then everything the app sent Slack and wrote in its logs, searched for it.
 */
describe('e2e: the agent SSO link reaches the starter alone', function () {
  this.timeout(30_000);
  let stack: LocalStack;
  let logs: ReturnType<typeof captureLogs>;

  beforeEach(async () => {
    logs = captureLogs('debug');
    stack = await startLocalStack({ apizeeRatePerMinute: 60, logger: logs.logger, env: { TRACK_INTERVAL_SECONDS: '1' }, slack: { admins: [ADMIN] } });
  });
  afterEach(async () => {
    await stack.close();
  });

  const formValues = (phone: string, channel: string) => ({
    [INPUT.vendor.block]: { [INPUT.vendor.action]: { type: 'static_select', selected_option: { value: 'apizee' } } },
    [INPUT.phone.block]: { [INPUT.phone.action]: { type: 'plain_text_input', value: phone } },
    [PRODUCT_INPUT.agent.block]: { [PRODUCT_INPUT.agent.action]: { type: 'plain_text_input', value: 'agent@example.com' } },
    [INPUT.reference.block]: { [INPUT.reference.action]: { type: 'plain_text_input', value: `CASE-${phone.slice(-2)}` } },
    [INPUT.conversation.block]: { [INPUT.conversation.action]: { type: 'conversations_select', selected_conversation: channel } },
  });
  const cardOf = async (reference: string) => {
    const update = await stack.slack.waitFor('chat.update', (call) => JSON.stringify(call.args.blocks).includes(reference) && JSON.stringify(call.args.blocks).includes(ACTION.cancel));
    return { ts: update.args.ts as string, channel: update.args.channel as string, sessionId: JSON.stringify(update.args.blocks).match(/"value":"([0-9a-f-]{36})"/)![1]! };
  };
  const click = (actionId: string, card: { ts: string; channel: string; sessionId: string }, userId: string) =>
    stack.requester.interaction(stack.requester.blockAction({ actionId, value: card.sessionId, userId, channelId: card.channel, messageTs: card.ts }));

  it('by slash command, by modal with and without a response_url, through the ticket’s whole life, the Home tab and every button', async () => {
    // 1. A slash command: the link through the command's response_url.
    await stack.requester.slash('+33612345601 ref:CASE-01', { userId: STARTER, channelId: 'C0SUPPORT' });
    // 2. The modal, Slack handing a response_url for the chosen conversation.
    const submitted = await stack.requester.interaction(
      stack.requester.viewSubmission({
        callbackId: CALLBACK.inviteModal,
        userId: STARTER,
        values: formValues('+33612345602', 'C0FIELD'),
        responseUrls: [{ blockId: INPUT.conversation.block, actionId: INPUT.conversation.action, channelId: 'C0FIELD' }],
      }),
    );
    assert.equal(submitted.body, '', JSON.stringify(submitted.body));
    // 3. The modal without one: chat.postEphemeral to the starter.
    const plain = await stack.requester.interaction(stack.requester.viewSubmission({ callbackId: CALLBACK.inviteModal, userId: STARTER, values: formValues('+33612345603', 'C0FIELD') }));
    assert.equal(plain.body, '', JSON.stringify(plain.body));
    await eventually('three agent links', () => stack.slack.ephemerals().filter((message) => message.text.includes(SSO)).length === 3, 10_000);

    // Everyone else's clicks, on the first card.
    const card = await cardOf('CASE-01');
    for (const [actionId, userId] of [
      [ACTION.joinAsAgent, COLLEAGUE],
      [ACTION.refresh, COLLEAGUE],
      [ACTION.customerLink, COLLEAGUE],
      [ACTION.customerLink, ADMIN],
    ] as const) {
      await click(actionId, card, userId);
    }
    await stack.slack.waitFor('response_url', (call) => /Customer link for \*CASE-01\*/.test(call.args.text ?? ''));

    // The first ticket's life: joined, ended with media, every milestone in the thread.
    const ticket = [...stack.apizee.tickets.values()].find((row) => row.reference === 'CASE-01')!;
    stack.apizee.setTicketState(ticket.id, 'inprogress');
    await stack.slack.waitFor('chat.postMessage', (call) => /guest joined/.test(call.args.text ?? ''), 8000);
    stack.apizee.completeWithMedia(ticket.id);
    await stack.slack.waitFor('chat.postMessage', (call) => /files? from the session/.test(call.args.text ?? ''), 10_000);

    // The Home tab, the starter's and an admin's.
    for (const user of [STARTER, ADMIN]) {
      await stack.requester.event({ type: 'app_home_opened', user, channel: `D0${user.slice(2)}`, tab: 'home', event_ts: (Date.now() / 1000).toFixed(6) });
      await stack.slack.waitFor('views.publish', (call) => call.args.user_id === user);
    }

    // The links: ephemeral, each to the starter, each naming its own session.
    const links = stack.slack.ephemerals().filter((message) => message.text.includes(SSO) || JSON.stringify(message.blocks ?? []).includes(SSO));
    assert.deepEqual(
      links.map((message) => [message.user, message.via, message.text.match(/CASE-\d\d/)?.[0]]).sort(),
      [
        [STARTER, 'chat.postEphemeral', 'CASE-03'],
        [STARTER, 'response_url', 'CASE-01'],
        [STARTER, 'response_url', 'CASE-02'],
      ],
    );
    // Nothing else the app sent Slack carries one: no message, card, thread reply, view or public answer.
    const elsewhere = stack.slack.calls.filter((call) => !isEphemeral(call.method, call.args) && JSON.stringify(call.args).includes(SSO));
    assert.deepEqual(elsewhere.map((call) => call.method), []);
    for (const call of stack.slack.callsTo('chat.update')) {
      const joinAsAgent = JSON.stringify(call.args.blocks ?? []).match(/"url":"([^"]+)"/)?.[1];
      if (joinAsAgent) assert.match(joinAsAgent, /\/entrypoint\/\d+\/tickets\/\d+$/, 'the card links to the agent room, never the SSO login');
    }
    assert.ok(stack.slack.calls.filter((call) => call.method === 'chat.postMessage' && call.args.thread_ts).length >= 6, 'the threads were written');
    // Logged never, not even at debug level, where Bolt writes the bodies it sends (scrubbed to `access_token=[redacted]`).
    const tokens = links.map((message) => message.text.match(/access_token=([\w.-]+)/)![1]!);
    assert.equal(new Set(tokens).size, 3);
    assert.ok(logs.lines.some((line) => line.includes('access_token=[redacted]')), 'the debug log was searched');
    assert.deepEqual(logs.lines.filter((line) => tokens.some((token) => line.includes(token))), [], 'never logged');
  });
});

/** An ephemeral answer: chat.postEphemeral, or a response_url post that is not in_channel. */
function isEphemeral(method: string, args: SlackArgs): boolean {
  return method === 'chat.postEphemeral' || (method === 'response_url' && args.response_type !== 'in_channel');
}
