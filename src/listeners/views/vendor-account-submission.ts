import { readVendorAccountForm } from '../../ui/vendor-accounts.js';
import type { ListenerServices } from '../services.js';
import type { ViewHandler } from './view-handler.js';
import { requestLogger } from '../actor.js';

/**
 * An admin saves a vendor account from the App Home: errors are answered on their fields; else the
 * modal says "saving and checking" at once (the ack), and is updated with the outcome once the
 * save and the vendor's check are done.
 */
export function vendorAccountSubmission(services: ListenerServices): ViewHandler {
  return async ({ ack, body, view, client, context }) => {
    const form = readVendorAccountForm(view.state.values, view.private_metadata, (vendor) => services.vendorAccounts.fieldsOf(vendor));
    const teamId = body.team?.id ?? body.user.team_id;
    if (!form || !teamId) {
      await ack();
      requestLogger(context, services.logger).warn({ teamId, userId: body.user.id }, 'vendor account submission unreadable; nothing saved');
      return;
    }
    const answer = await services.vendorAccounts.submit({ teamId, enterpriseId: body.enterprise?.id ?? null, userId: body.user.id, ...form, logger: requestLogger(context, services.logger) });
    if (answer.kind !== 'accepted') {
      await ack({ response_action: 'errors', errors: answer.errors });
      return;
    }
    await ack({ response_action: 'update', view: answer.view });
    await answer.finish(async (next) => {
      await client.views.update({ view_id: view.id, view: next });
    });
  };
}
