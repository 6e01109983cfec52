import { actsFromOwnTeam, type Actor } from '../domain/actor.js';
import { actorLogger, type Logger } from '../domain/logger.js';
import { SlackPostError, type UserRoles } from '../slack/gateway.js';

/** The two Slack lookups the admin check makes, with the token of the workspace asked about. */
export interface AdminLookup {
  userRoles(userId: string): Promise<UserRoles>;
  usergroupMembers(usergroupId: string): Promise<string[]>;
}

/**
 * A workspace's admin user group: its installation's own (set in App Home) when it has one,
 * else `ADMIN_USERGROUP`. Until installations carry one, every workspace gets the default.
 */
export type AdminUsergroupFor = (teamId: string) => string | undefined | Promise<string | undefined>;

export function adminUsergroupFor(defaultGroup: string | undefined, ownGroup?: AdminUsergroupFor): AdminUsergroupFor {
  if (!ownGroup) return () => defaultGroup;
  return async (teamId) => (await ownGroup(teamId)) ?? defaultGroup;
}

export interface AdminPolicyDeps {
  /** The Slack lookups acting for one workspace (its installation's token). */
  slackFor(teamId: string): AdminLookup;
  adminUsergroupFor: AdminUsergroupFor;
  logger: Logger;
  /** How long a user's roles are trusted (default 5 minutes). */
  rolesTtlMs?: number;
  /** How long a user group's members are trusted (default 1 minute: a removal takes effect soon). */
  membersTtlMs?: number;
  now?: () => number;
}

/** Answers kept at most this many at once; beyond, the oldest go (a cache, never a store). */
const MAX_ENTRIES = 10_000;

/**
 * Who administers Rendezvous in a workspace (PRODUCT §1.3): a Slack workspace admin, owner or
 * primary owner, or a member of the workspace's admin user group. A user of another team (a
 * Slack Connect guest) never is, whatever their own organisation says of them: asked first from
 * the request (`user.team_id`), then from `users.info`'s `team_id`. A lookup that fails counts as
 * "no" and is not cached, so a Slack hiccup costs one refusal, not five minutes of them.
 */
export class AdminPolicy {
  private readonly roles = new Map<string, { until: number; answer: Promise<UserRoles> }>();
  private readonly members = new Map<string, { until: number; answer: Promise<ReadonlySet<string>> }>();

  constructor(private readonly deps: AdminPolicyDeps) {}

  /** `actor`'s logger or correlation id, when it has one, is the one its lines are written with. */
  async isAdmin(teamId: string, actor: Pick<Actor, 'userId' | 'userTeamId' | 'teamId' | 'logger' | 'correlationId'>): Promise<boolean> {
    // Made only when a line is written: most checks write none.
    const log = () => actorLogger(actor, this.deps.logger);
    if (!actsFromOwnTeam(teamId, actor)) {
      log().info({ teamId, userId: actor.userId, userTeamId: actor.userTeamId }, 'a user of another team is not an admin here');
      return false;
    }
    const slack = this.deps.slackFor(teamId);
    try {
      const roles = await this.cached(this.roles, `${teamId}:${actor.userId}`, this.deps.rolesTtlMs ?? 5 * 60_000, () => slack.userRoles(actor.userId));
      if (roles.teamId !== undefined && roles.teamId !== teamId) {
        log().info({ teamId, userId: actor.userId, userTeamId: roles.teamId }, 'a user of another team is not an admin here');
        return false;
      }
      if (roles.admin) return true;
      const group = await this.deps.adminUsergroupFor(teamId);
      if (!group) return false;
      const members = await this.cached(this.members, `${teamId}:${group}`, this.deps.membersTtlMs ?? 60_000, async () => new Set(await slack.usergroupMembers(group)));
      return members.has(actor.userId);
    } catch (error) {
      const code = error instanceof SlackPostError ? error.code : 'internal';
      log().warn({ teamId, userId: actor.userId, code }, 'admin check failed; treating the user as not an admin');
      return false;
    }
  }

  /** One lookup per key at a time and per TTL; a failed one is forgotten at once. */
  private cached<T>(cache: Map<string, { until: number; answer: Promise<T> }>, key: string, ttlMs: number, lookup: () => Promise<T>): Promise<T> {
    const now = (this.deps.now ?? Date.now)();
    const hit = cache.get(key);
    if (hit && hit.until > now) return hit.answer;
    if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value!);
    const answer = lookup();
    cache.set(key, { until: now + ttlMs, answer });
    answer.catch(() => {
      if (cache.get(key)?.answer === answer) cache.delete(key);
    });
    return answer;
  }
}
