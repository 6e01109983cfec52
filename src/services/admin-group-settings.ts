import type { ModalView } from '@slack/types';
import type { Logger } from '../domain/logger.js';
import { SlackPostError } from '../slack/gateway.js';
import type { WorkspaceSettingsRepository } from '../store/workspace-settings-repository.js';
import { adminGroupModal, USERGROUP_ID, type AdminGroupLine } from '../ui/admin-group.js';
import { ADMIN_GROUP_INPUT } from '../ui/ids.js';

export interface AdminGroupSettingsDeps {
  store: Pick<WorkspaceSettingsRepository, 'get' | 'saveAdminUsergroup'>;
  /** `ADMIN_USERGROUP`: the group of a workspace that has none of its own. */
  defaultGroup: string | undefined;
  /** A workspace admin, or a member of the admin user group (AdminPolicy.isAdmin); its lines with `logger`. */
  isAdmin(teamId: string, userId: string, logger: Logger): Promise<boolean>;
  /** `usergroups.users.list` with the workspace's token: fails with a SlackPostError when Slack says no. */
  usergroupMembers(teamId: string, usergroupId: string): Promise<string[]>;
  /** After a save: the admin's Home tab shows the group as it now is. */
  onSaved?(teamId: string, userId: string): Promise<void>;
  logger: Logger;
  /** How long a workspace's group is trusted in memory (default 60 s): another replica's save takes effect within it. */
  ttlMs?: number;
  now?: () => number;
}

export interface SubmittedAdminGroup {
  teamId: string;
  enterpriseId: string | null;
  userId: string;
  /** The input's trimmed value: '' clears the workspace's own group. */
  value: string;
  /** The request's logger (its correlation id); the service's own when absent. */
  logger?: Logger;
}

export type AdminGroupSubmission = { kind: 'saved' } | { kind: 'refused' | 'invalid'; errors: Record<string, string> };

export const ADMINS_ONLY_GROUP = 'Only workspace admins (and members of the admin user group) can change the admin user group.';
/** What Slack answers `usergroups.users.list` for a group it does not know (in this workspace). */
const UNKNOWN_GROUP = new Set(['no_such_subteam', 'subteam_not_found', 'usergroup_not_found', 'invalid_usergroup']);
/** Workspaces whose group is kept in memory at most; beyond, the oldest go (a cache, never a store). */
const MAX_ENTRIES = 10_000;

/**
 * Each workspace's admin user group (App Home, admins only): its own when an admin saved one,
 * else `ADMIN_USERGROUP`. Read by every admin check, so kept in memory briefly; a save drops this
 * replica's copy at once, the other replicas' within `ttlMs`.
 */
export class AdminGroupSettings {
  private readonly cache = new Map<string, { until: number; group: Promise<string | undefined> }>();

  constructor(private readonly deps: AdminGroupSettingsDeps) {}

  /** The workspace's own group, undefined when it has none (AdminPolicy's `ownGroup`). A failed read is not cached. */
  ownGroup(teamId: string): Promise<string | undefined> {
    const now = this.now();
    const hit = this.cache.get(teamId);
    if (hit && hit.until > now) return hit.group;
    if (this.cache.size >= MAX_ENTRIES) this.cache.delete(this.cache.keys().next().value!);
    const group = this.deps.store.get(teamId).then((settings) => settings?.adminUsergroup ?? undefined);
    this.cache.set(teamId, { until: now + (this.deps.ttlMs ?? 60_000), group });
    group.catch(() => {
      if (this.cache.get(teamId)?.group === group) this.cache.delete(teamId);
    });
    return group;
  }

  /** The admins' line of the Home tab. */
  async line(teamId: string): Promise<AdminGroupLine> {
    const own = await this.ownGroup(teamId);
    if (own) return { source: 'workspace', usergroupId: own };
    return this.deps.defaultGroup ? { source: 'default', usergroupId: this.deps.defaultGroup } : { source: 'none' };
  }

  /** The form for an admin; undefined for anyone else. `logger`: the request's. */
  async form(teamId: string, userId: string, logger: Logger = this.deps.logger): Promise<ModalView | undefined> {
    if (!(await this.deps.isAdmin(teamId, userId, logger))) return undefined;
    return adminGroupModal(await this.ownGroup(teamId), this.deps.defaultGroup);
  }

  /** Checks again who submits (a submission may be forged), then the id, then that Slack knows the group; saves. */
  async submit(input: SubmittedAdminGroup): Promise<AdminGroupSubmission> {
    const { teamId, userId } = input;
    const logger = input.logger ?? this.deps.logger;
    if (!(await this.deps.isAdmin(teamId, userId, logger))) {
      logger.warn({ teamId, userId }, 'admin user group change refused: not an admin');
      return { kind: 'refused', errors: { [ADMIN_GROUP_INPUT.block]: ADMINS_ONLY_GROUP } };
    }
    const group = input.value;
    if (group && !USERGROUP_ID.test(group)) {
      return invalid('A user group id is S followed by capital letters and digits, like S0123ABCD.');
    }
    if (group) {
      const problem = await this.unknownGroup(teamId, group, logger);
      if (problem) return invalid(problem);
    }
    try {
      await this.deps.store.saveAdminUsergroup({ teamId, enterpriseId: input.enterpriseId, adminUsergroup: group || null, updatedBy: userId, now: new Date(this.now()) });
    } catch (error) {
      logger.warn({ teamId, err: error }, 'admin user group not saved');
      return invalid('Rendezvous could not write it to its database; nothing changed. Please try again.');
    }
    // This replica at once; the others when their copy expires.
    this.cache.delete(teamId);
    logger.info({ teamId, userId, usergroup: group || null }, 'admin user group saved');
    return { kind: 'saved' };
  }

  /** Why the group cannot be used, or undefined when Slack lists its members. */
  private async unknownGroup(teamId: string, group: string, logger: Logger): Promise<string | undefined> {
    try {
      await this.deps.usergroupMembers(teamId, group);
      return undefined;
    } catch (error) {
      const code = error instanceof SlackPostError ? error.code : 'internal';
      logger.info({ teamId, usergroup: group, code }, 'admin user group not found');
      if (UNKNOWN_GROUP.has(code)) return `Slack knows no user group ${group} in this workspace.`;
      return `Slack could not check this user group (${code}); nothing saved. Please try again.`;
    }
  }

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }
}

function invalid(message: string): AdminGroupSubmission {
  return { kind: 'invalid', errors: { [ADMIN_GROUP_INPUT.block]: message } };
}
