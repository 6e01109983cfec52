import { readAdminGroupForm } from '../../ui/admin-group.js';
import type { ListenerServices } from '../services.js';
import type { ViewHandler } from './view-handler.js';
import { requestLogger } from '../actor.js';

/**
 * An admin saves the workspace's admin user group from the App Home: a refusal or a bad id is
 * answered on the field; once saved, the modal closes (the ack) and the Home tab is published again.
 */
export function adminGroupSubmission(services: ListenerServices): ViewHandler {
  return async ({ ack, body, view, context }) => {
    const value = readAdminGroupForm(view.state.values);
    const teamId = body.team?.id ?? body.user.team_id;
    if (value === undefined || !teamId) {
      await ack();
      requestLogger(context, services.logger).warn({ teamId, userId: body.user.id }, 'admin user group submission unreadable; nothing saved');
      return;
    }
    const enterpriseId = body.enterprise?.id ?? null;
    const answer = await services.adminGroup.submit({ teamId, enterpriseId, userId: body.user.id, value, logger: requestLogger(context, services.logger) });
    if (answer.kind !== 'saved') {
      await ack({ response_action: 'errors', errors: answer.errors });
      return;
    }
    await ack();
    await services.home.publish(teamId, body.user.id, enterpriseId, requestLogger(context, services.logger));
  };
}
