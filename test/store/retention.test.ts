import assert from 'node:assert/strict';
import { JobLeases } from '../../src/store/job-leases.js';
import { RetentionStore } from '../../src/store/retention.js';
import type { NewSessionRow } from '../../src/store/schema.js';
import { eachDatabase, milestoneRow, sessionRow } from '../helpers/databases.js';

const NOW = new Date('2026-12-03T12:00:00.000Z');
const DAY = 24 * 60 * 60_000;
const daysAgo = (days: number) => new Date(NOW.getTime() - days * DAY).toISOString();
const CUTOFF = new Date(NOW.getTime() - 90 * DAY);

eachDatabase('RetentionStore', (ctx) => {
  const store = () => new RetentionStore(ctx.db(), ctx.kind);
  /** A session with one of everything kept under its id: an outbox row, a creation job, a pending operation. */
  async function seed(overrides: Partial<NewSessionRow>): Promise<string> {
    const row = sessionRow({ tracking: 0, status: 'ended', ...overrides });
    const db = ctx.db();
    await db.insertInto('sessions').values(row).execute();
    await db.insertInto('milestones').values(milestoneRow(row.id, 'invited')).execute();
    await db
      .insertInto('creation_jobs')
      .values({ session_id: row.id, vendor: 'apizee', step: 'queued', payload: 'sealed', attempts: 0, next_at: row.created_at, created_at: row.created_at, lease_owner: null, lease_until: null, last_error: null })
      .execute();
    await db
      .insertInto('pending_operations')
      .values({ vendor: 'genesys', session_id: row.id, operation: 'invite', scope: 'sms-1', reference: null, data: '{}', created_at: row.created_at })
      .execute();
    return row.id;
  }
  const left = async () => ({
    sessions: (await ctx.db().selectFrom('sessions').select('id').execute()).map((row) => row.id).sort(),
    milestones: (await ctx.db().selectFrom('milestones').select('session_id').execute()).map((row) => row.session_id).sort(),
    jobs: (await ctx.db().selectFrom('creation_jobs').select('session_id').execute()).map((row) => row.session_id).sort(),
    pending: (await ctx.db().selectFrom('pending_operations').select('session_id').execute()).map((row) => row.session_id).sort(),
  });
  const only = (...ids: string[]) => {
    const sorted = [...ids].sort();
    return { sessions: sorted, milestones: sorted, jobs: sorted, pending: sorted };
  };

  it('purges sessions untouched since before the cutoff, with their outbox, creation job and pending operation', async () => {
    const old = await seed({ created_at: daysAgo(200), updated_at: daysAgo(91) });
    const recent = await seed({ created_at: daysAgo(200), updated_at: daysAgo(89) });
    const deleted = await store().purge(CUTOFF, NOW, 100);
    assert.deepEqual(deleted, [old]);
    assert.deepEqual(await left(), only(recent));
  });

  it('purges a session started by a Workflow Builder step with its workflow_steps row', async () => {
    const old = await seed({ created_at: daysAgo(200), updated_at: daysAgo(91) });
    const recent = await seed({ created_at: daysAgo(200), updated_at: daysAgo(89) });
    for (const [id, execution] of [[old, 'Fx1'], [recent, 'Fx2']] as const) {
      await ctx
        .db()
        .insertInto('workflow_steps')
        .values({ session_id: id, team_id: 'T0TEAM', enterprise_id: null, function_execution_id: execution, token: '', state: 'done', result: 'success', attempts: 0, next_at: daysAgo(200), lease_owner: null, lease_until: null, last_error: null, created_at: daysAgo(200), completed_at: daysAgo(200) })
        .execute();
    }
    assert.deepEqual(await store().purge(CUTOFF, NOW, 100), [old]);
    assert.deepEqual((await ctx.db().selectFrom('workflow_steps').select('session_id').execute()).map((row) => row.session_id), [recent]);
  });

  it('never purges a session still tracked, however old its last change', async () => {
    const tracked = await seed({ tracking: 1, status: 'invited', updated_at: daysAgo(400) });
    assert.deepEqual(await store().purge(CUTOFF, NOW, 100), []);
    assert.deepEqual(await left(), only(tracked));
  });

  it('leaves for a later run a session a replica holds: its tracking lease, its outbox, its creation job', async () => {
    const future = new Date(NOW.getTime() + 60_000).toISOString();
    const past = new Date(NOW.getTime() - 60_000).toISOString();
    const leased = await seed({ updated_at: daysAgo(100), lease_owner: 'replica-a', lease_until: future });
    const posting = await seed({ updated_at: daysAgo(100), outbox_owner: 'replica-b', outbox_until: future });
    const creating = await seed({ updated_at: daysAgo(100), status: 'creating' });
    await ctx.db().updateTable('creation_jobs').set({ lease_owner: 'replica-c', lease_until: future }).where('session_id', '=', creating).execute();
    const expired = await seed({ updated_at: daysAgo(100), lease_owner: 'dead-replica', lease_until: past, outbox_owner: 'dead-replica', outbox_until: past });
    assert.deepEqual(await store().purge(CUTOFF, NOW, 100), [expired]);
    assert.deepEqual(await left(), only(leased, posting, creating));
  });

  it('purges in batches, oldest first', async () => {
    const ids = [];
    for (const days of [95, 300, 120, 91]) ids.push(await seed({ updated_at: daysAgo(days) }));
    const [d95, d300, d120, d91] = ids as [string, string, string, string];
    assert.deepEqual((await store().purge(CUTOFF, NOW, 2)).sort(), [d300, d120].sort());
    assert.deepEqual((await store().purge(CUTOFF, NOW, 2)).sort(), [d95, d91].sort());
    assert.deepEqual(await store().purge(CUTOFF, NOW, 2), []);
    assert.deepEqual((await left()).sessions, []);
  });

  it('leaves what belongs to other sessions alone', async () => {
    const old = await seed({ updated_at: daysAgo(100) });
    const kept = await seed({ updated_at: daysAgo(1) });
    await ctx.db().insertInto('milestones').values(milestoneRow(kept, 'joined')).execute();
    await store().purge(CUTOFF, NOW, 100);
    assert.ok(!(await left()).sessions.includes(old));
    assert.equal((await ctx.db().selectFrom('milestones').select('id').where('session_id', '=', kept).execute()).length, 2);
  });

  it('two replicas purging at once delete each session once', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) ids.push(await seed({ updated_at: daysAgo(100 + i) }));
    // SQLite serves one replica (PRODUCT §3): two of its handles in one process would only wait on each other.
    const handle = () => (ctx.kind === 'postgres' ? ctx.open() : ctx.db());
    const replicas = [new RetentionStore(handle(), ctx.kind), new RetentionStore(handle(), ctx.kind)];
    const drain = async (replica: RetentionStore) => {
      const mine: string[] = [];
      for (let batch = await replica.purge(CUTOFF, NOW, 5); batch.length > 0; batch = await replica.purge(CUTOFF, NOW, 5)) mine.push(...batch);
      return mine;
    };
    const [a, b] = await Promise.all(replicas.map(drain));
    assert.deepEqual([...a!, ...b!].sort(), ids.sort());
    assert.deepEqual(await left(), only());
  });
});

