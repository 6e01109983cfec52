import { replyThrough } from '../reply.js';
import type { ActionHandler } from './action-handler.js';
import { sessionAction } from './session-action.js';

/** Resend invitation on the card: starter or admin only, to the stored (encrypted) contact. */
export const resendButton: ActionHandler = async ({ body, action, respond }, services) => {
  const { sessionId, actor } = sessionAction({ body, action });
  await services.sessions.resend(sessionId, actor, replyThrough(respond, services.logger));
};
