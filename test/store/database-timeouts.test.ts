import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { sql } from 'kysely';
import pg from 'pg';
import { MIGRATION_LOCK_KEY, latestAppliedMigration, latestKnownMigration, migrate, openDatabase } from '../../src/store/database.js';
import { freshPostgresDatabase, postgresUrl } from '../helpers/databases.js';

describe('PostgreSQL pool timeouts', function () {
  before(async function () {
    this.timeout(120_000);
    if (!(await postgresUrl())) this.skip();
  });

  it('cancels a statement that runs past the statement timeout, yet migrates (the migration connection is exempt)', async function () {
    this.timeout(30_000);
    const fresh = await freshPostgresDatabase();
    assert.ok(fresh);
    const opened = openDatabase(fresh.url, { statementTimeoutMs: 300 });
    // Another replica holds the migration lock for longer than the statement timeout.
    const other = new pg.Client(fresh.url);
    await other.connect();
    await other.query(`select pg_advisory_lock(${MIGRATION_LOCK_KEY}::bigint)`);
    const released = new Promise((resolve) => setTimeout(resolve, 900)).then(() => other.query(`select pg_advisory_unlock(${MIGRATION_LOCK_KEY}::bigint)`));
    try {
      const started = Date.now();
      await migrate(opened.db);
      assert.ok(Date.now() - started >= 800, 'migrate waited for the lock');
      await released;
      assert.equal(await latestAppliedMigration(opened.db), await latestKnownMigration());
      await assert.rejects(sql`select pg_sleep(1)`.execute(opened.db), /statement timeout/);
      const { rows } = await sql<{ statement_timeout: string }>`show statement_timeout`.execute(opened.db);
      assert.equal(rows[0]?.statement_timeout, '300ms', 'every pooled connection, the migration one included, keeps the timeout');
    } finally {
      await other.end();
      await opened.db.destroy();
      await fresh.drop();
    }
  });

  it('gives up connecting after the connect timeout', async function () {
    this.timeout(10_000);
    // A port that accepts TCP and never speaks PostgreSQL would hang a pool without a timeout.
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    const opened = openDatabase(`postgres://nobody@127.0.0.1:${port}/none`, { connectTimeoutMs: 300 });
    const started = Date.now();
    try {
      await assert.rejects(sql`select 1`.execute(opened.db), /timeout/i);
      assert.ok(Date.now() - started < 3000, `gave up after ${Date.now() - started} ms`);
    } finally {
      await opened.db.destroy().catch(() => undefined);
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});
