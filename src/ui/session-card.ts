import type { ActionsBlock, Button, KnownBlock } from '@slack/types';
import { productByKind, vendorLabel, type Catalogue } from '../domain/product-catalogue.js';
import { isFinal, statusDisplay, type Session } from '../domain/session.js';
import { ACTION } from './ids.js';
import { escapeMrkdwn, fitMrkdwn, messageText, slackDate, SLACK_LIMITS } from './mrkdwn.js';

/** What the card shows of a session (never its contact, only the masked form). */
export type CardSession = Pick<
  Session,
  'id' | 'vendor' | 'kind' | 'reference' | 'contactMasked' | 'status' | 'statusDetail' | 'startedBy' | 'createdAt' | 'agentUrl' | 'customerUrl' | 'details'
> &
  Partial<Pick<Session, 'workflowNote' | 'slackCall'>>;

/** "Apizee video assistance": the module's label and its product's, from the catalogue passed in. */
export function cardTitle(session: Pick<CardSession, 'vendor' | 'kind'>, catalogue: Catalogue): string {
  const kind = productByKind(catalogue, session.vendor, session.kind)?.label ?? session.kind;
  return `${vendorLabel(catalogue, session.vendor)} ${kind}`;
}

/**
 * Notification and screen-reader text for the card. Slack reads it as mrkdwn too, so what came
 * from a user or a vendor (the reference, the invitee: a Conpeek name, a Genesys target) is
 * escaped as in the blocks: a `<!channel>` in it notifies no one.
 */
export function cardText(session: CardSession, catalogue: Catalogue): string {
  const { emoji, label } = statusDisplay(session.status, vendorLabel(catalogue, session.vendor));
  return messageText(
    `${escapeMrkdwn(cardTitle(session, catalogue))} ${escapeMrkdwn(session.reference)} for ${escapeMrkdwn(session.contactMasked)}: ${emoji} ${escapeMrkdwn(label)}`,
  );
}

/** A field's room for its value, after its bold label (`*Invitee*\n`). */
const FIELD_ROOM = SLACK_LIMITS.sectionField - 20;

/** The session card: one root message, rebuilt from the row each time its state changes. */
export function sessionCard(session: CardSession, catalogue: Catalogue): KnownBlock[] {
  const { emoji, label } = statusDisplay(session.status, vendorLabel(catalogue, session.vendor));
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: { type: 'mrkdwn', text: fitMrkdwn(`*${cardTitle(session, catalogue)}* · \`${session.reference}\``, SLACK_LIMITS.sectionText) },
    },
    {
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: `*Invitee*\n${fitMrkdwn(session.contactMasked, FIELD_ROOM)}` },
        { type: 'mrkdwn', text: `*Status*\n${emoji} ${fitMrkdwn(label, FIELD_ROOM)}` },
        { type: 'mrkdwn', text: `*Reference*\n${fitMrkdwn(session.reference, FIELD_ROOM)}` },
        { type: 'mrkdwn', text: `*Started by*\n<@${session.startedBy}> ${slackDate(session.createdAt)}` },
      ],
    },
  ];
  // The product's own lines (a meeting's dial-in), plain text from its parsed details.
  const notes = productByKind(catalogue, session.vendor, session.kind)?.cardNotes?.(session.details) ?? [];
  for (const note of notes.slice(0, SLACK_LIMITS.blocksPerMessage - 4)) {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: fitMrkdwn(note, SLACK_LIMITS.contextText) }] });
  }
  const call = callBlock(session);
  if (call) blocks.push(call);
  if (session.statusDetail) {
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: fitMrkdwn(session.statusDetail, SLACK_LIMITS.contextText) }],
    });
  }
  if (session.workflowNote) {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: fitMrkdwn(session.workflowNote, SLACK_LIMITS.contextText) }] });
  }
  const actions = cardActions(session, catalogue);
  if (actions) blocks.push(actions);
  return blocks;
}

/**
 * The meeting as a Slack call (`{type: 'call', call_id}`), once Slack registered it; kept after
 * it ended, when Slack shows it as over with its duration. @slack/types declares no call block.
 */
function callBlock(session: CardSession): KnownBlock | undefined {
  const call = session.slackCall;
  if (!call?.id || (call.state !== 'added' && call.state !== 'ended')) return undefined;
  return { type: 'call', call_id: call.id } as unknown as KnownBlock;
}

function cardActions(session: CardSession, catalogue: Catalogue): ActionsBlock | undefined {
  if (isFinal(session.status) || session.status === 'creating') return undefined;
  const capability = productByKind(catalogue, session.vendor, session.kind);
  const buttons: Button[] = [];
  // Slack refuses a button URL over 3000 characters (and the whole card with it). A room link
  // shared by everyone (guests too) never goes on the card: the starter gets it privately, and
  // the channel only through the Slack call the starter asked for.
  const sharedLink = capability?.roomLink === 'shared';
  if (session.agentUrl && !sharedLink && session.agentUrl.length <= SLACK_LIMITS.buttonUrl) {
    buttons.push({
      type: 'button',
      action_id: ACTION.joinAsAgent,
      text: { type: 'plain_text', text: 'Join as agent' },
      url: session.agentUrl,
      value: session.id,
      style: 'primary',
    });
  }
  if (session.customerUrl) {
    buttons.push({
      type: 'button',
      action_id: ACTION.customerLink,
      text: { type: 'plain_text', text: 'Customer link' },
      value: session.id,
    });
  }
  if (capability?.resend) {
    buttons.push({ type: 'button', action_id: ACTION.resend, text: { type: 'plain_text', text: 'Resend invitation' }, value: session.id });
  }
  if (capability?.tracks ?? true) {
    buttons.push({ type: 'button', action_id: ACTION.refresh, text: { type: 'plain_text', text: 'Refresh' }, value: session.id });
  }
  buttons.push({
    type: 'button',
    action_id: ACTION.cancel,
    text: { type: 'plain_text', text: 'Cancel' },
    value: session.id,
    style: 'danger',
    confirm: {
      title: { type: 'plain_text', text: 'Cancel this session?' },
      text: { type: 'mrkdwn', text: fitMrkdwn(`Tracking stops and the card will say the session ${session.reference} was cancelled.`, SLACK_LIMITS.confirmText) },
      confirm: { type: 'plain_text', text: 'Cancel session' },
      deny: { type: 'plain_text', text: 'Keep it' },
    },
  });
  return { type: 'actions', block_id: `session_actions`, elements: buttons };
}
