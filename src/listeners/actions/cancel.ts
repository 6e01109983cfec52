import type { ActionHandler } from './action-handler.js';
import { actionReply, sessionAction } from './session-action.js';

/** Cancel on the card: starter or admin only; ends the session in Rendezvous. */
export const cancelButton: ActionHandler = async (args, services) => {
  const { sessionId, actor } = sessionAction(args);
  await services.sessions.cancel(sessionId, actor, actionReply(args, services));
};
