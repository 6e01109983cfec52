import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { RateLedger } from '../domain/vendor-module.js';
import type { Db, DatabaseKind } from './database.js';

/**
 * The vendor request ledger in the database, so that every replica counts against one
 * per-account limit. On PostgreSQL a transaction-scoped advisory lock per account serialises
 * check-and-record; SQLite has a single writer, so its transaction does the same.
 */
export class DatabaseRateLedger implements RateLedger {
  constructor(
    private readonly db: Db,
    private readonly kind: DatabaseKind,
  ) {}

  async tryAcquire(account: string, max: number, windowMs: number, now: number) {
    return this.db.transaction().execute(async (trx) => {
      if (this.kind === 'postgres') await sql`select pg_advisory_xact_lock(hashtext(${`rendezvous-rate:${account}`}))`.execute(trx);
      await trx.deleteFrom('rate_slots').where('account', '=', account).where('taken_at', '<=', now - windowMs).execute();
      const rows = await trx.selectFrom('rate_slots').select('taken_at').where('account', '=', account).execute();
      const stamps = rows.map((row) => Number(row.taken_at));
      const acquired = stamps.length < max;
      if (acquired) {
        await trx.insertInto('rate_slots').values({ id: randomUUID(), account, taken_at: now }).execute();
        stamps.push(now);
      }
      return { acquired, stamps };
    });
  }
}
