import type { Logger } from '../domain/logger.js';
import type { Outcome } from '../domain/outcome.js';
import type { Session, SessionKind } from '../domain/session.js';
import type { TrackingPort, VendorTracker } from '../domain/vendor-module.js';
import type { SessionLifecycle } from '../services/session-lifecycle.js';
import { type AccountScope, isFirstInLine, type SessionsRepository } from '../store/sessions-repository.js';
import type { Tracker } from './tracking-loop.js';

export interface StoreTrackingPortDeps {
  sessions: SessionsRepository;
  lifecycle: SessionLifecycle;
  vendor: string;
  kind: SessionKind;
  /** The vendor account whose sessions this tracker follows (its own connection's); none: all of the vendor's. */
  scope?: AccountScope;
  /** This replica, for leases. */
  owner: string;
  /** Long enough for a slow pass; short enough that a crashed replica's sessions are soon taken over. */
  leaseMs: number;
  /** The pass's logger (a child carrying its correlation id). */
  logger?: Logger;
  now?: () => Date;
}

/** What one vendor product's tracker may do, over the store (leases) and the lifecycle (changes). */
export class StoreTrackingPort implements TrackingPort {
  constructor(private readonly deps: StoreTrackingPortDeps) {}

  get logger(): Logger | undefined {
    return this.deps.logger;
  }

  leaseDue(limit: number): Promise<Session[]> {
    const { sessions, vendor, kind, owner, leaseMs, scope } = this.deps;
    return sessions.leaseDue(vendor, kind, owner, this.deps.now?.() ?? new Date(), leaseMs, limit, scope);
  }

  hasDue(): Promise<boolean> {
    const { sessions, vendor, kind, scope } = this.deps;
    return sessions.hasDue(vendor, kind, this.deps.now?.() ?? new Date(), scope);
  }

  trackedByVendorIds(vendorIds: string[]): Promise<Session[]> {
    return this.deps.sessions.trackedByVendorIds(this.deps.vendor, this.deps.kind, vendorIds, this.deps.scope);
  }

  get(id: string): Promise<Session | undefined> {
    return this.deps.sessions.get(id);
  }

  async apply(session: Session, outcome: Outcome): Promise<boolean> {
    return (await this.deps.lifecycle.apply(session, outcome, { logger: this.deps.logger })).applied;
  }

  release(session: Session, next: Date | null | 'keep'): Promise<void> {
    return this.deps.sessions.release(session.id, this.deps.owner, next);
  }

  isFirstInLine(session: Session): boolean {
    return isFirstInLine(session);
  }
}

/** A module's tracker as one entry of the tracking loop, working through its port. */
export function trackerOver(tracker: VendorTracker, port: TrackingPort): Tracker {
  return { tick: () => tracker.tick(port) };
}
