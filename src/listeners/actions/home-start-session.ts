import { noVendorModal } from '../../ui/home.js';
import { withScope } from '../../ui/view-scope.js';
import { interactionActor } from '../actor.js';
import type { ActionHandler } from './action-handler.js';

/** The Home tab's "Start a remote session": the invite modal, opened at once with the click's trigger. */
export const homeStartSessionButton: ActionHandler = async ({ body, client, context }, services) => {
  const view = withScope(services.modal.open() ?? noVendorModal(), interactionActor(body, context));
  try {
    await client.views.open({ trigger_id: body.trigger_id, view });
  } catch (error) {
    services.logger.warn({ err: error }, 'invite modal not opened from the Home tab');
  }
};
