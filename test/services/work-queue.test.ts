import assert from 'node:assert/strict';
import { WorkQueue } from '../../src/services/work-queue.js';

describe('WorkQueue', () => {
  it('runs at most N jobs at once, the rest in arrival order', async () => {
    const queue = new WorkQueue(2);
    let running = 0;
    let most = 0;
    const order: number[] = [];
    const job = (id: number) => async () => {
      running += 1;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 10));
      order.push(id);
      running -= 1;
      return id;
    };
    const results = await Promise.all([1, 2, 3, 4, 5].map((id) => queue.run(job(id))));
    assert.deepEqual(results, [1, 2, 3, 4, 5]);
    assert.equal(most, 2);
    assert.deepEqual(order, [1, 2, 3, 4, 5]);
  });

  it('frees the slot when a job fails', async () => {
    const queue = new WorkQueue(1);
    await assert.rejects(queue.run(async () => Promise.reject(new Error('boom'))), /boom/);
    assert.equal(await queue.run(async () => 'next'), 'next');
  });
});
