import { runLogger } from '../../domain/logger.js';
import type { VendorConnection, VendorDeps } from '../../domain/vendor-module.js';
import { GenesysClient, type GenesysSettings } from './client.js';
import { MemoryPendingOperations } from './memory-pending.js';
import { GenesysNotifications } from './notifications.js';
import { GenesysOutcomes } from './outcomes.js';
import { GenesysLinkDelivery, GenesysSmsInviteProvider, NotificationsOnDemand } from './providers.js';

/**
 * One Genesys account: SMS-session invitations, and a delivery channel for other vendors' links
 * (`via:`); outcomes arrive over CometD, connected on first use, and are settled by SMS session
 * (outcomes.ts) through the tracking loop, from operations waiting in `deps.pending`.
 */
export function connectGenesys(settings: GenesysSettings, deps: VendorDeps): VendorConnection {
  const client = new GenesysClient(settings, { logger: deps.logger, health: deps.health });
  // The CometD listener is no request of ours: its lines (and the outcomes it hears) share one
  // correlation id per connection, so that they can still be followed together.
  const listenerLog = runLogger(deps.logger);
  const listener = new GenesysNotifications(settings, { logger: listenerLog, health: deps.health, session: client });
  const notifications = new NotificationsOnDemand(listener, listenerLog);
  const outcomes = new GenesysOutcomes({
    pending: deps.pending ?? new MemoryPendingOperations(),
    logger: listenerLog,
    listen: () => notifications.ready(),
    timeoutMs: settings.outcomeTimeoutMs,
  });
  listener.on('notification', (notification) => outcomes.onNotification(notification));
  const providerDeps = { client, notifications, outcomes };
  return {
    providers: [new GenesysSmsInviteProvider(providerDeps)],
    trackers: [outcomes],
    delivery: new GenesysLinkDelivery(providerDeps),
    check: { call: 'a login (GET /api/v2/me)', run: (via) => client.checkLogin(via) },
    stop: async () => {
      await notifications.stop();
      await outcomes.stop();
    },
  };
}
