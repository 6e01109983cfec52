import { randomBytes } from 'node:crypto';
import type { ContactCrypto } from './contact-crypto.js';
import type { Db } from './database.js';

/** The pin holding the key Imbee's `virtual_user` is derived from (VendorDeps.pseudonymKey). */
export const VENDOR_IDENTITY_PIN = 'vendor-identity';

/**
 * The key vendor pseudonyms are computed with (Imbee's `virtual_user` = HMAC(key, contact)).
 *
 * Imbee keys its links on the virtual user (`previously_created`), so a person must keep the same
 * one for as long as the deployment lives, across every rotation of ENCRYPTION_KEY. The key is
 * therefore chosen once, stored sealed like a contact (and re-keyed with them), and never derived
 * again:
 * - a database with contacts from before key versioning (v1: an upgraded deployment): the value
 *   Imbee has seen so far, the raw ENCRYPTION_KEY of that release in base64, i.e. the key
 *   (current or previous) that opens those v1 contacts; so this runs before the re-key job
 *   converts them;
 * - otherwise (a new database, or the pin deleted on purpose to give everyone new identities):
 *   a key of its own, HKDF(ENCRYPTION_KEY, "vendor identity"), in base64.
 * Replicas starting together compute the same value; the first insert wins and all read it back.
 */
export async function vendorIdentityKey(db: Db, crypto: ContactCrypto, now: Date = new Date()): Promise<string> {
  const pinned = await readPin(db, crypto, VENDOR_IDENTITY_PIN);
  if (pinned !== undefined) return pinned;
  const v1 = await db.selectFrom('sessions').select('contact_encrypted').where('contact_encrypted', 'like', 'v1:%').limit(1).executeTakeFirst();
  const key = v1?.contact_encrypted ? crypto.legacyMaster(v1.contact_encrypted) : crypto.derived('vendorIdentity');
  await db
    .insertInto('key_pins')
    .values({ name: VENDOR_IDENTITY_PIN, sealed: crypto.encrypt(key.toString('base64')), created_at: now.toISOString() })
    .onConflict((conflict) => conflict.column('name').doNothing())
    .execute();
  const chosen = await readPin(db, crypto, VENDOR_IDENTITY_PIN);
  if (chosen === undefined) throw new Error(`key pin ${VENDOR_IDENTITY_PIN} vanished after it was written`);
  return chosen;
}

/** The pin holding the key vendor account identities are computed with (src/services/vendor-accounts.ts). */
export const ACCOUNT_IDS_PIN = 'vendor-account-ids';

/**
 * The key that turns what names a vendor account (its URL and login) into the identity key every
 * session carries (`sessions.vendor_account`). Sessions keep their key for life, so this one must
 * never change: random, chosen once per database (the first replica's insert wins), sealed like a
 * contact and re-keyed with them. Unlike the vendor-identity pin, it is never to be deleted: the
 * sessions of every account would lose their tracker.
 */
export async function accountIdsKey(db: Db, crypto: ContactCrypto, now: Date = new Date()): Promise<string> {
  const pinned = await readPin(db, crypto, ACCOUNT_IDS_PIN);
  if (pinned !== undefined) return pinned;
  await db
    .insertInto('key_pins')
    .values({ name: ACCOUNT_IDS_PIN, sealed: crypto.encrypt(randomBytes(32).toString('base64')), created_at: now.toISOString() })
    .onConflict((conflict) => conflict.column('name').doNothing())
    .execute();
  const chosen = await readPin(db, crypto, ACCOUNT_IDS_PIN);
  if (chosen === undefined) throw new Error(`key pin ${ACCOUNT_IDS_PIN} vanished after it was written`);
  return chosen;
}

async function readPin(db: Db, crypto: ContactCrypto, name: string): Promise<string | undefined> {
  const row = await db.selectFrom('key_pins').select('sealed').where('name', '=', name).executeTakeFirst();
  return row ? crypto.decrypt(row.sealed) : undefined;
}
