import type { Context } from '@slack/bolt';
import type { Actor } from '../domain/actor.js';
import type { Logger } from '../domain/logger.js';

/** What the entry layer's middleware put in Bolt's context for each request (app.ts). */
export interface RequestTrace {
  /** A child logger carrying the request's correlation id. */
  logger?: Logger;
  correlationId?: string;
}

/** The request's logger and correlation id, from Bolt's context (absent in tests that build no context). */
export function requestTrace(context: Readonly<Record<string, unknown>>): RequestTrace {
  return { logger: context.logger as Logger | undefined, correlationId: context.correlationId as string | undefined };
}

/** The request's logger, or `fallback` when the context has none. */
export function requestLogger(context: Readonly<Record<string, unknown>>, fallback: Logger): Logger {
  return (context.logger as Logger | undefined) ?? fallback;
}

/** The parts of a block_actions or view_submission payload that say who acts, and where. */
export interface InteractionBody {
  team?: { id: string } | null;
  enterprise?: { id: string } | null;
  user: { id: string; team_id?: string };
}

/**
 * Who acts in a button click or a view submission. The workspace is the installation Bolt
 * authorized the request under (`context`: `team.id`, or `view.app_installed_team_id` for a
 * modal opened from a Slack Connect channel), never the user's own team, which may be another
 * organisation's in a Slack Connect channel: that one is kept apart, for the admin check.
 */
export function interactionActor(body: InteractionBody, context: Pick<Context, 'teamId' | 'enterpriseId' | 'isEnterpriseInstall'> & { logger?: unknown; correlationId?: unknown }): Actor {
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
  const logger = context.logger as Logger | undefined;
  return logger ? { ...services, logger } : services;
}
