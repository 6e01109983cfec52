import { sql } from 'kysely';
import { z } from 'zod';
import type { Sealer } from './contact-crypto.js';
import type { Db } from './database.js';
import type { VendorAccountsTable } from './schema.js';

/** A workspace's own account with one vendor, as an admin saved it in the App Home. */
export interface StoredVendorAccount {
  teamId: string;
  enterpriseId: string | null;
  vendor: string;
  /** The form's values, by the module's variable names (`APIZEE_USERNAME`…), secrets included: never logged. */
  values: Record<string, string>;
  /** The identity key of the account these values log into (same key: same account). */
  account: string;
  /** The version this save wrote (vendor_accounts_version). */
  version: number;
  updatedAt: Date;
  updatedBy: string;
  check: AccountCheck | null;
}

/** The last check of a saved account: `ok` null while it runs, or when the vendor has no harmless call. */
export interface AccountCheck {
  at: Date;
  ok: boolean | null;
  detail: string | null;
}

export interface SaveAccount {
  teamId: string;
  enterpriseId: string | null;
  vendor: string;
  values: Record<string, string>;
  account: string;
  updatedBy: string;
  now?: Date;
}

export type CheckClaim = { claimed: true } | { claimed: false; lastCheckedAt: Date };

const Values = z.record(z.string(), z.string());

/**
 * Vendor accounts per workspace. Values are sealed (AES-256-GCM under the vendor-accounts key,
 * ContactCrypto.sealer) before they reach the database and opened only here. Every save bumps one
 * counter (`vendor_accounts_version`) in the same transaction, so that another replica, reading
 * it with its tracking pass, knows to reload.
 */
export class VendorAccountsRepository {
  constructor(
    private readonly db: Db,
    private readonly sealer: Sealer,
  ) {}

  /** Writes (or replaces) a workspace's account with a vendor; its last check is cleared. Returns the version written. */
  async save(input: SaveAccount): Promise<number> {
    const now = (input.now ?? new Date()).toISOString();
    const settings = this.sealer.seal(JSON.stringify(input.values));
    return this.db.transaction().execute(async (trx) => {
      const version = await bumpVersion(trx);
      const row = {
        team_id: input.teamId,
        vendor: input.vendor,
        enterprise_id: input.enterpriseId,
        settings,
        account: input.account,
        version,
        updated_at: now,
        updated_by: input.updatedBy,
        checked_at: null,
        check_ok: null,
        check_detail: null,
      } satisfies VendorAccountsTable;
      await trx
        .insertInto('vendor_accounts')
        .values(row)
        .onConflict((conflict) =>
          conflict.columns(['team_id', 'vendor']).doUpdateSet({
            enterprise_id: row.enterprise_id,
            settings: row.settings,
            account: row.account,
            version: row.version,
            updated_at: row.updated_at,
            updated_by: row.updated_by,
            checked_at: null,
            check_ok: null,
            check_detail: null,
          }),
        )
        .execute();
      return version;
    });
  }

  /**
   * Claims the check of the account saved at `version`, unless any workspace's row for the same
   * vendor account was checked less than `minIntervalMs` ago (Blitzz locks an account after 5
   * failed logins: at most one check of it every 10 minutes). A compare-and-set on the row, so
   * two replicas never both check.
   */
  async claimCheck(teamId: string, vendor: string, version: number, minIntervalMs: number, now: Date = new Date()): Promise<CheckClaim> {
    const cutoff = new Date(now.getTime() - minIntervalMs).toISOString();
    const account = await this.db.selectFrom('vendor_accounts').select('account').where('team_id', '=', teamId).where('vendor', '=', vendor).executeTakeFirst();
    if (!account) throw new Error('no saved account to check');
    const claimed = await this.db
      .updateTable('vendor_accounts')
      .set({ checked_at: now.toISOString(), check_ok: null, check_detail: null })
      .where('team_id', '=', teamId)
      .where('vendor', '=', vendor)
      .where('version', '=', version)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('vendor_accounts as other')
              .select(sql.lit(1).as('one'))
              .where('other.vendor', '=', vendor)
              .where('other.account', '=', account.account)
              .where('other.checked_at', '>', cutoff),
          ),
        ),
      )
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) === 1) return { claimed: true };
    const last = await this.db
      .selectFrom('vendor_accounts')
      .select((eb) => eb.fn.max('checked_at').as('at'))
      .where('vendor', '=', vendor)
      .where('account', '=', account.account)
      .executeTakeFirst();
    return { claimed: false, lastCheckedAt: new Date(last?.at ?? now.toISOString()) };
  }

  /**
   * How the check of the account saved at `version` went (`ok` null: saved unchecked). Ignored
   * when the account was saved again meanwhile; bumps the version, so every replica shows it.
   */
  async recordCheck(teamId: string, vendor: string, version: number, check: AccountCheck): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const updated = await trx
        .updateTable('vendor_accounts')
        .set({ checked_at: check.at.toISOString(), check_ok: check.ok === null ? null : check.ok ? 1 : 0, check_detail: check.detail })
        .where('team_id', '=', teamId)
        .where('vendor', '=', vendor)
        .where('version', '=', version)
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) !== 1) return false;
      await bumpVersion(trx);
      return true;
    });
  }

  /** The counter every save bumps: a replica whose copy is older reloads. */
  async currentVersion(): Promise<number> {
    const row = await this.db.selectFrom('vendor_accounts_version').select('version').where('id', '=', 1).executeTakeFirst();
    return Number(row?.version ?? 0);
  }

  /**
   * Every saved account, opened, with the version they were read at; rows no configured key opens
   * (ENCRYPTION_KEY_PREVIOUS dropped too early) are named apart, by team and vendor only.
   */
  async all(): Promise<{ version: number; accounts: StoredVendorAccount[]; unreadable: Array<{ teamId: string; vendor: string }> }> {
    // The version first: a save landing between the two reads is read again at the next pass.
    const version = await this.currentVersion();
    const rows = await this.db.selectFrom('vendor_accounts').selectAll().orderBy('team_id').orderBy('vendor').execute();
    const accounts: StoredVendorAccount[] = [];
    const unreadable: Array<{ teamId: string; vendor: string }> = [];
    for (const row of rows) {
      const values = this.open(row.settings);
      if (!values) unreadable.push({ teamId: row.team_id, vendor: row.vendor });
      else accounts.push(toAccount(row, values));
    }
    return { version, accounts, unreadable };
  }

  private open(sealed: string): Record<string, string> | undefined {
    try {
      const parsed = Values.safeParse(JSON.parse(this.sealer.open(sealed)));
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }
}

async function bumpVersion(trx: Db): Promise<number> {
  // One row, updated in place: concurrent saves queue on its lock and each gets its own number.
  const row = await trx
    .updateTable('vendor_accounts_version')
    .set((eb) => ({ version: eb('version', '+', 1) }))
    .where('id', '=', 1)
    .returning('version')
    .executeTakeFirstOrThrow();
  return Number(row.version);
}

function toAccount(row: VendorAccountsTable, values: Record<string, string>): StoredVendorAccount {
  return {
    teamId: row.team_id,
    enterpriseId: row.enterprise_id,
    vendor: row.vendor,
    values,
    account: row.account,
    version: Number(row.version),
    updatedAt: new Date(row.updated_at),
    updatedBy: row.updated_by,
    check: row.checked_at === null ? null : { at: new Date(row.checked_at), ok: row.check_ok === null ? null : Number(row.check_ok) === 1, detail: row.check_detail },
  };
}
