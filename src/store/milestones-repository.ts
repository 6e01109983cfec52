import type { Db, DatabaseKind } from './database.js';
import type { MilestoneRow } from './schema.js';

export interface PendingMilestone extends MilestoneRow {
  channel_id: string;
  card_ts: string | null;
}

export class MilestonesRepository {
  constructor(
    private readonly db: Db,
    private readonly kind: DatabaseKind = 'sqlite',
  ) {}

  /**
   * Leases the outboxes of up to `limit` sessions that have milestones to post, so that one
   * replica posts a thread's replies, in order, while the others take other threads.
   */
  async leaseOutboxes(owner: string, now: Date, leaseMs: number, limit: number): Promise<string[]> {
    const nowIso = now.toISOString();
    let due = this.db
      .selectFrom('sessions')
      .select('sessions.id')
      .where('sessions.card_ts', 'is not', null)
      .where((eb) => eb.or([eb('sessions.outbox_until', 'is', null), eb('sessions.outbox_until', '<', nowIso)]))
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom('milestones')
            .select('milestones.id')
            .whereRef('milestones.session_id', '=', 'sessions.id')
            .where('milestones.posted_ts', 'is', null),
        ),
      )
      .limit(limit);
    if (this.kind === 'postgres') due = due.forUpdate().skipLocked();
    const leased = await this.db
      .updateTable('sessions')
      .set({ outbox_owner: owner, outbox_until: new Date(now.getTime() + leaseMs).toISOString() })
      .where('id', 'in', due)
      .returning('id')
      .execute();
    return leased.map((row) => row.id);
  }

  async releaseOutbox(sessionId: string, owner: string): Promise<void> {
    await this.db
      .updateTable('sessions')
      .set({ outbox_owner: null, outbox_until: null })
      .where('id', '=', sessionId)
      .where('outbox_owner', '=', owner)
      .execute();
  }

  /** A session's milestones still to post, oldest first, with where to post them. */
  async pendingFor(sessionId: string): Promise<PendingMilestone[]> {
    return this.db
      .selectFrom('milestones')
      .innerJoin('sessions', 'sessions.id', 'milestones.session_id')
      .selectAll('milestones')
      .select(['sessions.channel_id', 'sessions.card_ts'])
      .where('milestones.session_id', '=', sessionId)
      .where('milestones.posted_ts', 'is', null)
      .orderBy('milestones.created_at')
      .orderBy('milestones.id')
      .execute();
  }

  /** Milestones not yet posted whose card exists (a reply needs its thread root). */
  async pending(limit = 50): Promise<PendingMilestone[]> {
    return this.db
      .selectFrom('milestones')
      .innerJoin('sessions', 'sessions.id', 'milestones.session_id')
      .selectAll('milestones')
      .select(['sessions.channel_id', 'sessions.card_ts'])
      .where('milestones.posted_ts', 'is', null)
      .where('sessions.card_ts', 'is not', null)
      .orderBy('milestones.created_at')
      .orderBy('milestones.id')
      .limit(limit)
      .execute();
  }

  async markAttempt(id: string): Promise<void> {
    await this.db
      .updateTable('milestones')
      .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
      .where('id', '=', id)
      .execute();
  }

  async markPosted(id: string, ts: string): Promise<void> {
    await this.db
      .updateTable('milestones')
      .set({ posted_ts: ts, posted_at: new Date().toISOString() })
      .where('id', '=', id)
      .execute();
  }

  async forSession(sessionId: string): Promise<MilestoneRow[]> {
    return this.db
      .selectFrom('milestones')
      .selectAll()
      .where('session_id', '=', sessionId)
      .orderBy('created_at')
      .execute();
  }
}
