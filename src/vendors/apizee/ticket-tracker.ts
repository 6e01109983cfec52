import type { Logger } from '../../domain/logger.js';
import { milestoneWords, STATUS_MILESTONE } from '../../domain/milestones.js';
import { escapeMrkdwn } from '../../domain/mrkdwn.js';
import type { MediaItem, Outcome } from '../../domain/outcome.js';
import { isFinal, type Session, type SessionStatus } from '../../domain/session.js';
import type { CallVia, TrackingPort, VendorTracker } from '../../domain/vendor-module.js';
import { callFor, inBackground } from './background-call.js';
import { type ApizeeClient, MAX_LIST_LIMIT, type Priority } from './client.js';
import { type ListedMedia, MediaWatch, settleJustEnded, settleLeased, settleMedia } from './media-settling.js';
import { leaseAtSlot } from './pass-lease.js';
import type { ListedTicket, TicketMedia } from './schemas.js';
import { APIZEE_TICKET_STATUS } from './ticket-status.js';

/** How long one pass waits for the budget's next background slot before leaving the rest for later. */
const LOOKUP_WAIT_MS = 1000;

export type ObservedTicketSession = Pick<Session, 'status' | 'vendorState' | 'joinedAt' | 'contactMasked' | 'delivery'>;

/**
 * What one observed ticket changes: the session's new status and the milestones that follow.
 * Pure, so that the milestone table is tested without a vendor or a database.
 */
