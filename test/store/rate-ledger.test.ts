import assert from 'node:assert/strict';
import { DatabaseRateLedger } from '../../src/store/rate-ledger.js';
import { RateBudget } from '../../src/vendors/rate-budget.js';
import { eachDatabase } from '../helpers/databases.js';

const ACCOUNT = 'apizee:agent@example.com';
const MINUTE = 60_000;
const HOUR = 3_600_000;
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The database runs on this machine, so its clock and ours agree to within this. */
const SAME_HOST_MS = 2000;

eachDatabase('DatabaseRateLedger', (ctx) => {
  /** Two replicas: two connections (pools, or SQLite handles) on one database. */
  const replicas = () => [new DatabaseRateLedger(ctx.db(), ctx.kind), new DatabaseRateLedger(ctx.open(), ctx.kind)] as const;
  /**
   * Two replicas that run at the same time. SQLite replicas are one process, whose handle
   * serialises its transactions (two handles in one thread would wait on each other's lock);
   * PostgreSQL ones race on two pools.
   */
  const racingReplicas = () => {
    if (ctx.kind === 'postgres') return replicas();
    const one = new DatabaseRateLedger(ctx.db(), ctx.kind);
    return [one, one] as const;
  };

  it('counts the replicas against one limit per account', async () => {
    const [a, b] = replicas();
    assert.equal((await a.tryAcquire(ACCOUNT, 3, MINUTE, Date.now())).acquired, true);
    assert.equal((await b.tryAcquire(ACCOUNT, 3, MINUTE, Date.now())).acquired, true);
    assert.equal((await a.tryAcquire(ACCOUNT, 3, MINUTE, Date.now())).acquired, true);
    const refused = await b.tryAcquire(ACCOUNT, 3, MINUTE, Date.now());
    assert.equal(refused.acquired, false);
    assert.equal(refused.id, undefined);
    assert.equal(refused.stamps.length, 3);
    assert.equal((await a.tryAcquire('apizee:someone-else', 3, MINUTE, Date.now())).acquired, true, 'another account has its own limit');
  });

  it('grants exactly `max` of many concurrent takes', async () => {
    const ledgers = racingReplicas();
    const results = await Promise.all(Array.from({ length: 14 }, (_, i) => ledgers[i % ledgers.length]!.tryAcquire(ACCOUNT, 10, MINUTE, Date.now())));
    assert.equal(results.filter((result) => result.acquired).length, 10);
    assert.equal(new Set(results.map((result) => result.id).filter(Boolean)).size, 10);
  });

  it("stamps with the database's clock, not the replica's", async () => {
    const [a] = replicas();
    const before = Date.now();
    const result = await a.tryAcquire(ACCOUNT, 3, MINUTE, before + HOUR);
    assert.ok(Math.abs(result.now - before) < SAME_HOST_MS, `the ledger's now is ${result.now - before} ms from ours`);
    assert.deepEqual(result.stamps, [result.now]);
  });

  it('a replica whose clock runs ahead frees no slot early, one behind takes none extra', async () => {
    const [a, b] = replicas();
    for (let i = 0; i < 2; i += 1) assert.equal((await a.tryAcquire(ACCOUNT, 2, MINUTE, Date.now())).acquired, true);
    assert.equal((await b.tryAcquire(ACCOUNT, 2, MINUTE, Date.now() + 2 * MINUTE)).acquired, false, 'two minutes ahead');
    assert.equal((await b.tryAcquire(ACCOUNT, 2, MINUTE, Date.now() - 2 * MINUTE)).acquired, false, 'two minutes behind');
  });

  it('holds a slot in flight until it is settled, then one window from the answer', async () => {
    const [a, b] = replicas();
    const windowMs = 400;
    const taken = await a.tryAcquire(ACCOUNT, 1, windowMs, Date.now(), 10_000);
    assert.equal(taken.acquired, true);
    assert.deepEqual(taken.stamps, [taken.now + 10_000], 'stamped with the latest time the request can reach the vendor');
    await wait(windowMs + 100);
    assert.equal((await b.tryAcquire(ACCOUNT, 1, windowMs, Date.now())).acquired, false, 'still in flight after a window');
    await a.settle(ACCOUNT, taken.id!, 0);
    const refused = await b.tryAcquire(ACCOUNT, 1, windowMs, Date.now());
    assert.equal(refused.acquired, false, 'held a window from the answer');
    const [settledAt] = refused.stamps;
    assert.ok(settledAt! <= refused.now && settledAt! > taken.now + windowMs, 'stamped when settled, on the database clock');
    await wait(windowMs + 50);
    assert.equal((await b.tryAcquire(ACCOUNT, 1, windowMs, Date.now())).acquired, true);
  });

  it('counts a settled slot again if it had already expired while in flight', async () => {
    const [a] = replicas();
    const windowMs = 200;
    const taken = await a.tryAcquire(ACCOUNT, 5, windowMs, Date.now());
    await wait(windowMs + 50);
    assert.deepEqual((await a.tryAcquire(ACCOUNT, 5, windowMs, Date.now())).stamps.length, 1, 'the first slot expired and was removed');
    await a.settle(ACCOUNT, taken.id!, 0);
    assert.equal((await a.tryAcquire(ACCOUNT, 5, windowMs, Date.now())).stamps.length, 3);
  });

  it('two budgets on it: twelve calls at once, ten go, two wait for a settled slot', async function () {
    this.timeout(10_000);
    const [a, b] = racingReplicas();
    const budgets = [a, b].map((ledger) => new RateBudget(10, { windowMs: 600, marginMs: 100, ledger, account: ACCOUNT }));
    try {
      const started = Date.now();
      const granted: number[] = [];
      const calls = Array.from({ length: 12 }, async (_, i) => {
        const slot = await budgets[i % 2]!.takeSlot();
        granted.push(Date.now() - started);
        await wait(50); // the request and its answer
        slot.settle();
      });
      await Promise.all(calls);
      granted.sort((x, y) => x - y);
      assert.ok(granted[9]! < 600, `the first ten at once (${granted.join(', ')} ms)`);
      // The first answers came at ≥ 50 ms; each is held 700 ms from then.
      assert.ok(granted[10]! >= 750, `the eleventh after a settled slot's window and margin (${granted[10]} ms)`);
    } finally {
      for (const budget of budgets) budget.stop();
    }
  });
});
