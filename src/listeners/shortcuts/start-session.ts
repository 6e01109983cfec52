import type { GlobalShortcut, SlackShortcutMiddlewareArgs, AllMiddlewareArgs } from '@slack/bolt';
import { withScope } from '../../ui/view-scope.js';
import { interactionActor } from '../actor.js';
import type { ListenerServices } from '../services.js';

/** Global shortcut "Start a remote session": the invite modal, from anywhere. */
export async function startSessionShortcut(
  { shortcut, client, context }: SlackShortcutMiddlewareArgs<GlobalShortcut> & AllMiddlewareArgs,
  services: ListenerServices,
): Promise<void> {
  const view = services.modal.open();
  if (!view) return;
  await client.views.open({ trigger_id: shortcut.trigger_id, view: withScope(view, interactionActor(shortcut, context)) });
}
