import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { noVendorModal } from '../../ui/home.js';
import { ACTION } from '../../ui/ids.js';
import type { ListenerServices } from '../services.js';

/** The Home tab's "Start a remote session": the invite modal, opened at once with the click's trigger. */
export function registerHomeStartSessionButton(app: App, services: ListenerServices): void {
  app.action<BlockAction<ButtonAction>>(ACTION.homeStartSession, async ({ ack, body, client }) => {
    await ack();
    const view = services.modal.open() ?? noVendorModal();
    try {
      await client.views.open({ trigger_id: body.trigger_id, view });
    } catch (error) {
      services.logger.warn({ err: error }, 'invite modal not opened from the Home tab');
    }
  });
}
