import assert from 'node:assert/strict';
import { ALL_DRILLS } from '../../scripts/drills/all.js';
import { runDrill } from '../../scripts/drills/runner.js';

/**
 * The fast fault drills of `npm run drills`, through the same code: each injects its fault,
 * takes its sessions through their life and counts from what Slack and Apizee saw. SQLite, plus
 * one on PostgreSQL (skipped with a notice where there is none).
 */
const FAST = ALL_DRILLS.filter((drill) => drill.fast && drill.database === 'sqlite');
const ON_POSTGRES = ALL_DRILLS.find((drill) => drill.database === 'postgres' && drill.name === FAST[0]?.name);

describe('e2e: fault drills (the fast ones)', function () {
  this.timeout(20_000);

  it('has fast drills to run', () => {
    assert.ok(FAST.length >= 4, `${FAST.length} fast drills`);
    assert.ok(ON_POSTGRES);
  });

  for (const drill of [...FAST, ...(ON_POSTGRES ? [ON_POSTGRES] : [])]) {
    it(`${drill.name} (${drill.database}): nothing lost, nothing doubled`, async function () {
      const row = await runDrill(drill);
      if (row.outcome === 'skipped') this.skip();
      assert.notEqual(row.outcome, 'failed', (row.details ?? []).join('\n'));
      assert.ok((row.sessions ?? 0) > 0, 'the drill started sessions');
      assert.deepEqual({ lost: row.lost, doubled: row.doubled }, { lost: 0, doubled: 0 }, (row.details ?? []).join('\n'));
    });
  }
});
