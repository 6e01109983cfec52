/** What Rendezvous knows of a session, whatever the vendor calls it. */
export const SESSION_STATUSES = [
  'creating',
  'failed',
  'created',
  'invited',
  'joined',
  'ended',
  'declined',
  'expired',
  'cancelled',
  'rejected',
] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

export const FINAL_STATUSES: ReadonlySet<SessionStatus> = new Set([
  'failed',
  'ended',
  'declined',
  'expired',
  'cancelled',
  'rejected',
]);

export const isFinal = (status: string): boolean => FINAL_STATUSES.has(status as SessionStatus);

export const STATUS_DISPLAY: Record<SessionStatus, { emoji: string; label: string }> = {
  creating: { emoji: '⏳', label: 'Creating…' },
  failed: { emoji: '⚠️', label: 'Failed' },
  created: { emoji: '🆕', label: 'Created, invitation pending' },
  invited: { emoji: '📨', label: 'Invited, waiting for the guest' },
  joined: { emoji: '🟢', label: 'In progress' },
  ended: { emoji: '✅', label: 'Ended' },
  declined: { emoji: '🚫', label: 'Declined by the guest' },
  expired: { emoji: '⌛', label: 'Expired' },
  cancelled: { emoji: '✖️', label: 'Cancelled' },
  rejected: { emoji: '⛔', label: 'Rejected by the vendor' },
};

export function statusDisplay(status: string): { emoji: string; label: string } {
  return STATUS_DISPLAY[status as SessionStatus] ?? { emoji: '❔', label: status };
}

/** The kinds of session; each vendor offers some of them. */
export type SessionKind = 'ticket';

export const KIND_LABELS: Record<SessionKind, string> = {
  ticket: 'video assistance',
};
