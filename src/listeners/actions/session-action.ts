import type { BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { Actor } from '../../services/sessions.js';

type ButtonArgs = SlackActionMiddlewareArgs<BlockAction<ButtonAction>>;

/** The session a card button belongs to (its value) and who clicked it. */
export function sessionAction({ body, action }: Pick<ButtonArgs, 'body' | 'action'>): { sessionId: string; actor: Actor } {
  return {
    sessionId: action.value ?? '',
    actor: { teamId: body.team?.id ?? body.user.team_id ?? '', enterpriseId: body.enterprise?.id, userId: body.user.id },
  };
}
