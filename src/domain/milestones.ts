import { formatDuration, intervalToDuration } from 'date-fns';
import { DELIVERY_WORDS, type Delivery } from './delivery.js';
import type { SessionStatus } from './session.js';

/**
 * The one table of thread milestones (PRODUCT.md §1.3): vendor state → session status →
 * milestone → words. "invited" comes from the creation answer; the others only when observed.
 */
export type MilestoneKey =
  | 'created'
  | 'invited'
  | 'joined'
  | 'ended'
  | 'declined'
  | 'expired'
  | 'cancelled'
  | 'rejected'
  | 'failed'
  | 'unconfirmed'
  | 'media'
  | `media:${string}`
  | 'delivered'
  | 'delivery_failed'
  /** The meeting's Slack call could not be shown (Slack's answer lost, or a refusal). */
  | 'call_not_shown'
  | `resent:${string}`;

/** The milestone a status reaches, if any. */
export const STATUS_MILESTONE: Partial<Record<SessionStatus, MilestoneKey>> = {
  created: 'created',
  invited: 'invited',
  joined: 'joined',
  ended: 'ended',
  declined: 'declined',
  expired: 'expired',
  cancelled: 'cancelled',
  rejected: 'rejected',
  failed: 'failed',
};

export interface MilestoneContext {
  vendorLabel: string;
  /** Masked invitee, already mrkdwn-escaped. */
  invitee: string;
  delivery?: string | null;
  joinedAt?: Date | null;
  endedAt?: Date | null;
  /** Plain words for a failure or cancellation. */
  detail?: string | null;
}


export function durationWords(from: Date, to: Date): string {
  const duration = intervalToDuration({ start: from, end: to });
  return formatDuration(duration, { format: ['days', 'hours', 'minutes', 'seconds'] }) || 'less than a second';
}

export function milestoneWords(key: MilestoneKey, context: MilestoneContext): string {
  const { vendorLabel, invitee } = context;
  switch (key) {
    case 'created':
      return `🆕 ${vendorLabel} created the session; the invitation to ${invitee} is not sent yet.`;
    case 'invited': {
      const words = context.delivery ? DELIVERY_WORDS[context.delivery as Delivery] : undefined;
      const how = words ? ` by ${words}` : '';
      return `📨 ${vendorLabel} sent the invitation${how} to ${invitee}.`;
    }
    case 'joined':
      return '🟢 The guest joined the session.';
    case 'ended':
      return context.joinedAt && context.endedAt
        ? `✅ The session ended after ${durationWords(context.joinedAt, context.endedAt)}.`
        : '✅ The session ended (the guest joining was not observed, so its length is unknown).';
    case 'declined':
      return '🚫 The guest declined the invitation.';
    case 'expired':
      return '⌛ The invitation expired before the guest joined.';
    case 'cancelled':
      return context.detail ? `✖️ ${context.detail}` : `✖️ ${vendorLabel} reports that the session was cancelled.`;
    case 'rejected':
      return `⛔ ${vendorLabel} rejected the session: it was not accepted for processing.`;
    case 'failed':
      return `⚠️ The session could not be created. ${context.detail ?? ''}`.trim();
    case 'media':
      return '📎 Photos and recordings are available.';
    default:
      return context.detail ?? '';
  }
}
