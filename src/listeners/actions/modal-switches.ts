import { ACTION, INPUT } from '../../ui/ids.js';
import { chosenProduct, parseModalMetadata, ViewStateValues } from '../../ui/invite-form.js';
import { scopeOf, withScope } from '../../ui/view-scope.js';
import { interactionActor } from '../actor.js';
import type { ActionHandler } from './action-handler.js';

/**
 * The vendor and kind selects have dispatch_action: swap in that product's own fields, in place
 * (`views.update` with the view's `hash`, so a stale view is never overwritten).
 */
export const modalSwitch: ActionHandler = async ({ body, action, client, context }, services) => {
  if (!body.view) return;
  const actor = interactionActor(body, context);
  if (!services.access.viewBelongs(scopeOf(body.view.private_metadata), actor, 'invite modal switch')) return;
  const metadata = parseModalMetadata(body.view.private_metadata);
  const parsed = ViewStateValues.safeParse(body.view.state?.values ?? {});
  // The select that changed wins over the view state, which Slack may send a step behind.
  const selected = 'selected_option' in action ? action.selected_option?.value : undefined;
  const values = { ...(parsed.success ? parsed.data : {}) };
  const input = action.action_id === ACTION.vendorSelect ? INPUT.vendor : INPUT.kind;
  if (selected) values[input.block] = { [input.action]: { type: 'static_select', selected_option: { value: selected } } };
  const { vendor, meeting } = chosenProduct(values, metadata, services.catalogue);
  const teamId = body.team?.id ?? body.user.team_id;
  const view = vendor && teamId ? services.modal.switchTo(teamId, vendor, meeting, metadata.channelId, metadata.source) : undefined;
  if (!view) return;
  try {
    await client.views.update({ view_id: body.view.id, hash: body.view.hash, view: withScope(view, actor) });
  } catch (error) {
    // hash_conflict: the person changed the view again meanwhile; the newer change wins.
    services.logger.info({ err: error }, 'modal not switched');
  }
};
