import { leaseFree } from './lease-free.js';
import type { Db, DatabaseKind } from './database.js';

/**
 * What the retention purge deletes: sessions whose last activity (`updated_at`, moved by every
 * state change) is older than the cutoff, and everything kept under their id (thread replies in
 * the outbox, creation jobs, pending vendor operations). Never a session still tracked, nor one
 * a replica holds right now (tracking, outbox or creation lease): those are left for a later run.
 */
export class RetentionStore {
  constructor(
    private readonly db: Db,
    private readonly kind: DatabaseKind = 'sqlite',
  ) {}

  /**
   * Deletes up to `limit` of them, oldest first, in one transaction, and returns their ids. The
   * sessions go first (their conditions checked in that same statement), then what they kept:
   * the outbox and creation jobs by their foreign keys' cascade, and explicitly too, so the purge
   * never depends on SQLite's `foreign_keys` pragma; pending operations and link unfurls have no foreign key.
   */
  async purge(cutoff: Date, now: Date, limit: number): Promise<string[]> {
    const cutoffIso = cutoff.toISOString();
    const nowIso = now.toISOString();
    return this.db.transaction().execute(async (trx) => {
      let oldest = trx
        .selectFrom('sessions')
        .select('id')
        .where('tracking', '=', 0)
        .where('updated_at', '<', cutoffIso)
        .where((eb) => leaseFree(eb, 'lease_until', nowIso))
        .where((eb) => leaseFree(eb, 'outbox_until', nowIso))
        .where(({ not, exists, selectFrom }) =>
          not(exists(selectFrom('creation_jobs').select('creation_jobs.session_id').whereRef('creation_jobs.session_id', '=', 'sessions.id').where('creation_jobs.lease_until', '>=', nowIso))),
        )
        .orderBy('updated_at')
        .limit(limit);
      // A row another replica is changing right now is skipped, not waited for.
      if (this.kind === 'postgres') oldest = oldest.forUpdate().skipLocked();
      const deleted = await trx.deleteFrom('sessions').where('id', 'in', oldest).returning('id').execute();
      const ids = deleted.map((row) => row.id);
      if (ids.length === 0) return ids;
      await trx.deleteFrom('milestones').where('session_id', 'in', ids).execute();
      await trx.deleteFrom('creation_jobs').where('session_id', 'in', ids).execute();
      await trx.deleteFrom('pending_operations').where('session_id', 'in', ids).execute();
      // A Workflow Builder step's row (its token wiped once completed) goes with its session.
      await trx.deleteFrom('workflow_steps').where('session_id', 'in', ids).execute();
      await trx.deleteFrom('link_unfurls').where('session_id', 'in', ids).execute();
      return ids;
    });
  }
}
