import { replyThrough } from '../reply.js';
import type { ActionHandler } from './action-handler.js';
import { sessionAction } from './session-action.js';

/** Refresh on the card: anyone may ask the vendor again. */
export const refreshButton: ActionHandler = async ({ body, action, respond }, services) => {
  const { sessionId, actor } = sessionAction({ body, action });
  await services.sessions.refresh(sessionId, actor, replyThrough(respond, services.logger));
};
