import type { ActionArgs } from './action-handler.js';
import type { Reply } from '../../services/sessions.js';
import type { ListenerServices } from '../services.js';
import { replyTo } from '../reply.js';
import type { Actor } from '../../services/sessions.js';

/** The session a card button belongs to (its value) and who clicked it. */
export function sessionAction({ body, action }: Pick<ActionArgs, 'body' | 'action'>): { sessionId: string; actor: Actor } {
  return {
    sessionId: ('value' in action ? action.value : undefined) ?? '',
    actor: { teamId: body.team?.id ?? body.user.team_id ?? '', enterpriseId: body.enterprise?.id, userId: body.user.id },
  };
}

/** Answers to the clicker: through the response_url, or in the message's conversation when Slack sent none. */
export function actionReply({ body, respond }: Pick<ActionArgs, 'body' | 'respond'>, services: Pick<ListenerServices, 'gateways' | 'logger'>): Reply {
  const channelId = body.channel?.id ?? (body.container as { channel_id?: string } | undefined)?.channel_id;
  const gateway = services.gateways.of({ teamId: body.team?.id ?? body.user.team_id ?? '', enterpriseId: body.enterprise?.id });
  return replyTo({ respond, gateway, channelId, userId: body.user.id, logger: services.logger });
}
