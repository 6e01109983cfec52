import type { KnownBlock } from '@slack/types';
import { durationWords } from '../domain/milestones.js';
import { productByKind, vendorLabel, type Catalogue } from '../domain/product-catalogue.js';
import { statusDisplay, type Session } from '../domain/session.js';
import { cardTitle } from './session-card.js';
import { ACTION } from './ids.js';
import { fitMrkdwn, slackDate, SLACK_LIMITS } from './mrkdwn.js';

/** What a link unfurl shows of a session: never its contact, only the masked form, as the card. */
export type UnfurlSession = Pick<
  Session,
  'id' | 'vendor' | 'kind' | 'reference' | 'contactMasked' | 'status' | 'startedBy' | 'createdAt' | 'joinedAt' | 'endedAt' | 'details'
>;

/** A field's room for its value, after its bold label. */
const FIELD_ROOM = SLACK_LIMITS.sectionField - 20;

/** One unfurl: the attachment `chat.unfurl` takes for the link, blocks only. */
export interface Unfurl {
  blocks: KnownBlock[];
}

/**
 * A session's live preview where its agent link was pasted: status, vendor, reference, invitee
 * (masked), duration and media count, and a button to its card. Everything from a user or a
 * vendor is escaped; five blocks at most, each within Slack's limits.
 */
export function sessionUnfurl(session: UnfurlSession, catalogue: Catalogue, options: { permalink?: string; now?: Date } = {}): Unfurl {
  const { emoji, label } = statusDisplay(session.status, vendorLabel(catalogue, session.vendor));
  const media = productByKind(catalogue, session.vendor, session.kind)?.mediaCount?.(session.details);
  const fields = [
    { type: 'mrkdwn' as const, text: `*Status*\n${emoji} ${fitMrkdwn(label, FIELD_ROOM)}` },
    { type: 'mrkdwn' as const, text: `*Vendor*\n${fitMrkdwn(vendorLabel(catalogue, session.vendor), FIELD_ROOM)}` },
    { type: 'mrkdwn' as const, text: `*Reference*\n${fitMrkdwn(session.reference, FIELD_ROOM)}` },
    { type: 'mrkdwn' as const, text: `*Invitee*\n${fitMrkdwn(session.contactMasked, FIELD_ROOM)}` },
    { type: 'mrkdwn' as const, text: `*Duration*\n${durationText(session, options.now ?? new Date())}` },
    ...(media === undefined ? [] : [{ type: 'mrkdwn' as const, text: `*Photos and recordings*\n${media === 0 ? 'none yet' : String(media)}` }]),
  ];
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: fitMrkdwn(`${cardTitle(session, catalogue)} · ${session.reference}`, SLACK_LIMITS.sectionText) } },
    { type: 'section', fields },
    { type: 'context', elements: [{ type: 'mrkdwn', text: `Started by <@${session.startedBy}> ${slackDate(session.createdAt)} · Rendezvous keeps this preview up to date` }] },
  ];
  // Slack refuses a button URL over 3000 characters (and the whole unfurl with it).
  if (options.permalink && options.permalink.length <= SLACK_LIMITS.buttonUrl) {
    blocks.push({
      type: 'actions',
      block_id: 'unfurl_actions',
      elements: [{ type: 'button', action_id: ACTION.unfurlOpenCard, text: { type: 'plain_text', text: 'Open the card' }, url: options.permalink, value: session.id }],
    });
  }
  return { blocks };
}

/** Joined to ended, as the thread says it; while in progress, since when (a preview does not tick). */
function durationText(session: Pick<UnfurlSession, 'joinedAt' | 'endedAt'>, now: Date): string {
  if (!session.joinedAt) return 'not started';
  if (session.endedAt) return durationWords(session.joinedAt, session.endedAt);
  return `in progress since ${slackDate(session.joinedAt, '{time}')} (${durationWords(session.joinedAt, now)} when this preview was made)`;
}
