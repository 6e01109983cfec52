import { z } from 'zod';
import { sameWorkspace, type Actor, type WorkspaceScope } from '../domain/actor.js';
import { actorLogger, type Logger } from '../domain/logger.js';
import { escapeMrkdwn } from '../domain/mrkdwn.js';
import type { Session } from '../domain/session.js';
import type { SessionsRepository } from '../store/sessions-repository.js';
import type { AdminPolicy } from './admin-policy.js';

/** A card button's value is the session id the app put there: a UUID (SessionService.newSession). */
const SessionId = z.uuid();

export type SessionAccessResult = { session: Session } | { refused: string };

export interface SessionAccessDeps {
  sessions: Pick<SessionsRepository, 'get'>;
  admins: Pick<AdminPolicy, 'isAdmin'>;
  logger: Logger;
  /** Sessions are purged this long after their last activity (RETENTION_DAYS): the refusal says so. */
  retentionDays: number;
}

/**
 * The one guard every button and view goes through (PRODUCT §1.3, issue 11 "Who may do what").
 * A button's value and a view's `private_metadata` are the app's own, but a card can be seen
 * from another workspace (Slack Connect, an org-shared channel, a forwarded message), and one
 * installation's request must never reach another's session: what they name is checked against
 * the workspace the request acts in. A refusal says nothing of whether the session exists
 * elsewhere, and is logged with ids only (never a contact).
 */
export class SessionAccess {
  constructor(private readonly deps: SessionAccessDeps) {}

  /** The session a button names, when it belongs to the acting workspace; else polite words of refusal. */
  async sessionFor(value: unknown, actor: Actor, action: string): Promise<SessionAccessResult> {
    const id = SessionId.safeParse(value);
    const session = id.success ? await this.deps.sessions.get(id.data) : undefined;
    if (session && sameWorkspace(session, actor)) return { session };
    const base = { action, teamId: actor.teamId, enterpriseId: actor.enterpriseId, userId: actor.userId };
    // A refusal is one line of the click's request: it carries its correlation id.
    const log = actorLogger(actor, this.deps.logger);
    if (session) {
      log.warn(
        { ...base, sessionId: session.id, sessionTeamId: session.teamId, sessionEnterpriseId: session.enterpriseId },
        "refused: a button names another workspace's session",
      );
    } else {
      log.info({ ...base, ...(id.success ? { sessionId: id.data } : { malformedValue: true }) }, 'refused: a button names no session Rendezvous keeps');
    }
    return { refused: this.unknownWords() };
  }

  /** Cancel, Resend and Customer link: the starter, or an admin of the session's workspace. */
  async mayManage(session: Session, actor: Actor): Promise<boolean> {
    if (session.startedBy === actor.userId && sameWorkspace(session, actor)) return true;
    return this.deps.admins.isAdmin(session.teamId, actor);
  }

  /** Said to someone who may not: who may, in plain words. */
  managerOnly(session: Session, verb: string): string {
    return `Only <@${session.startedBy}>, who started ${escapeMrkdwn(session.reference)}, or a Rendezvous admin (a workspace admin or a member of the admin user group) may ${verb} this session.`;
  }

  /**
   * Whether a view (a modal's `private_metadata` scope) was opened in the acting workspace.
   * A view opened before scopes were stamped carries none and is let through: only a scope
   * naming another workspace is refused.
   */
  viewBelongs(scope: WorkspaceScope | undefined, actor: Actor, view: string): boolean {
    if (!scope || sameWorkspace(scope, actor)) return true;
    actorLogger(actor, this.deps.logger).warn(
      { view, teamId: actor.teamId, enterpriseId: actor.enterpriseId, userId: actor.userId, viewTeamId: scope.teamId, viewEnterpriseId: scope.enterpriseId },
      "refused: a view's private_metadata names another workspace",
    );
    return false;
  }

  /** Words for a session that is not there for this workspace (never said: "it belongs elsewhere"). */
  private unknownWords(): string {
    return `Rendezvous keeps no such session in this workspace (sessions are removed ${this.deps.retentionDays} days after their last activity), so nothing was done.`;
  }
}
