import type { ActionHandler } from './action-handler.js';
import { actionReply, sessionAction } from './session-action.js';

/** Resend invitation on the card: starter or admin only, to the stored (encrypted) contact. */
export const resendButton: ActionHandler = async (args, services) => {
  const { sessionId, actor } = sessionAction(args);
  await services.sessions.resend(sessionId, actor, actionReply(args, services));
};
