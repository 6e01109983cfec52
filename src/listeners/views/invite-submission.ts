import { z } from 'zod';
import { readInviteForm } from '../../ui/invite-form.js';
import { refusedViewModal, scopeOf } from '../../ui/view-scope.js';
import { interactionActor } from '../actor.js';
import type { ListenerServices } from '../services.js';
import type { ViewHandler } from './view-handler.js';

/** Said when a form comes back from another workspace than the one it was opened in. */
const FOREIGN_VIEW = 'This form was opened in another workspace, so Rendezvous did not use it: nothing was started. Open it again from this workspace.';

const ResponseUrls = z.array(z.object({ channel_id: z.string(), response_url: z.url() })).catch([]);

export function inviteSubmission(services: ListenerServices): ViewHandler {
  return async ({ ack, body, view, context }) => {
    const actor = interactionActor(body, context);
    if (!services.access.viewBelongs(scopeOf(view.private_metadata), actor, 'invite modal')) {
      await ack({ response_action: 'update', view: refusedViewModal(FOREIGN_VIEW) });
      return;
    }
    const form = readInviteForm(view.state.values, view.private_metadata, services.catalogue);
    if (!form.ok) {
      await ack({ response_action: 'errors', errors: form.errors });
      return;
    }
    const { channelId, request } = form;
    const { userId } = actor;
    const responseUrls = ResponseUrls.parse((body as { response_urls?: unknown }).response_urls ?? []);
    // The conversations_select has response_url_enabled: Slack hands a response_url for the
    // chosen conversation, so the starter's ephemeral links land where the card is.
    const responseUrl = responseUrls[0]?.channel_id === channelId ? responseUrls[0].response_url : undefined;
    // The one write before the ack (session row and creation job): once the modal closes, the
    // request survives any restart. If it cannot be written, the modal stays open and says so.
    const accepted = await services.sessions.accept(
      request,
      channelId,
      actor,
      { responseUrl, source: form.source },
      // A modal submitted twice (a double click, a retry) carries the same view id.
      `view:${view.id}`,
    );
    const field = view.blocks.find((block) => block.type === 'input')?.block_id;
    if (!accepted.accepted && field) {
      await ack({ response_action: 'errors', errors: { [field]: accepted.text } });
      return;
    }
    await ack();
    if (!accepted.accepted) await services.gateways.of(actor).postEphemeral({ channel: channelId, user: userId, text: accepted.text }).catch(() => undefined);
  };
}
