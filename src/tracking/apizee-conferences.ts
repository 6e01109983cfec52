import { isFinal, type SessionStatus } from '../domain/session.js';
import { milestoneWords, STATUS_MILESTONE } from '../domain/milestones.js';
import type { NewMilestoneRow, SessionPatch, SessionRow } from '../store/schema.js';
import { mediaBlocks, mediaReplyText, type MediaItem } from '../ui/thread-replies.js';
import { MAX_LIST_LIMIT, type Priority } from '../vendors/apizee/client.js';
import type { Conference, ConferenceMediaItem } from '../vendors/apizee/schemas.js';
import { callFor, inBackground } from './background-call.js';
import { type ApizeeTrackerDeps, publishChanges } from './tracker-deps.js';
import { milestoneRow } from './milestone-rows.js';

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
  session: Pick<SessionRow, 'id' | 'team_id' | 'enterprise_id' | 'status' | 'vendor_state' | 'joined_at' | 'contact_masked' | 'delivery'>,
  conference: Pick<Conference, 'status' | 'end_time'>,
  now: Date,
): { patch: SessionPatch; milestones: NewMilestoneRow[] } | undefined {
  const status = conferenceStatus(conference, now);
  if (status === session.status || isFinal(session.status)) {
    return conference.status === session.vendor_state ? undefined : { patch: { vendor_state: conference.status }, milestones: [] };
  }
  const patch: SessionPatch = { vendor_state: conference.status, status };
  const joinedAt = status === 'joined' ? now.toISOString() : session.joined_at;
  if (status === 'joined') patch.joined_at = joinedAt;
  if (isFinal(status)) patch.ended_at = now.toISOString();
  const key = STATUS_MILESTONE[status];
  const milestones: NewMilestoneRow[] = [];
  if (key === 'joined') milestones.push(milestoneRow(session, 'joined', '🟢 The meeting started: participants are in the room.'));
  if (key === 'ended') {
    milestones.push(
      milestoneRow(session, 'ended', milestoneWords('ended', { vendorLabel: 'Apizee', invitee: '', joinedAt: joinedAt ? new Date(joinedAt) : null, endedAt: now })),
    );
  }
  return { patch, milestones };
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

/** Follows Apizee conferences with one search call for all of them, then posts recordings. */
export class ApizeeConferenceTracker {
  constructor(private readonly deps: ApizeeTrackerDeps) {}

  async tick(): Promise<void> {
    if (!this.deps.client.canRunBackground()) return;
    const { sessions, owner, leaseMs } = this.deps;
    const leased = await sessions.leaseDue('apizee', 'conference', owner, new Date(), leaseMs, MAX_LIST_LIMIT);
    if (leased.length === 0) return;
    const changed = new Set<string>();
    try {
      const open = leased.filter((row) => !isFinal(row.status));
      if (open.length > 0) {
        const since = new Date(Math.min(...open.map((row) => Date.parse(row.created_at))) - 60_000);
        const list = await inBackground(this.deps.logger, 'conference tracking', () => this.deps.client.listConferences({ search: CONFERENCE_NAME_MARK, since, limit: MAX_LIST_LIMIT }));
        const byId = new Map((list?.data ?? []).map((conference) => [String(conference.id), conference]));
        for (const row of open) {
          const conference = byId.get(row.vendor_id!);
          const change = conference ? observeConference(row, conference, new Date()) : undefined;
          if (change) {
            await sessions.applyChange(row.id, change.patch, change.milestones);
            changed.add(row.id);
          }
        }
      }
      for (const row of leased) {
        const fresh = await sessions.get(row.id);
        if (fresh && (await this.settle(fresh, 'background'))) changed.add(row.id);
      }
    } finally {
      for (const row of leased) {
        const fresh = await sessions.get(row.id);
        // A meeting still only scheduled is polled a quarter as often as a running one.
        const factor = fresh?.status === 'scheduled' ? 4 : 1;
        await sessions.release(row.id, owner, fresh?.tracking ? new Date(Date.now() + this.deps.intervalMs * factor).toISOString() : null);
      }
    }
    await publishChanges(this.deps, changed);
  }

  /** Refresh button: the same search, queued as interactive. */
  async refresh(row: SessionRow): Promise<boolean> {
    const list = await this.deps.client.listConferences(
      { search: CONFERENCE_NAME_MARK, since: new Date(Date.parse(row.created_at) - 60_000), limit: MAX_LIST_LIMIT },
      'interactive',
    );
    const conference = list.data.find((item) => String(item.id) === row.vendor_id);
    const change = conference ? observeConference(row, conference, new Date()) : undefined;
    if (change) await this.deps.sessions.applyChange(row.id, change.patch, change.milestones);
    const fresh = await this.deps.sessions.get(row.id);
    const settled = fresh ? await this.settle(fresh, 'interactive') : false;
    if (change || settled) await publishChanges(this.deps, [row.id]);
    return Boolean(change || settled);
  }

  /** An ended conference: post its recordings once, then stop tracking it. */
  private async settle(row: SessionRow, priority: Priority): Promise<boolean> {
    if (!isFinal(row.status) || !row.tracking) return false;
    if (row.status !== 'ended' || row.media_posted) {
      await this.deps.sessions.update(row.id, { tracking: 0, next_check_at: null });
      return false;
    }
    if (priority === 'background' && !(await this.deps.client.backgroundSlotWithin(1000))) return false;
    const run = () => this.deps.client.listConferenceMedia(row.vendor_id!, priority);
    const media = await callFor(priority, this.deps.logger, 'conference tracking', run);
    if (!media) return false;
    const items = conferenceMediaItems(media.data);
    const milestones = items.length > 0 ? [milestoneRow(row, 'media', mediaReplyText(items), mediaBlocks(items))] : [];
    await this.deps.sessions.applyChange(row.id, { media_posted: 1, tracking: 0, next_check_at: null }, milestones);
    return milestones.length > 0;
  }
}
