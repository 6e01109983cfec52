import type { ModalView } from '@slack/types';
import type { TeamRef } from '../domain/installation.js';
import { MODAL_NOT_OPENED_WORDS } from '../slack/modal-opener.js';
import type { ListenerServices } from './services.js';

/** Where the user hears that the modal did not open: their conversation, or the app's DM with them. */
export type ModalFallback = { channelId: string; userId: string } | { directMessageTo: string };

export interface ModalRequest {
  triggerId: string;
  view: ModalView;
  /** When the request carrying the trigger arrived (epoch ms): its 3 s run from then. */
  receivedAt: number;
  /** The workspace acted in, and the request's own bot token (Bolt's `context.botToken`). */
  team: TeamRef;
  token?: string;
}

/**
 * Opens a modal within its trigger's 3 s (ModalOpener) from a shortcut or a button, and when Slack
 * did not let it, tells the user to try again: ephemerally where they acted, or by a direct
 * message from the app where there is no conversation (a global shortcut, the Home tab). The
 * telling is best effort and never throws: the request was acknowledged either way.
 */
export async function openModalOrSay(services: ListenerServices, request: ModalRequest, fallback: ModalFallback, again: string): Promise<void> {
  const opening = await services.views.open(request.triggerId, request.view, request.receivedAt, request.token, services.logger);
  if (opening.opened) return;
  const text = `${MODAL_NOT_OPENED_WORDS} ${again}`;
  const slack = services.gateways.of(request.team);
  try {
    if ('channelId' in fallback) await slack.postEphemeral({ channel: fallback.channelId, user: fallback.userId, text });
    else await slack.postMessage({ channel: fallback.directMessageTo, text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] });
  } catch (error) {
    services.logger.warn({ err: error }, 'could not tell the user the modal did not open');
  }
}
