import { sql } from 'kysely';
import type { Db, DatabaseKind } from './database.js';
import type { NewMilestoneRow, NewSessionRow, SessionPatch, SessionRow } from './schema.js';

/** An ISO date before every real one: "check this first". */
export const FIRST_IN_LINE = new Date(0).toISOString();
/** Where a never-checked session (no next check yet) stands: right after FIRST_IN_LINE. */
const NEVER_CHECKED = new Date(1).toISOString();

export class SessionsRepository {
  constructor(
    private readonly db: Db,
    private readonly kind: DatabaseKind = 'sqlite',
  ) {}

  /**
   * Leases up to `limit` sessions of one vendor product whose check is due and whose lease (if
   * any) ran out: each is then polled by this owner only, until it releases it or the lease
   * expires (a crashed replica). PostgreSQL skips rows another replica is leasing right now
   * (`FOR UPDATE SKIP LOCKED`); SQLite has a single writer, so the update is atomic anyway.
   */
  async leaseDue(vendor: string, kind: string, owner: string, now: Date, leaseMs: number, limit: number): Promise<SessionRow[]> {
    const nowIso = now.toISOString();
    let due = this.db
      .selectFrom('sessions')
      .select('id')
      .where('tracking', '=', 1)
      .where('vendor', '=', vendor)
      .where('kind', '=', kind)
      .where('vendor_id', 'is not', null)
      .where((eb) => eb.or([eb('next_check_at', 'is', null), eb('next_check_at', '<=', nowIso)]))
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', nowIso)]))
      // Never-checked sessions right after those a webhook put first in line, on both databases
      // (their default NULL orders differ).
      .orderBy(sql`coalesce(next_check_at, ${NEVER_CHECKED})`)
      .limit(limit);
    if (this.kind === 'postgres') due = due.forUpdate().skipLocked();
    return this.db
      .updateTable('sessions')
      .set({ lease_owner: owner, lease_until: new Date(now.getTime() + leaseMs).toISOString() })
      .where('id', 'in', due)
      .returningAll()
      .execute();
  }

  /** Ends this owner's lease and says when the session is next due. */
  async release(id: string, owner: string, nextCheckAt: string | null): Promise<void> {
    await this.db
      .updateTable('sessions')
      .set({ lease_owner: null, lease_until: null, next_check_at: nextCheckAt })
      .where('id', '=', id)
      .where('lease_owner', '=', owner)
      .execute();
  }

  /**
   * Puts a session first in line (a webhook said it changed): its next check is set before any
   * other's, so the next lease takes it whatever the backlog.
   */
  async markDue(id: string): Promise<void> {
    await this.db.updateTable('sessions').set({ next_check_at: FIRST_IN_LINE }).where('id', '=', id).where('tracking', '=', 1).execute();
  }

  /** Tracked sessions of one vendor product among the given vendor ids (a list call's answer). */
  async trackedByVendorIds(vendor: string, kind: string, vendorIds: string[]): Promise<SessionRow[]> {
    if (vendorIds.length === 0) return [];
    return this.db
      .selectFrom('sessions')
      .selectAll()
      .where('vendor', '=', vendor)
      .where('kind', '=', kind)
      .where('tracking', '=', 1)
      .where('vendor_id', 'in', vendorIds)
      .execute();
  }

  async byVendorId(vendor: string, kind: string, vendorId: string): Promise<SessionRow | undefined> {
    return this.db
      .selectFrom('sessions')
      .selectAll()
      .where('vendor', '=', vendor)
      .where('kind', '=', kind)
      .where('vendor_id', '=', vendorId)
      .executeTakeFirst();
  }

  async insert(row: NewSessionRow): Promise<void> {
    await this.db.insertInto('sessions').values(row).execute();
  }

  async get(id: string): Promise<SessionRow | undefined> {
    return this.db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async update(id: string, patch: SessionPatch): Promise<void> {
    await this.db
      .updateTable('sessions')
      .set({ ...patch, updated_at: new Date().toISOString() })
      .where('id', '=', id)
      .execute();
  }

  /**
   * Writes a state change and the milestones it causes in one transaction, so a crash can
   * never leave a milestone observed but not queued (or queued twice: the unique key holds).
   */
  async applyChange(id: string, patch: SessionPatch, milestones: NewMilestoneRow[]): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('sessions')
        .set({ ...patch, updated_at: new Date().toISOString() })
        .where('id', '=', id)
        .execute();
      for (const milestone of milestones) {
        await trx
          .insertInto('milestones')
          .values(milestone)
          .onConflict((conflict) => conflict.columns(['session_id', 'key']).doNothing())
          .execute();
      }
    });
  }

  /** Sessions still followed for one vendor whose next check is due. */
  async dueForTracking(vendor: string, kind: string, now: Date, limit: number): Promise<SessionRow[]> {
    return this.db
      .selectFrom('sessions')
      .selectAll()
      .where('tracking', '=', 1)
      .where('vendor', '=', vendor)
      .where('kind', '=', kind)
      .where('vendor_id', 'is not', null)
      .where((eb) => eb.or([eb('next_check_at', 'is', null), eb('next_check_at', '<=', now.toISOString())]))
      .orderBy('next_check_at')
      .limit(limit)
      .execute();
  }

  async countTracked(vendor: string): Promise<number> {
    const row = await this.db
      .selectFrom('sessions')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('tracking', '=', 1)
      .where('vendor', '=', vendor)
      .executeTakeFirst();
    return Number(row?.count ?? 0);
  }

  /** A workspace's sessions created in [from, to), oldest first. */
  async createdBetween(teamId: string, from: Date, to: Date): Promise<SessionRow[]> {
    return this.db
      .selectFrom('sessions')
      .selectAll()
      .where('team_id', '=', teamId)
      .where('created_at', '>=', from.toISOString())
      .where('created_at', '<', to.toISOString())
      .orderBy('created_at')
      .execute();
  }

  /** A user's sessions, newest first (App Home). */
  async startedBy(teamId: string, userId: string, limit: number): Promise<SessionRow[]> {
    return this.db
      .selectFrom('sessions')
      .selectAll()
      .where('team_id', '=', teamId)
      .where('started_by', '=', userId)
      .orderBy('created_at', 'desc')
      .limit(limit)
      .execute();
  }

  async byReference(teamId: string, reference: string): Promise<SessionRow[]> {
    return this.db
      .selectFrom('sessions')
      .selectAll()
      .where('team_id', '=', teamId)
      .where('reference', '=', reference)
      .orderBy('created_at', 'desc')
      .execute();
  }
}
