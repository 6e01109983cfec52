import type { Session } from '../../domain/session.js';
import type { TrackingPort } from '../../domain/vendor-module.js';
import type { ApizeeClient } from './client.js';

/**
 * Leases a pass's sessions once the pass may send its request, not before it waited for the slot.
 * Background slots come one every 7.6 s at 10 requests a minute, so a pass that leased and then
 * waited held the line as it was seconds earlier: a session a webhook put first in line meanwhile
 * missed that request and waited for the next slot as well (bench part 3, state change + webhook
 * → thread: 13.8 s instead of 7).
 *
 * With nothing due, the pass neither waits nor holds the loop. Undefined: nothing due, or no slot
 * within `waitMs`.
 */
export async function leaseAtSlot(
  port: TrackingPort,
  client: Pick<ApizeeClient, 'backgroundSlotWithin'>,
  limit: number,
  waitMs: number,
): Promise<Session[] | undefined> {
  if (!(await client.backgroundSlotWithin(0))) {
    if (!(await port.hasDue())) return undefined;
    if (!(await client.backgroundSlotWithin(waitMs))) return undefined;
  }
  const leased = await port.leaseDue(limit);
  return leased.length > 0 ? leased : undefined;
}
