import { replyThrough } from '../reply.js';
import type { ActionHandler } from './action-handler.js';
import { sessionAction } from './session-action.js';

/** Customer link on the card: shown only to the clicker, and only to the starter or an admin. */
export const customerLinkButton: ActionHandler = async ({ body, action, respond }, services) => {
  const { sessionId, actor } = sessionAction({ body, action });
  await services.sessions.revealCustomerLink(sessionId, actor, replyThrough(respond, services.logger));
};
