import assert from 'node:assert/strict';
import { SeenIds } from '../../src/listeners/dedupe.js';

describe('SeenIds', () => {
  it('says yes the first time an id is seen, and no after that', () => {
    const seen = new SeenIds();
    assert.equal(seen.firstTime('Ev1'), true);
    assert.equal(seen.firstTime('Ev1'), false);
    assert.equal(seen.firstTime('Ev2'), true);
    assert.equal(seen.firstTime('Ev1'), false);
  });

  it('stays bounded, forgetting the oldest ids first', () => {
    const seen = new SeenIds(3);
    for (const id of ['a', 'b', 'c', 'd']) assert.equal(seen.firstTime(id), true);
    assert.equal(seen.size, 3);
    assert.equal(seen.firstTime('d'), false);
    assert.equal(seen.firstTime('c'), false);
    assert.equal(seen.firstTime('a'), true, 'the oldest was forgotten');
    assert.equal(seen.size, 3);
  });

  it('refuses a capacity that is not a positive integer', () => {
    assert.throws(() => new SeenIds(0), RangeError);
    assert.throws(() => new SeenIds(1.5), RangeError);
  });
});
