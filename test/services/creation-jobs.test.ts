import assert from 'node:assert/strict';
import { createLogger } from '../../src/logger.js';
import { CreationRunner, type CreationSteps } from '../../src/services/creation-jobs.js';
import type { StepResult } from '../../src/services/sessions.js';
import { CreationJobsRepository, type CreationJob } from '../../src/store/creation-jobs-repository.js';
import { eachDatabase, sessionFixture } from '../helpers/databases.js';
import { eventually } from '../helpers/eventually.js';
import { captureLogs } from '../helpers/log-capture.js';

type Gate = { promise: Promise<void>; open(): void };
function gate(): Gate {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/** Steps that record what the runner asked, and wait for the test where told to. */
class RecordingSteps implements CreationSteps {
  readonly cards: string[] = [];
  readonly calls: Array<{ id: string; step: string }> = [];
  readonly stale: Array<{ id: string; step: string }> = [];
  cardsRunning = 0;
  maxCardsRunning = 0;
  callsRunning = new Map<string, number>();
  maxCallsRunning = new Map<string, number>();
  cardGate?: Gate;
  callGate?: Gate;
  cardResult: (job: CreationJob) => StepResult | { kind: 'posted' } = () => ({ kind: 'posted' });

  loggerFor() {
    return createLogger('silent');
  }

  async postCard(job: CreationJob) {
    this.cards.push(job.sessionId);
    this.cardsRunning += 1;
    this.maxCardsRunning = Math.max(this.maxCardsRunning, this.cardsRunning);
    await this.cardGate?.promise;
    this.cardsRunning -= 1;
    return this.cardResult(job);
  }

  async callVendor(job: CreationJob, markCalling: () => Promise<boolean>): Promise<StepResult> {
    this.calls.push({ id: job.sessionId, step: job.step });
    if (job.step === 'calling') return { kind: 'done' };
    if (!(await markCalling())) return { kind: 'lost' };
    const running = (this.callsRunning.get(job.vendor) ?? 0) + 1;
    this.callsRunning.set(job.vendor, running);
    this.maxCallsRunning.set(job.vendor, Math.max(this.maxCallsRunning.get(job.vendor) ?? 0, running));
    await this.callGate?.promise;
    this.callsRunning.set(job.vendor, (this.callsRunning.get(job.vendor) ?? 1) - 1);
    return { kind: 'done' };
  }

  async settleStale(job: CreationJob): Promise<StepResult> {
    this.stale.push({ id: job.sessionId, step: job.step });
    return { kind: 'done' };
  }
}

eachDatabase('CreationRunner', (ctx) => {
  let jobs: CreationJobsRepository;
  let runners: CreationRunner[];
  const logger = createLogger('silent');

  beforeEach(() => {
    jobs = new CreationJobsRepository(ctx.db(), ctx.kind);
    runners = [];
  });
  afterEach(async () => {
    await Promise.all(runners.map((runner) => runner.stop(0)));
  });

  function runner(steps: CreationSteps, options: Partial<ConstructorParameters<typeof CreationRunner>[0]> = {}): CreationRunner {
    const made = new CreationRunner({ jobs, steps, vendors: () => ['apizee', 'blitzz'], owner: `owner-${runners.length}`, logger, pollMs: 50, leaseMs: 600, ...options });
    runners.push(made);
    return made;
  }

  async function queue(vendor: string, n: number, createdAt = new Date()): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const session = sessionFixture({ vendor, status: 'creating', vendorId: null, tracking: false, createdAt });
      await jobs.create(session, 'sealed');
      ids.push(session.id);
    }
    return ids;
  }

  /** Apizee jobs a millisecond apart, oldest first. */
  async function queueInOrder(n: number): Promise<string[]> {
    const start = Date.now() - 60_000;
    const ids: string[] = [];
    for (let i = 0; i < n; i++) ids.push(...(await queue('apizee', 1, new Date(start + i))));
    return ids;
  }

  it('posts each card, then calls its vendor, and deletes the job once done', async () => {
    const steps = new RecordingSteps();
    const ids = await queue('apizee', 3);
    runner(steps).start();
    await eventually('three calls', () => steps.calls.length === 3);
    await eventually('no job left', async () => (await jobs.count()) === 0);
    assert.deepEqual([...steps.cards].sort(), [...ids].sort());
    assert.deepEqual(steps.calls.map((call) => call.step), ['card_posted', 'card_posted', 'card_posted']);
  });

  it('holds at most 2 cards and 16 calls per vendor, the backlog staying in the database; cards never wait for a slow vendor', async () => {
    const steps = new RecordingSteps();
    steps.callGate = gate();
    await queue('apizee', 40);
    await queue('blitzz', 3);
    runner(steps).start();
    await eventually('16 Apizee calls and the 3 Blitzz ones in flight', () => steps.callsRunning.get('apizee') === 16 && steps.callsRunning.get('blitzz') === 3, 10_000);
    // Every card is posted while the vendor calls hang.
    await eventually('all 43 cards', () => steps.cards.length === 43, 10_000);
    assert.ok(steps.maxCardsRunning <= 2, `${steps.maxCardsRunning} cards at once`);
    assert.equal(steps.maxCallsRunning.get('apizee'), 16);
    assert.equal(await jobs.count(), 43, 'the waiting ones are in the database, not in memory');
    steps.callGate.open();
    await eventually('every job done', async () => (await jobs.count()) === 0, 10_000);
    assert.equal(steps.maxCallsRunning.get('apizee'), 16);
  });

  it('leases cards a few ahead of its 2 slots in one query, so a burst costs a lease per few cards, and posts them oldest first', async () => {
    const steps = new RecordingSteps();
    steps.cardGate = gate();
    const ids = await queueInOrder(30);
    let leases = 0;
    const leaseForCard = jobs.leaseForCard.bind(jobs);
    jobs.leaseForCard = (options) => {
      leases += 1;
      return leaseForCard(options);
    };
    runner(steps, { cardPrefetch: 8, leaseMs: 60_000, pollMs: 60_000 }).start();
    await eventually('two cards posting', () => steps.cardsRunning === 2);
    const owners = await Promise.all(ids.map(async (id) => (await jobs.get(id))?.leaseOwner ?? null));
    assert.equal(owners.filter((owner) => owner !== null).length, 10, 'two posting and eight leased ahead');
    assert.deepEqual(owners.slice(0, 10), Array(10).fill('owner-0'), 'the oldest ones');
    steps.cardGate.open();
    await eventually('all 30 cards', () => steps.cards.length === 30, 10_000);
    assert.deepEqual(steps.cards, ids, 'oldest first');
    assert.ok(steps.maxCardsRunning <= 2, `${steps.maxCardsRunning} cards at once`);
    assert.ok(leases <= 8, `${leases} lease queries for 30 cards`);
  });

  it('gives back the cards it leased ahead when it stops, so another runner posts them without waiting for the lease', async () => {
    const steps = new RecordingSteps();
    steps.cardGate = gate();
    const ids = await queueInOrder(6);
    const first = runner(steps, { cardPrefetch: 8, leaseMs: 60_000, pollMs: 60_000 });
    first.start();
    await eventually('two cards posting', () => steps.cardsRunning === 2);
    await first.stop(0);
    const waiting = ids.slice(2);
    for (const id of waiting) assert.equal((await jobs.get(id))?.leaseOwner, null, 'released');
    const others = new RecordingSteps();
    runner(others, { leaseMs: 60_000, pollMs: 50 }).start();
    await eventually('the four cards left', () => waiting.every((id) => others.cards.includes(id)), 5000);
    steps.cardGate.open();
  });

  it('is woken at once by a new job, between its polls', async () => {
    const steps = new RecordingSteps();
    const made = runner(steps, { pollMs: 60_000 });
    made.start();
    await made.idle();
    const [id] = await queue('apizee', 1);
    made.wake();
    await eventually('the call', () => steps.calls.some((call) => call.id === id), 2000);
  });

  it('logs a pass that could not lease, and a renewal that failed, each under a correlation id of its own', async () => {
    const { lines, logger: captured } = captureLogs('warn');
    const broken = Object.assign(Object.create(jobs) as CreationJobsRepository, {
      leaseForCard: async () => {
        throw new Error('database down');
      },
      renew: async () => {
        throw new Error('database down');
      },
    });
    // Polls and renewals far apart: the test runs the one renewal itself.
    const made = new CreationRunner({ jobs: broken, steps: new RecordingSteps(), vendors: () => [], owner: 'owner-broken', logger: captured, pollMs: 60_000, leaseMs: 600_000 });
    runners.push(made);
    made.start();
    await made.idle();
    (made as unknown as { held: Set<string> }).held.add('s-held');
    await (made as unknown as { renew(): Promise<void> }).renew();
    const written = lines.map((line) => JSON.parse(line) as { msg: string; correlationId?: string });
    assert.deepEqual(written.map((line) => line.msg), ['creation jobs not leased; the next poll retries', 'creation leases not renewed; retried shortly']);
    for (const line of written) assert.match(String(line.correlationId), /^[0-9a-f-]{36}$/);
    assert.notEqual(written[0]!.correlationId, written[1]!.correlationId);
  });

  it('retries a card later when the step asks, counting attempts', async () => {
    const steps = new RecordingSteps();
    let tries = 0;
    steps.cardResult = () => (++tries < 3 ? { kind: 'retry', afterMs: 50, reason: 'ratelimited' } : { kind: 'posted' });
    const [id] = await queue('apizee', 1);
    runner(steps).start();
    await eventually('the call after three card attempts', () => steps.calls.length === 1, 5000);
    assert.equal(tries, 3);
    assert.deepEqual(steps.cards, [id, id, id]);
  });

  it("a job whose owner died mid-call is handed to another runner still in `calling` (to reconcile), never called afresh", async () => {
    const dying = new RecordingSteps();
    dying.callGate = gate(); // never opened: the owner "dies" holding the call
    const [id] = await queue('apizee', 1);
    const first = runner(dying, { owner: 'dying', leaseMs: 300 });
    first.start();
    await eventually('the call started', () => dying.calls.length === 1);
    await first.stop(0); // stops renewing: like kill -9, the lease is left to run out
    assert.equal((await jobs.get(id!))?.step, 'calling');

    const next = new RecordingSteps();
    runner(next, { owner: 'next' }).start();
    await eventually('taken over', () => next.calls.length === 1, 5000);
    assert.deepEqual(next.calls, [{ id, step: 'calling' }]);
    assert.deepEqual(next.cards, [], 'the card is not posted again');
    await eventually('done', async () => (await jobs.count()) === 0);
  });

  it('keeps renewing the lease of a long call, so no other runner takes it over', async () => {
    const slow = new RecordingSteps();
    slow.callGate = gate();
    await queue('apizee', 1);
    runner(slow, { owner: 'slow', leaseMs: 300 }).start();
    await eventually('the call started', () => slow.calls.length === 1);
    const other = new RecordingSteps();
    runner(other, { owner: 'other', leaseMs: 300 }).start();
    await new Promise((resolve) => setTimeout(resolve, 1200));
    assert.deepEqual(other.calls, [], 'four lease lengths later, still held by its owner');
    slow.callGate.open();
    await eventually('done', async () => (await jobs.count()) === 0);
  });

  it('settles jobs older than the limit instead of carding or calling them', async () => {
    const steps = new RecordingSteps();
    const old = await queue('apizee', 2, new Date(Date.now() - 11 * 60_000));
    const fresh = await queue('apizee', 1);
    runner(steps, { staleAfterMs: 10 * 60_000 }).start();
    await eventually('all settled', async () => (await jobs.count()) === 0, 5000);
    assert.deepEqual(steps.stale.map((job) => job.id).sort(), [...old].sort());
    assert.deepEqual(steps.cards, fresh);
  });
});
