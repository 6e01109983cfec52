import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { openDatabase } from '../../src/store/database.js';
import { FALLBACK_AUTOCHECKPOINT_PAGES, startWalCheckpointer, type CheckpointResult } from '../../src/store/wal-checkpointer.js';

describe('WAL checkpoints in a worker thread (SQLite)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rendezvous-wal-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('copies what the app committed into the database file, while the app connection never checkpoints itself', async () => {
    const path = join(dir, 'app.db');
    const app = new SQLite(path);
    app.pragma('journal_mode = WAL');
    app.pragma('synchronous = NORMAL');
    app.pragma('wal_autocheckpoint = 0');
    app.exec('create table t (id integer primary key, v text)');
    const insert = app.prepare('insert into t (v) values (?)');
    for (let i = 0; i < 300; i++) insert.run('x'.repeat(500));
    const sizeBefore = statSync(path).size;

    const results: CheckpointResult[] = [];
    const checkpointer = startWalCheckpointer(path, { everyMs: 20, onCheckpoint: (result) => results.push(result) });
    const deadline = Date.now() + 5000;
    while (!results.some((result) => result.log > 0 && result.checkpointed === result.log)) {
      assert.ok(Date.now() < deadline, `no complete checkpoint: ${JSON.stringify(results)}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await checkpointer.stop();
    assert.ok(statSync(path).size > sizeBefore + 100_000, 'the rows reached the database file');
    // Nothing left for the app's own connection to copy.
    const [own] = app.pragma('wal_checkpoint(PASSIVE)') as CheckpointResult[];
    assert.equal(own!.checkpointed, own!.log);
    assert.equal((app.prepare('select count(*) as n from t').get() as { n: number }).n, 300);
    app.close();
  });

  it('openDatabase with backgroundCheckpoints raises the connection’s own threshold, and closes with the database', async () => {
    const path = join(dir, 'rendezvous.db');
    const background = openDatabase(`file:${path}`, { backgroundCheckpoints: true });
    const { rows } = await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(background.db);
    assert.equal(rows[0]?.wal_autocheckpoint, FALLBACK_AUTOCHECKPOINT_PAGES);
    assert.ok(background.checkpointer);
    await background.db.destroy();
    await background.checkpointer.stop();

    const plain = openDatabase(`file:${join(dir, 'plain.db')}`);
    const { rows: plainRows } = await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(plain.db);
    assert.equal(plainRows[0]?.wal_autocheckpoint, 1000, 'SQLite’s default without it');
    assert.equal(plain.checkpointer, undefined);
    await plain.db.destroy();
  });
});
