import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkReadiness } from '../../src/observability/readiness.js';
import { latestKnownMigration, migrate, openDatabase, type OpenedDatabase } from '../../src/store/database.js';

describe('readiness (GET /readyz)', () => {
  let dir: string;
  let database: OpenedDatabase;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rdv-ready-'));
    database = openDatabase(`file:${join(dir, 'ready.db')}`);
  });
  afterEach(async () => {
    await database.db.destroy().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('is not ready before the migrations ran, and ready after, naming the newest migration', async () => {
    const before = await checkReadiness(database, false);
    assert.equal(before.ready, false);
    assert.equal(before.body.status, 'not ready');
    assert.deepEqual(before.body.database, { kind: 'sqlite', reachable: true });
    assert.equal(before.body.migrations.applied, null);

    await migrate(database.db);
    const after = await checkReadiness(database, false);
    const expected = await latestKnownMigration();
    assert.equal(after.ready, true);
    assert.equal(after.body.status, 'ready');
    assert.deepEqual(after.body.migrations, { applied: expected, expected, current: true });
  });

  it('is not ready while stopping, whatever the database says', async () => {
    await migrate(database.db);
    const stopping = await checkReadiness(database, true);
    assert.equal(stopping.ready, false);
    assert.equal(stopping.body.status, 'stopping');
  });

  it('is not ready when the database does not answer', async () => {
    await migrate(database.db);
    await database.db.destroy();
    const gone = await checkReadiness(database, false, 200);
    assert.equal(gone.ready, false);
    assert.equal(gone.body.database.reachable, false);
    assert.equal(gone.body.migrations.applied, null);
  });
});
