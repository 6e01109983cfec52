import type { ModalView } from '@slack/types';
import { MODAL_NOT_OPENED_WORDS } from '../slack/modal-opener.js';
import type { ListenerServices } from './services.js';

/** Where the user hears that the modal did not open: their conversation, or the app's DM with them. */
export type ModalFallback = { channelId: string; userId: string } | { directMessageTo: string };

/**
 * Opens a modal within its trigger's 3 s (ModalOpener) from a shortcut or a button, and when Slack
 * did not let it, tells the user to try again: ephemerally where they acted, or by a direct
 * message from the app where there is no conversation (a global shortcut, the Home tab). The
 * telling is best effort and never throws: the request was acknowledged either way.
 */
export async function openModalOrSay(services: ListenerServices, triggerId: string, view: ModalView, receivedAt: number, fallback: ModalFallback, again: string): Promise<void> {
  const opening = await services.views.open(triggerId, view, receivedAt);
  if (opening.opened) return;
  const text = `${MODAL_NOT_OPENED_WORDS} ${again}`;
  try {
    if ('channelId' in fallback) await services.gateway.postEphemeral({ channel: fallback.channelId, user: fallback.userId, text });
    else await services.gateway.postMessage({ channel: fallback.directMessageTo, text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] });
  } catch (error) {
    services.logger.warn({ err: error }, 'could not tell the user the modal did not open');
  }
}
