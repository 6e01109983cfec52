import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { ContactCrypto, deriveKey, keyIdOf } from '../../src/store/contact-crypto.js';
import type { Logger } from '../../src/domain/logger.js';
import type { Db } from '../../src/store/database.js';
import { ACCOUNT_IDS_PIN, accountIdsKey, VENDOR_IDENTITY_PIN, vendorIdentityKey } from '../../src/store/key-pins.js';
import { InstallationsRepository } from '../../src/store/installations-repository.js';
import { rekeyStoredSecrets } from '../../src/store/rekey.js';
import { virtualUserFor } from '../../src/vendors/imbee/client.js';
import { eachDatabase, sessionRow } from '../helpers/databases.js';
import { legacyEncrypt, legacyHash, legacySalt } from './legacy-keys.js';

const KEY_A = Buffer.alloc(32, 0xa);
const KEY_B = Buffer.alloc(32, 0xb);
const KEY_C = Buffer.alloc(32, 0xc);
const CONTACTS = ['+33612345678', 'jane@example.com', '+33612345679', 'John@Example.org', '+441632960001'];

async function insertContact(db: Db, contact: string, sealed: string, hash: string, id = randomUUID()): Promise<string> {
  await db.insertInto('sessions').values(sessionRow({ id, contact_encrypted: sealed, contact_hash: hash })).execute();
  return id;
}

/** The ids of the sessions a lookup by contact finds (what "find a person's sessions" runs). */
async function sessionsOf(db: Db, crypto: ContactCrypto, contact: string): Promise<string[]> {
  const rows = await db.selectFrom('sessions').select('id').where('contact_hash', 'in', crypto.lookupHashes(contact)).orderBy('id').execute();
  return rows.map((row) => row.id);
}

async function storedContacts(db: Db): Promise<Array<{ id: string; contact_encrypted: string | null; contact_hash: string | null }>> {
  return db.selectFrom('sessions').select(['id', 'contact_encrypted', 'contact_hash']).orderBy('id').execute();
}

