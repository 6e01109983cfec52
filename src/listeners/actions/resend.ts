import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { ACTION } from '../../ui/ids.js';
import { replyThrough } from '../reply.js';
import type { ListenerServices } from '../services.js';
import { sessionAction } from './session-action.js';

export function registerResendButton(app: App, services: ListenerServices): void {
  app.action<BlockAction<ButtonAction>>(ACTION.resend, async ({ ack, body, action, respond }) => {
    await ack();
    const { sessionId, actor } = sessionAction({ body, action });
    await services.sessions.resend(sessionId, actor, replyThrough(respond, services.logger));
  });
}
