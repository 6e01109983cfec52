import { replyThrough } from '../reply.js';
import type { ActionHandler } from './action-handler.js';
import { sessionAction } from './session-action.js';

/** Cancel on the card: starter or admin only; ends the session in Rendezvous. */
export const cancelButton: ActionHandler = async ({ body, action, respond }, services) => {
  const { sessionId, actor } = sessionAction({ body, action });
  await services.sessions.cancel(sessionId, actor, replyThrough(respond, services.logger));
};
