import assert from 'node:assert/strict';
import { CoalescedDrain } from '../../src/domain/coalesced-drain.js';

describe('CoalescedDrain', () => {
  it('runs one pass when nobody asks for more, and starts a new run after it', async () => {
    let passes = 0;
    let starts = 0;
    const drain = new CoalescedDrain(async () => void passes++);
    await drain.run(() => starts++);
    await drain.run(() => starts++);
    assert.equal(passes, 2);
    assert.equal(starts, 2);
  });

  it('joins calls made during a run into one more pass, never more than two a run', async () => {
    let passes = 0;
    let starts = 0;
    let release!: () => void;
    const drain = new CoalescedDrain(async () => {
      passes++;
      if (passes === 1) await new Promise<void>((resolve) => (release = resolve));
    });
    const first = drain.run(() => starts++);
    const joined = [drain.run(() => starts++), drain.run(() => starts++), drain.run(() => starts++)];
    release();
    await Promise.all([first, ...joined]);
    assert.equal(passes, 2);
    assert.equal(starts, 1);
  });

  it('ends the run when a pass answers false, even if more was asked', async () => {
    let passes = 0;
    let release!: () => void;
    const drain = new CoalescedDrain(async () => {
      passes++;
      await new Promise<void>((resolve) => (release = resolve));
      return false;
    });
    const run = drain.run();
    void drain.run();
    release();
    await run;
    assert.equal(passes, 1);
  });

  it('settles whichever way the run ended', async () => {
    const drain = new CoalescedDrain(async () => {
      throw new Error('boom');
    });
    await assert.rejects(drain.run(), /boom/);
    const failing = drain.run();
    await drain.settled();
    await assert.rejects(failing, /boom/);
  });
});
