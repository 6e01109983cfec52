import type { Logger } from './logger.js';

/**
 * Who acts, from a Slack request. `teamId`/`enterpriseId` are the workspace the request acts in
 * (the installation Bolt authorized it under); every session row carries the same pair.
 */
export interface Actor {
  teamId: string;
  enterpriseId?: string;
  userId: string;
  /**
   * The acting user's own team (`user.team_id`). In a Slack Connect channel it may be another
   * organisation's: such a user may see and refresh a card, but never administers this workspace.
   * Absent where Slack does not say (slash commands, which only the installing organisation can run).
   */
  userTeamId?: string;
  /** The request came through an org-wide (Enterprise Grid) installation: the enterprise is the scope. */
  enterpriseInstall?: boolean;
  /**
   * The logger of the request or creation job acting (a child carrying its correlation id): the
   * services write their lines for it with this one, when given, rather than their own.
   */
  logger?: Logger;
  /** The request's correlation id: its creation job carries it, so the job's lines share it. */
  correlationId?: string;
}

/** Where a session or a view belongs: the workspace (and enterprise) it was made in. */
export interface WorkspaceScope {
  teamId: string;
  enterpriseId?: string | null;
}

/**
 * Whether a request acting in `actor`'s workspace may touch something made in `scope`: the same
 * team and the same enterprise (or none on both sides); through an org-wide installation, any
 * workspace of the same enterprise, since that installation serves all of them.
 */
export function sameWorkspace(scope: WorkspaceScope, actor: Pick<Actor, 'teamId' | 'enterpriseId' | 'enterpriseInstall'>): boolean {
  // Outside Enterprise Grid, Slack may send an empty enterprise id: none.
  const scopeEnterprise = scope.enterpriseId || undefined;
  const actorEnterprise = actor.enterpriseId || undefined;
  if (scopeEnterprise !== actorEnterprise) return false;
  if (actor.enterpriseInstall && actorEnterprise !== undefined) return true;
  return scope.teamId !== '' && scope.teamId === actor.teamId;
}

/**
 * Whether the acting user belongs to `teamId` itself. A user of another team (a Slack Connect
 * guest) is never an admin of this one, whatever their own workspace says of them.
 */
export function actsFromOwnTeam(teamId: string, actor: Pick<Actor, 'teamId' | 'userTeamId'>): boolean {
  return (actor.userTeamId ?? actor.teamId) === teamId;
}
