import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { openDatabase, pingDatabase } from '../../src/store/database.js';
import { eachDatabase, freshPostgresDatabase, postgresUrl } from '../helpers/databases.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

eachDatabase('openDatabase and pingDatabase', (ctx) => {
  it('opens the kind the URL names, and pings it', async () => {
    const opened = openDatabase(ctx.url());
    try {
      assert.equal(opened.kind, ctx.kind);
      assert.doesNotMatch(opened.location, /@/, 'the location shows no credentials');
      assert.equal(await pingDatabase(opened.db), true);
    } finally {
      await opened.db.destroy();
    }
    assert.equal(await pingDatabase(opened.db), false, 'a closed database does not answer');
  });
});

describe('openDatabase on PostgreSQL when the server drops its connections', function () {
  before(async function () {
    this.timeout(120_000);
    if (!(await postgresUrl())) this.skip();
  });

  // Runs in a child process, so a crash (no 'error' listener on the pool) cannot take mocha down.
  it('survives the server ending an idle pooled connection, and reconnects', async function () {
    this.timeout(30_000);
    const fresh = await freshPostgresDatabase();
    assert.ok(fresh);
    const admin = new pg.Client(fresh.url);
    await admin.connect();
    try {
      const script = `
        import { sql } from 'kysely';
        import { openDatabase } from './src/store/database.ts';
        const { db } = openDatabase(process.env.CHILD_DATABASE_URL);
        await sql\`select 1\`.execute(db);
        console.log('ready');
        await new Promise((resolve) => process.stdin.once('data', resolve));
        await new Promise((resolve) => setTimeout(resolve, 300));
        await sql\`select 1\`.execute(db);
        await db.destroy();
        console.log('ok');
        process.exit(0);`;
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        cwd: repoRoot,
        env: { ...process.env, CHILD_DATABASE_URL: fresh.url },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      const deadline = Date.now() + 15_000;
      while (!stdout.includes('ready') && child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
      assert.match(stdout, /ready/, stderr);
      const { rows } = await admin.query(
        'select count(pg_terminate_backend(pid))::int as n from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()',
      );
      assert.equal(rows[0].n, 1, 'the child had one idle pooled connection');
      child.stdin.end('go\n');
      const code = await exited;
      assert.equal(code, 0, `the app process died:\n${stderr.split('\n').slice(0, 3).join('\n')}`);
      assert.match(stdout, /ok/);
    } finally {
      await admin.end();
      await fresh.drop();
    }
  });
});
