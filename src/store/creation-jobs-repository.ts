import { leaseFree } from './lease-free.js';
import { GroupCommit } from './group-commit.js';
import { CompiledQuery, type SelectQueryBuilder, sql } from 'kysely';
import type { Session } from '../domain/session.js';
import type { Db, DatabaseKind } from './database.js';
import type { CreationJobsTable, Database } from './schema.js';
import { newWorkflowStepRow, type WorkflowStep } from './workflow-steps-repository.js';
import { toNewRow } from './session-mapper.js';

/**
 * Where a creation stands. `queued`: row written, no card yet. `card_posted`: the card is in
 * the channel, the vendor not asked yet. `calling`: the vendor call started, so it may have
 * reached the vendor (never sent again blindly). A job is deleted once its outcome is applied.
 */
export const CREATION_STEPS = ['queued', 'card_posted', 'calling'] as const;
export type CreationStep = (typeof CREATION_STEPS)[number];

export interface CreationJob {
  sessionId: string;
  vendor: string;
  step: CreationStep;
  /** Encrypted (ContactCrypto): what the creation needs; null for a session found without a job. */
  payload: string | null;
  /** The request's correlation id, for the job's log lines; null for jobs written before it was kept apart. */
  correlationId: string | null;
  attempts: number;
  createdAt: Date;
}

type Candidates = SelectQueryBuilder<Database, 'creation_jobs', object>;

/** What one ack writes: the session, its creation job, and a Workflow Builder step's execution. */
interface PreAckRows {
  session: Record<string, unknown>;
  job: Record<string, unknown>;
  workflowStep?: ReturnType<typeof newWorkflowStepRow>;
}

type JobRow = Pick<CreationJobsTable, 'session_id' | 'vendor' | 'step' | 'payload' | 'correlation_id' | 'created_at'> & { attempts: number | string };

function toJob(row: JobRow): CreationJob {
  if (!(CREATION_STEPS as readonly string[]).includes(row.step)) throw new Error(`creation_jobs.step holds an unknown value: ${row.step}`);
  return {
    sessionId: row.session_id,
    vendor: row.vendor,
    step: row.step as CreationStep,
    payload: row.payload,
    correlationId: row.correlation_id,
    attempts: Number(row.attempts),
    createdAt: new Date(row.created_at),
  };
}

export interface LeaseOptions {
  owner: string;
  now: Date;
  leaseMs: number;
  limit: number;
}

/**
 * Creation jobs: written with their session in one statement before the ack, then leased by
 * any replica (the pattern of `SessionsRepository.leaseDue`). Every write after the lease is
 * guarded by the owner, so a replica whose lease ran out never overwrites the one that took over.
 */
export class CreationJobsRepository {
  /** SQLite: the pre-ack writes of one turn of the event loop share a commit. */
  private readonly sqliteWrites = new GroupCommit<PreAckRows>((items) =>
    this.db.transaction().execute(async (trx) => {
      for (const { session, job, workflowStep } of items) {
        await trx.executeQuery(plainInsert('sessions', session));
        await trx.executeQuery(plainInsert('creation_jobs', job));
        // Rare (a Workflow Builder step): built by Kysely, in the same transaction.
        if (workflowStep) await trx.insertInto('workflow_steps').values(workflowStep).execute();
      }
    }),
  );

  constructor(
    private readonly db: Db,
    private readonly kind: DatabaseKind = 'sqlite',
  ) {}

  /**
   * The session's row and its creation job, together or not at all, in one round trip on
   * PostgreSQL (a data-modifying CTE) and one local transaction on SQLite (shared with the other
   * acks of the same turn, GroupCommit): this runs before the ack, so it must stay a few milliseconds.
   */
  async create(session: Session, payload: string, options: { requestKey?: string; correlationId?: string; workflow?: Omit<WorkflowStep, 'attempts'> } = {}): Promise<void> {
    const { requestKey, correlationId, workflow } = options;
    const workflowStep = workflow && newWorkflowStepRow(workflow);
    const row = { ...toNewRow(session), request_key: requestKey ?? null };
    const at = session.createdAt.toISOString();
    const job = { session_id: session.id, vendor: session.vendor, step: 'queued', payload, correlation_id: correlationId ?? null, attempts: 0, next_at: at, created_at: at, lease_owner: null, lease_until: null, last_error: null };
    if (this.kind === 'postgres') {
      const withSession = this.db.with('inserted', (db) => db.insertInto('sessions').values(row).returning('id'));
      // A Workflow Builder step's execution goes in the same statement: all three or none.
      if (workflowStep) {
        await withSession
          .with('job', (db) => db.insertInto('creation_jobs').values(job).returning('session_id'))
          .insertInto('workflow_steps')
          .values(workflowStep)
          .execute();
        return;
      }
      await withSession.insertInto('creation_jobs').values(job).execute();
      return;
    }
    await this.sqliteWrites.write({ session: row, job, workflowStep });
  }

