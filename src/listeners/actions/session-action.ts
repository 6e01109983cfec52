import type { ActionArgs } from './action-handler.js';
import type { Actor } from '../../services/sessions.js';

/** The session a card button belongs to (its value) and who clicked it. */
export function sessionAction({ body, action }: Pick<ActionArgs, 'body' | 'action'>): { sessionId: string; actor: Actor } {
  return {
    sessionId: ('value' in action ? action.value : undefined) ?? '',
    actor: { teamId: body.team?.id ?? body.user.team_id ?? '', enterpriseId: body.enterprise?.id, userId: body.user.id },
  };
}
