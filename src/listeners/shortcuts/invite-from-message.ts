import type { AllMiddlewareArgs, MessageShortcut, SlackShortcutMiddlewareArgs } from '@slack/bolt';
import { contactsInText } from '../../domain/contact-in-text.js';
import { withScope } from '../../ui/view-scope.js';
import { interactionActor } from '../actor.js';
import { openModalOrSay } from '../open-modal.js';
import type { ListenerServices } from '../services.js';

/**
 * Message shortcut "Invite from this message": the modal pre-filled with the contact found in
 * the message; the card goes to that channel, and a reply under the message links to it.
 */
export async function inviteFromMessageShortcut(
  { shortcut, context }: SlackShortcutMiddlewareArgs<MessageShortcut> & AllMiddlewareArgs,
  services: ListenerServices,
  receivedAt: number,
): Promise<void> {
  const found = contactsInText(shortcut.message.text ?? '');
  const prefill = {
    phone: found.phone?.e164,
    email: found.email?.address,
  };
  const source = { channelId: shortcut.channel.id, ts: shortcut.message.thread_ts ?? shortcut.message.ts };
  const teamId = shortcut.team?.id ?? shortcut.user.team_id;
  if (!teamId) return;
  const view = services.modal.open(teamId, shortcut.channel.id, prefill, source);
  if (!view) return;
  const fallback = { channelId: shortcut.channel.id, userId: shortcut.user.id };
  const actor = interactionActor(shortcut, context);
  const request = { triggerId: shortcut.trigger_id, view: withScope(view, actor), receivedAt, team: actor, token: context.botToken };
  await openModalOrSay(services, request, fallback, 'Use "Invite from this message" again to open it.');
}