eachDatabase('rekeyStoredSecrets', (ctx) => {
  it('carries contacts from v1 (raw key A) and key A over to key B, after which A can be dropped', async () => {
    const db = ctx.db();
    const underA = new ContactCrypto(KEY_A);
    // Before versioning (v1, raw key) and after it under A: both exist in an upgraded deployment.
    const legacyId = await insertContact(db, CONTACTS[0]!, legacyEncrypt(KEY_A, CONTACTS[0]!), legacyHash(KEY_A, CONTACTS[0]!));
    const versionedId = await insertContact(db, CONTACTS[1]!, underA.encrypt(CONTACTS[1]!), underA.hash(CONTACTS[1]!));
    const noContact = randomUUID();
    await db.insertInto('sessions').values(sessionRow({ id: noContact })).execute();

    // ENCRYPTION_KEY=B, ENCRYPTION_KEY_PREVIOUS=A: lookups by contact find both rows before the job.
    const rotating = new ContactCrypto(KEY_B, KEY_A);
    assert.deepEqual(await sessionsOf(db, rotating, CONTACTS[0]!), [legacyId]);
    assert.deepEqual(await sessionsOf(db, rotating, 'JANE@example.com'), [versionedId]);

    const report = await rekeyStoredSecrets(db, rotating);
    assert.deepEqual(report, { rekeyed: 2, raced: 0, unreadable: 0 });

    // A dropped: ENCRYPTION_KEY=B alone reads, hashes and finds everything.
    const afterwards = new ContactCrypto(KEY_B);
    const rows = new Map((await storedContacts(db)).map((row) => [row.id, row]));
    for (const [id, contact] of [[legacyId, CONTACTS[0]!], [versionedId, CONTACTS[1]!]] as const) {
      const row = rows.get(id)!;
      assert.ok(row.contact_encrypted!.startsWith(`v2:${keyIdOf(KEY_B)}:`), row.contact_encrypted!);
      assert.equal(afterwards.decrypt(row.contact_encrypted!), contact);
      assert.equal(row.contact_hash, afterwards.hash(contact));
      assert.deepEqual(await sessionsOf(db, afterwards, contact), [id]);
    }
    assert.equal(rows.get(noContact)!.contact_encrypted, null);
    assert.equal(rows.get(noContact)!.contact_hash, null);
  });

  it('is idempotent: a second run changes nothing', async () => {
    const db = ctx.db();
    const underA = new ContactCrypto(KEY_A);
    for (const contact of CONTACTS) await insertContact(db, contact, underA.encrypt(contact), underA.hash(contact));
    const rotating = new ContactCrypto(KEY_B, KEY_A);
    assert.equal((await rekeyStoredSecrets(db, rotating)).rekeyed, CONTACTS.length);
    const before = await storedContacts(db);
    assert.deepEqual(await rekeyStoredSecrets(db, rotating), { rekeyed: 0, raced: 0, unreadable: 0 });
    assert.deepEqual(await rekeyStoredSecrets(db, new ContactCrypto(KEY_B)), { rekeyed: 0, raced: 0, unreadable: 0 });
    assert.deepEqual(await storedContacts(db), before);
  });

  it('goes through the table in batches and passes over what no key opens, saying so without the key', async () => {
    const db = ctx.db();
    const underA = new ContactCrypto(KEY_A);
    const underC = new ContactCrypto(KEY_C);
    for (const contact of CONTACTS) await insertContact(db, contact, underA.encrypt(contact), underA.hash(contact));
    const lost = await insertContact(db, 'lost@example.com', underC.encrypt('lost@example.com'), underC.hash('lost@example.com'));
    const lostBefore = (await storedContacts(db)).find((row) => row.id === lost)!;
    const warnings: Array<{ fields: Record<string, unknown>; message: string }> = [];
    const logger = {
      info: () => undefined,
      warn: (fields: Record<string, unknown>, message: string) => warnings.push({ fields, message }),
    } as unknown as Logger;

    const report = await rekeyStoredSecrets(db, new ContactCrypto(KEY_B, KEY_A), { batchSize: 2, logger });
    assert.deepEqual(report, { rekeyed: CONTACTS.length, raced: 0, unreadable: 1 });
    const rows = await storedContacts(db);
    assert.equal(rows.filter((row) => row.contact_encrypted!.startsWith(`v2:${keyIdOf(KEY_B)}:`)).length, CONTACTS.length);
    assert.deepEqual(rows.find((row) => row.id === lost), lostBefore, 'left as it was');
    assert.equal(warnings.length, 1);
    assert.deepEqual(warnings[0]!.fields.examples, [`session ${lost}`]);
    const logged = JSON.stringify(warnings);
    for (const key of [KEY_A, KEY_B, KEY_C]) {
      assert.equal(logged.includes(key.toString('base64')), false);
      assert.equal(logged.includes(key.toString('hex')), false);
    }
  });

  it('is safe with two replicas re-keying at once: every row converted once, none lost', async () => {
    const db = ctx.db();
    const other = ctx.open();
    const underA = new ContactCrypto(KEY_A);
    const contacts = Array.from({ length: 60 }, (_, index) => `+336123456${String(index).padStart(2, '0')}`);
    for (const contact of contacts) await insertContact(db, contact, legacyEncrypt(KEY_A, contact), underA.hash(contact));
    const rotating = new ContactCrypto(KEY_B, KEY_A);

    const [first, second] = await Promise.all([
      rekeyStoredSecrets(db, rotating, { batchSize: 7 }),
      rekeyStoredSecrets(other, rotating, { batchSize: 5 }),
    ]);
    // A row both replicas read is written by one; the other's compare-and-set finds it changed.
    assert.equal(first.rekeyed + second.rekeyed, contacts.length);
    assert.equal(first.unreadable + second.unreadable, 0);
    const afterwards = new ContactCrypto(KEY_B);
    const decrypted = (await storedContacts(db)).map((row) => afterwards.decrypt(row.contact_encrypted!));
    assert.deepEqual(decrypted.sort(), [...contacts].sort());
  });

  it('carries the installations\' Slack tokens over to key B too, with their own purpose key', async () => {
    const db = ctx.db();
    const bot = { token: 'xoxe.xoxb-1-token', refreshToken: 'xoxe-1-refresh', expiresAt: new Date('2026-12-02T22:00:00.000Z') };
    await new InstallationsRepository(db, new ContactCrypto(KEY_A)).save({
      enterpriseId: null, enterpriseName: null, teamId: 'T0AAA', teamName: 'A', isEnterpriseInstall: false, appId: 'A0APP',
      botId: 'B0BOT', botUserId: 'U0BOT', botScopes: ['commands'], installerUserId: 'U0ME', bot,
    });
    const before = await db.selectFrom('installations').select(['bot_credentials', 'version']).executeTakeFirstOrThrow();
    assert.deepEqual(await rekeyStoredSecrets(db, new ContactCrypto(KEY_B, KEY_A)), { rekeyed: 1, raced: 0, unreadable: 0 });
    const after = await db.selectFrom('installations').select(['bot_credentials', 'version']).executeTakeFirstOrThrow();
    assert.ok(after.bot_credentials.startsWith(`v2:${keyIdOf(KEY_B)}:`));
    assert.equal(after.version, before.version, 'not a new token: refresh leases are not disturbed');
    assert.deepEqual((await new InstallationsRepository(db, new ContactCrypto(KEY_B)).find({ teamId: 'T0AAA' }))?.bot, bot);
    // Under the wrong key: reported by its key, never opened.
    const report = await rekeyStoredSecrets(db, new ContactCrypto(KEY_C, KEY_A));
    assert.deepEqual(report, { rekeyed: 0, raced: 0, unreadable: 1 });
  });

});

