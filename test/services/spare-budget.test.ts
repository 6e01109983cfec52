import assert from 'node:assert/strict';
import { NO_SPARE, SpareBudget } from '../../src/services/spare-budget.js';
import { RateBudget } from '../../src/vendors/rate-budget.js';

describe('SpareBudget: Refresh and stats spend only what new sessions and tracking leave', () => {
  let now: number;
  let budget: RateBudget;
  beforeEach(() => {
    now = 1_000_000;
    budget = new RateBudget(10, { now: () => now, sleep: async (ms) => void (now += ms) });
  });
  afterEach(() => budget.stop());

  it('admits extras only while the reserve and one slot for tracking stay free', async () => {
    const spare = new SpareBudget({ apizee: budget });
    // 10 a minute, 2 reserved for new sessions, 1 kept for tracking: 7 to spare, three Refreshes of 2.
    const release: Array<() => void> = [];
    const held = () => new Promise<void>((resolve) => release.push(resolve));
    const runs = Array.from({ length: 5 }, () => spare.run('apizee', 2, held));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(release.length, 3, 'a burst reads the same free slots: admitted ones count until they finish');
    assert.equal(await runs[3], NO_SPARE);
    assert.equal(await runs[4], NO_SPARE);
    for (const done of release) done();
    await Promise.all(runs);
  });

  it('leaves tracking its turn after spending what is spare', async () => {
    const spare = new SpareBudget({ apizee: budget });
    let taken = 0;
    while (spare.hasSpare('apizee', 1)) {
      await spare.run('apizee', 1, async () => (await budget.takeSlot()).settle());
      taken += 1;
    }
    assert.equal(taken, 7);
    assert.equal(budget.available(), budget.reserve + 1);
    assert.equal(budget.backgroundReady(), true, 'tracking can still take a slot');
    const slot = await budget.tryTakeBackgroundSlot();
    assert.ok(slot);
    slot.settle();
    assert.equal(spare.hasSpare('apizee', 1), false);
    // A minute on, the slots free again and extras may go.
    now += 61_001;
    assert.equal(spare.hasSpare('apizee', 2), true);
  });

  it('does not queue when the budget is paused or a wait would be long', () => {
    const spare = new SpareBudget({ apizee: budget });
    budget.pauseUntil(now + 10_000);
    assert.equal(spare.hasSpare('apizee', 1), false);
    const slow = new SpareBudget({ other: { limit: 10, estimateWaitMs: () => 4000 } });
    assert.equal(slow.hasSpare('other', 1), false);
    const quick = new SpareBudget({ other: { limit: 10, estimateWaitMs: () => 2000 } });
    assert.equal(quick.hasSpare('other', 1), true, 'a budget that cannot tell its free slots goes by the wait alone');
    assert.equal(quick.hasSpare('unbudgeted', 5), true);
  });
});
