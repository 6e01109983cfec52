import type { ActionHandler } from './action-handler.js';
import { actionReply, sessionAction } from './session-action.js';

/** Refresh on the card: anyone who sees it may ask the vendor again, within SessionService.refresh's limits. */
export const refreshButton: ActionHandler = async (args, services) => {
  const { sessionId, actor } = sessionAction(args);
  await services.sessions.refresh(sessionId, actor, actionReply(args, services));
};