eachDatabase('vendorIdentityKey (Imbee virtual_user)', (ctx) => {
  const PHONE = '+33612345678';

  it('keeps the virtual user an upgraded deployment gave Imbee, through a rotation and after the old key is dropped', async () => {
    const db = ctx.db();
    // Before versioning, Imbee's salt was ENCRYPTION_KEY (base64) and the database held sessions.
    const before = virtualUserFor(PHONE, legacySalt(KEY_A));
    await insertContact(db, PHONE, legacyEncrypt(KEY_A, PHONE), legacyHash(KEY_A, PHONE));

    const upgraded = await vendorIdentityKey(db, new ContactCrypto(KEY_A));
    assert.equal(virtualUserFor(PHONE, upgraded), before);

    const rotating = new ContactCrypto(KEY_B, KEY_A);
    await rekeyStoredSecrets(db, rotating);
    assert.equal(virtualUserFor(PHONE, await vendorIdentityKey(db, rotating)), before);

    const afterwards = new ContactCrypto(KEY_B);
    const pin = await db.selectFrom('key_pins').selectAll().where('name', '=', VENDOR_IDENTITY_PIN).executeTakeFirstOrThrow();
    assert.ok(pin.sealed.startsWith(`v2:${keyIdOf(KEY_B)}:`), 'the pin was re-keyed with the contacts');
    assert.equal(pin.sealed.includes(legacySalt(KEY_A)), false, 'sealed, not in clear');
    assert.equal(virtualUserFor(PHONE, await vendorIdentityKey(db, afterwards)), before);
  });

  it('also when the upgrade and the rotation come in one deploy (ENCRYPTION_KEY_PREVIOUS is the key Imbee saw)', async () => {
    const db = ctx.db();
    await insertContact(db, PHONE, legacyEncrypt(KEY_A, PHONE), legacyHash(KEY_A, PHONE));
    const key = await vendorIdentityKey(db, new ContactCrypto(KEY_B, KEY_A));
    assert.equal(virtualUserFor(PHONE, key), virtualUserFor(PHONE, legacySalt(KEY_A)));
  });

  it('also when the new key is rolled out as ENCRYPTION_KEY_PREVIOUS first (accepted before it is used)', async () => {
    const db = ctx.db();
    await insertContact(db, PHONE, legacyEncrypt(KEY_A, PHONE), legacyHash(KEY_A, PHONE));
    const key = await vendorIdentityKey(db, new ContactCrypto(KEY_A, KEY_B));
    assert.equal(virtualUserFor(PHONE, key), virtualUserFor(PHONE, legacySalt(KEY_A)));
  });

  it('refuses to pin anything when neither key opens the v1 contacts (the old key is missing)', async () => {
    const db = ctx.db();
    await insertContact(db, PHONE, legacyEncrypt(KEY_A, PHONE), legacyHash(KEY_A, PHONE));
    await assert.rejects(vendorIdentityKey(db, new ContactCrypto(KEY_B, KEY_C)), /set the key the previous release used/);
    assert.deepEqual(await db.selectFrom('key_pins').selectAll().execute(), []);
  });

  it('gives a new deployment a key of its own (HKDF "vendor identity"), kept through rotations', async () => {
    const db = ctx.db();
    const fresh = await vendorIdentityKey(db, new ContactCrypto(KEY_A));
    assert.equal(fresh, deriveKey(KEY_A, 'vendorIdentity').toString('base64'));
    assert.notEqual(fresh, legacySalt(KEY_A));
    assert.equal(await vendorIdentityKey(db, new ContactCrypto(KEY_A)), fresh, 'chosen once');
    // Sessions created since do not make it "legacy".
    await insertContact(db, PHONE, new ContactCrypto(KEY_A).encrypt(PHONE), new ContactCrypto(KEY_A).hash(PHONE));
    await rekeyStoredSecrets(db, new ContactCrypto(KEY_B, KEY_A));
    assert.equal(await vendorIdentityKey(db, new ContactCrypto(KEY_B)), fresh);
  });

  it('gives new identities (its own key) when the pin is deleted on a database with no v1 contacts left', async () => {
    const db = ctx.db();
    await insertContact(db, PHONE, legacyEncrypt(KEY_A, PHONE), legacyHash(KEY_A, PHONE));
    assert.equal(await vendorIdentityKey(db, new ContactCrypto(KEY_A)), legacySalt(KEY_A));
    await rekeyStoredSecrets(db, new ContactCrypto(KEY_A));
    await db.deleteFrom('key_pins').execute();
    assert.equal(await vendorIdentityKey(db, new ContactCrypto(KEY_A)), deriveKey(KEY_A, 'vendorIdentity').toString('base64'));
  });

  it('agrees between replicas starting together', async () => {
    const keys = await Promise.all([vendorIdentityKey(ctx.db(), new ContactCrypto(KEY_A)), vendorIdentityKey(ctx.open(), new ContactCrypto(KEY_A))]);
    assert.equal(keys[0], keys[1]);
    assert.equal((await ctx.db().selectFrom('key_pins').selectAll().execute()).length, 1);
  });

  it('refuses to start rather than change identities when no configured key opens the pin', async () => {
    const db = ctx.db();
    await vendorIdentityKey(db, new ContactCrypto(KEY_A));
    await assert.rejects(vendorIdentityKey(db, new ContactCrypto(KEY_B)), /neither ENCRYPTION_KEY nor ENCRYPTION_KEY_PREVIOUS/);
  });
});

