/**
 * The same thing asked twice: a slash command Slack redelivers (X-Slack-Retry-Num, one after the
 * other and racing the first), a double-clicked Cancel, and a modal submitted twice.
 */
import { ACTION, CALLBACK, INPUT } from '../../src/ui/ids.js';
import { PRODUCT_INPUT } from '../../test/helpers/product-inputs.js';
import { campaignOn, drillStack, onBothDatabases, until, type Drill, type DrillContext, type DrillResult } from './harness.js';

const SESSIONS = 4;

function redelivered(concurrent: boolean) {
  return async (ctx: DrillContext): Promise<DrillResult> => {
    const stack = await drillStack(ctx);
    const campaign = await campaignOn(stack);
    const from = Date.now();
    await campaign.create(SESSIONS, {
      send: async (requester, text, options) => {
        // Racing, any delivery may be the one that started the session; the others say so.
        const answers = await requester.slashRedelivered(text, { ...options, retries: 2, concurrent });
        return answers.find((answer) => !/Already on it/.test(String(answer.body?.text))) ?? answers[0]!;
      },
    });
    return campaign.account(from, await campaign.live());
  };
}

/** Each session's Cancel clicked twice at once by its starter: one "Cancelled" reply, a cancelled card. */
async function doubleClickedCancel(ctx: DrillContext): Promise<DrillResult> {
  const stack = await drillStack(ctx);
  const campaign = await campaignOn(stack);
  await campaign.create(SESSIONS);
  await campaign.waitComplete(10_000);
  const from = Date.now();
  campaign.expectCard(/Cancelled/);
  for (const started of campaign.started) {
    const card = campaign.cardsOf(started)[0]!;
    const sessionId = /"action_id":"session_cancel"[^}]*"value":"([0-9a-f-]{36})"|"value":"([0-9a-f-]{36})"[^}]*"action_id":"session_cancel"/.exec(JSON.stringify(card.blocks));
    const value = sessionId?.[1] ?? sessionId?.[2];
    const click = () =>
      stack.requester.interaction(stack.requester.blockAction({ actionId: ACTION.cancel, value, userId: 'U0AGENT', channelId: started.channel, messageTs: card.ts }));
    await Promise.all([click(), click()]);
  }
  const cancelled = (started: (typeof campaign.started)[number]) => {
    const [card] = campaign.cardsOf(started);
    return {
      replies: card?.replies.filter((reply) => /Cancelled in Rendezvous/.test(reply.text)).length ?? 0,
      card: /Cancelled/.test(JSON.stringify(card?.blocks ?? [])),
    };
  };
  await until(() => campaign.started.every((started) => cancelled(started).replies > 0 && cancelled(started).card), 10_000);
  const completedAt = Date.now();
  const base = await campaign.account(from, completedAt);
  let { lost, doubled } = base;
  const details = [...(base.details ?? [])];
  for (const started of campaign.started) {
    const { replies, card } = cancelled(started);
    if (replies === 0 || !card) {
      lost++;
      details.push(`${started.ref}: not shown cancelled (${replies} replies, card ${card ? 'cancelled' : 'not cancelled'})`);
    }
    if (replies > 1) {
      doubled += replies - 1;
      details.push(`${started.ref}: "Cancelled" posted ${replies} times`);
    }
  }
  return { ...base, lost, doubled, details };
}

function modalValues(ref: string, channel: string) {
  return {
    [INPUT.vendor.block]: { [INPUT.vendor.action]: { type: 'static_select', selected_option: { value: 'apizee' } } },
    [INPUT.phone.block]: { [INPUT.phone.action]: { type: 'plain_text_input', value: '+33612345678' } },
    [INPUT.email.block]: { [INPUT.email.action]: { type: 'email_text_input', value: null } },
    [INPUT.delivery.block]: { [INPUT.delivery.action]: { type: 'static_select', selected_option: null } },
    [INPUT.message.block]: { [INPUT.message.action]: { type: 'plain_text_input', value: null } },
    [INPUT.reference.block]: { [INPUT.reference.action]: { type: 'plain_text_input', value: ref } },
    [PRODUCT_INPUT.agent.block]: { [PRODUCT_INPUT.agent.action]: { type: 'plain_text_input', value: 'agent@example.com' } },
    [INPUT.conversation.block]: { [INPUT.conversation.action]: { type: 'conversations_select', selected_conversation: channel } },
  };
}

/** The invite modal's submission sent twice at once (a double click on Submit, or Slack redelivering it). */
async function modalSubmittedTwice(ctx: DrillContext): Promise<DrillResult> {
  const stack = await drillStack(ctx);
  const campaign = await campaignOn(stack);
  const from = Date.now();
  for (let i = 0; i < SESSIONS; i++) {
    const channel = `C0MODAL${i}`;
    const ref = campaign.nextRef('MODAL');
    const opened = stack.slack.callsTo('views.open').length;
    await stack.requester.slash('', { userId: 'U0AGENT', channelId: channel });
    await until(() => stack.slack.callsTo('views.open').length > opened, 3000);
    const payload = stack.requester.viewSubmission({
      callbackId: CALLBACK.inviteModal,
      userId: 'U0AGENT',
      values: modalValues(ref, channel),
      responseUrls: [{ blockId: INPUT.conversation.block, actionId: INPUT.conversation.action, channelId: channel }],
    });
    const answers = await Promise.all([stack.requester.interaction(payload), stack.requester.interaction(payload)]);
    if (answers.some((answer) => answer.status === 200)) campaign.adopt({ ref, channel, ack: 'modal' });
  }
  return campaign.account(from, await campaign.live());
}

export const duplicateDrills: Drill[] = [
  ...onBothDatabases('Slash command redelivered (X-Slack-Retry-Num 1, 2)', redelivered(false), false),
  ...onBothDatabases('Slash command redelivery racing the first', redelivered(true), true),
  ...onBothDatabases('Cancel double-clicked', doubleClickedCancel, true),
  ...onBothDatabases('Invite modal submitted twice at once', modalSubmittedTwice, true),
];
