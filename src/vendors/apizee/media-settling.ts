import type { MediaItem, Outcome } from '../../domain/outcome.js';
import { isFinal, type Session } from '../../domain/session.js';
import type { TrackingPort } from '../../domain/vendor-module.js';

/**
 * A final session still tracked: its photos and recordings are posted once (only where the
 * session took place), then it stops being tracked. `fetchMedia` gives undefined when it could
 * not ask now (no budget, vendor down): the next pass tries again.
 */
export async function settleMedia(
  session: Pick<Session, 'status' | 'tracking' | 'mediaPosted'>,
  fetchMedia: () => Promise<MediaItem[] | undefined>,
): Promise<Outcome | undefined> {
  if (!isFinal(session.status) || !session.tracking) return undefined;
  if (session.status !== 'ended' || session.mediaPosted) return { tracking: false, nextCheckAt: null };
  const media = await fetchMedia();
  return media ? { media, tracking: false, nextCheckAt: null } : undefined;
}

/**
 * After a pass's observations: each leased session, read again (the pass may have just ended
 * it), gets its media settled and its tracking stopped once final.
 */
export async function settleLeased(port: TrackingPort, leased: Session[], settle: (session: Session) => Promise<Outcome | undefined>): Promise<void> {
  for (const session of leased) {
    const fresh = await port.get(session.id);
    const settled = fresh ? await settle(fresh) : undefined;
    if (fresh && settled) await port.apply(fresh, settled);
  }
}
