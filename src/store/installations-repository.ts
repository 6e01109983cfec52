import { leaseFree } from './lease-free.js';
import type { ExpressionBuilder, Selectable } from 'kysely';
import { z } from 'zod';
import { installationKey, type BotCredentials, type Installation, type InstallationScope, type StoredInstallation } from '../domain/installation.js';
import type { ContactCrypto } from './contact-crypto.js';
import type { Db } from './database.js';
import type { Database, InstallationsTable } from './schema.js';

/** What the sealed `bot_credentials` holds; parsed, as any stored value another release may have written. */
const SealedBot = z.object({
  token: z.string().min(1),
  refreshToken: z.string().min(1).optional(),
  /** Epoch milliseconds. */
  expiresAt: z.number().int().optional(),
});

/** Why the outbox set a session's replies aside when its workspace went (thread replies never posted). */
export const UNINSTALLED = 'app_uninstalled';

/** Which installation a Slack request or a session needs: a workspace's own, else its organisation's org-wide one. */
export interface InstallationLookup {
  teamId?: string | null;
  enterpriseId?: string | null;
}

/**
 * OAuth installs, in and out: credentials are sealed on the way in (the installation-tokens key)
 * and opened on the way out, so no token leaves this file in a row, and none is ever logged.
 */
export class InstallationsRepository {
  constructor(
    private readonly db: Db,
    private readonly crypto: ContactCrypto,
  ) {}

  /** Stores an install; a reinstall replaces the previous token and scopes (and ends any refresh lease). */
  async save(installation: Installation, now: Date = new Date()): Promise<void> {
    const at = now.toISOString();
    const fields = {
      enterprise_id: installation.enterpriseId,
      enterprise_name: installation.enterpriseName,
      team_id: installation.isEnterpriseInstall ? null : installation.teamId,
      team_name: installation.isEnterpriseInstall ? null : installation.teamName,
      is_enterprise_install: installation.isEnterpriseInstall ? 1 : 0,
      app_id: installation.appId,
      bot_id: installation.botId,
      bot_user_id: installation.botUserId,
      bot_scopes: installation.botScopes.join(','),
      installer_user_id: installation.installerUserId,
      bot_credentials: this.seal(installation.bot),
      refresh_owner: null,
      refresh_until: null,
      updated_at: at,
    };
    await this.db
      .insertInto('installations')
      .values({ key: installationKey(installation), ...fields, installed_at: at })
      .onConflict((conflict) => conflict.column('key').doUpdateSet((eb) => ({ ...fields, version: eb('installations.version', '+', 1) })))
      .execute();
  }

  /**
   * The installation whose token serves a workspace: its own (keyed by team), else the org-wide
   * install of its Enterprise Grid organisation. With no team (an organisation-level request),
   * the org-wide one.
   */
  async find(lookup: InstallationLookup): Promise<StoredInstallation | undefined> {
    const { teamId, enterpriseId } = lookup;
    if (!teamId && !enterpriseId) return undefined;
    const row = await this.db
      .selectFrom('installations')
      .selectAll()
      .where((eb) =>
        eb.or([
          ...(teamId ? [eb.and([eb('team_id', '=', teamId), eb('is_enterprise_install', '=', 0)])] : []),
          ...(enterpriseId ? [eb.and([eb('enterprise_id', '=', enterpriseId), eb('is_enterprise_install', '=', 1)])] : []),
        ]),
      )
      // The workspace's own install first.
      .orderBy('is_enterprise_install')
      .limit(1)
      .executeTakeFirst();
    return row && this.toInstallation(row);
  }

  async byKey(key: string): Promise<StoredInstallation | undefined> {
    const row = await this.db.selectFrom('installations').selectAll().where('key', '=', key).executeTakeFirst();
    return row && this.toInstallation(row);
  }

