import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { migrate, openDatabase, type DatabaseKind, type Db } from '../../src/store/database.js';
import type { Session } from '../../src/domain/session.js';
import type { NewMilestoneRow, NewSessionRow, SessionRow } from '../../src/store/schema.js';
import { toSession } from '../../src/store/session-mapper.js';
import { startThrowawayPostgres, type ThrowawayPostgres } from './postgres.js';

/**
 * One PostgreSQL server per mocha run, started on first use (`TEST_DATABASE_URL` when set, else
 * a throwaway cluster, see ./postgres.ts) and stopped by the root `afterAll` in test/setup.ts;
 * in a parallel run, started once by the main process for all its workers (test/setup.ts).
 * Each test gets a database of its own on it: creating one takes about a tenth of a second.
 */
let server: Promise<ThrowawayPostgres | { skipped: string }> | undefined;
let admin: pg.Pool | undefined;
const liveDatabases = new Set<string>();
let skipNoticePrinted = false;
/** Names the migrated template a parallel run's main process made, for its workers. */
export const TEMPLATE_VARIABLE = 'TEST_DATABASE_TEMPLATE';
/** This process's migrated template database (see migratedPostgresDatabase), once made. */
let template: Promise<string | undefined> | undefined;

/** The server's URL, or undefined (and a notice, printed once) when there is no PostgreSQL here. */
export async function postgresUrl(): Promise<string | undefined> {
  server ??= startThrowawayPostgres();
  const started = await server;
  if ('skipped' in started) {
    if (!skipNoticePrinted) process.stderr.write(`      (PostgreSQL) ${started.skipped}\n`);
    skipNoticePrinted = true;
    return undefined;
  }
  return started.url;
}

/** A new, empty (not migrated) database on the run's server, or undefined without PostgreSQL. */
export async function freshPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> } | undefined> {
  return createPostgresDatabase();
}

/**
 * A new database already migrated, or undefined without PostgreSQL: a copy of a template this
 * process migrates once (the migrations take longer than the copy), so each storage test still
 * starts on a database of its own, exactly as migrate() leaves a fresh one.
 */
export async function migratedPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> } | undefined> {
  const name = await migratedTemplate();
  return name === undefined ? undefined : createPostgresDatabase(name);
}

/** The migrated template's name (made on first use), or undefined without PostgreSQL. */
export async function migratedTemplate(): Promise<string | undefined> {
  // In a parallel run, the main process made one for every worker (test/setup.ts).
  const shared = process.env[TEMPLATE_VARIABLE];
  if (shared) template ??= Promise.resolve(shared);
  template ??= createPostgresDatabase().then(async (created) => {
    if (!created) return undefined;
    const { db } = openDatabase(created.url);
    try {
      await migrate(db);
    } finally {
      await db.destroy(); // a template is copied only while nobody is connected to it
    }
    return new URL(created.url).pathname.slice(1);
  });
  return template.catch((error: unknown) => {
    template = undefined; // a failed template (the server restarted…) is made again next time
    throw error;
  });
}

async function createPostgresDatabase(templateName?: string): Promise<{ url: string; drop(): Promise<void> } | undefined> {
  const serverUrl = await postgresUrl();
  if (!serverUrl) return undefined;
  if (!admin) {
    admin = new pg.Pool({ connectionString: serverUrl, max: 2 });
    admin.on('error', () => {}); // an idle admin connection dropped: the next query reconnects
  }
  const pool = admin;
  const name = `t_${randomBytes(8).toString('hex')}`;
  await pool.query(`CREATE DATABASE ${name}${templateName ? ` TEMPLATE ${templateName}` : ''}`);
  liveDatabases.add(name);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      if (!liveDatabases.delete(name)) return;
      // Not WITH (FORCE) first: a pool that was just ended may still have backends saying goodbye,
      // and killing them makes the client emit 'error' (which crashes a pool without a listener).
      // PostgreSQL waits up to 5 s for them to leave; force only a database a test left open.
      await pool.query(`DROP DATABASE IF EXISTS ${name}`).catch(() => pool.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

/** Root afterAll: drops what tests left behind and stops the server, if one was started. */
export async function stopSharedPostgres(): Promise<void> {
  const started = server;
  server = undefined;
  template = undefined; // dropped below with the rest
  if (!started) return;
  const outcome = await started.catch(() => undefined);
  if (admin) {
    for (const name of liveDatabases) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
    liveDatabases.clear();
    await admin.end();
    admin = undefined;
  }
  if (outcome && 'stop' in outcome) await outcome.stop();
}

export interface DatabaseContext {
  /** This test's database, migrated. */
  db(): Db;
  kind: DatabaseKind;
  /** The DATABASE_URL of this test's database (`file:…` or `postgres://…`). */
  url(): string;
  /** Another Kysely instance (its own pool or SQLite handle) on this test's database, closed after the test. */
  open(): Db;
}

/**
 * Declares `body` twice: `<title> (SQLite)` on a fresh migrated SQLite file per test, and
 * `<title> (PostgreSQL)` on a fresh migrated PostgreSQL database per test (a copy of a migrated
 * template; migrate() runs on it again and finds nothing to do) (skipped, with a
 * notice, when this machine has no PostgreSQL; an error on CI).
 */
export function eachDatabase(title: string, body: (ctx: DatabaseContext) => void): void {
  describe(`${title} (SQLite)`, function () {
    let dir: string;
    let count = 0;
    const state = testState('sqlite');
    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'rdv-sqlite-'));
    });
    after(() => {
      rmSync(dir, { recursive: true, force: true });
    });
    beforeEach(async () => {
      await state.begin(`file:${join(dir, `test-${++count}.db`)}`);
    });
    afterEach(() => state.end());
    body(state.ctx);
  });

  describe(`${title} (PostgreSQL)`, function () {
    const state = testState('postgres');
    let drop: (() => Promise<void>) | undefined;
    before(async function () {
      this.timeout(120_000); // the run's first PostgreSQL suite starts the server
      if (!(await postgresUrl())) this.skip();
    });
    beforeEach(async () => {
      const fresh = await migratedPostgresDatabase();
      if (!fresh) throw new Error('the PostgreSQL server went away');
      drop = fresh.drop;
      await state.begin(fresh.url);
    });
    afterEach(async () => {
      await state.end();
      await drop?.();
      drop = undefined;
    });
    body(state.ctx);
  });
}

