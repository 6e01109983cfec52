import type { ActionHandler } from './action-handler.js';
import { actionReply, sessionAction } from './session-action.js';

/** Customer link on the card: shown only to the clicker, and only to the starter or an admin. */
export const customerLinkButton: ActionHandler = async (args, services) => {
  const { sessionId, actor } = sessionAction(args);
  await services.sessions.revealCustomerLink(sessionId, actor, actionReply(args, services));
};
