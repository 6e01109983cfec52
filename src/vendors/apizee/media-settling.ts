import { z } from 'zod';
import type { MediaItem, Outcome } from '../../domain/outcome.js';
import { isFinal, type Session } from '../../domain/session.js';
import type { TrackingPort } from '../../domain/vendor-module.js';

/**
 * Photos and recordings appear at Apizee after a session ends, and a conference recording is
 * listed while still `processing` (seed 003 shows `status: "completed"`; no "recording ready"
 * event exists, REFERENCE §4). So media are polled until they settle, and each file is posted
 * once, as soon as it is ready:
 * - after the end, at the tracking interval, until no new file showed in two polls in a row and
 *   every recording is `completed`, or 30 minutes after the end, whichever comes first;
 * - during a live meeting, at a slower pace (LIVE_MEDIA_PACE × the interval), never settling.
 */
export const MEDIA_QUIET_POLLS = 2;
export const MEDIA_SETTLE_CAP_MS = 30 * 60_000;
/** A live meeting's recordings are polled every this many tracking intervals. */
export const LIVE_MEDIA_PACE = 2;

/** One file of a media list as the settle rule sees it: its id, and whether it may be linked yet. */
export interface ListedMedia {
  id: string;
  ready: boolean;
  item: MediaItem;
}

/**
 * What a session keeps in its details: the ids of the files already posted, so that whichever
 * replica polls next, after a restart too, never posts one twice.
 */
export const MediaProgress = z.object({ media_posted: z.array(z.string()).optional() });

function postedIds(details: Record<string, unknown>): Set<string> {
  const parsed = MediaProgress.safeParse(details);
  return new Set(parsed.success ? (parsed.data.media_posted ?? []) : []);
}

export type MediaPhase = 'live' | 'ended';

/**
 * Between polls, per session: the ids seen (ready or not) and how many polls in a row showed
 * nothing new. Kept in memory: losing it (a restart, another replica's pass) only costs a few
 * more polls before the media settle, never a file posted twice (that is in the details).
 */
export class MediaWatch {
  private readonly sessions = new Map<string, { seen: Set<string>; quiet: number; polledAt: number; phase: MediaPhase }>();

  /** When this replica last listed the session's media (epoch ms), if it did. */
  lastPolledAt(sessionId: string): number | undefined {
    return this.sessions.get(sessionId)?.polledAt;
  }

  forget(sessionId: string): void {
    this.sessions.delete(sessionId);
  }

  /**
   * One media list call's answer → what to apply: the files newly ready (posted in one reply,
   * keyed by their ids), their ids added to the details, and, after the end, tracking stopped
   * once settled. Undefined when there is nothing to change.
   */
  observe(session: Pick<Session, 'id' | 'details' | 'endedAt'>, listed: ListedMedia[], now: Date, phase: MediaPhase): Outcome | undefined {
    const watched = this.sessions.get(session.id) ?? { seen: new Set<string>(), quiet: 0, polledAt: 0, phase };
    const anyNew = listed.some((media) => !watched.seen.has(media.id));
    for (const media of listed) watched.seen.add(media.id);
    // Quiet polls count from the end: a meeting quiet while live may still get its recording after.
    const quietBefore = watched.phase === phase ? watched.quiet : 0;
    watched.quiet = anyNew ? 0 : quietBefore + 1;
    watched.phase = phase;
    watched.polledAt = now.getTime();
    this.sessions.set(session.id, watched);

    const posted = postedIds(session.details);
    const ready = listed.filter((media) => media.ready && !posted.has(media.id));
    const outcome: Outcome = {};
    if (ready.length > 0) {
      outcome.media = ready.map((media) => ({ ...media.item, id: media.id }));
      outcome.details = { ...session.details, media_posted: [...posted, ...ready.map((media) => media.id)] };
    }
    const processing = listed.some((media) => !media.ready);
    if (phase === 'ended' && ((watched.quiet >= MEDIA_QUIET_POLLS && !processing) || pastCap(session, now))) {
      this.forget(session.id);
      outcome.tracking = false;
      outcome.nextCheckAt = null;
    }
    return Object.keys(outcome).length > 0 ? outcome : undefined;
  }
}

/** Thirty minutes after the end, media still missing or processing are no longer waited for. */
export function pastCap(session: Pick<Session, 'endedAt'>, now: Date): boolean {
  return session.endedAt !== null && now.getTime() - session.endedAt.getTime() >= MEDIA_SETTLE_CAP_MS;
}

/**
 * A final session still tracked: its media are polled until they settle (only where the session
 * took place; any other final session just stops being tracked). `fetchMedia` gives undefined
 * when it could not ask now (no budget, vendor down): the next pass tries again.
 */
export async function settleMedia(
  session: Pick<Session, 'id' | 'status' | 'tracking' | 'details' | 'endedAt'>,
  watch: MediaWatch,
  now: Date,
  fetchMedia: () => Promise<ListedMedia[] | undefined>,
): Promise<Outcome | undefined> {
  if (!isFinal(session.status) || !session.tracking) return undefined;
  if (session.status !== 'ended' || pastCap(session, now)) {
    watch.forget(session.id);
    return { tracking: false, nextCheckAt: null };
  }
  const listed = await fetchMedia();
  return listed && watch.observe(session, listed, now, 'ended');
}

/**
 * After a pass's observations: each leased session, read again (the pass may have just ended
 * it), gets its media polled, and its tracking stopped once they settle.
 */
export async function settleLeased(port: TrackingPort, leased: Session[], settle: (session: Session) => Promise<Outcome | undefined>): Promise<void> {
  for (const session of leased) {
    const fresh = await port.get(session.id);
    const settled = fresh ? await settle(fresh) : undefined;
    if (fresh && settled) await port.apply(fresh, settled);
  }
}

/**
 * Sessions the pass's list call just ended without this pass holding their lease (their end
 * outcome made them due at once): leased now, so that their first media poll is not a whole
 * interval late, then released like the others. Open sessions leased on the way keep their place.
 */
export async function settleJustEnded(
  port: TrackingPort,
  limit: number,
  settle: (session: Session) => Promise<Outcome | undefined>,
  nextCheck: (session: Session) => Date | null,
): Promise<void> {
  const due = await port.leaseDue(limit);
  try {
    await settleLeased(
      port,
      due.filter((session) => isFinal(session.status)),
      settle,
    );
  } finally {
    for (const session of due) {
      const fresh = await port.get(session.id);
      await port.release(session, !fresh?.tracking ? null : isFinal(fresh.status) ? nextCheck(fresh) : 'keep');
    }
  }
}