function testState(kind: DatabaseKind) {
  let current: { db: Db; url: string; others: Db[] } | undefined;
  const now = () => {
    if (!current) throw new Error('the test database exists only inside a test (it, beforeEach, afterEach)');
    return current;
  };
  return {
    ctx: {
      kind,
      db: () => now().db,
      url: () => now().url,
      open: () => {
        const test = now();
        const other = openDatabase(test.url).db;
        test.others.push(other);
        return other;
      },
    } satisfies DatabaseContext,
    async begin(url: string) {
      const opened = openDatabase(url);
      if (opened.kind !== kind) throw new Error(`${url} opened as ${opened.kind}, expected ${kind}`);
      current = { db: opened.db, url, others: [] };
      await migrate(opened.db);
    },
    async end() {
      const test = current;
      current = undefined;
      if (!test) return;
      for (const db of [...test.others, test.db]) await db.destroy();
    },
  };
}

/** A complete sessions row (an Apizee ticket being tracked, due now) with `overrides` applied. */
export function sessionRow(overrides: Partial<NewSessionRow> = {}): NewSessionRow {
  const id = overrides.id ?? randomUUID();
  const at = '2026-11-25T10:00:00.000Z';
  return {
    id,
    team_id: 'T0TEAM',
    enterprise_id: null,
    vendor: 'apizee',
    kind: 'ticket',
    vendor_id: `ticket-${id.slice(0, 8)}`,
    reference: 'CASE-1',
    contact_masked: '+33 6 •• •• •• 78',
    contact_encrypted: null,
    contact_hash: null,
    delivery: 'sms',
    vendor_state: 'pending',
    status: 'invited',
    status_detail: null,
    channel_id: 'C0CHANNEL',
    card_ts: null,
    started_by: 'U0STARTER',
    agent_url: null,
    customer_url: null,
    details: '{}',
    created_at: at,
    updated_at: at,
    joined_at: null,
    ended_at: null,
    tracking: 1,
    next_check_at: null,
    media_posted: 0,
    last_error: null,
    ...overrides,
  };
}

/** The same tracked Apizee ticket as `sessionRow`, as the app sees it, with `overrides` applied. */
export function sessionFixture(overrides: Partial<Session> = {}): Session {
  const row = sessionRow({ id: overrides.id ?? randomUUID() });
  return { ...toSession({ ...row, lease_owner: null, lease_until: null, outbox_owner: null, outbox_until: null, version: 0 } as SessionRow), ...overrides };
}

/** A milestone of `sessionId`, not yet posted, with `overrides` applied. */
export function milestoneRow(sessionId: string, key: string, overrides: Partial<NewMilestoneRow> = {}): NewMilestoneRow {
  return {
    id: randomUUID(),
    session_id: sessionId,
    team_id: 'T0TEAM',
    enterprise_id: null,
    key,
    text: `milestone ${key}`,
    blocks: null,
    created_at: '2026-11-25T10:00:00.000Z',
    posted_ts: null,
    posted_at: null,
    ...overrides,
  };
}
