import type { VendorConnection, VendorDeps } from '../../domain/vendor-module.js';
import { GenesysClient, type GenesysSettings } from './client.js';
import { GenesysNotifications } from './notifications.js';
import { GenesysLinkDelivery, GenesysSmsInviteProvider, NotificationsOnDemand } from './providers.js';

/**
 * One Genesys account: SMS-session invitations, and a delivery channel for other vendors' links
 * (`via:`); outcomes arrive over CometD, connected on first use.
 */
export function connectGenesys(settings: GenesysSettings, deps: VendorDeps): VendorConnection {
  const client = new GenesysClient(settings, { logger: deps.logger, health: deps.health });
  const notifications = new NotificationsOnDemand(
    new GenesysNotifications(settings, { logger: deps.logger, health: deps.health, session: client }),
    deps.logger,
  );
  return {
    providers: [new GenesysSmsInviteProvider({ client, notifications })],
    trackers: [],
    delivery: new GenesysLinkDelivery({ client, notifications }),
    stop: () => notifications.stop(),
  };
}
