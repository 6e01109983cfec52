import type { Config } from '../config.js';
import type { VendorName } from '../domain/vendors.js';
import type { Logger } from '../logger.js';
import type { SessionsRepository } from '../store/sessions-repository.js';
import { ApizeeConferenceTracker } from '../tracking/apizee-conferences.js';
import { ApizeeTicketTracker } from '../tracking/apizee-tickets.js';
import type { ThreadNotifier } from '../tracking/thread-notifier.js';
import type { Tracker } from '../tracking/tracking-loop.js';
import { ApizeeClient } from '../vendors/apizee/client.js';
import { BlitzzClient } from '../vendors/blitzz/client.js';
import { ConpeekClient } from '../vendors/conpeek/client.js';
import { GenesysClient } from '../vendors/genesys/client.js';
import { GenesysNotifications } from '../vendors/genesys/notifications.js';
import type { VendorHealth } from '../vendors/health.js';
import { ImbeeClient } from '../vendors/imbee/client.js';
import { RateBudget, type RateLedger } from '../vendors/rate-budget.js';
import type { CardPublisher } from './card-publisher.js';
import { ProviderRegistry } from './provider-registry.js';
import { ApizeeConferenceProvider } from './providers/apizee-conference.js';
import { ApizeeTicketProvider } from './providers/apizee-ticket.js';
import { BlitzzShowMeProvider } from './providers/blitzz-showme.js';
import { ConpeekMeetProvider, ConpeekRoomProvider } from './providers/conpeek.js';
import { GenesysLinkDelivery, GenesysSmsInviteProvider, NotificationsOnDemand } from './providers/genesys.js';
import { ImbeeWebChatProvider } from './providers/imbee-webchat.js';
import type { LinkDelivery } from './sessions.js';

export interface VendorAssembly {
  providers: ProviderRegistry;
  trackers: Tracker[];
  budgets: Partial<Record<VendorName, RateBudget>>;
  linkDelivery?: LinkDelivery;
  /** Apizee's client, for what is not a session (tickets-stats). */
  apizee?: ApizeeClient;
  stop(): Promise<void>;
}

interface AssemblyDeps {
  /** This replica, for tracking leases. */
  owner: string;
  /** Where vendor request budgets are counted (shared by replicas when in the database). */
  ledger?: RateLedger;
  logger: Logger;
  health: VendorHealth;
  sessions: SessionsRepository;
  cards: CardPublisher;
  notifier: ThreadNotifier;
}

/** One client per configured vendor, the products it offers, and what follows them. */
export function assembleVendors(config: Config, deps: AssemblyDeps): VendorAssembly {
  const providers = new ProviderRegistry();
  const trackers: Tracker[] = [];
  const budgets: VendorAssembly['budgets'] = {};
  const stops: Array<() => Promise<void> | void> = [];
  const clientDeps = { logger: deps.logger, health: deps.health };
  const trackerDeps = {
    sessions: deps.sessions,
    cards: deps.cards,
    notifier: deps.notifier,
    logger: deps.logger,
    intervalMs: config.trackIntervalMs,
    owner: deps.owner,
    // Long enough for a slow pass; short enough that a crashed replica's sessions are soon taken over.
    leaseMs: Math.max(5000, 2 * config.trackIntervalMs),
  };
  let linkDelivery: LinkDelivery | undefined;
  let apizee: ApizeeClient | undefined;

  if (config.apizee) {
    const budget = new RateBudget(config.apizee.ratePerMinute, { ledger: deps.ledger, account: `apizee:${config.apizee.username}` });
    const client = new ApizeeClient(config.apizee, { ...clientDeps, budget });
    apizee = client;
    const tickets = new ApizeeTicketTracker({ client, ...trackerDeps });
    const conferences = new ApizeeConferenceTracker({ client, ...trackerDeps });
    providers.add(new ApizeeTicketProvider({ client, tracker: tickets, agent: config.apizee.agent }));
    providers.add(new ApizeeConferenceProvider({ client, tracker: conferences, agent: config.apizee.agent }));
    trackers.push(tickets, conferences);
    budgets.apizee = client.budget;
    stops.push(() => client.budget.stop());
  }
  if (config.blitzz) {
    const client = new BlitzzClient(config.blitzz, clientDeps);
    providers.add(new BlitzzShowMeProvider({ client, defaultSessionId: config.blitzz.sessionId }));
  }
  if (config.conpeek) {
    const client = new ConpeekClient(config.conpeek, clientDeps);
    providers.add(new ConpeekMeetProvider({ client, project: config.conpeek.project }));
    providers.add(new ConpeekRoomProvider({ client, bridgeId: config.conpeek.bridgeId, roomId: config.conpeek.roomId }));
  }
  if (config.imbee) {
    const client = new ImbeeClient(config.imbee, clientDeps);
    // The virtual user is an HMAC of the contact: stable per person, never the contact itself.
    providers.add(new ImbeeWebChatProvider({ client, salt: config.encryptionKey.toString('base64') }));
  }
  if (config.genesys) {
    const client = new GenesysClient(config.genesys, clientDeps);
    const notifications = new NotificationsOnDemand(
      new GenesysNotifications(config.genesys, { logger: deps.logger, health: deps.health, session: client }),
      deps.logger,
    );
    providers.add(new GenesysSmsInviteProvider({ client, notifications }));
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
