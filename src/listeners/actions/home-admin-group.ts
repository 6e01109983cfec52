import type { ActionHandler } from './action-handler.js';

/** The admin user group's "Change" in the App Home: its form, for admins only, opened with the click's trigger. */
export const homeAdminGroupButton: ActionHandler = async ({ body, client }, services) => {
  const teamId = body.team?.id ?? body.user.team_id;
  if (!teamId) return;
  const view = await services.adminGroup.form(teamId, body.user.id, services.logger);
  if (!view) {
    // The button is only drawn for admins: this click was forged, or the user lost the role since.
    services.logger.warn({ teamId, userId: body.user.id }, 'admin user group form refused: not an admin');
    return;
  }
  try {
    await client.views.open({ trigger_id: body.trigger_id, view });
  } catch (error) {
    services.logger.warn({ err: error }, 'admin user group form not opened');
  }
};
