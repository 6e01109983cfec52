import { APIZEE_TICKET_STATUS, milestoneWords, STATUS_MILESTONE } from '../domain/milestones.js';
import { isFinal, type SessionStatus } from '../domain/session.js';
import { FIRST_IN_LINE } from '../store/sessions-repository.js';
import type { NewMilestoneRow, SessionPatch, SessionRow } from '../store/schema.js';
import { escapeMrkdwn } from '../ui/mrkdwn.js';
import { mediaBlocks, mediaReplyText, type MediaItem } from '../ui/thread-replies.js';
import { MAX_LIST_LIMIT, type Priority } from '../vendors/apizee/client.js';
import type { ListedTicket, TicketMedia } from '../vendors/apizee/schemas.js';
import { callFor, inBackground } from './background-call.js';
import { type ApizeeTrackerDeps, publishChanges } from './tracker-deps.js';
import { milestoneRow } from './milestone-rows.js';

/** How long one pass waits for the budget's next background slot before leaving the rest for later. */
const LOOKUP_WAIT_MS = 1000;

/** Media exist only where a session took place. */
const MEDIA_STATUSES: ReadonlySet<SessionStatus> = new Set(['ended']);

/**
 * What one observed ticket changes: the session's new status and the milestones that follow.
 * Pure, so that the milestone table is tested without a vendor or a database.
 */
export function observeTicket(
  session: Pick<SessionRow, 'status' | 'vendor_state' | 'joined_at' | 'contact_masked' | 'delivery' | 'id' | 'team_id' | 'enterprise_id'>,
  ticket: Pick<ListedTicket, 'state'>,
  now: Date,
): { patch: SessionPatch; milestones: NewMilestoneRow[] } | undefined {
  const status = APIZEE_TICKET_STATUS[ticket.state];
  if (!status || (ticket.state === session.vendor_state && status === session.status)) return undefined;
  if (isFinal(session.status) || status === session.status) return { patch: { vendor_state: ticket.state }, milestones: [] };
  const patch: SessionPatch = { vendor_state: ticket.state, status, status_detail: null };
  const joinedAt = status === 'joined' ? now.toISOString() : session.joined_at;
  if (status === 'joined') patch.joined_at = joinedAt;
  if (isFinal(status)) patch.ended_at = now.toISOString();
  const key = STATUS_MILESTONE[status];
  const milestones: NewMilestoneRow[] = [];
  if (key && key !== 'created') {
    const text = milestoneWords(key, {
      vendorLabel: 'Apizee',
      invitee: escapeMrkdwn(session.contact_masked),
      delivery: session.delivery,
      joinedAt: joinedAt ? new Date(joinedAt) : null,
      endedAt: now,
    });
    milestones.push(milestoneRow(session, key, text));
  }
  return { patch, milestones };
}

export function toMediaItems(medias: TicketMedia[]): MediaItem[] {
  return medias.map((media) => ({
    title: media.title,
    type: media.type,
    url: media.url,
    sizeBytes: media.filesize,
    location: media.location,
  }));
}

/**
 * Follows Apizee tickets: one documented list call covers many tickets per poll; a ticket
 * missing from it is looked up by reference; a session stops being tracked once final and,
 * when it took place, once its media are posted.
 */
export class ApizeeTicketTracker {
  /** Sessions whose ticket was missing from the last list call. */
  private readonly unlisted = new Set<string>();
  private lastPassListed = false;

  constructor(private readonly deps: ApizeeTrackerDeps) {}

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  /**
   * One background pass. The newest tickets come from one list call, whose answer is applied to
   * every tracked session it shows (leased or not), so that recent sessions stay current however
   * many older ones wait. Leased sessions the list did not show are looked up by reference, on
   * alternate passes so that neither starves the other; media are fetched for those that ended.
   * Gives way (returns) whenever the rate budget has no spare request; leases are always released.
   */
  async tick(): Promise<void> {
    if (!this.deps.client.canRunBackground()) return;
    const { sessions, owner, leaseMs } = this.deps;
    const leased = await sessions.leaseDue('apizee', 'ticket', owner, this.now(), leaseMs, MAX_LIST_LIMIT);
    if (leased.length === 0) return;
    const changed = new Set<string>();
    const observed = new Set<string>();
    try {
      const open = leased.filter((row) => !isFinal(row.status));
      // A session a webhook put first in line is looked up at once: one request, sure to find it.
      const urgent = open.filter((row) => row.next_check_at === FIRST_IN_LINE);
      const unlisted = [...urgent, ...open.filter((row) => this.unlisted.has(row.id) && !urgent.includes(row))];
      if (unlisted.length > 0 && (this.lastPassListed || urgent.length > 0)) {
        this.lastPassListed = false;
        for (const row of unlisted) {
          if (!(await this.deps.client.backgroundSlotWithin(LOOKUP_WAIT_MS))) break;
          const ticket = await this.findByReference(row, 'background');
          if (!ticket) continue;
          this.unlisted.delete(row.id);
          observed.add(row.id);
          if (await this.apply(row, ticket)) changed.add(row.id);
        }
      } else if (open.length > 0 && (await this.deps.client.backgroundSlotWithin(LOOKUP_WAIT_MS))) {
        this.lastPassListed = true;
        const listed = await this.applyNewestTickets(open);
        for (const id of listed.seen) observed.add(id);
        for (const id of listed.changed) changed.add(id);
      }
      for (const row of leased) {
        const fresh = await sessions.get(row.id);
        if (fresh && (await this.settleFinal(fresh, 'background'))) changed.add(row.id);
      }
    } finally {
      for (const row of leased) {
        const fresh = await sessions.get(row.id);
        // A session not looked at keeps its place in line (a webhook's first place included).
        const next = !fresh?.tracking ? null : observed.has(row.id) || isFinal(fresh.status) ? this.nextCheck(fresh.status) : row.next_check_at;
        await sessions.release(row.id, owner, next);
      }
    }
    await this.publish(changed);
  }

