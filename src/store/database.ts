import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import type { Database } from './schema.js';
import { migrationProvider } from './migrations.js';

export type Db = Kysely<Database>;
export type DatabaseKind = 'sqlite' | 'postgres';

export const DEFAULT_SQLITE_PATH = './data/rendezvous.db';

export interface OpenedDatabase {
  db: Db;
  kind: DatabaseKind;
  /** Where it lives, without credentials, for logs and /healthz. */
  location: string;
}

/** `DATABASE_URL` unset → ./data/rendezvous.db; `file:/path.db` → that file; `postgres://…` → PostgreSQL. */
export function openDatabase(databaseUrl?: string): OpenedDatabase {
  if (databaseUrl && /^postgres(ql)?:\/\//.test(databaseUrl)) {
    const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
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
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  return { db: new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) }), kind: 'sqlite', location: path };
}

export async function migrate(db: Db): Promise<void> {
  const { error, results } = await new Migrator({ db, provider: migrationProvider }).migrateToLatest();
  if (error) {
    const failed = results?.find((result) => result.status === 'Error');
    throw new Error(`Database migration ${failed?.migrationName ?? ''} failed: ${String(error)}`);
  }
}

export async function pingDatabase(db: Db): Promise<boolean> {
  try {
    await sql`select 1`.execute(db);
    return true;
  } catch {
    return false;
  }
}
