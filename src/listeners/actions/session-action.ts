import type { ActionArgs } from './action-handler.js';
import type { Reply } from '../../services/sessions.js';
import type { ListenerServices } from '../services.js';
import { replyTo } from '../reply.js';
import type { Actor } from '../../domain/actor.js';
import { interactionActor } from '../actor.js';

/** The session a card button names (its value, checked by the service against the actor's workspace) and who clicked it. */
export function sessionAction({ body, action, context }: Pick<ActionArgs, 'body' | 'action' | 'context'>): { sessionId: string; actor: Actor } {
  return {
    sessionId: ('value' in action ? action.value : undefined) ?? '',
    actor: interactionActor(body, context),
  };
}

/** Answers to the clicker: through the response_url, or in the message's conversation when Slack sent none. */
export function actionReply({ body, respond }: Pick<ActionArgs, 'body' | 'respond'>, services: Pick<ListenerServices, 'gateways' | 'logger'>): Reply {
  const channelId = body.channel?.id ?? (body.container as { channel_id?: string } | undefined)?.channel_id;
  const gateway = services.gateways.of({ teamId: body.team?.id ?? body.user.team_id ?? '', enterpriseId: body.enterprise?.id });
  return replyTo({ respond, gateway, channelId, userId: body.user.id, logger: services.logger });
}
