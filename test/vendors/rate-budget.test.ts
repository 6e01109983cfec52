import assert from 'node:assert/strict';
import { startApizeeSandbox } from '../../sandbox/apizee.js';
import type { RateLedger } from '../../src/domain/vendor-module.js';
import { createLogger } from '../../src/logger.js';
import { ApizeeClient } from '../../src/vendors/apizee/client.js';
import { VendorHealth } from '../../src/vendors/health.js';
import { MemoryRateLedger, RateBudget, rateLimitResetAt, retryAfterAt, type RateBudgetOptions } from '../../src/vendors/rate-budget.js';

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

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

  it('holds the next call until the oldest slot is a window (and the margin) old', async () => {
    const rate = budget(2, 120);
    assert.equal(rate.marginMs, 2, 'the margin is 1/60 of the window');
    await rate.take(); // at 1_000_000
    clock += 50;
    await rate.take(); // at 1_000_050
    clock += 10;
    const third = track(rate.take());
    await wait(60); // the 40 ms timer fires, finds the clock short and waits again
    assert.equal(third.done, false);
    clock = 1_000_121;
    await wait(60);
    assert.equal(third.done, false);
    clock = 1_000_122; // the first slot is now exactly one window and the margin old
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

  it('spreads background slots over the window: 61 s / 8 = one every 7.625 s', async () => {
    const rate = budget(10);
    assert.equal(rate.backgroundSpacingMs, 7625);
    assert.equal(await rate.tryTakeBackground(), true);
    clock += 7624;
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
    clock += 61_000; // every slot has expired
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
    await rate.take(); // stamps at +0 s … +9 s; clock is now +9 s; slots are held 61 s
    assert.equal(rate.estimateWaitMs(), 52_000, 'first in line waits for the +0 s slot');
    void rate.take();
    assert.equal(rate.estimateWaitMs(), 53_000, 'second in line waits for the +1 s slot');
    void rate.take();
    assert.equal(rate.estimateWaitMs(), 54_000);
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

/** Lets every promise chain that can move on do so (the in-memory ledger has no real I/O). */
const settleMicrotasks = () => new Promise((resolve) => setImmediate(resolve));

/**
 * Time moved by hand, for the budget (its `now` and `sleep`) and for the simulated network alike:
 * `run` plays every scheduled event in time order, each at its own instant.
 */
class SimulatedTime {
  now = 1_000_000;
  private events: Array<{ at: number; order: number; run: () => void }> = [];
  private scheduled = 0;

  at(time: number, run: () => void): void {
    this.events.push({ at: Math.max(time, this.now), order: this.scheduled++, run });
  }

  readonly sleep = (ms: number) => new Promise<void>((resolve) => this.at(this.now + ms, resolve));

  after(ms: number): Promise<void> {
    return this.sleep(ms);
  }

  async run(): Promise<void> {
    await settleMicrotasks();
    for (;;) {
      this.events.sort((a, b) => a.at - b.at || a.order - b.order);
      const next = this.events.shift();
      if (!next) return;
      this.now = next.at;
      next.run();
      await settleMicrotasks();
    }
  }
}

/**
 * The vendor as the documents put it and the sandbox enforces it: a request that finds `limit`
 * others arrived in the 60 s before it is refused with a 429 (and not counted).
 */
class VendorWindow {
  readonly arrivals: number[] = [];
  refused = 0;
  constructor(
    readonly limit: number,
    readonly windowMs = 60_000,
  ) {}

  arrive(at: number): void {
    if (this.arrivals.filter((arrival) => at - arrival < this.windowMs).length >= this.limit) this.refused += 1;
    else this.arrivals.push(at);
  }
}

type Stamping = 'at reservation' | 'settled on the answer';

/**
 * One request through `budget`: it reaches the vendor `toVendorMs` after its slot is granted and
 * its answer is back `backMs` after that. Stamped at reservation (`take`, as before issue 9), or
 * with a slot settled when the answer is in (`takeSlot`, as the Apizee client does).
 */
async function simulatedRequest(
  time: SimulatedTime,
  budget: RateBudget,
  vendor: VendorWindow,
  latency: { toVendorMs: number; backMs: number },
  stamping: Stamping,
): Promise<{ grantedAt: number; answeredAt: number }> {
  const slot = stamping === 'at reservation' ? await budget.take().then(() => undefined) : await budget.takeSlot();
  const grantedAt = time.now;
  await time.after(latency.toVendorMs);
  vendor.arrive(time.now);
  await time.after(latency.backMs);
  slot?.settle();
  return { grantedAt, answeredAt: time.now };
}

/** A small deterministic generator (mulberry32), so a random scenario is the same on every run. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

describe('RateBudget: never a 429 as the vendor counts (issue 9)', () => {
  let time: SimulatedTime;
  const budgets: RateBudget[] = [];
  const budget = (options: RateBudgetOptions = {}) => {
    const created = new RateBudget(10, { now: () => time.now, sleep: time.sleep, ...options });
    budgets.push(created);
    return created;
  };

  beforeEach(() => {
    time = new SimulatedTime();
  });
  afterEach(() => {
    for (const created of budgets.splice(0)) created.stop();
  });

  /**
   * The burst measured in issue 9: twelve creations at once. The first ten are slow to reach
   * Apizee (fresh connections, an event loop busy with the burst); a minute later, the app is
   * idle and the last two are quick.
   */
  async function burstOfTwelve(rate: RateBudget, busyToVendorMs: number, stamping: Stamping) {
    const vendor = new VendorWindow(10);
    const requests = Array.from({ length: 12 }, (_, index) =>
      simulatedRequest(time, rate, vendor, { toVendorMs: index < 10 ? busyToVendorMs - index : 20, backMs: 50 }, stamping),
    );
    await time.run();
    return { vendor, requests: await Promise.all(requests) };
  }

  it('stamped at reservation with no margin (the old budget), latency lets the vendor count eleven in 60 s', async () => {
    const { vendor } = await burstOfTwelve(budget({ marginMs: 0 }), 300, 'at reservation');
    assert.equal(vendor.refused, 2, 'the eleventh and the twelfth, as measured');
    assert.ok(vendor.refused >= 1, `the vendor refused ${vendor.refused} requests`);
  });

  it('a longer window alone is not enough when a request takes longer than the margin to arrive', async () => {
    const { vendor } = await burstOfTwelve(budget(), 1500, 'at reservation');
    assert.ok(vendor.refused >= 1, `the vendor refused ${vendor.refused} requests`);
  });

  for (const busyToVendorMs of [300, 1500, 14_000]) {
    it(`settled on the answer, the same burst draws no 429 with the first ten ${busyToVendorMs} ms on the way`, async () => {
      const rate = budget();
      const { vendor, requests } = await burstOfTwelve(rate, busyToVendorMs, 'settled on the answer');
      assert.equal(vendor.refused, 0);
      assert.equal(vendor.arrivals.length, 12);
      // The eleventh and twelfth wait for the earliest answers plus the window and the margin, not a moment less.
      const answers = requests.slice(0, 10).map((request) => request.answeredAt).sort((a, b) => a - b);
      const lateGrants = requests.slice(10).map((request) => request.grantedAt).sort((a, b) => a - b);
      assert.equal(lateGrants[0], answers[0]! + rate.heldMs);
      assert.ok(lateGrants[1]! >= answers[1]! + rate.heldMs, `granted ${answers[1]! + rate.heldMs - lateGrants[1]!} ms early`);
    });
  }

  it('two replicas on one ledger, random latencies: no 429, while stamping at reservation draws some', async () => {
    const scenario = async (stamping: Stamping) => {
      time = new SimulatedTime();
      const ledger = new MemoryRateLedger();
      const replicas = [budget({ ledger, marginMs: stamping === 'at reservation' ? 0 : undefined }), budget({ ledger })];
      const vendor = new VendorWindow(10);
      const random = seeded(9);
      const requests: Array<Promise<unknown>> = [];
      for (let i = 0; i < 60; i += 1) {
        const latency = { toVendorMs: Math.floor(random() * 3000), backMs: Math.floor(random() * 2000) };
        const replica = replicas[i % 2]!;
        time.at(time.now + Math.floor(random() * 240_000), () => {
          requests.push(simulatedRequest(time, replica, vendor, latency, stamping));
        });
      }
      await time.run();
      await Promise.all(requests);
      return vendor;
    };
    const old = await scenario('at reservation');
    assert.ok(old.refused > 0, 'the scenario does reach the limit with latency');
    const settled = await scenario('settled on the answer');
    assert.equal(settled.refused, 0);
    assert.equal(settled.arrivals.length, 60);
  });

  it('holds a slot whose request has no answer for maxRequestMs and the window', async () => {
    const rate = budget({ maxRequestMs: 15_000 });
    const start = time.now;
    await rate.takeSlot();
    time.now = start + 15_000 + rate.heldMs - 1;
    assert.equal(rate.available(), 9, 'still in flight as far as anyone knows');
    time.now = start + 15_000 + rate.heldMs;
    assert.equal(rate.available(), 10);
  });

  it('holds a settled slot for the window and the margin from the answer, however long the request took', async () => {
    const rate = budget();
    const slot = await rate.takeSlot();
    time.now += 5000;
    slot.settle();
    const answeredAt = time.now;
    time.now = answeredAt + 60_999;
    assert.equal(rate.available(), 9);
    time.now = answeredAt + 61_000;
    assert.equal(rate.available(), 10);
    slot.settle(); // a second settle changes nothing
    assert.equal(rate.available(), 10);
  });

  it('gives background work a slot to settle too, within the reserve', async () => {
    const rate = budget();
    const slots = [];
    for (let i = 0; i < 8; i += 1) {
      const slot = await rate.tryTakeBackgroundSlot();
      assert.ok(slot, `background slot ${i + 1}`);
      slots.push(slot);
      time.now += rate.backgroundSpacingMs;
    }
    assert.equal(await rate.tryTakeBackgroundSlot(), undefined, 'the reserve of 2 stays free');
    assert.equal(rate.available(), 2);
  });

  it('estimates that a request in flight answers about now', async () => {
    const rate = budget();
    for (let i = 0; i < 10; i += 1) await rate.takeSlot();
    time.now += 2000;
    assert.equal(rate.estimateWaitMs(), rate.heldMs);
  });

  it('keeps the slot held, and throws nothing, when the ledger cannot take a settle', async () => {
    const memory = new MemoryRateLedger();
    const failing: RateLedger = {
      tryAcquire: (...args) => memory.tryAcquire(...args),
      settle: () => Promise.reject(new Error('database unreachable')),
    };
    const rate = budget({ ledger: failing, maxRequestMs: 15_000 });
    const slot = await rate.takeSlot();
    slot.settle();
    await settleMicrotasks();
    time.now += 15_000 + rate.heldMs - 1;
    const result = await failing.tryAcquire('default', 1, rate.heldMs, time.now);
    assert.equal(result.acquired, false, 'the ledger still holds the slot as in flight');
  });
});

describe('RateBudget: the Apizee client against the sandbox, time running 20 times faster', function () {
  this.timeout(30_000);

  it('twelve creations at once, each 40–1500 ms on its way to the limiter: no 429', async () => {
    // The sandbox's limiter and the budget share one clock running 20× fast, so the minute they
    // both count passes in 3 s; the requests' latency is real (2–75 ms, so 40–1500 ms to them).
    const speed = 20;
    const origin = Date.now();
    const clock = () => origin + (Date.now() - origin) * speed;
    const account = { username: 'agent@example.com', password: 'secret', enterpriseId: 1 };
    const sandbox = await startApizeeSandbox({ now: clock, ratePerMinute: 10, latencyMs: { min: 2, max: 75 }, accounts: [account] });
    const budget = new RateBudget(10, { now: clock, sleep: (ms) => wait(ms / speed) });
    try {
      const client = new ApizeeClient(
        { apiUrl: sandbox.url, ...account, enterpriseId: '1', agent: account.username, ratePerMinute: 10, timeoutMs: 5000 },
        { logger: createLogger('silent'), health: new VendorHealth(), budget },
      );
      const tickets = await Promise.all(
        Array.from({ length: 12 }, (_, i) => client.createTicket({ phone: `+336123456${String(i).padStart(2, '0')}`, agent: account.username, reference: `BURST-${i}` })),
      );
      assert.equal(sandbox.rateLimitedCount, 0);
      assert.equal(new Set(tickets.map((ticket) => ticket.id)).size, 12);
      assert.equal(sandbox.requests.length, 13, 'the login and twelve creations, none sent twice');
      const arrivals = sandbox.requests.map((request) => request.at.getTime()).sort((a, b) => a - b);
      assert.ok(arrivals[10]! - arrivals[0]! >= 60_000, 'the eleventh reached the limiter a minute after the first, as it counts');
    } finally {
      budget.stop();
      await sandbox.close();
    }
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
