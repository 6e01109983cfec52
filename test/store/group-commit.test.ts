import assert from 'node:assert/strict';
import { GroupCommit } from '../../src/store/group-commit.js';

describe('GroupCommit', () => {
  it('writes what is asked in one turn of the event loop in one call, and each caller hears it is written', async () => {
    const calls: number[][] = [];
    const group = new GroupCommit<number>(async (items) => void calls.push([...items]));
    await Promise.all([group.write(1), group.write(2), group.write(3)]);
    await group.write(4);
    assert.deepEqual(calls, [[1, 2, 3], [4]]);
  });

  it('after a failed batch, writes each item alone: only the refused one fails, the others are written once', async () => {
    const written: number[] = [];
    const group = new GroupCommit<number>(async (items) => {
      if (items.includes(2)) throw new Error(`refused: ${items.join(',')}`);
      written.push(...items);
    });
    const outcomes = await Promise.allSettled([group.write(1), group.write(2), group.write(3)]);
    assert.deepEqual(
      outcomes.map((outcome) => outcome.status),
      ['fulfilled', 'rejected', 'fulfilled'],
    );
    assert.equal(((outcomes[1] as PromiseRejectedResult).reason as Error).message, 'refused: 2');
    assert.deepEqual(written, [1, 3]);
  });

  it('keeps each batch within its limit', async () => {
    const sizes: number[] = [];
    const group = new GroupCommit<number>(async (items) => void sizes.push(items.length), 4);
    await Promise.all(Array.from({ length: 10 }, (_, i) => group.write(i)));
    assert.deepEqual(sizes, [4, 4, 2]);
  });
});
