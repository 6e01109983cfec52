import type { Delivery } from './delivery.js';

/** What Rendezvous knows of a session, whatever the vendor calls it. */
export const SESSION_STATUSES = [
  'creating',
  'failed',
  'created',
  'scheduled',
  'link_ready',
  'requested',
  'sent',
  'invited',
  'joined',
  'ended',
  'declined',
  'expired',
  'cancelled',
  'rejected',
  'unconfirmed',
] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

export const FINAL_STATUSES: ReadonlySet<SessionStatus> = new Set([
  'failed',
  'ended',
  'declined',
  'expired',
  'cancelled',
  'rejected',
  'unconfirmed',
]);

export const isFinal = (status: string): boolean => FINAL_STATUSES.has(status as SessionStatus);

export const STATUS_DISPLAY: Record<SessionStatus, { emoji: string; label: string }> = {
  creating: { emoji: '⏳', label: 'Creating…' },
  failed: { emoji: '⚠️', label: 'Failed' },
  created: { emoji: '🆕', label: 'Created, invitation pending' },
  scheduled: { emoji: '🗓️', label: 'Scheduled, waiting for participants' },
  link_ready: { emoji: '🔗', label: 'Link ready to pass on' },
  requested: { emoji: '⏳', label: 'Requested, waiting for {vendor}' },
  sent: { emoji: '📨', label: 'Invitation sent' },
  invited: { emoji: '📨', label: 'Invited, waiting for the guest' },
  joined: { emoji: '🟢', label: 'In progress' },
  ended: { emoji: '✅', label: 'Ended' },
  declined: { emoji: '🚫', label: 'Declined by the guest' },
  expired: { emoji: '⌛', label: 'Expired' },
  cancelled: { emoji: '✖️', label: 'Cancelled' },
  rejected: { emoji: '⛔', label: 'Rejected by the vendor' },
  // An asynchronous request whose outcome never came (Genesys): neither done nor failed.
  unconfirmed: { emoji: '❔', label: 'Not confirmed by {vendor}' },
};

/** How a status reads; `{vendor}` in a label is the session's vendor ("waiting for Genesys"). */
export function statusDisplay(status: string, vendorLabel = 'the vendor'): { emoji: string; label: string } {
  const display = STATUS_DISPLAY[status as SessionStatus] ?? { emoji: '❔', label: status };
  return { emoji: display.emoji, label: display.label.replace('{vendor}', vendorLabel) };
}

/**
 * A vendor product's kind (`ticket`, `showme`…): declared by its module (`Product.kind`) and
 * unique within it, so a new vendor brings its own kinds without touching this file.
 */
export type SessionKind = string;

/**
 * A session as the app works with it: enums, Dates and booleans. The store maps rows to it and
 * back (rows never leave src/store/); `details` is parsed by the owning vendor module's schema.
 */
export interface Session {
  id: string;
  teamId: string;
  enterpriseId: string | null;
  /** The vendor module's `name`. */
  vendor: string;
  kind: SessionKind;
  vendorId: string | null;
  vendorState: string | null;
  reference: string;
  contactMasked: string;
  contactEncrypted: string | null;
  contactHash: string | null;
  delivery: Delivery | null;
  status: SessionStatus;
  statusDetail: string | null;
  channelId: string;
  cardTs: string | null;
  startedBy: string;
  agentUrl: string | null;
  customerUrl: string | null;
  details: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
  joinedAt: Date | null;
  endedAt: Date | null;
  tracking: boolean;
  nextCheckAt: Date | null;
  mediaPosted: boolean;
  lastError: string | null;
  /**
   * The identity key of the vendor account it was created under (a workspace's own, or the
   * environment's): only that account's trackers and lookups touch it. Null on sessions from
   * before accounts per workspace: those belong to the environment's account.
   */
  vendorAccount: string | null;
  /** Bumped by every change: outcomes are applied compare-and-set on it. */
  version: number;
  /** Started by a Workflow Builder step that could not be told how it went: the card says so. */
  workflowNote?: string | null;
  /** The meeting shown as a Slack call, when the starter asked for one (absent: never asked). */
  slackCall?: SlackCall;
}

/**
 * Where a session's Slack call stands. `pending`: asked, not registered yet; `adding`: calls.add
 * went out; `added`: registered (`id`); `ended`: calls.end done; `unknown`: calls.add's answer
 * was lost, so it may exist, and it is never sent again; `failed`: Slack refused it for good.
 */
export const SLACK_CALL_STATES = ['pending', 'adding', 'added', 'ended', 'unknown', 'failed'] as const;
export type SlackCallState = (typeof SLACK_CALL_STATES)[number];

export interface SlackCall {
  state: SlackCallState;
  /** Slack's call id (`R…`), once calls.add answered. */
  id: string | null;
  /** The title last sent to Slack. */
  title: string | null;
}