export function observeTicket(session: ObservedTicketSession, ticket: Pick<ListedTicket, 'state'>, now: Date): Outcome | undefined {
  const status = APIZEE_TICKET_STATUS[ticket.state];
  if (!status || (ticket.state === session.vendorState && status === session.status)) return undefined;
  if (isFinal(session.status) || status === session.status) return { vendorState: ticket.state };
  const outcome: Outcome = { vendorState: ticket.state, status, statusDetail: null };
  const joinedAt = status === 'joined' ? now : session.joinedAt;
  if (status === 'joined') outcome.joinedAt = now;
  if (isFinal(status)) outcome.endedAt = now;
  const key = STATUS_MILESTONE[status];
  outcome.milestones = [];
  if (key && key !== 'created') {
    const text = milestoneWords(key, {
      vendorLabel: 'Apizee',
      invitee: escapeMrkdwn(session.contactMasked),
      delivery: session.delivery,
      joinedAt,
      endedAt: now,
    });
    outcome.milestones.push({ key, text });
  }
  return outcome;
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
 * Ticket medias as the settle rule sees them. Seed 003 shows no `status` on ticket medias, so a
 * listed media is ready; REFERENCE §4 [P:A2] names a `completed` status filter, so a media that
 * does carry a status is ready only once `completed` [I].
 */
export function listedTicketMedia(medias: TicketMedia[]): ListedMedia[] {
  const items = toMediaItems(medias);
  return medias.map((media, index) => ({
    id: String(media.id),
    ready: media.status === undefined || media.status === 'completed',
    item: items[index]!,
  }));
}

export interface ApizeeTrackerDeps {
  client: ApizeeClient;
  logger: Logger;
  /** TRACK_INTERVAL_SECONDS in ms. */
  intervalMs: number;
  now?: () => Date;
  /**
   * How long a media poll waits for the budget's next background slot (default 10 s, above the
   * 7.5 s spacing of 8 background calls a minute), so that three sessions ending together each
   * get their first media poll within the pass instead of one interval later each.
   */
  mediaSlotWaitMs?: number;
}

const MEDIA_SLOT_WAIT_MS = 10_000;

/** How long a pass of either tracker waits for a background slot: both wait alike, so they take turns. */
export function slotWaitMs(deps: Pick<ApizeeTrackerDeps, 'mediaSlotWaitMs'>): number {
  return deps.mediaSlotWaitMs ?? MEDIA_SLOT_WAIT_MS;
}

/**
 * Follows Apizee tickets: one documented list call covers many tickets per poll; a ticket
 * missing from it is looked up by reference; a session stops being tracked once final and,
 * when it took place, once its media are posted.
 */
export class ApizeeTicketTracker implements VendorTracker {
  readonly kind = 'ticket' as const;
  /** Sessions whose ticket was missing from the last list call. */
  private readonly unlisted = new Set<string>();
  private lastPassListed = false;
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

  /**
   * One background pass. The newest tickets come from one list call, whose answer is applied to
   * every tracked session it shows (leased or not), so that recent sessions stay current however
   * many older ones wait. Leased sessions the list did not show are looked up by reference, on
   * alternate passes so that neither starves the other; media are fetched for those that ended.
   * Gives way (returns) whenever the rate budget has no spare request; leases are always released.
   */
  async tick(port: TrackingPort): Promise<void> {
    this.passLog = port.logger ?? this.deps.logger;
    // Waits for the next background slot as the conference pass does (if only one of the two
    // waited, it would take every slot as it frees and the other would never get a turn), and
    // leases once it has it, so that a webhook during the wait is seen by this pass.
    const leased = await leaseAtSlot(port, this.deps.client, MAX_LIST_LIMIT, slotWaitMs(this.deps));
    if (!leased) return;
    const observed = new Set<string>();
    try {
      this.passEndsAt = this.now().getTime() + this.deps.intervalMs;
      const open = leased.filter((session) => !isFinal(session.status));
      // A session a webhook put first in line is looked up at once: one request, sure to find it.
      const urgent = open.filter((session) => port.isFirstInLine(session));
      const unlisted = [...urgent, ...open.filter((session) => this.unlisted.has(session.id) && !urgent.includes(session))];
      if (unlisted.length > 0 && (this.lastPassListed || urgent.length > 0)) {
        this.lastPassListed = false;
        for (const session of unlisted) {
          if (!(await this.deps.client.backgroundSlotWithin(LOOKUP_WAIT_MS))) break;
          const ticket = await this.findByReference(session, 'background');
          if (!ticket) continue;
          this.unlisted.delete(session.id);
          observed.add(session.id);
          await this.apply(port, session, ticket);
        }
      } else if (open.length > 0 && (await this.deps.client.backgroundSlotWithin(LOOKUP_WAIT_MS))) {
        this.lastPassListed = true;
        for (const id of await this.applyNewestTickets(port, open)) observed.add(id);
      }
      await settleLeased(port, leased, (fresh) => this.settle(fresh, 'background'));
    } finally {
      for (const session of leased) {
        const fresh = await port.get(session.id);
        // A session not looked at keeps its place in line (a webhook's first place included).
        const next = !fresh?.tracking ? null : observed.has(session.id) || isFinal(fresh.status) ? this.nextCheck(fresh.status) : 'keep';
        await port.release(session, next);
      }
    }
    await settleJustEnded(port, MAX_LIST_LIMIT, (fresh) => this.settle(fresh, 'background'), (fresh) => this.nextCheck(fresh.status));
  }

  /** One list call; returns the sessions it showed, and notes leased ones it did not show. */
  private async applyNewestTickets(port: TrackingPort, leasedOpen: Session[]): Promise<string[]> {
    const list = await inBackground(this.passLog, 'ticket tracking', () => this.deps.client.listTickets({ limit: MAX_LIST_LIMIT }, 'background', { logger: this.passLog }));
    if (!list) return [];
    const byId = new Map(list.data.map((ticket) => [String(ticket.id), ticket]));
    for (const session of leasedOpen) if (!byId.has(session.vendorId!)) this.unlisted.add(session.id);
    const shown = await port.trackedByVendorIds([...byId.keys()]);
    for (const session of shown) {
      this.unlisted.delete(session.id);
      await this.apply(port, session, byId.get(session.vendorId!)!);
    }
    return shown.map((session) => session.id);
  }

  /** An agent pressed Refresh: one reference lookup, queued as interactive, and the media if it ended. */
  async reconcile(session: Session, via: CallVia = {}): Promise<Outcome | undefined> {
    // The lines of a Refresh carry its request's correlation id.
    const log = via.logger ?? this.deps.logger;
    const ticket = await this.findByReference(session, 'interactive', log);
    if (!ticket) return undefined;
    const observed = observeTicket(session, ticket, this.now());
    const settled = await this.settle(
      { ...session, status: observed?.status ?? session.status, endedAt: observed?.endedAt ?? session.endedAt },
      'interactive',
      log,
    );
    return observed || settled ? { ...observed, ...settled } : undefined;
  }

  private async findByReference(session: Session, priority: Priority, log: Logger = this.passLog): Promise<ListedTicket | undefined> {
    const run = () => this.deps.client.listTickets({ limit: 10, reference: session.reference }, priority, { logger: log });
    const list = await callFor(priority, log, 'ticket tracking', run);
    return list?.data.find((ticket) => String(ticket.id) === session.vendorId);
  }

  /** An end makes the session due at once, so that its first media poll follows in this pass. */
  private async apply(port: TrackingPort, session: Session, ticket: ListedTicket): Promise<void> {
    const outcome = observeTicket(session, ticket, this.now());
    if (outcome?.status && isFinal(outcome.status)) outcome.nextCheckAt = this.now();
    if (outcome) await port.apply(session, outcome);
  }

  private settle(session: Session, priority: Priority, log: Logger = this.passLog): Promise<Outcome | undefined> {
    return settleMedia(session, this.media, this.now(), async () => {
      const wait = slotWaitMs(this.deps);
      if (priority === 'background' && (this.now().getTime() > this.passEndsAt || !(await this.deps.client.backgroundSlotWithin(wait)))) return undefined;
      const run = () => this.deps.client.listTicketMedias(session.vendorId!, priority, { logger: log });
      const answer = await callFor(priority, log, 'ticket tracking', run);
      return answer && listedTicketMedia(answer.medias);
    });
  }

  private nextCheck(status: SessionStatus): Date {
    // Quiet sessions (created, invitation not out yet) are polled a quarter as often; the rest
    // (invited, in progress) at the tracking interval.
    const factor = status === 'created' ? 4 : 1;
    return new Date(this.now().getTime() + this.deps.intervalMs * factor);
  }
}
