import assert from 'node:assert/strict';
import { createLogger } from '../../src/logger.js';
import { JobLeases } from '../../src/store/job-leases.js';
import { RetentionStore } from '../../src/store/retention.js';
import { RetentionJob, type RetentionJobDeps } from '../../src/tracking/retention-job.js';
import { eachDatabase, sessionRow } from '../helpers/databases.js';
import { eventually } from '../helpers/eventually.js';
import { captureLogs } from '../helpers/log-capture.js';

const DAY = 24 * 60 * 60_000;
const HOUR = 60 * 60_000;

eachDatabase('RetentionJob', (ctx) => {
  let now: Date;
  beforeEach(() => {
    now = new Date('2026-12-03T12:00:00.000Z');
  });
  const daysAgo = (days: number) => new Date(now.getTime() - days * DAY).toISOString();
  const seedOld = async (count: number, days = 120) => {
    for (let i = 0; i < count; i++) await ctx.db().insertInto('sessions').values(sessionRow({ tracking: 0, status: 'ended', updated_at: daysAgo(days + i) })).execute();
  };
  const sessions = async () => (await ctx.db().selectFrom('sessions').select('id').execute()).length;
  /** One replica's job: its own database handle on PostgreSQL (SQLite serves a single replica). */
  const replica = (owner: string, overrides: Partial<RetentionJobDeps> = {}) => {
    const db = ctx.kind === 'postgres' ? ctx.open() : ctx.db();
    return new RetentionJob({
      store: new RetentionStore(db, ctx.kind),
      leases: new JobLeases(db),
      retentionDays: 90,
      owner,
      logger: createLogger('silent'),
      everyMs: HOUR,
      now: () => now,
      ...overrides,
    });
  };

  it('purges once an interval across replicas: one runs it, the others find it taken or not due', async () => {
    await seedOld(3);
    await ctx.db().insertInto('sessions').values(sessionRow({ tracking: 0, status: 'ended', updated_at: daysAgo(10) })).execute();
    const [a, b] = [replica('replica-a'), replica('replica-b')];
    const first = await Promise.all([a.runOnce(), b.runOnce()]);
    assert.deepEqual(first.map((run) => run.ran).sort(), [false, true]);
    assert.equal(first.reduce((sum, run) => sum + run.purged, 0), 3);
    assert.equal(await sessions(), 1, 'the recent one stays');

    await seedOld(2);
    now = new Date(now.getTime() + HOUR - 1000);
    assert.deepEqual(await Promise.all([a.runOnce(), b.runOnce()]), [{ ran: false, purged: 0 }, { ran: false, purged: 0 }], 'not due yet');
    now = new Date(now.getTime() + 1000);
    const second = await Promise.all([a.runOnce(), b.runOnce()]);
    assert.equal(second.filter((run) => run.ran).length, 1);
    assert.equal(await sessions(), 1);
  });

  it('works through a backlog batch by batch in one run, renewing its lease', async () => {
    await seedOld(7);
    const leases = new JobLeases(ctx.db());
    const renewals: number[] = [];
    const job = replica('replica-a', {
      batchSize: 2,
      leases: { claim: leases.claim.bind(leases), finish: leases.finish.bind(leases), renew: async (...args) => (renewals.push(1), leases.renew(...args)) },
    });
    assert.deepEqual(await job.runOnce(), { ran: true, purged: 7 });
    assert.equal(renewals.length, 3, 'between the four batches');
  });

  it('stops at a lost lease, leaving the rest to whoever took it over', async () => {
    await seedOld(5);
    const leases = new JobLeases(ctx.db());
    const job = replica('replica-a', { batchSize: 2, leases: { claim: leases.claim.bind(leases), finish: leases.finish.bind(leases), renew: async () => false } });
    assert.deepEqual(await job.runOnce(), { ran: true, purged: 2 });
    assert.equal(await sessions(), 3);
  });

  it('logs a failed run, and takes it up again at the next check', async () => {
    await seedOld(2);
    const { logger, lines } = captureLogs('info');
    const real = new RetentionStore(ctx.db(), ctx.kind);
    let failing = true;
    const job = replica('replica-a', {
      logger,
      store: { purge: async (...args) => (failing ? Promise.reject(new Error('statement timeout')) : real.purge(...args)) },
    });
    assert.deepEqual(await job.runOnce(), { ran: true, purged: 0 });
    assert.match(lines.join(''), /retention purge failed/);
    failing = false;
    assert.deepEqual(await job.runOnce(), { ran: true, purged: 2 }, 'due again at once, not in an hour');
    const done = lines.map((line) => JSON.parse(line)).find((entry) => entry.msg === 'retention: old sessions purged');
    assert.deepEqual([done?.purged, done?.retentionDays, done?.cutoff], [2, 90, daysAgo(90)]);
  });

  it('runs by itself at its check interval once started, and stop() waits for the run in progress', async () => {
    await seedOld(2);
    const job = replica('replica-a', { checkEveryMs: 20, now: () => new Date() });
    job.start();
    try {
      await eventually('the purge ran by itself', async () => (await sessions()) === 0);
    } finally {
      await job.stop();
    }
    const row = await ctx.db().selectFrom('job_runs').selectAll().executeTakeFirstOrThrow();
    assert.equal(row.lease_owner, null, 'let go');
    assert.ok(Date.parse(row.next_run_at) > Date.now() + HOUR - 60_000, 'next due in an hour');
  });
});
