import assert from 'node:assert/strict';
import { createDecipheriv, createHmac, hkdfSync } from 'node:crypto';
import { ContactCrypto, KEY_PURPOSES, deriveKey, keyIdOf, type KeyPurpose } from '../../src/store/contact-crypto.js';
import { legacyEncrypt, legacyHash } from './legacy-keys.js';

const KEY = Buffer.alloc(32, 7);
const KEY_A = Buffer.alloc(32, 0xa);
const KEY_B = Buffer.alloc(32, 0xb);
const PHONE = '+33612345678';
const B64 = '[A-Za-z0-9+/=]+';

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

  it('encrypts differently each time, never in clear, with the key id in front', () => {
    const first = crypto.encrypt(PHONE);
    const second = crypto.encrypt(PHONE);
    assert.notEqual(first, second);
    assert.match(first, new RegExp(`^v2:${crypto.kid}:${B64}:${B64}:${B64}$`));
    assert.match(crypto.kid, /^[0-9a-f]{12}$/);
    for (const stored of [first, second]) {
      assert.equal(stored.includes(PHONE), false);
      assert.equal(stored.includes('612345678'), false);
      assert.equal(stored.includes(Buffer.from(PHONE).toString('base64')), false);
    }
  });

  for (const [name, index] of [['iv', 2], ['tag', 3], ['ciphertext', 4]] as const) {
    it(`refuses a tampered ${name}`, () => {
      assert.throws(() => crypto.decrypt(tamper(crypto.encrypt(PHONE), index)));
    });
  }

  it('refuses a value sealed under a key it does not hold, naming the key id', () => {
    const other = new ContactCrypto(Buffer.alloc(32, 8));
    assert.throws(() => other.decrypt(crypto.encrypt(PHONE)), new RegExp(`key id ${crypto.kid}, which is neither`));
  });

  it('refuses a key id it holds on a value sealed by another key (authentication)', () => {
    const forged = crypto.encrypt(PHONE).replace(crypto.kid, keyIdOf(Buffer.alloc(32, 8)));
    assert.throws(() => new ContactCrypto(Buffer.alloc(32, 8)).decrypt(forged));
  });

  it('refuses an unknown format', () => {
    assert.throws(() => crypto.decrypt(PHONE), /unknown contact encryption format/);
    assert.throws(() => crypto.decrypt(`v3:${crypto.encrypt(PHONE).slice(3)}`), /unknown contact encryption format/);
    assert.throws(() => crypto.decrypt(`v1:${crypto.encrypt(PHONE).slice(3)}`), /unknown contact encryption format/);
  });

  it('refuses a key that is not 32 bytes', () => {
    assert.throws(() => new ContactCrypto(Buffer.alloc(16)), /ENCRYPTION_KEY must be 32 bytes/);
    assert.throws(() => new ContactCrypto(KEY, Buffer.alloc(16)), /ENCRYPTION_KEY_PREVIOUS must be 32 bytes/);
  });

  it('hashes stably and case-insensitively, with the key', () => {
    const hash = crypto.hash('jane@example.com');
    assert.match(hash, /^[0-9a-f]{64}$/);
    assert.equal(new ContactCrypto(Buffer.alloc(32, 7)).hash('jane@example.com'), hash);
    assert.equal(crypto.hash('Jane@Example.COM'), hash);
    assert.notEqual(crypto.hash('john@example.com'), hash);
    assert.notEqual(new ContactCrypto(Buffer.alloc(32, 8)).hash('jane@example.com'), hash);
  });

  describe('derived keys', () => {
    const purposes = Object.keys(KEY_PURPOSES) as KeyPurpose[];

    it('derives one distinct key per purpose, none of them the master key', () => {
      const keys = purposes.map((purpose) => deriveKey(KEY, purpose).toString('hex'));
      assert.equal(new Set(keys).size, purposes.length);
      assert.equal(keys.includes(KEY.toString('hex')), false);
      for (const key of keys) assert.equal(key.length, 64);
    });

    it('is HKDF-SHA256 with the purpose as info, the same every time, and different per master key', () => {
      for (const purpose of purposes) {
        const expected = Buffer.from(hkdfSync('sha256', KEY, Buffer.alloc(0), KEY_PURPOSES[purpose], 32));
        assert.deepEqual(deriveKey(KEY, purpose), expected);
        assert.deepEqual(deriveKey(Buffer.from(KEY), purpose), expected);
        assert.notDeepEqual(deriveKey(KEY_A, purpose), expected);
      }
    });

    it('seals with the contacts key and hashes with the contact-hash key, not with ENCRYPTION_KEY', () => {
      const hmac = (key: Buffer) => createHmac('sha256', key).update(PHONE).digest('hex');
      assert.equal(crypto.hash(PHONE), hmac(deriveKey(KEY, 'contactHash')));
      assert.notEqual(crypto.hash(PHONE), hmac(KEY));
      assert.notEqual(crypto.hash(PHONE), hmac(deriveKey(KEY, 'contacts')));
      const [, , iv, tag, sealed] = crypto.encrypt(PHONE).split(':') as [string, string, string, string, string];
      const open = (key: Buffer) => {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
        decipher.setAuthTag(Buffer.from(tag, 'base64'));
        return Buffer.concat([decipher.update(Buffer.from(sealed, 'base64')), decipher.final()]).toString('utf8');
      };
      assert.equal(open(deriveKey(KEY, 'contacts')), PHONE);
      assert.throws(() => open(KEY));
      assert.throws(() => open(deriveKey(KEY, 'contactHash')));
    });

    it('gives a key id that is stable, names the key, and shows none of it', () => {
      assert.equal(keyIdOf(KEY_A), keyIdOf(Buffer.alloc(32, 0xa)));
      assert.equal(new ContactCrypto(KEY_A).kid, keyIdOf(KEY_A));
      assert.equal(new ContactCrypto(KEY_A, KEY_B).kid, keyIdOf(KEY_A));
      assert.notEqual(keyIdOf(KEY_A), keyIdOf(KEY_B));
      for (const key of [KEY_A, ...purposes.map((purpose) => deriveKey(KEY_A, purpose))]) {
        assert.equal(key.toString('hex').includes(keyIdOf(KEY_A)), false);
      }
    });
  });

  describe('installation tokens (a purpose of their own)', () => {
    const TOKEN = 'xoxb-1111-2222-abcdefabcdef';

    it('seals with the installation-tokens key: round-trips, and does not open as a contact', () => {
      const sealed = crypto.encrypt(TOKEN, 'installationTokens');
      assert.ok(sealed.startsWith(`v2:${crypto.kid}:`));
      assert.equal(sealed.includes(TOKEN), false);
      assert.equal(crypto.decrypt(sealed, 'installationTokens'), TOKEN);
      assert.throws(() => crypto.decrypt(sealed));
      assert.throws(() => crypto.decrypt(crypto.encrypt(TOKEN), 'installationTokens'));
      const [, , iv, tag, body] = sealed.split(':') as [string, string, string, string, string];
      const decipher = createDecipheriv('aes-256-gcm', deriveKey(KEY, 'installationTokens'), Buffer.from(iv, 'base64'));
      decipher.setAuthTag(Buffer.from(tag, 'base64'));
      assert.equal(Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8'), TOKEN);
    });

    it('reads tokens sealed under ENCRYPTION_KEY_PREVIOUS during a rotation, and never takes a v1 value for one', () => {
      const underA = new ContactCrypto(KEY_A).encrypt(TOKEN, 'installationTokens');
      const rotating = new ContactCrypto(KEY_B, KEY_A);
      assert.equal(rotating.decrypt(underA, 'installationTokens'), TOKEN);
      assert.equal(rotating.isCurrent(underA), false);
      assert.throws(() => rotating.decrypt(legacyEncrypt(KEY_A, TOKEN), 'installationTokens'), /unknown/);
    });
  });

  describe('rotation', () => {
    it('reads v1 values (sealed with the raw key, before versioning) under that key, current or previous', () => {
      const legacy = legacyEncrypt(KEY_A, PHONE);
      assert.equal(new ContactCrypto(KEY_A).decrypt(legacy), PHONE);
      assert.equal(new ContactCrypto(KEY_B, KEY_A).decrypt(legacy), PHONE);
      assert.throws(() => new ContactCrypto(KEY_B).decrypt(legacy));
      assert.equal(new ContactCrypto(KEY_A).isCurrent(legacy), false);
    });

    it('reads what key A sealed once ENCRYPTION_KEY=B and ENCRYPTION_KEY_PREVIOUS=A, and seals only with B', () => {
      const underA = new ContactCrypto(KEY_A).encrypt(PHONE);
      const rotating = new ContactCrypto(KEY_B, KEY_A);
      assert.equal(rotating.decrypt(underA), PHONE);
      assert.equal(rotating.isCurrent(underA), false);
      const underB = rotating.encrypt(PHONE);
      assert.ok(underB.startsWith(`v2:${keyIdOf(KEY_B)}:`));
      assert.ok(rotating.isCurrent(underB));
      // With A dropped: B's values open, A's do not.
      assert.equal(new ContactCrypto(KEY_B).decrypt(underB), PHONE);
      assert.throws(() => new ContactCrypto(KEY_B).decrypt(underA), /neither ENCRYPTION_KEY nor ENCRYPTION_KEY_PREVIOUS/);
    });

    it('hashes new rows with the current key and looks up rows hashed with the previous or the raw key', () => {
      const rotating = new ContactCrypto(KEY_B, KEY_A);
      const underA = new ContactCrypto(KEY_A).hash('Jane@Example.com');
      assert.equal(rotating.hash('jane@example.com'), new ContactCrypto(KEY_B).hash('jane@example.com'));
      assert.notEqual(rotating.hash('jane@example.com'), underA);
      const lookup = rotating.lookupHashes('jane@example.com');
      assert.equal(lookup[0], rotating.hash('jane@example.com'));
      assert.ok(lookup.includes(underA));
      assert.ok(lookup.includes(legacyHash(KEY_A, 'jane@example.com')));
      assert.equal(lookup.includes(new ContactCrypto(Buffer.alloc(32, 0xc)).hash('jane@example.com')), false);
      assert.equal(new ContactCrypto(KEY_B).lookupHashes('jane@example.com').includes(underA), false);
    });

    it('tells which key the release before versioning used from one of its v1 values (legacyMaster)', () => {
      const underA = legacyEncrypt(KEY_A, PHONE);
      assert.deepEqual(new ContactCrypto(KEY_B, KEY_A).legacyMaster(underA), KEY_A);
      assert.deepEqual(new ContactCrypto(KEY_A, KEY_B).legacyMaster(underA), KEY_A);
      assert.deepEqual(new ContactCrypto(KEY_A).legacyMaster(underA), KEY_A);
      assert.throws(() => new ContactCrypto(KEY_A).legacyMaster(new ContactCrypto(KEY_A).encrypt(PHONE)), /not a v1 value/);
      assert.throws(() => new ContactCrypto(KEY_B).legacyMaster(underA), /neither ENCRYPTION_KEY nor ENCRYPTION_KEY_PREVIOUS/);
    });
  });
});
