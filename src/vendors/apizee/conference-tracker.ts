import type { Logger } from '../../domain/logger.js';
import { milestoneWords, STATUS_MILESTONE } from '../../domain/milestones.js';
import type { MediaItem, Outcome } from '../../domain/outcome.js';
import { isFinal, type Session, type SessionStatus } from '../../domain/session.js';
import type { CallVia, TrackingPort, VendorTracker } from '../../domain/vendor-module.js';
import { callFor, inBackground } from './background-call.js';
import { MAX_LIST_LIMIT, type Priority } from './client.js';
import { LIVE_MEDIA_PACE, type ListedMedia, MediaWatch, settleLeased, settleMedia } from './media-settling.js';
import { leaseAtSlot } from './pass-lease.js';
import type { Conference, ConferenceMediaItem } from './schemas.js';
import { slotWaitMs, type ApizeeTrackerDeps } from './ticket-tracker.js';

/**
 * Every conference Rendezvous creates carries this word in its name, so one
 * `GET /conferences?search=…` call (seed 003) finds all of them at once.
 */
export const CONFERENCE_NAME_MARK = 'Rendezvous';

/**
 * Conference statuses: seed 003 shows only `scheduled` and `ongoing`; the full list is [U]
 * (REFERENCE §4). Any other status is read as the meeting being over [I]; a conference still
 * `scheduled` or `ongoing` two hours after its planned end is taken as ended too [I].
 */
export function conferenceStatus(conference: Pick<Conference, 'status' | 'end_time'>, now: Date): SessionStatus {
  const overdue = Date.parse(conference.end_time) + 2 * 3600_000 < now.getTime();
  if (conference.status === 'scheduled') return overdue ? 'ended' : 'scheduled';
  if (conference.status === 'ongoing') return overdue ? 'ended' : 'joined';
  return 'ended';
}

export function observeConference(
  session: Pick<Session, 'status' | 'vendorState' | 'joinedAt'>,
  conference: Pick<Conference, 'status' | 'end_time'>,
  now: Date,
): Outcome | undefined {
  const status = conferenceStatus(conference, now);
  if (status === session.status || isFinal(session.status)) {
    return conference.status === session.vendorState ? undefined : { vendorState: conference.status };
  }
  const outcome: Outcome = { vendorState: conference.status, status, milestones: [] };
  const joinedAt = status === 'joined' ? now : session.joinedAt;
  if (status === 'joined') outcome.joinedAt = now;
  if (isFinal(status)) outcome.endedAt = now;
  const key = STATUS_MILESTONE[status];
  if (key === 'joined') outcome.milestones!.push({ key: 'joined', text: '🟢 The meeting started: participants are in the room.' });
  if (key === 'ended') {
    outcome.milestones!.push({ key: 'ended', text: milestoneWords('ended', { vendorLabel: 'Apizee', invitee: '', joinedAt, endedAt: now }) });
  }
  return outcome;
}

export function conferenceMediaItems(items: ConferenceMediaItem[]): MediaItem[] {
  return items.map((item) => ({
    title: item.title ?? item.filename,
    type: item.media_type,
    url: item.url,
    sizeBytes: item.filesize,
    location: item.geoloc ? { lat: item.geoloc.lat, lon: item.geoloc.lng } : undefined,
  }));
}

/** A recording may be linked once Apizee says it is `completed` (seed 003); before, it is processing. */
export function listedConferenceMedia(items: ConferenceMediaItem[]): ListedMedia[] {
  const media = conferenceMediaItems(items);
  return items.map((item, index) => ({ id: String(item.id), ready: item.status === 'completed', item: media[index]! }));
}

/**
 * Follows Apizee conferences with one search call for all of them; polls a running meeting's
 * recordings at a slower pace, and an ended one's until they settle.
 */
export class ApizeeConferenceTracker implements VendorTracker {
  readonly kind = 'conference' as const;
  private readonly media = new MediaWatch();
  /**
   * Media polls wait for background slots; a pass stops starting them after one interval, so it
   * ends well within its leases (two intervals) and leaves the rest to the next pass.
   */
  private passEndsAt = Infinity;
  /**
   * The logger of the pass in progress (the port's: its correlation id). Passes of one tracker
   * never overlap, and only a pass makes background calls; Refresh's interactive calls use the caller's.
   */
  private passLog: Logger;

