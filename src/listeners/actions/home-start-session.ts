import { noVendorModal } from '../../ui/home.js';
import { withScope } from '../../ui/view-scope.js';
import { interactionActor } from '../actor.js';
import { openModalOrSay } from '../open-modal.js';
import type { ActionHandler } from './action-handler.js';

/** The Home tab's "Start a remote session": the invite modal, opened at once with the click's trigger. */
export const homeStartSessionButton: ActionHandler = async ({ body, context }, services) => {
  const receivedAt = Date.now();
  const actor = interactionActor(body, context);
  const view = withScope(services.modal.open(actor.teamId) ?? noVendorModal(), actor);
  // The Home tab is no conversation: a failure is told in the app's DM with the user.
  const request = { triggerId: body.trigger_id, view, receivedAt, team: actor, token: context.botToken };
  await openModalOrSay(services, request, { directMessageTo: body.user.id }, 'Click "Start a remote session" again to open it.');
};
