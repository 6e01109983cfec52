import type { Outcome } from './outcome.js';
import { isFinal, type Session } from './session.js';

/**
 * What of an outcome may still be applied to the session as it is stored now (`current`), given
 * the session it was computed from (`basis`):
 * - a final status is never overwritten (Cancel is final), so once `current` is final, status,
 *   tracking and milestone changes are dropped; vendor facts and media still land (a recording
 *   listed after the end is still posted);
 * - an observation older than the row never rolls it back: a non-final status computed from
 *   another status than the stored one is dropped, with its milestones;
 * - a final status (a Cancel, an end) computed from any open status still applies.
 */
export function admissible(current: Pick<Session, 'status' | 'version'>, basis: Pick<Session, 'status' | 'version'>, outcome: Outcome): Outcome {
  const closed = isFinal(current.status);
  const stale = outcome.status !== undefined && !isFinal(outcome.status) && current.status !== basis.status;
  if (!closed && !stale) return outcome;
  if (outcome.status === undefined && !(closed && outcome.tracking)) return outcome;
  const { status: _status, statusDetail: _detail, joinedAt: _joined, endedAt: _ended, tracking, nextCheckAt: _next, milestones: _milestones, vendorState, ...facts } = outcome;
  return {
    ...facts,
    // The vendor's own word is kept when it was read from the row as stored.
    ...(vendorState !== undefined && current.version === basis.version ? { vendorState } : {}),
    ...(tracking === false ? { tracking: false, nextCheckAt: null } : {}),
  };
}

/** Whether an outcome changes nothing at all. */
export function isEmptyOutcome(outcome: Outcome): boolean {
  return Object.entries(outcome).every(([key, value]) => value === undefined || (key === 'milestones' && (value as unknown[]).length === 0));
}
