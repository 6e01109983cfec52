import type { App, GlobalShortcut } from '@slack/bolt';
import { SHORTCUT } from '../../ui/ids.js';
import type { ListenerServices } from '../services.js';

/** Global shortcut "Start a remote session": the invite modal, from anywhere. */
export function registerStartSessionShortcut(app: App, services: ListenerServices): void {
  app.shortcut<GlobalShortcut>(SHORTCUT.startSession, async ({ ack, shortcut, client }) => {
    await ack();
    const view = services.modal.open();
    if (!view) return;
    await client.views.open({ trigger_id: shortcut.trigger_id, view });
  });
}
