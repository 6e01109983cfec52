import type { Session } from '../../domain/session.js';
import type { TrackingPort } from '../../domain/vendor-module.js';
import type { ApizeeClient } from './client.js';

/**
 * Leases a pass's sessions as the line stands when the pass may send its request, not before it
 * waited for the slot. Background slots come one every 7.6 s at 10 requests a minute, so a pass
 * that leased and then waited held the line as it was seconds earlier: a session a webhook put
 * first in line meanwhile missed that request and waited for the next slot as well (bench part 3,
 * state change + webhook → thread: 13.8 s instead of 7). So when no slot is free at once, the
 * batch goes back where it stood and the line is leased again once one is.
 *
 * The first lease is how a pass learns that anything is due at all: with nothing due, it neither
 * waits nor holds the loop. Undefined: nothing due, or no slot within `waitMs` (nothing is held).
 */
export async function leaseAtSlot(
  port: TrackingPort,
  client: Pick<ApizeeClient, 'backgroundSlotWithin'>,
  limit: number,
  waitMs: number,
): Promise<Session[] | undefined> {
  const leased = await port.leaseDue(limit);
  if (leased.length === 0) return undefined;
  if (await client.backgroundSlotWithin(0)) return leased;
  for (const session of leased) await port.release(session, 'keep');
  if (!(await client.backgroundSlotWithin(waitMs))) return undefined;
  const current = await port.leaseDue(limit);
  return current.length > 0 ? current : undefined;
}
