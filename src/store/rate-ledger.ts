import { randomUUID } from 'node:crypto';
import { type RawBuilder, sql } from 'kysely';
import type { RateLedger } from '../domain/vendor-module.js';
import type { Db, DatabaseKind } from './database.js';

/**
 * The vendor request ledger in the database, so that every replica counts against one
 * per-account limit. On PostgreSQL a transaction-scoped advisory lock per account serialises
 * check-and-record; SQLite has a single writer, and the transaction writes first, so it does the
 * same.
 *
 * `taken_at` holds a slot's stamp: the latest time its request can have reached the vendor
 * (src/vendors/rate-budget.ts says why that keeps the vendor from answering 429). Every stamp and
 * every comparison use the database's clock, read in the statement, never a replica's: two
 * replicas whose clocks disagree by seconds would otherwise free each other's slots early.
 */
export class DatabaseRateLedger implements RateLedger {
  /** The database's time in epoch ms. */
  private readonly clock: RawBuilder<number>;

  constructor(
    private readonly db: Db,
    private readonly kind: DatabaseKind,
  ) {
    this.clock =
      kind === 'postgres'
        ? // clock_timestamp(), not now(): now() is the transaction's start, before the lock wait.
          sql<number>`(extract(epoch from clock_timestamp()) * 1000)::bigint`
        : sql<number>`cast(round((julianday('now') - 2440587.5) * 86400000) as integer)`;
  }

  async tryAcquire(account: string, max: number, windowMs: number, _now: number, inFlightMs = 0) {
    return this.db.transaction().execute(async (trx) => {
      if (this.kind === 'postgres') await sql`select pg_advisory_xact_lock(hashtext(${`rendezvous-rate:${account}`}))`.execute(trx);
      await trx.deleteFrom('rate_slots').where('account', '=', account).where('taken_at', '<=', sql<number>`${this.clock} - ${windowMs}`).execute();
      // Read once the account is ours: the request leaves after this transaction, never before this time.
      const { rows } = await sql<{ now: string | number }>`select ${this.clock} as now`.execute(trx);
      const now = Number(rows[0]!.now);
      const held = await trx.selectFrom('rate_slots').select('taken_at').where('account', '=', account).execute();
      const stamps = held.map((row) => Number(row.taken_at));
      if (stamps.length >= max) return { acquired: false, stamps, now };
      const id = randomUUID();
      await trx.insertInto('rate_slots').values({ id, account, taken_at: now + inFlightMs }).execute();
      return { acquired: true, id, stamps: [...stamps, now + inFlightMs], now };
    });
  }

  /** Stamped with the database's time when this runs, after the answer came in: never before the vendor counted it. */
  async settle(account: string, id: string, _now: number) {
    const updated = await this.db.updateTable('rate_slots').set({ taken_at: this.clock }).where('id', '=', id).executeTakeFirst();
    // Gone only if the request outlasted its in-flight hold and the window: count it again.
    if (Number(updated.numUpdatedRows) === 0) await this.db.insertInto('rate_slots').values({ id, account, taken_at: this.clock }).execute();
  }
}
