import type { App } from '@slack/bolt';
import { parseCommand, usageText } from '../../domain/command-grammar.js';
import { checkInvite, defaultDelivery } from '../../domain/invite-request.js';
import { VENDOR_LABELS } from '../../domain/vendors.js';
import { inviteModal } from '../../ui/invite-modal.js';
import { escapeMrkdwn } from '../../ui/mrkdwn.js';
import { replyThrough } from '../reply.js';
import type { ListenerServices } from '../services.js';

export function registerRendezvousCommand(app: App, services: ListenerServices): void {
  app.command('/rendezvous', async ({ command, ack, client, respond }) => {
    const request = parseCommand(command.text ?? '');
    const vendors = services.sessions.configuredVendors();

    if (request.kind === 'modal') {
      await ack();
      if (vendors.length === 0) {
        await respond({ response_type: 'ephemeral', text: 'No vendor is set up in this workspace yet: an admin must add credentials first.' });
        return;
      }
      await client.views.open({
        trigger_id: command.trigger_id,
        view: inviteModal({ vendors, vendor: vendors[0]!, channelId: command.channel_id, defaults: services.modalDefaults }),
      });
      return;
    }
    if (request.kind === 'help') return ack({ response_type: 'ephemeral', text: usageText() });
    if (request.kind === 'invalid') {
      return ack({ response_type: 'ephemeral', text: `${escapeMrkdwn(request.reason)}\n\n${usageText()}` });
    }
    if (request.kind !== 'invite') {
      return ack({
        response_type: 'ephemeral',
        text: `\`${request.kind}\` is not available in this version of Rendezvous yet.\n\n${usageText()}`,
      });
    }

    const vendor = request.vendor ?? vendors[0];
    if (!vendor || !vendors.includes(vendor)) {
      const name = vendor ? VENDOR_LABELS[vendor] : 'No vendor';
      return ack({ response_type: 'ephemeral', text: `${name} is not set up in this workspace.` });
    }
    const phone = request.contact.kind === 'phone' ? request.contact : undefined;
    const email = request.contact.kind === 'email' ? request.contact : undefined;
    const delivery = request.delivery ?? defaultDelivery(phone, email)!;
    const problems = checkInvite({ vendor, phone, email, delivery, message: request.message, reference: request.reference });
    if (problems.length > 0) {
      return ack({ response_type: 'ephemeral', text: problems.map((problem) => problem.reason).join('\n') });
    }

    await ack({ response_type: 'ephemeral', text: services.sessions.acknowledgement(vendor) });
    await services.sessions.startInvite(
      { vendor, phone, email, delivery, reference: request.reference, message: request.message },
      command.channel_id,
      { teamId: command.team_id, enterpriseId: command.enterprise_id, userId: command.user_id },
      replyThrough(respond, services.logger),
    );
  });
}
