import type { Config } from '../config.js';
import type { VendorName } from '../domain/vendors.js';
import type { LinkDelivery, VendorTracker } from '../domain/vendor-module.js';
import type { Logger } from '../logger.js';
import { ApizeeClient } from '../vendors/apizee/client.js';
import { ApizeeConferenceTracker } from '../vendors/apizee/conference-tracker.js';
import { ApizeeConferenceProvider, ApizeeTicketProvider } from '../vendors/apizee/providers.js';
import { ApizeeTicketTracker } from '../vendors/apizee/ticket-tracker.js';
import { BlitzzClient } from '../vendors/blitzz/client.js';
import { BlitzzShowMeProvider } from '../vendors/blitzz/providers.js';
import { ConpeekClient } from '../vendors/conpeek/client.js';
import { ConpeekMeetProvider, ConpeekRoomProvider } from '../vendors/conpeek/providers.js';
import { GenesysClient } from '../vendors/genesys/client.js';
import { GenesysNotifications } from '../vendors/genesys/notifications.js';
import { GenesysLinkDelivery, GenesysSmsInviteProvider, NotificationsOnDemand } from '../vendors/genesys/providers.js';
import type { VendorHealth } from '../vendors/health.js';
import { ImbeeClient } from '../vendors/imbee/client.js';
import { ImbeeWebChatProvider } from '../vendors/imbee/providers.js';
import { RateBudget, type RateLedger } from '../vendors/rate-budget.js';
import { ProviderRegistry } from './provider-registry.js';

export interface VendorAssembly {
  providers: ProviderRegistry;
  /** What follows sessions in the background; the entry layer runs each over its tracking port. */
  trackers: Array<{ vendor: VendorName; tracker: VendorTracker }>;
  budgets: Partial<Record<VendorName, RateBudget>>;
  linkDelivery?: LinkDelivery;
  /** Apizee's client, for what is not a session (tickets-stats). */
  apizee?: ApizeeClient;
  stop(): Promise<void>;
}

interface AssemblyDeps {
  /** Where vendor request budgets are counted (shared by replicas when in the database). */
  ledger?: RateLedger;
  logger: Logger;
  health: VendorHealth;
}

/** One client per configured vendor, the products it offers, and what follows them. */
export function assembleVendors(config: Config, deps: AssemblyDeps): VendorAssembly {
  const providers = new ProviderRegistry();
  const trackers: VendorAssembly['trackers'] = [];
  const budgets: VendorAssembly['budgets'] = {};
  const stops: Array<() => Promise<void> | void> = [];
  const clientDeps = { logger: deps.logger, health: deps.health };
  const trackerDeps = { logger: deps.logger, intervalMs: config.trackIntervalMs };
  let linkDelivery: LinkDelivery | undefined;
  let apizee: ApizeeClient | undefined;

  if (config.apizee) {
    const budget = new RateBudget(config.apizee.ratePerMinute, { ledger: deps.ledger, account: `apizee:${config.apizee.username}` });
    const client = new ApizeeClient(config.apizee, { ...clientDeps, budget });
    apizee = client;
    const tickets = new ApizeeTicketTracker({ client, ...trackerDeps });
    const conferences = new ApizeeConferenceTracker({ client, ...trackerDeps });
    providers.add('apizee', new ApizeeTicketProvider({ client, tracker: tickets, agent: config.apizee.agent }));
    providers.add('apizee', new ApizeeConferenceProvider({ client, tracker: conferences, agent: config.apizee.agent }));
    trackers.push({ vendor: 'apizee', tracker: tickets }, { vendor: 'apizee', tracker: conferences });
    budgets.apizee = client.budget;
    stops.push(() => client.budget.stop());
  }
  if (config.blitzz) {
    const client = new BlitzzClient(config.blitzz, clientDeps);
    providers.add('blitzz', new BlitzzShowMeProvider({ client, defaultSessionId: config.blitzz.sessionId }));
  }
  if (config.conpeek) {
    const client = new ConpeekClient(config.conpeek, clientDeps);
    providers.add('conpeek', new ConpeekMeetProvider({ client, project: config.conpeek.project }));
    providers.add('conpeek', new ConpeekRoomProvider({ client, bridgeId: config.conpeek.bridgeId, roomId: config.conpeek.roomId }));
  }
  if (config.imbee) {
    const client = new ImbeeClient(config.imbee, clientDeps);
    // The virtual user is an HMAC of the contact: stable per person, never the contact itself.
    providers.add('imbee', new ImbeeWebChatProvider({ client, salt: config.encryptionKey.toString('base64') }));
  }
  if (config.genesys) {
    const client = new GenesysClient(config.genesys, clientDeps);
    const notifications = new NotificationsOnDemand(
      new GenesysNotifications(config.genesys, { logger: deps.logger, health: deps.health, session: client }),
      deps.logger,
    );
    providers.add('genesys', new GenesysSmsInviteProvider({ client, notifications }));
    linkDelivery = new GenesysLinkDelivery({ client, notifications });
    stops.push(() => notifications.stop());
  }

  return {
    providers,
    trackers,
    budgets,
    linkDelivery,
    apizee,
    async stop() {
      await Promise.allSettled(stops.map((stop) => stop()));
    },
  };
}
