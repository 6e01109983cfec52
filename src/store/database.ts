import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { Kysely, Migrator, PostgresAdapter, PostgresDialect, SqliteDialect, type SqliteDatabase, sql } from 'kysely';
import type { Database } from './schema.js';
import { migrationProvider } from './migrations.js';
import { FALLBACK_AUTOCHECKPOINT_PAGES, startWalCheckpointer, type WalCheckpointer } from './wal-checkpointer.js';

export type Db = Kysely<Database>;
export type DatabaseKind = 'sqlite' | 'postgres';

export const DEFAULT_SQLITE_PATH = './data/rendezvous.db';

export interface OpenedDatabase {
  db: Db;
  kind: DatabaseKind;
  /** Where it lives, without credentials, for logs and /healthz. */
  location: string;
  /** SQLite with backgroundCheckpoints: its worker, stopped when the database closes; await `stop()` before removing its files. */
  checkpointer?: WalCheckpointer;
}

export interface DatabaseTimeouts {
  /** How long to wait for a new PostgreSQL connection before the query fails (default 5 s). */
  connectTimeoutMs?: number;
  /** PostgreSQL `statement_timeout`: a query running longer is cancelled by the server (default 10 s). */
  statementTimeoutMs?: number;
}

export interface DatabaseOptions extends DatabaseTimeouts {
  /**
   * SQLite file: checkpoint the WAL from a worker thread (wal-checkpointer.ts) rather than inside
   * whichever commit crosses SQLite's threshold, where its fsyncs stall the event loop. The app
   * turns it on; tests and tools that open a database of their own keep SQLite's default.
   */
  backgroundCheckpoints?: boolean;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 5000;
export const DEFAULT_STATEMENT_TIMEOUT_MS = 10_000;

/** `DATABASE_URL` unset → ./data/rendezvous.db; `file:/path.db` → that file; `postgres://…` → PostgreSQL. */
export function openDatabase(databaseUrl?: string, timeouts: DatabaseOptions = {}): OpenedDatabase {
  if (databaseUrl && /^postgres(ql)?:\/\//.test(databaseUrl)) {
    // Without these, a database that stops answering holds every request (and shutdown) forever:
    // pg waits for a connection and for a query without any limit by default.
    const pool = new pg.Pool({
      connectionString: databaseUrl,
      max: 10,
      connectionTimeoutMillis: timeouts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      statement_timeout: timeouts.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS,
    });
    // An idle connection the server ended (restart, failover) is dropped by the pool and the
    // next query opens a new one; without a listener, Node would end the whole process.
    pool.on('error', () => undefined);
    const parsed = new URL(databaseUrl);
    return {
      db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }),
      kind: 'postgres',
      location: `postgres://${parsed.host}${parsed.pathname}`,
    };
  }
  const path = databaseUrl ? databaseUrl.replace(/^file:(\/\/)?/, '') : DEFAULT_SQLITE_PATH;
  if (path !== ':memory:') mkdirSync(dirname(resolve(path)), { recursive: true });
  const sqlite = new SQLite(path);
  sqlite.pragma('journal_mode = WAL');
  // With WAL, NORMAL syncs at checkpoints instead of every commit: a commit still survives the
  // process being killed (only a power loss may drop the last ones), and the write that every
  // creation's ack now waits for does not block the event loop on an fsync.
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  let checkpointer: WalCheckpointer | undefined;
  if (timeouts.backgroundCheckpoints && path !== ':memory:' && !path.startsWith(':memory:')) {
    sqlite.pragma(`wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT_PAGES}`);
    checkpointer = startWalCheckpointer(path);
  }
  const database = withStatementCache(sqlite, () => void checkpointer?.stop());
  return { db: new Kysely<Database>({ dialect: new SqliteDialect({ database }) }), kind: 'sqlite', location: path, checkpointer };
}

/** The session-level advisory lock key that serialises Rendezvous migrations on PostgreSQL. */
export const MIGRATION_LOCK_KEY = '7370018741503021057';

/**
 * Kysely prepares every query anew; the app runs the same few dozen queries over and over, so
 * their prepared statements are kept (better-sqlite3 runs one at a time, so reuse is safe).
 */
function withStatementCache(sqlite: SQLite.Database, onClose: () => void, max = 500): SqliteDatabase {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => {
      onClose();
      sqlite.close();
    },
    prepare(sql: string) {
      let statement = cache.get(sql);
      if (!statement) {
        statement = sqlite.prepare(sql);
        if (cache.size >= max) cache.delete(cache.keys().next().value!);
        cache.set(sql, statement);
      }
      return statement;
    },
  };
}

export async function migrate(db: Db): Promise<void> {
  // The adapter tells which database this is (the same test Kysely's own Migrator makes).
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return runMigrations(db);
  // Several replicas may start at once. Kysely's own lock serialises the migrations too; this
  // makes it explicit and also covers the first creation of Kysely's tables (which its lock does
  // not). Lock, migrations and unlock run on one connection: the lock belongs to the session.
  await db.connection().execute(async (conn) => {
    // Waiting for another replica's migrations (and a long migration) may take longer than the
    // pool's statement timeout, which is meant for the app's own queries.
    await sql`set statement_timeout = 0`.execute(conn);
    try {
      await sql`select pg_advisory_lock(${MIGRATION_LOCK_KEY}::bigint)`.execute(conn);
      try {
        await runMigrations(conn);
      } finally {
        await sql`select pg_advisory_unlock(${MIGRATION_LOCK_KEY}::bigint)`.execute(conn);
      }
    } finally {
      // Back to the connection's own setting (the pool's statement_timeout) before it is reused.
      await sql`reset statement_timeout`.execute(conn);
    }
  });
}

async function runMigrations(db: Db): Promise<void> {
  const { error, results } = await new Migrator({ db, provider: migrationProvider }).migrateToLatest();
  if (error) {
    const failed = results?.find((result) => result.status === 'Error');
    throw new Error(`Database migration ${failed?.migrationName ?? ''} failed: ${String(error)}`);
  }
}

export async function pingDatabase(db: Db, timeoutMs?: number): Promise<boolean> {
  try {
    await withTimeout(sql`select 1`.execute(db), timeoutMs);
    return true;
  } catch {
    return false;
  }
}

/** The newest migration this code knows. */
export async function latestKnownMigration(): Promise<string> {
  return Object.keys(await migrationProvider.getMigrations()).sort().at(-1)!;
}

/**
 * The newest migration recorded in the database (Kysely's `kysely_migration` table), or
 * undefined when none is (not migrated yet); throws when the database does not answer in time.
 */
export async function latestAppliedMigration(db: Db, timeoutMs?: number): Promise<string | undefined> {
  try {
    const { rows } = await withTimeout(sql<{ name: string }>`select max(name) as name from kysely_migration`.execute(db), timeoutMs);
    return rows[0]?.name ?? undefined;
  } catch (error) {
    // No migration table at all: nothing applied yet (an unreachable database is a different answer).
    if (/kysely_migration/.test(String(error))) return undefined;
    throw error;
  }
}

function withTimeout<T>(work: Promise<T>, timeoutMs: number | undefined): Promise<T> {
  if (timeoutMs === undefined) return work;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`database did not answer within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
