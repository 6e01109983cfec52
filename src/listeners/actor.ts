import type { Context } from '@slack/bolt';
import type { Actor } from '../domain/actor.js';
import type { Logger } from '../domain/logger.js';

/** The parts of a block_actions or view_submission payload that say who acts, and where. */
export interface InteractionBody {
  team?: { id: string } | null;
  enterprise?: { id: string } | null;
  user: { id: string; team_id?: string };
}

/** The request's logger (a child carrying its correlation id) and the id itself. */
export interface RequestTrace {
  logger?: Logger;
  correlationId?: string;
}

/**
 * The correlation id the entry layer put in Bolt's context (the receiver's custom properties,
 * app.ts), and a logger carrying it: a cheap child (src/logger.ts), made only by listeners that
 * log or hand work on. None when the context has no id (tests that build no context).
 */
export function requestTrace(context: Readonly<Record<string, unknown>>, base?: Logger): RequestTrace {
  const correlationId = typeof context.correlationId === 'string' ? context.correlationId : undefined;
  return { correlationId, logger: correlationId && base ? base.child({ correlationId }) : undefined };
}

/** The request's logger: `base` with the request's correlation id bound, or `base` itself when it has none. */
export function requestLogger(context: Readonly<Record<string, unknown>>, base: Logger): Logger {
  return typeof context.correlationId === 'string' ? base.child({ correlationId: context.correlationId }) : base;
}

/**
 * Who acts in a button click or a view submission. The workspace is the installation Bolt
 * authorized the request under (`context`: `team.id`, or `view.app_installed_team_id` for a
 * modal opened from a Slack Connect channel), never the user's own team, which may be another
 * organisation's in a Slack Connect channel: that one is kept apart, for the admin check.
 */
export function interactionActor(body: InteractionBody, context: Pick<Context, 'teamId' | 'enterpriseId' | 'isEnterpriseInstall'> & { correlationId?: unknown }): Actor {
  return {
    ...requestTrace(context),
    teamId: context.teamId ?? body.team?.id ?? body.user.team_id ?? '',
    enterpriseId: context.enterpriseId || body.enterprise?.id || undefined,
    userId: body.user.id,
    userTeamId: body.user.team_id,
    ...(context.isEnterpriseInstall ? { enterpriseInstall: true } : {}),
  };
}

/**
 * The listener services with the request's logger in place of the app's, for listeners that hand
 * `services` on (action handlers, shortcuts): one shallow copy per request, no signature churn.
 */
export function withRequestLogger<S extends { logger: Logger }>(services: S, context: Readonly<Record<string, unknown>>): S {
  return typeof context.correlationId === 'string' ? { ...services, logger: services.logger.child({ correlationId: context.correlationId }) } : services;
}
