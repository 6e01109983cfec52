import { noVendorModal } from '../../ui/home.js';
import type { ActionHandler } from './action-handler.js';

/** The Home tab's "Start a remote session": the invite modal, opened at once with the click's trigger. */
export const homeStartSessionButton: ActionHandler = async ({ body, client }, services) => {
  const teamId = body.team?.id ?? body.user.team_id;
  const view = (teamId ? services.modal.open(teamId) : undefined) ?? noVendorModal();
  try {
    await client.views.open({ trigger_id: body.trigger_id, view });
  } catch (error) {
    services.logger.warn({ err: error }, 'invite modal not opened from the Home tab');
  }
};