  /**
   * Takes the right to renew an installation's token, across replicas: only while its
   * credentials are still at `version` (nobody renewed them meanwhile) and nobody else holds an
   * unexpired lease. The database serialises the update, so at most one caller gets true.
   */
  async leaseRefresh(key: string, version: number, owner: string, now: Date, leaseMs: number): Promise<boolean> {
    const nowIso = now.toISOString();
    const result = await this.db
      .updateTable('installations')
      .set({ refresh_owner: owner, refresh_until: new Date(now.getTime() + leaseMs).toISOString() })
      .where('key', '=', key)
      .where('version', '=', version)
      .where((eb) => leaseFree(eb, 'refresh_until', nowIso))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Stores renewed credentials and ends the lease; false when this owner no longer held it. */
  async finishRefresh(key: string, owner: string, bot: BotCredentials, now: Date = new Date()): Promise<boolean> {
    const result = await this.db
      .updateTable('installations')
      .set((eb) => ({
        bot_credentials: this.seal(bot),
        version: eb('version', '+', 1),
        refresh_owner: null,
        refresh_until: null,
        updated_at: now.toISOString(),
      }))
      .where('key', '=', key)
      .where('refresh_owner', '=', owner)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Gives the lease back without renewing (the refresh failed): another caller may try at once. */
  async releaseRefresh(key: string, owner: string): Promise<void> {
    await this.db.updateTable('installations').set({ refresh_owner: null, refresh_until: null }).where('key', '=', key).where('refresh_owner', '=', owner).execute();
  }

  /**
   * The app was uninstalled (or its bot token revoked): the installation goes, and in the same
   * transaction the sessions it served are set aside: no more polling (tracking off), their
   * unposted thread replies set aside as `app_uninstalled`, creations not yet made dropped (the
   * session says why). Other workspaces' sessions are untouched. Idempotent.
   */
  async uninstall(scope: InstallationScope, now: Date = new Date()): Promise<{ installations: number; sessions: number }> {
    const at = now.toISOString();
    return this.db.transaction().execute(async (trx) => {
      const removed = await trx
        .deleteFrom('installations')
        .where((eb) =>
          'orgWide' in scope
            ? eb.and([eb('enterprise_id', '=', scope.enterpriseId), eb('is_enterprise_install', '=', 1)])
            : eb.and([eb('team_id', '=', scope.teamId), eb('is_enterprise_install', '=', 0)]),
        )
        .executeTakeFirst();
      const served = (eb: ExpressionBuilder<Database, 'sessions'>) =>
        'orgWide' in scope
          ? // Workspaces of the organisation that installed the app themselves keep their own token.
            eb.and([
              eb('sessions.enterprise_id', '=', scope.enterpriseId),
              eb.not(eb.exists(eb.selectFrom('installations').select('installations.key').whereRef('installations.team_id', '=', 'sessions.team_id'))),
            ])
          : eb('sessions.team_id', '=', scope.teamId);
      const servedIds = trx.selectFrom('sessions').select('sessions.id').where(served);
      await trx
        .updateTable('milestones')
        .set({ dead_lettered_at: at, last_error: UNINSTALLED })
        .where('session_id', 'in', servedIds)
        .where('posted_ts', 'is', null)
        .where('dead_lettered_at', 'is', null)
        .execute();
      await trx.deleteFrom('creation_jobs').where('session_id', 'in', servedIds).execute();
      await trx
        .updateTable('sessions')
        .set({ status: 'failed', status_detail: 'Not created: Rendezvous was removed from this workspace first.', last_error: UNINSTALLED })
        .where(served)
        .where('status', '=', 'creating')
        .execute();
      // The version moves, so an outcome computed before this is re-judged, not blindly written.
      const setAside = await trx
        .updateTable('sessions')
        .set((eb) => ({ set_aside_at: at, tracking: 0, next_check_at: null, version: eb('version', '+', 1) }))
        .where(served)
        .where('set_aside_at', 'is', null)
        .executeTakeFirst();
      return { installations: Number(removed.numDeletedRows), sessions: Number(setAside.numUpdatedRows) };
    });
  }

  private seal(bot: BotCredentials): string {
    const plain = { token: bot.token, refreshToken: bot.refreshToken, expiresAt: bot.expiresAt?.getTime() };
    return this.crypto.encrypt(JSON.stringify(plain), 'installationTokens');
  }

  private open(sealed: string): BotCredentials {
    const bot = SealedBot.parse(JSON.parse(this.crypto.decrypt(sealed, 'installationTokens')));
    return {
      token: bot.token,
      ...(bot.refreshToken ? { refreshToken: bot.refreshToken } : {}),
      ...(bot.expiresAt !== undefined ? { expiresAt: new Date(bot.expiresAt) } : {}),
    };
  }

  private toInstallation(row: Selectable<InstallationsTable>): StoredInstallation {
    return {
      key: row.key,
      enterpriseId: row.enterprise_id,
      enterpriseName: row.enterprise_name,
      teamId: row.team_id,
      teamName: row.team_name,
      isEnterpriseInstall: row.is_enterprise_install === 1,
      appId: row.app_id,
      botId: row.bot_id,
      botUserId: row.bot_user_id,
      botScopes: row.bot_scopes === '' ? [] : row.bot_scopes.split(','),
      installerUserId: row.installer_user_id,
      bot: this.open(row.bot_credentials),
      version: Number(row.version),
      installedAt: new Date(row.installed_at),
      updatedAt: new Date(row.updated_at),
    };
  }
}
