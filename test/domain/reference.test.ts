import assert from 'node:assert/strict';
import { generateReference, isValidReference } from '../../src/domain/reference.js';

describe('generateReference', () => {
  it('is RDV- and 8 base32 characters', () => {
    for (let i = 0; i < 50; i++) assert.match(generateReference(), /^RDV-[A-Z2-7]{8}$/);
  });

  it('encodes 5 random bytes as RFC 4648 base32', () => {
    // RFC 4648 §10: BASE32("hello") = "NBSWY3DP".
    assert.equal(generateReference(() => Buffer.from('hello')), 'RDV-NBSWY3DP');
    assert.equal(generateReference(() => new Uint8Array(5)), 'RDV-AAAAAAAA');
    assert.equal(generateReference(() => new Uint8Array(5).fill(0xff)), 'RDV-77777777');
  });

  it('asks the random source for exactly 5 bytes', () => {
    const sizes: number[] = [];
    generateReference((size) => {
      sizes.push(size);
      return new Uint8Array(size);
    });
    assert.deepEqual(sizes, [5]);
  });

  it('refuses a random source that returns too few bytes', () => {
    assert.throws(() => generateReference(() => new Uint8Array(4)), /4 bytes, 5 needed/);
  });

  it('differs from one call to the next', () => {
    const seen = new Set(Array.from({ length: 100 }, () => generateReference()));
    assert.equal(seen.size, 100);
  });
});

describe('isValidReference', () => {
  const cases: Array<[string, boolean]> = [
    ['CASE-1234', true],
    ['RDV-NBSWY3DP', true],
    ['a', true],
    ['INC#42', true],
    ['2024/17.b_c:d', true],
    ['x'.repeat(64), true],
    ['x'.repeat(65), false],
    ['', false],
    ['has space', false],
    ['héllo', false],
    ['<script>', false],
    ['a"b', false],
    ['a,b', false],
  ];
  for (const [input, expected] of cases) {
    it(`${JSON.stringify(input.length > 20 ? `${input.slice(0, 10)}…(${input.length})` : input)} → ${expected}`, () => {
      assert.equal(isValidReference(input), expected);
    });
  }
});
