import assert from 'node:assert/strict';
import { sql } from 'kysely';
import pg from 'pg';
import { MIGRATION_LOCK_KEY, migrate, openDatabase, type Db } from '../../src/store/database.js';
import { migrationProvider } from '../../src/store/migrations.js';
import { eachDatabase, freshPostgresDatabase, postgresUrl, sessionRow } from '../helpers/databases.js';

const APP_TABLES = ['creation_jobs', 'installations', 'job_runs', 'key_pins', 'link_unfurls', 'milestones', 'pending_operations', 'rate_slots', 'sessions', 'vendor_accounts', 'vendor_accounts_version', 'workflow_steps', 'workspace_settings'];

async function tableNames(db: Db): Promise<string[]> {
  return (await db.introspection.getTables()).map((table) => table.name).sort();
}

async function appliedMigrations(db: Db): Promise<{ name: string; timestamp: string }[]> {
  const { rows } = await sql<{ name: string; timestamp: string }>`select name, timestamp from kysely_migration order by name`.execute(db);
  return rows;
}

eachDatabase('migrate', (ctx) => {
  it('creates every table and records every migration', async () => {
    const tables = await tableNames(ctx.db());
    for (const table of APP_TABLES) assert.ok(tables.includes(table), `table ${table} is missing (have ${tables.join(', ')})`);
    const names = Object.keys(await migrationProvider.getMigrations()).sort();
    assert.deepEqual(
      (await appliedMigrations(ctx.db())).map((row) => row.name),
      names,
    );
  });

  it('is a no-op the second time: no migration runs again and the data stays', async () => {
    const row = sessionRow();
    await ctx.db().insertInto('sessions').values(row).execute();
    const applied = await appliedMigrations(ctx.db());
    const tables = await tableNames(ctx.db());
    await migrate(ctx.db());
    await migrate(ctx.open()); // another instance, as a restarted replica would
    assert.deepEqual(await appliedMigrations(ctx.db()), applied);
    assert.deepEqual(await tableNames(ctx.db()), tables);
    assert.equal((await ctx.db().selectFrom('sessions').select('id').execute()).length, 1);
  });
});

describe('migrate on PostgreSQL, several replicas at once', function () {
  const opened: Db[] = [];
  let fresh: { url: string; drop(): Promise<void> } | undefined;
  const open = () => {
    const { db } = openDatabase(fresh!.url);
    opened.push(db);
    return db;
  };

  before(async function () {
    this.timeout(120_000);
    if (!(await postgresUrl())) this.skip();
  });
  beforeEach(async () => {
    fresh = await freshPostgresDatabase();
  });
  afterEach(async () => {
    for (const db of opened.splice(0)) await db.destroy();
    await fresh?.drop();
  });

  it('lets concurrent migrate() calls on a fresh database all succeed, and creates each table once', async () => {
    const replicas = [open(), open(), open(), open()];
    await Promise.all(replicas.map((db) => migrate(db)));
    const db = replicas[0]!;
    const { rows } = await sql<{ table_name: string; n: number }>`
      select table_name, count(*)::int as n from information_schema.tables
      where table_schema = 'public' group by table_name order by table_name`.execute(db);
    assert.deepEqual(
      rows.map((row) => [row.table_name, row.n]),
      [...APP_TABLES, 'kysely_migration', 'kysely_migration_lock'].sort().map((name) => [name, 1]),
    );
    const names = Object.keys(await migrationProvider.getMigrations()).sort();
    assert.deepEqual(
      (await appliedMigrations(db)).map((row) => row.name),
      names,
    );
  });

  it('waits for the Rendezvous migration lock, and releases it when done', async () => {
    const holder = new pg.Client(fresh!.url);
    await holder.connect();
    try {
      await holder.query('select pg_advisory_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
      const db = open();
      let done = false;
      const migrating = migrate(db).then(() => (done = true));
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(done, false, 'migrate() ran while another replica held the migration lock');
      assert.deepEqual(await tableNames(db), [], 'tables were created while another replica held the migration lock');
      await holder.query('select pg_advisory_unlock($1::bigint)', [MIGRATION_LOCK_KEY]);
      await migrating;
      for (const table of APP_TABLES) assert.ok((await tableNames(db)).includes(table), `table ${table} is missing`);
      const { rows } = await holder.query(`select count(*)::int as n from pg_locks where locktype = 'advisory' and database = (select oid from pg_database where datname = current_database())`);
      assert.equal(rows[0].n, 0, 'an advisory lock is still held after migrate()');
    } finally {
      await holder.end();
    }
  });
});
