import type { App, BlockAction, StaticSelectAction } from '@slack/bolt';
import { ACTION } from '../../ui/ids.js';
import { chosenProduct, parseModalMetadata, ViewStateValues } from '../../ui/invite-form.js';
import type { ListenerServices } from '../services.js';

/**
 * The vendor and kind selects have dispatch_action: swap in that product's own fields, in place
 * (`views.update` with the view's `hash`, so a stale view is never overwritten).
 */
export function registerModalSwitches(app: App, services: ListenerServices): void {
  for (const actionId of [ACTION.vendorSelect, ACTION.kindSelect]) {
    app.action<BlockAction<StaticSelectAction>>(actionId, async ({ ack, body, client }) => {
      await ack();
      if (!body.view) return;
      const metadata = parseModalMetadata(body.view.private_metadata);
      const values = ViewStateValues.safeParse(body.view.state?.values ?? {});
      const { vendor, meeting } = chosenProduct(values.success ? values.data : {}, metadata);
      const view = vendor ? services.modal.switchTo(vendor, meeting, metadata.channelId) : undefined;
      if (!view) return;
      try {
        await client.views.update({ view_id: body.view.id, hash: body.view.hash, view });
      } catch (error) {
        // hash_conflict: the person changed the view again meanwhile; the newer change wins.
        services.logger.info({ err: error }, 'modal not switched');
      }
    });
  }
}
