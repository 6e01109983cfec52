import type { MediaItem, Outcome } from '../../domain/outcome.js';
import { isFinal, type Session } from '../../domain/session.js';

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
