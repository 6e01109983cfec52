import type { Db } from './database.js';
import type { WorkspaceSettingsTable } from './schema.js';

/** A workspace's own settings as an admin saved them in the App Home. */
export interface WorkspaceSettings {
  teamId: string;
  /** Its admin user group; null: the environment's ADMIN_USERGROUP. */
  adminUsergroup: string | null;
  updatedAt: Date;
  updatedBy: string;
}

export interface SaveWorkspaceSettings {
  teamId: string;
  enterpriseId: string | null;
  adminUsergroup: string | null;
  updatedBy: string;
  now?: Date;
}

/** One row per workspace that saved a setting of its own (`workspace_settings`). */
export class WorkspaceSettingsRepository {
  constructor(private readonly db: Db) {}

  /** The workspace's settings, or undefined when it never saved any. */
  async get(teamId: string): Promise<WorkspaceSettings | undefined> {
    const row = await this.db.selectFrom('workspace_settings').selectAll().where('team_id', '=', teamId).executeTakeFirst();
    if (!row) return undefined;
    return { teamId: row.team_id, adminUsergroup: row.admin_usergroup, updatedAt: new Date(row.updated_at), updatedBy: row.updated_by };
  }

  /** Writes (or replaces) the workspace's admin user group; null clears it back to the default. */
  async saveAdminUsergroup(input: SaveWorkspaceSettings): Promise<void> {
    const row = {
      team_id: input.teamId,
      enterprise_id: input.enterpriseId,
      admin_usergroup: input.adminUsergroup,
      updated_at: (input.now ?? new Date()).toISOString(),
      updated_by: input.updatedBy,
    } satisfies WorkspaceSettingsTable;
    await this.db
      .insertInto('workspace_settings')
      .values(row)
      .onConflict((conflict) =>
        conflict.column('team_id').doUpdateSet({
          enterprise_id: row.enterprise_id,
          admin_usergroup: row.admin_usergroup,
          updated_at: row.updated_at,
          updated_by: row.updated_by,
        }),
      )
      .execute();
  }
}
