import type { App } from '@slack/bolt';
import { parseCommand, usageText } from '../../domain/command-grammar.js';
import { commandToStart } from '../../services/command-requests.js';
import { escapeMrkdwn } from '../../ui/mrkdwn.js';
import { MODAL_NOT_OPENED_WORDS } from '../../slack/modal-opener.js';
import { withScope } from '../../ui/view-scope.js';
import { requestLogger, requestTrace } from '../actor.js';
import { replyTo } from '../reply.js';
import type { ListenerServices } from '../services.js';

/** Slack refused or throttled views.open past the trigger's life: the user would otherwise see nothing. */
export const MODAL_NOT_OPENED = `${MODAL_NOT_OPENED_WORDS} Run \`/rendezvous\` again to open it.`;

export function registerRendezvousCommand(app: App, services: ListenerServices): void {
  // The usage is drawn from the catalogue, which does not change while the app runs.
  const usage = usageText(services.catalogue);
  app.command('/rendezvous', async ({ command, ack, respond, context }) => {
    // The trigger_id's 3 s run from about now.
    const receivedAt = Date.now();
    const request = parseCommand(command.text ?? '', services.catalogue);
    // Answered by the ack alone: nothing else is built for them (the help is the commonest request).
    switch (request.kind) {
      case 'help':
        return ack({ response_type: 'ephemeral', text: usage });
      case 'invalid':
        return ack({ response_type: 'ephemeral', text: `${escapeMrkdwn(request.reason)}\n\n${usage}` });
      case 'vendors':
        return ack({ response_type: 'ephemeral', text: services.directory.vendorsText(command.team_id) });
    }
    // An empty enterprise_id (outside Enterprise Grid) is none: sessions and later clicks must agree.
    const actor = { teamId: command.team_id, enterpriseId: command.enterprise_id || undefined, userId: command.user_id, ...requestTrace(context) };
    const logger = requestLogger(context, services.logger);
    // Slack may send no response_url (Bolt's `respond` is then undefined): the answers then go by chat.postEphemeral.
    const reply = replyTo({ respond, gateway: services.gateways.of(actor), channelId: command.channel_id, userId: command.user_id, logger });

    switch (request.kind) {
      case 'modal': {
        await ack();
        const view = services.modal.open(command.team_id, command.channel_id);
        if (!view) return reply('No vendor is set up in this workspace yet: an admin must add credentials first.');
        const opening = await services.views.open(command.trigger_id, withScope(view, actor), receivedAt, context.botToken, logger);
        if (!opening.opened) return reply(MODAL_NOT_OPENED);
        return;
      }
      case 'status':
        await ack();
        return reply(await services.directory.statusText(request.reference, actor));
      case 'stats': {
        await ack();
        const { text, blocks } = await services.stats(request.from, request.to, actor);
        return reply(text, blocks);
      }
      default: {
        const start = commandToStart(request, services.commandDefaults(command.team_id));
        if (!start.ok) return ack({ response_type: 'ephemeral', text: escapeMrkdwn(start.reason) });
        // The one write before the ack (session row and creation job, a few milliseconds): once
        // acknowledged, a request survives any restart; if it cannot be written, the ack says so.
        const responseUrl = command.response_url ? command.response_url : undefined;
        const accepted = await services.sessions.accept(start.request, command.channel_id, actor, { responseUrl }, `command:${command.trigger_id}`);
        await ack({ response_type: 'ephemeral', text: accepted.text });
      }
    }
  });
}