  constructor(private readonly deps: ApizeeTrackerDeps) {
    this.passLog = deps.logger;
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  async tick(port: TrackingPort): Promise<void> {
    this.passLog = port.logger ?? this.deps.logger;
    // Waits for the slot the ticket pass may have just used, rather than skipping the whole pass,
    // and leases once it has it (a conference a webhook made due during the wait is in this pass).
    const leased = await leaseAtSlot(port, this.deps.client, MAX_LIST_LIMIT, slotWaitMs(this.deps));
    if (!leased) return;
    try {
      // The pass's time for media polls counts from its first slot, not from the wait for it.
      this.passEndsAt = this.now().getTime() + this.deps.intervalMs;
      const open = leased.filter((session) => !isFinal(session.status));
      if (open.length > 0) {
        const since = new Date(Math.min(...open.map((session) => session.createdAt.getTime())) - 60_000);
        const list = await inBackground(this.passLog, 'conference tracking', () =>
          this.deps.client.listConferences({ search: CONFERENCE_NAME_MARK, since, limit: MAX_LIST_LIMIT }, 'background', { logger: this.passLog }),
        );
        const byId = new Map((list?.data ?? []).map((conference) => [String(conference.id), conference]));
        for (const session of open) {
          const conference = byId.get(session.vendorId!);
          const outcome = conference ? observeConference(session, conference, this.now()) : undefined;
          if (outcome) await port.apply(session, outcome);
        }
      }
      await settleLeased(port, leased, (fresh) => (fresh.status === 'joined' ? this.pollLive(fresh) : this.settle(fresh, 'background')));
    } finally {
      for (const session of leased) {
        const fresh = await port.get(session.id);
        // A meeting still only scheduled is polled a quarter as often as a running one.
        const factor = fresh?.status === 'scheduled' ? 4 : 1;
        const next = !fresh?.tracking ? null : new Date(this.now().getTime() + this.deps.intervalMs * factor);
        await port.release(session, next);
      }
    }
  }

  /** Refresh button: the same search, queued as interactive, and the recordings if it ended. */
  async reconcile(session: Session, via: CallVia = {}): Promise<Outcome | undefined> {
    // The lines of a Refresh carry its request's correlation id.
    const log = via.logger ?? this.deps.logger;
    const list = await this.deps.client.listConferences(
      { search: CONFERENCE_NAME_MARK, since: new Date(session.createdAt.getTime() - 60_000), limit: MAX_LIST_LIMIT },
      'interactive',
      { logger: log },
    );
    const conference = list.data.find((item) => String(item.id) === session.vendorId);
    const observed = conference ? observeConference(session, conference, this.now()) : undefined;
    const settled = await this.settle(
      { ...session, status: observed?.status ?? session.status, endedAt: observed?.endedAt ?? session.endedAt },
      'interactive',
      log,
    );
    return observed || settled ? { ...observed, ...settled } : undefined;
  }

  private settle(session: Session, priority: Priority, log: Logger = this.passLog): Promise<Outcome | undefined> {
    return settleMedia(session, this.media, this.now(), () => this.fetchMedia(session, priority, log));
  }


  /**
   * A running meeting: its completed recordings are posted without waiting for the end (its
   * `end_time` is an hour after the start by default), every LIVE_MEDIA_PACE intervals.
   */
  private async pollLive(session: Session): Promise<Outcome | undefined> {
    if (!session.tracking) return undefined;
    const last = this.media.lastPolledAt(session.id);
    const now = this.now();
    if (last !== undefined && now.getTime() - last < this.deps.intervalMs * LIVE_MEDIA_PACE) return undefined;
    const listed = await this.fetchMedia(session, 'background');
    return listed && this.media.observe(session, listed, now, 'live');
  }

  private async fetchMedia(session: Session, priority: Priority, log: Logger = this.passLog): Promise<ListedMedia[] | undefined> {
    if (priority === 'background' && (this.now().getTime() > this.passEndsAt || !(await this.deps.client.backgroundSlotWithin(slotWaitMs(this.deps))))) {
      return undefined;
    }
    const run = () => this.deps.client.listConferenceMedia(session.vendorId!, priority, { logger: log });
    const media = await callFor(priority, log, 'conference tracking', run);
    return media && listedConferenceMedia(media.data);
  }
}