eachDatabase('accountIdsKey (vendor account identities)', (ctx) => {
  it('is chosen once, at random, sealed, and kept through a rotation', async () => {
    const db = ctx.db();
    const first = await accountIdsKey(db, new ContactCrypto(KEY_A));
    assert.equal(Buffer.from(first, 'base64').length, 32);
    assert.notEqual(first, deriveKey(KEY_A, 'vendorIdentity').toString('base64'));
    assert.equal(await accountIdsKey(db, new ContactCrypto(KEY_A)), first);
    await rekeyStoredSecrets(db, new ContactCrypto(KEY_B, KEY_A));
    const pin = await db.selectFrom('key_pins').selectAll().where('name', '=', ACCOUNT_IDS_PIN).executeTakeFirstOrThrow();
    assert.ok(pin.sealed.startsWith(`v2:${keyIdOf(KEY_B)}:`), 're-keyed with the contacts');
    assert.ok(!pin.sealed.includes(first), 'sealed, not in clear');
    assert.equal(await accountIdsKey(db, new ContactCrypto(KEY_B)), first);
  });

  it('agrees between replicas starting together', async () => {
    const keys = await Promise.all([accountIdsKey(ctx.db(), new ContactCrypto(KEY_A)), accountIdsKey(ctx.open(), new ContactCrypto(KEY_A))]);
    assert.equal(keys[0], keys[1]);
  });
});