eachDatabase('JobLeases', (ctx) => {
  const LEASE = 10 * 60_000;
  const at = (ms: number) => new Date(NOW.getTime() + ms);

  it('gives a job never run to one replica of those asking at once', async () => {
    const replicas = [new JobLeases(ctx.open()), new JobLeases(ctx.open()), new JobLeases(ctx.open())];
    const taken = await Promise.all(replicas.map((leases, i) => leases.claim('retention', `replica-${i}`, NOW, LEASE)));
    assert.equal(taken.filter(Boolean).length, 1, JSON.stringify(taken));
  });

  it('is not due again until the time its last run set, whoever asks', async () => {
    const leases = new JobLeases(ctx.db());
    assert.equal(await leases.claim('retention', 'a', NOW, LEASE), true);
    assert.equal(await leases.finish('retention', 'a', NOW, at(60 * 60_000)), true);
    assert.equal(await leases.claim('retention', 'b', at(59 * 60_000), LEASE), false);
    assert.equal(await leases.claim('retention', 'a', at(59 * 60_000), LEASE), false);
    assert.equal(await leases.claim('retention', 'b', at(60 * 60_000), LEASE), true);
    const row = await ctx.db().selectFrom('job_runs').selectAll().executeTakeFirstOrThrow();
    assert.deepEqual([row.lease_owner, row.last_run_at], ['b', NOW.toISOString()]);
  });

  it('lets another replica take over a lease that ran out (a replica died mid-run), and ignores the dead one after', async () => {
    const leases = new JobLeases(ctx.db());
    assert.equal(await leases.claim('retention', 'dead', NOW, LEASE), true);
    assert.equal(await leases.claim('retention', 'b', at(LEASE - 1), LEASE), false, 'still held');
    assert.equal(await leases.claim('retention', 'b', at(LEASE + 1), LEASE), true);
    assert.equal(await leases.renew('retention', 'dead', at(LEASE + 2), LEASE), false);
    assert.equal(await leases.finish('retention', 'dead', at(LEASE + 2), at(LEASE + 3)), false);
    assert.equal(await leases.renew('retention', 'b', at(LEASE + 2), LEASE), true);
    assert.equal((await ctx.db().selectFrom('job_runs').select('lease_owner').executeTakeFirstOrThrow()).lease_owner, 'b');
  });

  it('keeps jobs apart by name', async () => {
    const leases = new JobLeases(ctx.db());
    assert.equal(await leases.claim('retention', 'a', NOW, LEASE), true);
    assert.equal(await leases.claim('another-job', 'b', NOW, LEASE), true);
  });
});
