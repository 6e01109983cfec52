import type { Db } from './database.js';

/** Before any real date: a webhook's "first in line" mark (epoch 0) and a never-checked session (epoch 1). */
const REAL_DATES_FROM = '2000-01-01T00:00:00.000Z';

export interface SessionCount {
  vendor: string;
  status: string;
  count: number;
}

export interface OutboxFigures {
  /** Thread replies written and not posted yet (those set aside not counted). */
  depth: number;
  /** When the oldest of them was written, or undefined when none waits. */
  oldestCreatedAt?: Date;
  /** Replies set aside (dead letters), never posted. */
  deadLetters: number;
}

/**
 * The few aggregate reads /metrics shows, each one indexed query (no row leaves src/store/).
 * Read at scrape time, and cached by the caller, so they cost nothing between scrapes.
 */
export class OperationalFigures {
  constructor(private readonly db: Db) {}

  async sessionsByStatus(): Promise<SessionCount[]> {
    const rows = await this.db
      .selectFrom('sessions')
      .select(['vendor', 'status', (eb) => eb.fn.countAll<string | number>().as('count')])
      .groupBy(['vendor', 'status'])
      .execute();
    return rows.map((row) => ({ vendor: row.vendor, status: row.status, count: Number(row.count) }));
  }

  /**
   * Per vendor, when the longest-waiting tracked session fell due (its `next_check_at`). Sessions
   * a webhook put first in line, or never checked yet, carry marker dates and are left out: the
   * pass a webhook starts takes them at once.
   */
  async oldestDue(now: Date): Promise<Array<{ vendor: string; dueSince: Date }>> {
    const rows = await this.db
      .selectFrom('sessions')
      .select(['vendor', (eb) => eb.fn.min('next_check_at').as('due_since')])
      .where('tracking', '=', 1)
      .where('next_check_at', '>=', REAL_DATES_FROM)
      .where('next_check_at', '<=', now.toISOString())
      .groupBy('vendor')
      .execute();
    return rows.filter((row) => row.due_since).map((row) => ({ vendor: row.vendor, dueSince: new Date(row.due_since!) }));
  }

  async outbox(): Promise<OutboxFigures> {
    // Replies set aside (dead letters) are counted apart: they wait for no one, so they would
    // otherwise hold the depth and the oldest age up for ever.
    const pending = await this.db
      .selectFrom('milestones')
      .select([(eb) => eb.fn.countAll<string | number>().as('depth'), (eb) => eb.fn.min('created_at').as('oldest')])
      .where('posted_ts', 'is', null)
      .where('dead_lettered_at', 'is', null)
      .executeTakeFirst();
    const dead = await this.db
      .selectFrom('milestones')
      .select((eb) => eb.fn.countAll<string | number>().as('count'))
      .where('posted_ts', 'is', null)
      .where('dead_lettered_at', 'is not', null)
      .executeTakeFirst();
    return {
      depth: Number(pending?.depth ?? 0),
      oldestCreatedAt: pending?.oldest ? new Date(pending.oldest) : undefined,
      deadLetters: Number(dead?.count ?? 0),
    };
  }

}
