import type { ActionHandler } from './action-handler.js';

/** A vendor's "Set up" / "Change" in the App Home: its account form, for admins only, opened with the click's trigger. */
export const homeVendorAccountButton: ActionHandler = async ({ body, action, client }, services) => {
  const vendor = 'value' in action ? action.value : undefined;
  const teamId = body.team?.id ?? body.user.team_id;
  if (!vendor || !teamId) return;
  const view = await services.vendorAccounts.form(teamId, body.user.id, vendor, services.logger);
  if (!view) {
    // The button is only drawn for admins: this click was forged, or the user lost the role since.
    services.logger.warn({ teamId, userId: body.user.id, vendor }, 'vendor account form refused: not an admin');
    return;
  }
  try {
    await client.views.open({ trigger_id: body.trigger_id, view });
  } catch (error) {
    services.logger.warn({ err: error }, 'vendor account form not opened');
  }
};
