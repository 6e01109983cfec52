import type { GlobalShortcut, SlackShortcutMiddlewareArgs, AllMiddlewareArgs } from '@slack/bolt';
import type { ListenerServices } from '../services.js';

/** Global shortcut "Start a remote session": the invite modal, from anywhere. */
export async function startSessionShortcut(
  { shortcut, client }: SlackShortcutMiddlewareArgs<GlobalShortcut> & AllMiddlewareArgs,
  services: ListenerServices,
): Promise<void> {
  const teamId = shortcut.team?.id ?? shortcut.user.team_id;
  if (!teamId) return;
  const view = services.modal.open(teamId);
  if (!view) return;
  await client.views.open({ trigger_id: shortcut.trigger_id, view });
}
