import assert from 'node:assert/strict';
import { ContactCrypto } from '../../src/store/contact-crypto.js';

const KEY = Buffer.alloc(32, 7);
const PHONE = '+33612345678';

/** Flips one byte of the `index`-th `:`-separated part of a stored value. */
function tamper(stored: string, index: number): string {
  const parts = stored.split(':');
  const bytes = Buffer.from(parts[index]!, 'base64');
  bytes[0] = bytes[0]! ^ 0xff;
  parts[index] = bytes.toString('base64');
  return parts.join(':');
}

describe('ContactCrypto', () => {
  const crypto = new ContactCrypto(KEY);

  it('round-trips a contact', () => {
    assert.equal(crypto.decrypt(crypto.encrypt(PHONE)), PHONE);
    assert.equal(crypto.decrypt(crypto.encrypt('Jöhn.Doe@example.com')), 'Jöhn.Doe@example.com');
  });

  it('encrypts differently each time and never in clear', () => {
    const first = crypto.encrypt(PHONE);
    const second = crypto.encrypt(PHONE);
    assert.notEqual(first, second);
    assert.match(first, /^v1:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
    for (const stored of [first, second]) {
      assert.equal(stored.includes(PHONE), false);
      assert.equal(stored.includes('612345678'), false);
      assert.equal(stored.includes(Buffer.from(PHONE).toString('base64')), false);
    }
  });

  for (const [name, index] of [['iv', 1], ['tag', 2], ['ciphertext', 3]] as const) {
    it(`refuses a tampered ${name}`, () => {
      assert.throws(() => crypto.decrypt(tamper(crypto.encrypt(PHONE), index)));
    });
  }

  it('refuses another key', () => {
    assert.throws(() => new ContactCrypto(Buffer.alloc(32, 8)).decrypt(crypto.encrypt(PHONE)));
  });

  it('refuses an unknown format', () => {
    assert.throws(() => crypto.decrypt(PHONE), /unknown contact encryption format/);
    assert.throws(() => crypto.decrypt(`v2:${crypto.encrypt(PHONE).slice(3)}`), /unknown contact encryption format/);
  });

  it('refuses a key that is not 32 bytes', () => {
    assert.throws(() => new ContactCrypto(Buffer.alloc(16)), /ENCRYPTION_KEY must be 32 bytes/);
  });

  it('hashes stably and case-insensitively, with the key', () => {
    const hash = crypto.hash('jane@example.com');
    assert.match(hash, /^[0-9a-f]{64}$/);
    assert.equal(new ContactCrypto(Buffer.alloc(32, 7)).hash('jane@example.com'), hash);
    assert.equal(crypto.hash('Jane@Example.COM'), hash);
    assert.notEqual(crypto.hash('john@example.com'), hash);
    assert.notEqual(new ContactCrypto(Buffer.alloc(32, 8)).hash('jane@example.com'), hash);
  });
});
