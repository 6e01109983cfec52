import type { Logger } from '../domain/logger.js';
import type { ContactCrypto, Sealer, SealPurpose } from './contact-crypto.js';
import type { Db } from './database.js';

export interface RekeyReport {
  /** Values now sealed (and contacts hashed) under the current key. */
  rekeyed: number;
  /** Values another replica changed first (compare-and-set lost): left to it. */
  raced: number;
  /** Values no configured key opens (ENCRYPTION_KEY_PREVIOUS dropped too early): left as they are. */
  unreadable: number;
}

export interface RekeyOptions {
  batchSize?: number;
  logger?: Logger;
}

const DEFAULT_BATCH = 200;

/**
 * Brings every stored secret under the current ENCRYPTION_KEY: contacts sealed as v1 (raw key,
 * before versioning) or under ENCRYPTION_KEY_PREVIOUS are decrypted, sealed again with the current
 * key and their hash recomputed; the same for the key pins, the installations' Slack tokens and
 * the workspaces' vendor accounts (sealed under keys of their own purposes). Runs at startup after
 * the migrations.
 *
 * Idempotent (rows already under the current key id are not selected), batched (keyset pages by
 * id, so rows it cannot convert are passed over, not read again), and safe with several replicas
 * running it at once: each write is a compare-and-set on the old ciphertext, so a row changed
 * meanwhile is left alone. Not a state change: the session's version is not bumped.
 */
export async function rekeyStoredSecrets(db: Db, crypto: ContactCrypto, options: RekeyOptions = {}): Promise<RekeyReport> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH;
  const report: RekeyReport = { rekeyed: 0, raced: 0, unreadable: 0 };
  const unreadable: string[] = [];
  await rekeySessions(db, crypto, batchSize, report, unreadable);
  await rekeyPins(db, crypto, report, unreadable);
  await rekeyInstallations(db, crypto, report, unreadable);
  await rekeyVendorAccounts(db, crypto.sealer('vendorAccounts'), report, unreadable);
  // Key ids only (never a key): the operator checks here that a rotation is complete.
  options.logger?.info({ kid: crypto.kid, previousKid: crypto.previousKid, ...report }, 'stored contacts checked against the current ENCRYPTION_KEY');
  if (unreadable.length > 0) {
    // Ids only: a session id or a pin name is no secret, and tells the operator where to look.
    options.logger?.warn(
      { kid: crypto.kid, unreadable: report.unreadable, examples: unreadable.slice(0, 10) },
      'stored values that neither ENCRYPTION_KEY nor ENCRYPTION_KEY_PREVIOUS opens; put back the key they were sealed with as ENCRYPTION_KEY_PREVIOUS',
    );
  }
  return report;
}

async function rekeySessions(db: Db, crypto: ContactCrypto, batchSize: number, report: RekeyReport, unreadable: string[]): Promise<void> {
  let after = '';
  for (;;) {
    const rows = await db
      .selectFrom('sessions')
      .select(['id', 'contact_encrypted'])
      .where('contact_encrypted', 'is not', null)
      .where('contact_encrypted', 'not like', `${crypto.currentPrefix}%`)
      .where('id', '>', after)
      .orderBy('id')
      .limit(batchSize)
      .execute();
    for (const row of rows) {
      const old = row.contact_encrypted!;
      const plain = openOrUndefined(crypto, old);
      if (plain === undefined) {
        report.unreadable += 1;
        unreadable.push(`session ${row.id}`);
        continue;
      }
      const result = await db
        .updateTable('sessions')
        .set({ contact_encrypted: crypto.encrypt(plain), contact_hash: crypto.hash(plain) })
        .where('id', '=', row.id)
        .where('contact_encrypted', '=', old)
        .executeTakeFirst();
      countWrite(report, result.numUpdatedRows);
    }
    if (rows.length < batchSize) return;
    after = rows[rows.length - 1]!.id;
  }
}

async function rekeyPins(db: Db, crypto: ContactCrypto, report: RekeyReport, unreadable: string[]): Promise<void> {
  // A handful of rows: one page.
  const rows = await db.selectFrom('key_pins').select(['name', 'sealed']).where('sealed', 'not like', `${crypto.currentPrefix}%`).execute();
  for (const row of rows) {
    const plain = openOrUndefined(crypto, row.sealed);
    if (plain === undefined) {
      report.unreadable += 1;
      unreadable.push(`key pin ${row.name}`);
      continue;
    }
    const result = await db
      .updateTable('key_pins')
      .set({ sealed: crypto.encrypt(plain) })
      .where('name', '=', row.name)
      .where('sealed', '=', row.sealed)
      .executeTakeFirst();
    countWrite(report, result.numUpdatedRows);
  }
}

/**
 * Installations' Slack tokens (one row per workspace: few). A token refresh writing meanwhile
 * wins the compare-and-set; it seals with the current key anyway. Not a credentials change: the
 * version (what refresh leases compare) stays.
 */
async function rekeyInstallations(db: Db, crypto: ContactCrypto, report: RekeyReport, unreadable: string[]): Promise<void> {
  const rows = await db.selectFrom('installations').select(['key', 'bot_credentials']).where('bot_credentials', 'not like', `${crypto.currentPrefix}%`).execute();
  for (const row of rows) {
    const plain = openOrUndefined(crypto, row.bot_credentials, 'installationTokens');
    if (plain === undefined) {
      report.unreadable += 1;
      unreadable.push(`installation ${row.key}`);
      continue;
    }
    const result = await db
      .updateTable('installations')
      .set({ bot_credentials: crypto.encrypt(plain, 'installationTokens') })
      .where('key', '=', row.key)
      .where('bot_credentials', '=', row.bot_credentials)
      .executeTakeFirst();
    countWrite(report, result.numUpdatedRows);
  }
}

async function rekeyVendorAccounts(db: Db, sealer: Sealer, report: RekeyReport, unreadable: string[]): Promise<void> {
  // One row per workspace and vendor: one page. The values do not change, so the version stays.
  const rows = await db
    .selectFrom('vendor_accounts')
    .select(['team_id', 'vendor', 'settings'])
    .where('settings', 'not like', `${sealer.currentPrefix}%`)
    .execute();
  for (const row of rows) {
    let plain: string;
    try {
      plain = sealer.open(row.settings);
    } catch {
      report.unreadable += 1;
      unreadable.push(`vendor account ${row.vendor} of ${row.team_id}`);
      continue;
    }
    const result = await db
      .updateTable('vendor_accounts')
      .set({ settings: sealer.seal(plain) })
      .where('team_id', '=', row.team_id)
      .where('vendor', '=', row.vendor)
      .where('settings', '=', row.settings)
      .executeTakeFirst();
    countWrite(report, result.numUpdatedRows);
  }
}

function openOrUndefined(crypto: ContactCrypto, stored: string, purpose?: SealPurpose): string | undefined {
  try {
    return crypto.decrypt(stored, purpose);
  } catch {
    return undefined;
  }
}

function countWrite(report: RekeyReport, updated: bigint): void {
  if (updated > 0n) report.rekeyed += 1;
  else report.raced += 1;
}
