import type { AllMiddlewareArgs, GlobalShortcut, MessageShortcut, SlackShortcutMiddlewareArgs } from '@slack/bolt';
import type { App } from '@slack/bolt';
import { SHORTCUT } from '../../ui/ids.js';
import type { ListenerServices } from '../services.js';
import { inviteFromMessageShortcut } from './invite-from-message.js';
import { startSessionShortcut } from './start-session.js';
import { withRequestLogger } from '../actor.js';

/** One Bolt listener for both shortcuts (as for actions: fewer listeners, cheaper requests). */
export function registerShortcuts(app: App, services: ListenerServices): void {
  const ids = new RegExp(`^(${SHORTCUT.startSession}|${SHORTCUT.inviteFromMessage})$`);
  app.shortcut(ids, async (args) => {
    // The trigger_id's 3 s run from about now.
    const receivedAt = Date.now();
    await args.ack();
    if (args.shortcut.type === 'message_action' && args.shortcut.callback_id === SHORTCUT.inviteFromMessage) {
      await inviteFromMessageShortcut(args as SlackShortcutMiddlewareArgs<MessageShortcut> & AllMiddlewareArgs, withRequestLogger(services, args.context), receivedAt);
    } else if (args.shortcut.type === 'shortcut' && args.shortcut.callback_id === SHORTCUT.startSession) {
      await startSessionShortcut(args as SlackShortcutMiddlewareArgs<GlobalShortcut> & AllMiddlewareArgs, withRequestLogger(services, args.context), receivedAt);
    }
  });
}