  /** One list call; returns the sessions it showed and changed, and notes leased ones it did not show. */
  private async applyNewestTickets(leasedOpen: SessionRow[]): Promise<{ seen: string[]; changed: string[] }> {
    const list = await inBackground(this.deps.logger, 'ticket tracking', () => this.deps.client.listTickets({ limit: MAX_LIST_LIMIT }));
    if (!list) return { seen: [], changed: [] };
    const byId = new Map(list.data.map((ticket) => [String(ticket.id), ticket]));
    for (const row of leasedOpen) if (!byId.has(row.vendor_id!)) this.unlisted.add(row.id);
    const shown = await this.deps.sessions.trackedByVendorIds('apizee', 'ticket', [...byId.keys()]);
    const changed: string[] = [];
    for (const row of shown) {
      this.unlisted.delete(row.id);
      if (await this.apply(row, byId.get(row.vendor_id!)!)) changed.push(row.id);
    }
    return { seen: shown.map((row) => row.id), changed };
  }

  /** An agent pressed Refresh: one reference lookup, queued as interactive. */
  async refresh(row: SessionRow): Promise<boolean> {
    const ticket = await this.findByReference(row, 'interactive');
    if (!ticket) return false;
    const changed = await this.apply(row, ticket);
    const fresh = await this.deps.sessions.get(row.id);
    const settled = fresh ? await this.settleFinal(fresh, 'interactive') : false;
    await this.publish(new Set(changed || settled ? [row.id] : []));
    return changed || settled;
  }

  private async findByReference(row: SessionRow, priority: Priority): Promise<ListedTicket | undefined> {
    const run = () => this.deps.client.listTickets({ limit: 10, reference: row.reference }, priority);
    const list = await callFor(priority, this.deps.logger, 'ticket tracking', run);
    return list?.data.find((ticket) => String(ticket.id) === row.vendor_id);
  }

  private async apply(row: SessionRow, ticket: ListedTicket): Promise<boolean> {
    const change = observeTicket(row, ticket, this.now());
    if (!change) return false;
    await this.deps.sessions.applyChange(row.id, change.patch, change.milestones);
    return change.milestones.length > 0 || change.patch.status !== undefined;
  }

  /** A final session: post its media once (when it took place), then stop tracking it. */
  private async settleFinal(row: SessionRow, priority: Priority): Promise<boolean> {
    if (!isFinal(row.status) || !row.tracking) return false;
    if (!MEDIA_STATUSES.has(row.status as SessionStatus) || row.media_posted) {
      await this.deps.sessions.update(row.id, { tracking: 0, next_check_at: null });
      return false;
    }
    if (priority === 'background' && !(await this.deps.client.backgroundSlotWithin(LOOKUP_WAIT_MS))) return false;
    const run = () => this.deps.client.listTicketMedias(row.vendor_id!, priority);
    const answer = await callFor(priority, this.deps.logger, 'ticket tracking', run);
    if (!answer) return false;
    const items = toMediaItems(answer.medias);
    const milestones = items.length > 0 ? [milestoneRow(row, 'media', mediaReplyText(items), mediaBlocks(items))] : [];
    await this.deps.sessions.applyChange(row.id, { media_posted: 1, tracking: 0, next_check_at: null }, milestones);
    return milestones.length > 0;
  }

  private nextCheck(status: string): string {
    // Quiet sessions (created, invitation not out yet) are polled a quarter as often; the rest
    // (invited, in progress) at the tracking interval.
    const factor = status === 'created' ? 4 : 1;
    return new Date(this.now().getTime() + this.deps.intervalMs * factor).toISOString();
  }

  private async publish(changed: Set<string>): Promise<void> {
    await publishChanges(this.deps, changed);
  }

}
