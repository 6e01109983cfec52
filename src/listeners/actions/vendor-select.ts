import type { App, BlockAction, StaticSelectAction } from '@slack/bolt';
import { isContactVendor } from '../../domain/vendors.js';
import { INPUT } from '../../ui/ids.js';
import { inviteModal } from '../../ui/invite-modal.js';
import { parseModalMetadata } from '../../ui/invite-form.js';
import type { ListenerServices } from '../services.js';

/** The vendor select has dispatch_action: swap in that vendor's own fields, in place. */
export function registerVendorSelect(app: App, services: ListenerServices): void {
  app.action<BlockAction<StaticSelectAction>>(INPUT.vendor.action, async ({ ack, body, action, client }) => {
    await ack();
    const vendor = action.selected_option?.value ?? '';
    const vendors = services.sessions.configuredVendors();
    if (!body.view || !isContactVendor(vendor) || !vendors.includes(vendor)) return;
    const { channelId } = parseModalMetadata(body.view.private_metadata);
    await client.views.update({
      view_id: body.view.id,
      hash: body.view.hash,
      view: inviteModal({ vendors, vendor, channelId, defaults: services.modalDefaults }),
    });
  });
}
