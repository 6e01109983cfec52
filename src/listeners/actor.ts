import type { Context } from '@slack/bolt';
import type { Actor } from '../domain/actor.js';

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
export function interactionActor(body: InteractionBody, context: Pick<Context, 'teamId' | 'enterpriseId' | 'isEnterpriseInstall'>): Actor {
  return {
    teamId: context.teamId ?? body.team?.id ?? body.user.team_id ?? '',
    enterpriseId: context.enterpriseId || body.enterprise?.id || undefined,
    userId: body.user.id,
    userTeamId: body.user.team_id,
    ...(context.isEnterpriseInstall ? { enterpriseInstall: true } : {}),
  };
}
