import assert from 'node:assert/strict';
import { RandomPool, pooledRandomBytes } from '../../src/domain/random-pool.js';

describe('RandomPool', () => {
  it('never hands out the same bytes twice, across refills', () => {
    const pool = new RandomPool(64);
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const bytes = pool.bytes(12);
      assert.equal(bytes.length, 12);
      const hex = bytes.toString('hex');
      assert.equal(seen.has(hex), false, `draw ${i} repeated`);
      seen.add(hex);
    }
  });

  it('gives each caller its own copy: changing one draw changes nothing else', () => {
    const pool = new RandomPool(64);
    const first = pool.bytes(8);
    const kept = Buffer.from(first);
    pool.bytes(8).fill(0);
    assert.deepEqual(first, kept);
  });

  it('draws large requests straight from the CSPRNG, and looks random (every byte value over many draws)', () => {
    assert.equal(new RandomPool(64).bytes(100).length, 100);
    const values = new Set<number>();
    for (let i = 0; i < 400; i++) for (const byte of pooledRandomBytes(12)) values.add(byte);
    assert.equal(values.size, 256);
  });
});
