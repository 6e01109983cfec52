import type { SessionStatus } from '../../domain/session.js';

/** Apizee ticket states (REFERENCE §4) and what each means here. */
export const APIZEE_TICKET_STATUS: Record<string, SessionStatus> = {
  new: 'created',
  open: 'created',
  invited: 'invited',
  inprogress: 'joined',
  done: 'ended',
  closed: 'ended',
  rejected: 'rejected',
  declined: 'declined',
  expired: 'expired',
  cancelled: 'cancelled',
};