  /** Jobs whose card is still to post, oldest first. */
  async leaseForCard({ owner, now, leaseMs, limit }: LeaseOptions): Promise<CreationJob[]> {
    return this.lease((query) => query.where('step', '=', 'queued').where('next_at', '<=', now.toISOString()), { owner, now, leaseMs, limit });
  }

  /** One vendor's jobs whose card is posted, due first. */
  async leaseForVendor(vendor: string, { owner, now, leaseMs, limit }: LeaseOptions): Promise<CreationJob[]> {
    return this.lease((query) => query.where('step', '=', 'card_posted').where('vendor', '=', vendor).where('next_at', '<=', now.toISOString()), { owner, now, leaseMs, limit });
  }

  /**
   * One vendor's jobs left in `calling` by an owner whose lease ran out (killed mid-call): a
   * job in `calling` is never released, so found free, its vendor call may have gone out.
   */
  async leaseInterrupted(vendor: string, { owner, now, leaseMs, limit }: LeaseOptions): Promise<CreationJob[]> {
    return this.lease((query) => query.where('step', '=', 'calling').where('vendor', '=', vendor), { owner, now, leaseMs, limit });
  }

  /** Jobs created before `before`, whatever their step, that nobody holds: to settle. */
  async leaseStale(before: Date, { owner, now, leaseMs, limit }: LeaseOptions): Promise<CreationJob[]> {
    return this.lease((query) => query.where('created_at', '<', before.toISOString()), { owner, now, leaseMs, limit });
  }

  private async lease(
    filter: (query: Candidates) => Candidates,
    { owner, now, leaseMs, limit }: LeaseOptions,
  ): Promise<CreationJob[]> {
    const nowIso = now.toISOString();
    // Due first (a fresh job is due when it was written; a card to retry, later): the order the
    // indexes keep, so a lease never sorts the backlog.
    let due = filter(this.candidates(nowIso)).orderBy('next_at').limit(limit);
    if (this.kind === 'postgres') due = due.forUpdate().skipLocked();
    const rows = await this.db
      .updateTable('creation_jobs')
      .set({ lease_owner: owner, lease_until: new Date(now.getTime() + leaseMs).toISOString() })
      .where('session_id', 'in', due.select('session_id'))
      .returning(['session_id', 'vendor', 'step', 'payload', 'correlation_id', 'attempts', 'created_at'])
      .execute();
    return rows.map((row) => toJob(row));
  }

  private candidates(nowIso: string): Candidates {
    return this.db.selectFrom('creation_jobs').where((eb) => leaseFree(eb, 'lease_until', nowIso));
  }

  /** Keeps this owner's leases alive while their work runs (a vendor call may wait behind a rate limit). */
  async renew(owner: string, ids: string[], now: Date, leaseMs: number): Promise<void> {
    if (ids.length === 0) return;
    await this.db
      .updateTable('creation_jobs')
      .set({ lease_until: new Date(now.getTime() + leaseMs).toISOString() })
      .where('lease_owner', '=', owner)
      .where('session_id', 'in', ids)
      .execute();
  }

