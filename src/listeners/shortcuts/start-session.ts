import type { GlobalShortcut, SlackShortcutMiddlewareArgs, AllMiddlewareArgs } from '@slack/bolt';
import { withScope } from '../../ui/view-scope.js';
import { interactionActor } from '../actor.js';
import { openModalOrSay } from '../open-modal.js';
import type { ListenerServices } from '../services.js';

/** Global shortcut "Start a remote session": the invite modal, from anywhere. */
export async function startSessionShortcut(
  { shortcut, context }: SlackShortcutMiddlewareArgs<GlobalShortcut> & AllMiddlewareArgs,
  services: ListenerServices,
  receivedAt: number,
): Promise<void> {
  const teamId = shortcut.team?.id ?? shortcut.user.team_id;
  if (!teamId) return;
  const view = services.modal.open(teamId);
  if (!view) return;
  // A global shortcut has no conversation: a failure is told in the app's DM with the user.
  const actor = interactionActor(shortcut, context);
  const request = { triggerId: shortcut.trigger_id, view: withScope(view, actor), receivedAt, team: actor, token: context.botToken };
  await openModalOrSay(services, request, { directMessageTo: shortcut.user.id }, 'Use the "Start a remote session" shortcut again to open it.');
}
