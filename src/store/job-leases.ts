import { leaseFree } from './lease-free.js';
import type { Db } from './database.js';

/** Before every real date: a job never run is due at once. */
const NEVER = new Date(0).toISOString();

/**
 * Jobs that one replica at a time runs now and then (the retention purge), leased in the
 * database like tracking (`SessionsRepository.leaseDue`) and timed by each replica's clock as
 * those leases are. A job is taken only when it is due and nobody holds it: one `UPDATE` whose
 * condition PostgreSQL checks again on the row it locked, and SQLite's single writer makes
 * atomic, so two replicas asking at once never both get it. Whoever finishes sets when it is
 * next due, so N replicas run it once an interval, not N times.
 */
export class JobLeases {
  constructor(private readonly db: Db) {}

  /** Takes `name` for `leaseMs` when it is due (`next_run_at` passed) and its last lease (if any) ran out. */
  async claim(name: string, owner: string, now: Date, leaseMs: number): Promise<boolean> {
    const nowIso = now.toISOString();
    await this.db
      .insertInto('job_runs')
      .values({ name, lease_owner: null, lease_until: null, next_run_at: NEVER, last_run_at: null })
      .onConflict((conflict) => conflict.column('name').doNothing())
      .execute();
    const taken = await this.db
      .updateTable('job_runs')
      .set({ lease_owner: owner, lease_until: new Date(now.getTime() + leaseMs).toISOString() })
      .where('name', '=', name)
      .where('next_run_at', '<=', nowIso)
      .where((eb) => leaseFree(eb, 'lease_until', nowIso))
      .executeTakeFirst();
    return Number(taken.numUpdatedRows) === 1;
  }

  /** Keeps this owner's lease while the job runs; false when it was lost (ran out and taken over). */
  async renew(name: string, owner: string, now: Date, leaseMs: number): Promise<boolean> {
    const renewed = await this.db
      .updateTable('job_runs')
      .set({ lease_until: new Date(now.getTime() + leaseMs).toISOString() })
      .where('name', '=', name)
      .where('lease_owner', '=', owner)
      .executeTakeFirst();
    return Number(renewed.numUpdatedRows) === 1;
  }

  /** Lets the job go, due again at `nextRunAt`; a replica whose lease was taken over changes nothing. */
  async finish(name: string, owner: string, now: Date, nextRunAt: Date): Promise<boolean> {
    const finished = await this.db
      .updateTable('job_runs')
      .set({ lease_owner: null, lease_until: null, next_run_at: nextRunAt.toISOString(), last_run_at: now.toISOString() })
      .where('name', '=', name)
      .where('lease_owner', '=', owner)
      .executeTakeFirst();
    return Number(finished.numUpdatedRows) === 1;
  }
}