  /**
   * Records a step while keeping the lease (the next step follows at once on this replica).
   * False when this owner no longer holds the job: it must stop.
   */
  async advance(id: string, owner: string, step: CreationStep): Promise<boolean> {
    const result = await this.db.updateTable('creation_jobs').set({ step }).where('session_id', '=', id).where('lease_owner', '=', owner).executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Records a step and lets the job go, due at `nextAt` (for whichever replica leases it next). */
  async release(id: string, owner: string, step: CreationStep, nextAt: Date, failure?: string): Promise<boolean> {
    const result = await this.db
      .updateTable('creation_jobs')
      .set((eb) => ({
        step,
        next_at: nextAt.toISOString(),
        lease_owner: null,
        lease_until: null,
        ...(failure === undefined ? {} : { last_error: failure, attempts: eb('attempts', '+', 1) }),
      }))
      .where('session_id', '=', id)
      .where('lease_owner', '=', owner)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** The outcome is applied: the job is over. */
  async finish(id: string, owner: string): Promise<void> {
    await this.db.deleteFrom('creation_jobs').where('session_id', '=', id).where('lease_owner', '=', owner).execute();
  }

  /**
   * Withdraws a job nobody has started (the write answered after the ack had already said that
   * nothing was started). False when a replica already holds it.
   */
  async withdraw(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('creation_jobs').where('session_id', '=', id).where('step', '=', 'queued').where('lease_owner', 'is', null).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /**
   * Sessions still "creating" since before `before` with no job (written before jobs existed, or
   * left by a bug): each gets a job in `calling`, since nobody knows whether the vendor was asked.
   */
  async adoptOrphans(before: Date, now: Date, limit: number): Promise<number> {
    const orphans = await this.db
      .selectFrom('sessions')
      .select(['id', 'vendor', 'created_at'])
      .where('status', '=', 'creating')
      .where('created_at', '<', before.toISOString())
      .where((eb) => eb.not(eb.exists(eb.selectFrom('creation_jobs').select(sql`1`.as('one')).whereRef('creation_jobs.session_id', '=', 'sessions.id'))))
      .limit(limit)
      .execute();
    if (orphans.length === 0) return 0;
    await this.db
      .insertInto('creation_jobs')
      .values(
        orphans.map((row) => ({
          session_id: row.id,
          vendor: row.vendor,
          step: 'calling',
          payload: null,
          correlation_id: null,
          attempts: 0,
          next_at: now.toISOString(),
          created_at: row.created_at,
          lease_owner: null,
          lease_until: null,
          last_error: null,
        })),
      )
      .onConflict((conflict) => conflict.column('session_id').doNothing())
      .execute();
    return orphans.length;
  }

  async get(id: string): Promise<(CreationJob & { leaseOwner: string | null; nextAt: Date; lastError: string | null }) | undefined> {
    const row = await this.db.selectFrom('creation_jobs').selectAll().where('session_id', '=', id).executeTakeFirst();
    return row && { ...toJob(row), leaseOwner: row.lease_owner, nextAt: new Date(row.next_at), lastError: row.last_error };
  }

  /** Jobs waiting or running: the backlog (for logs and tests). */
  async count(): Promise<number> {
    const row = await this.db.selectFrom('creation_jobs').select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirst();
    return Number(row?.count ?? 0);
  }
}

const insertTexts = new Map<string, string>();

/**
 * `insert into <table> (<columns>) values (?, …)` with the row's values in column order: the
 * insert Kysely would write, without building and compiling its query tree on every call (about
 * a third of the pre-ack write's CPU on SQLite, measured). The text is made once per column set;
 * table and column names come from the code (the schema's types), never from a request.
 */
function plainInsert(table: 'sessions' | 'creation_jobs', row: Record<string, unknown>): CompiledQuery {
  const columns = Object.keys(row).filter((column) => row[column] !== undefined);
  const key = `${table}(${columns.join(',')})`;
  let text = insertTexts.get(key);
  if (text === undefined) {
    text = `insert into "${table}" (${columns.map((column) => `"${column}"`).join(', ')}) values (${columns.map(() => '?').join(', ')})`;
    insertTexts.set(key, text);
  }
  return CompiledQuery.raw(text, columns.map((column) => row[column]));
}

/** Whether a write failed on a unique index (SQLite and PostgreSQL words): a request seen before. */
export function isDuplicateRequest(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : '';
  return (code === '23505' && message.includes('request_key')) || (code === 'SQLITE_CONSTRAINT_UNIQUE' && message.includes('request_key'));
}
