import assert from 'node:assert/strict';
import { RateBudget, rateLimitResetAt, retryAfterAt } from '../../src/vendors/rate-budget.js';

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A promise's outcome, readable synchronously. */
function track(promise: Promise<unknown>): { done: boolean } {
  const state = { done: false };
  void promise.then(() => {
    state.done = true;
  });
  return state;
}

describe('RateBudget', () => {
  let clock: number;
  const now = () => clock;
  const budgets: RateBudget[] = [];
  const budget = (limit: number, windowMs = 60_000, time: () => number = now) => {
    const created = new RateBudget(limit, windowMs, time);
    budgets.push(created);
    return created;
  };

  beforeEach(() => {
    clock = 1_000_000;
  });
  afterEach(() => {
    for (const created of budgets.splice(0)) created.stop();
  });

  it('grants `limit` slots at once', async () => {
    const rate = budget(3);
    await rate.take();
    await rate.take();
    await rate.take();
    assert.equal(rate.available(), 0);
  });

  it('holds the next call until the oldest slot is a window old', async () => {
    const rate = budget(2, 100);
    await rate.take(); // at 1_000_000
    clock += 50;
    await rate.take(); // at 1_000_050
    clock += 10;
    const third = track(rate.take());
    await wait(60); // the 40 ms timer fires, finds the clock short and waits again
    assert.equal(third.done, false);
    clock = 1_000_099;
    await wait(60);
    assert.equal(third.done, false);
    clock = 1_000_100; // the first slot is now exactly one window old
    await wait(60);
    assert.equal(third.done, true);
    assert.equal(rate.available(), 0, 'the released call took the freed slot');
  });

  it('with real time, grants the call after the window and not before', async () => {
    const rate = budget(2, 200, Date.now);
    const started = Date.now();
    await rate.take();
    await rate.take();
    await rate.take();
    const waited = Date.now() - started;
    assert.ok(waited >= 200, `waited ${waited} ms`);
    assert.ok(waited < 1000, `waited ${waited} ms`);
  });

  it('serves waiters in arrival order', async () => {
    const rate = budget(1, 30, Date.now);
    await rate.take();
    const order: string[] = [];
    await Promise.all(['a', 'b', 'c'].map((name) => rate.take().then(() => order.push(name))));
    assert.deepEqual(order, ['a', 'b', 'c']);
  });

  it('keeps a reserve of 2 of 10 slots away from background work', async () => {
    const rate = budget(10);
    assert.equal(rate.reserve, 2);
    await rate.take();
    await rate.take();
    for (let i = 0; i < 6; i += 1) {
      assert.equal(await rate.tryTakeBackground(), true, `background slot ${i + 1}`);
      clock += rate.backgroundSpacingMs; // 45 s in all: every slot stays in the window
    }
    assert.equal(rate.available(), 2);
    assert.equal(await rate.tryTakeBackground(), false);
    assert.equal(rate.available(), 2, 'a refusal takes nothing');
  });

  it('spreads background slots over the window: 60 s / 8 = one every 7.5 s', async () => {
    const rate = budget(10);
    assert.equal(rate.backgroundSpacingMs, 7500);
    assert.equal(await rate.tryTakeBackground(), true);
    clock += 7499;
    assert.equal(rate.backgroundReady(), false);
    assert.equal(await rate.tryTakeBackground(), false);
    clock += 1;
    assert.equal(rate.backgroundReady(), true);
    assert.equal(await rate.tryTakeBackground(), true);
    assert.equal(rate.available(), 8);
  });

  it('has no reserve below 5 slots a minute', async () => {
    const rate = budget(4);
    assert.equal(rate.reserve, 0);
    await rate.take();
    await rate.take();
    await rate.take();
    assert.equal(await rate.tryTakeBackground(), true, 'background may take the last slot');
    assert.equal(rate.available(), 0);
  });

  it('refuses background work while interactive calls are queued, even with free slots', async () => {
    const rate = budget(10);
    for (let i = 0; i < 10; i += 1) await rate.take();
    void rate.take(); // queued: its timer is a minute away
    clock += 60_000; // every slot has expired
    assert.equal(rate.available(), 10);
    assert.equal(await rate.tryTakeBackground(), false);
  });

  it('estimates the wait of each queued position', async () => {
    const rate = budget(10);
    for (let i = 0; i < 9; i += 1) {
      await rate.take();
      clock += 1000;
    }
    assert.equal(rate.estimateWaitMs(), 0, 'one slot is still free');
    await rate.take(); // stamps at +0 s … +9 s; clock is now +9 s
    assert.equal(rate.estimateWaitMs(), 51_000, 'first in line waits for the +0 s slot');
    void rate.take();
    assert.equal(rate.estimateWaitMs(), 52_000, 'second in line waits for the +1 s slot');
    void rate.take();
    assert.equal(rate.estimateWaitMs(), 53_000);
  });

  it('estimates a pause when a slot is free', () => {
    const rate = budget(10);
    rate.pauseUntil(clock + 5000);
    assert.equal(rate.available(), 0);
    clock += 5000;
    assert.equal(rate.available(), 10);
    assert.equal(rate.estimateWaitMs(), 0);
  });

  // While paused, the wait is the pause's end, not a whole window.
  it('estimates the end of a pause, not a whole window', () => {
    const rate = budget(10);
    rate.pauseUntil(clock + 5000);
    assert.equal(rate.estimateWaitMs(), 5000);
  });

  it('holds every call until the end of a pause', async () => {
    const rate = budget(10, 60_000, Date.now);
    const until = Date.now() + 150;
    rate.pauseUntil(until);
    assert.equal(rate.available(), 0);
    assert.equal(await rate.tryTakeBackground(), false);
    await rate.take();
    assert.ok(Date.now() >= until, `released ${until - Date.now()} ms early`);
    assert.equal(rate.available(), 9);
  });

  it('never shortens a pause', () => {
    const rate = budget(10);
    rate.pauseUntil(clock + 5000);
    rate.pauseUntil(clock + 1000);
    clock += 1000;
    assert.equal(rate.available(), 0);
    clock += 4000;
    assert.equal(rate.available(), 10);
  });
});

describe('rateLimitResetAt', () => {
  const now = 1_750_000_000_000;

  it('reads a value below 10⁹ as seconds from now', () => {
    assert.equal(rateLimitResetAt('30', now), now + 30_000);
    assert.equal(rateLimitResetAt('0', now), now);
  });

  it('reads a value above 10⁹ as a Unix time in seconds', () => {
    assert.equal(rateLimitResetAt('1700000000', now), 1_700_000_000_000);
  });

  for (const bad of [null, '', 'soon', '-5', 'Infinity']) {
    it(`ignores ${JSON.stringify(bad)}`, () => {
      assert.equal(rateLimitResetAt(bad, now), undefined);
    });
  }
});

describe('retryAfterAt', () => {
  const now = 1_750_000_000_000;

  it('reads seconds', () => {
    assert.equal(retryAfterAt('120', now), now + 120_000);
  });

  it('reads an HTTP date', () => {
    assert.equal(retryAfterAt('Wed, 21 Oct 2015 07:28:00 GMT', now), Date.UTC(2015, 9, 21, 7, 28, 0));
  });

  for (const bad of [null, '', 'soon']) {
    it(`ignores ${JSON.stringify(bad)}`, () => {
      assert.equal(retryAfterAt(bad, now), undefined);
    });
  }
});
