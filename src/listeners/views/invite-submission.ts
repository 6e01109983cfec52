import type { App } from '@slack/bolt';
import { z } from 'zod';
import { CALLBACK } from '../../ui/ids.js';
import { readInviteForm } from '../../ui/invite-form.js';
import type { Reply } from '../../services/sessions.js';
import type { ListenerServices } from '../services.js';

const ResponseUrls = z.array(z.object({ channel_id: z.string(), response_url: z.url() })).catch([]);

export function registerInviteSubmission(app: App, services: ListenerServices): void {
  app.view(CALLBACK.inviteModal, async ({ ack, body, view, respond }) => {
    const form = readInviteForm(view.state.values, view.private_metadata, services.catalogue);
    if (!form.ok) {
      await ack({ response_action: 'errors', errors: form.errors });
      return;
    }
    await ack();
    const { channelId, request } = form;
    const userId = body.user.id;
    const responseUrls = ResponseUrls.parse((body as { response_urls?: unknown }).response_urls ?? []);
    const viaUrl = responseUrls[0]?.channel_id === channelId;
    // The conversations_select has response_url_enabled: Slack hands a response_url for the
    // chosen conversation, so the starter's ephemeral links land where the card is.
    const reply: Reply = async (text) => {
      try {
        if (viaUrl && respond) await respond({ response_type: 'ephemeral', text });
        else await services.gateway.postEphemeral({ channel: channelId, user: userId, text });
      } catch (error) {
        services.logger.warn({ err: error }, 'ephemeral reply failed');
      }
    };
    const session = await services.sessions.start(
      request,
      channelId,
      { teamId: body.team?.id ?? body.user.team_id ?? '', enterpriseId: body.enterprise?.id, userId },
      reply,
    );
    if (session && form.source) await services.sessions.linkFromMessage(session, form.source);
  });
}
