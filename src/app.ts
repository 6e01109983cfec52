import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { hostname } from 'node:os';
import { App, SocketModeReceiver, type Receiver } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
import type { Config } from './config.js';
import { type Logger, boltLogger } from './logger.js';
import { detailsParserOf } from './domain/product-catalogue.js';
import type { VendorModule } from './domain/vendor-module.js';
import { registerListeners } from './listeners/index.js';
import { replyTo, respondThrough } from './listeners/reply.js';
import { CardPublisher } from './services/card-publisher.js';
import { CreationRunner } from './services/creation-jobs.js';
import { HomeService } from './services/home.js';
import { InviteModals } from './services/invite-modals.js';
import { SessionLifecycle } from './services/session-lifecycle.js';
import { SessionService } from './services/sessions.js';
import { StatsService } from './services/stats.js';
import { assembleVendors } from './services/vendor-assembly.js';
import { VendorDirectory } from './services/vendor-directory.js';
import { healthRoute, unhandledRequest, webhookRoute } from './http/routes.js';
import { SlackReceiver } from './http/slack-receiver.js';
import { WebhookDispatch } from './tracking/webhook-dispatch.js';
import { SlackGateway } from './slack/gateway.js';
import { ContactCrypto } from './store/contact-crypto.js';
import { CreationJobsRepository } from './store/creation-jobs-repository.js';
import { migrate, openDatabase, type OpenedDatabase } from './store/database.js';
import { MilestonesRepository } from './store/milestones-repository.js';
import { DatabasePendingOperations } from './store/pending-operations.js';
import { DatabaseRateLedger } from './store/rate-ledger.js';
import { SessionsRepository } from './store/sessions-repository.js';
import { ThreadNotifier } from './tracking/thread-notifier.js';
import { TrackingLoop } from './tracking/tracking-loop.js';
import { StoreTrackingPort, trackerOver } from './tracking/tracking-port.js';
import { VendorHealth } from './vendors/health.js';
import { fieldDefaultsOf, vendorModules } from './vendors/index.js';

/** Requests over 1 MB are refused (PRODUCT.md §4). */
export const BODY_LIMIT_BYTES = 1024 * 1024;

export interface AppDeps {
  logger: Logger;
  /** An already opened database (tests share one); otherwise DATABASE_URL decides. */
  database?: OpenedDatabase;
  /** The vendor modules (default: the five of src/vendors/index.ts); a test may add one. */
  modules?: readonly VendorModule<unknown>[];
}

export interface Rendezvous {
  app: App;
  sessions: SessionService;
  tracking: TrackingLoop;
  health: VendorHealth;
  database: OpenedDatabase;
  /** Migrates, then listens (HTTP on config.port, or Socket Mode) and starts tracking. */
  start(): Promise<{ port?: number }>;
  stop(): Promise<void>;
}

/** Builds the whole app from its configuration; nothing here is global. */
export function createApp(config: Config, deps: AppDeps): Rendezvous {
  const { logger } = deps;
  const database = deps.database ?? openDatabase(config.databaseUrl);
  const health = new VendorHealth();
  const owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const milestonesRepo = new MilestonesRepository(database.db, database.kind);
  // The modules' declarations, handed down as data to what draws and parses (grammar, modal, card…).
  const modules = deps.modules ?? vendorModules;
  const catalogue = modules;
  // Each session's vendor details are read back through its module's own schema.
  const sessionsRepo = new SessionsRepository(database.db, database.kind, detailsParserOf(catalogue));
  // Every module whose settings were read connects here; the others are never offered.
  const vendors = assembleVendors(
    modules,
    config.vendors,
    {
      logger,
      health,
      ledger: new DatabaseRateLedger(database.db, database.kind),
      pending: new DatabasePendingOperations(database.db),
      trackIntervalMs: config.trackIntervalMs,
      pseudonymKey: config.encryptionKey.toString('base64'),
    },
  );
  // A webhook only makes its session due; the next tracking pass (started at once) reads it.
  const webhooks = new WebhookDispatch({ sessions: sessionsRepo, logger, onDue: () => void tracking.runOnce() });
  const routes = [
    healthRoute(database, health, () => configuredVendors()),
    ...modules.map(({ name }) => webhookRoute(name, vendors.webhooks[name], webhooks, logger)),
  ];

  const receiver: Receiver = config.slack.appToken
    ? new SocketModeReceiver({
        appToken: config.slack.appToken,
        logger: boltLogger(logger),
        customRoutes: routes,
        installerOptions: { port: config.port },
      })
    : new SlackReceiver(
        {
          signingSecret: config.slack.signingSecret!,
          endpoints: ['/slack/events'],
          logger: boltLogger(logger),
          bodyLimit: BODY_LIMIT_BYTES,
          customRoutes: routes,
          // Bolt's default logs the whole URL, query string (a webhook's `?secret=`) included.
          dispatchErrorHandler: unhandledRequest(logger),
        },
        { logger },
      );
  const app = new App({
    token: config.slack.botToken,
    receiver,
    logger: boltLogger(logger),
    clientOptions: { slackApiUrl: config.slack.apiUrl },
    // Rendezvous keeps no conversation state in Bolt; its default in-memory store only cost
    // every request a lookup (seen in the bench's profile).
    convoStore: false,
  });

  const gateway = new SlackGateway(app.client, { logger, adminUsergroup: config.adminUsergroup });
  const cards = new CardPublisher({ gateway, sessions: sessionsRepo, logger, catalogue });
  // Thread replies go through a Web API client of their own that does not queue behind 429s,
  // so tracking traffic never holds up an interactive request.
  const backgroundClient = new WebClient(config.slack.botToken, {
    slackApiUrl: config.slack.apiUrl,
    rejectRateLimitedCalls: true,
    logger: boltLogger(logger),
  });
  const notifier = new ThreadNotifier({
    milestones: milestonesRepo,
    gateway: new SlackGateway(backgroundClient, { logger }),
    logger,
    owner,
    leaseMs: Math.max(10_000, 2 * config.trackIntervalMs),
  });
  // Buttons and creations wait for their thread replies; tracking passes only start the flush
  // (the loop's own notifier pass finishes it), so a pass is not held up by Slack's pacing.
  const lifecycle = new SessionLifecycle({ sessions: sessionsRepo, cards, onOutbox: () => notifier.flush(), logger });
  const trackingLifecycle = new SessionLifecycle({
    sessions: sessionsRepo,
    cards,
    onOutbox: async () => {
      notifier.flush().catch((error: unknown) => logger.warn({ err: error }, 'thread replies not flushed; the next pass retries'));
    },
    logger,
  });

  const creationJobs = new CreationJobsRepository(database.db, database.kind);
  const sessions = new SessionService({
    sessions: sessionsRepo,
    gateway,
    cards,
    lifecycle,
    crypto: new ContactCrypto(config.encryptionKey),
    logger,
    trackIntervalMs: config.trackIntervalMs,
    providers: vendors.providers,
    budgets: vendors.budgets,
    linkDelivery: vendors.linkDelivery,
    catalogue,
    jobs: creationJobs,
    replyFor: ({ channelId, userId, responseUrl }) =>
      replyTo({ respond: responseUrl ? respondThrough(responseUrl) : undefined, gateway, channelId, userId, logger }),
    onQueued: () => creations.wake({ cards: true, vendors: [] }),
  });
  // Creations acknowledged on any replica (or left by a dead one) are worked off here.
  const creations = new CreationRunner({ jobs: creationJobs, steps: sessions, vendors: () => vendors.providers.vendors(), owner, logger });
  const modal = new InviteModals({
    providers: vendors.providers,
    catalogue,
    defaultVendor: config.defaultVendor,
    fieldDefaults: fieldDefaultsOf(config.vendors, modules),
  });
  const directory = new VendorDirectory({ providers: vendors.providers, health, sessions, catalogue });
  const home = new HomeService({
    sessions: sessionsRepo,
    permalink: (row) => sessions.permalink(row),
    gateway,
    vendors: () => directory.configured(),
    logger,
    catalogue,
  });
  const stats = new StatsService({ sessions: sessionsRepo, usage: vendors.usage, catalogue, logger });
  registerListeners(app, {
    sessions,
    gateway,
    logger,
    modal,
    directory,
    catalogue,
    commandDefaults: () => ({
      catalogue,
      vendors: vendors.providers.vendors(),
      defaultVendor: config.defaultVendor,
      canDeliverVia: sessions.canDeliverVia(),
    }),
    stats: (from, to, actor) => stats.summary(from, to, actor),
    home,
  });
  app.error(async (error) => {
    logger.error({ err: error }, 'unhandled listener error');
  });

  const trackers = vendors.trackers.map(({ vendor, tracker }) =>
    trackerOver(
      tracker,
      new StoreTrackingPort({
        sessions: sessionsRepo,
        lifecycle: trackingLifecycle,
        vendor,
        kind: tracker.kind,
        owner,
        // Long enough for a slow pass; short enough that a crashed replica's sessions are soon taken over.
        leaseMs: Math.max(5000, 2 * config.trackIntervalMs),
      }),
    ),
  );
  const tracking = new TrackingLoop([...trackers, { tick: () => notifier.flush() }], config.trackIntervalMs, logger);
  const configuredVendors = () => vendors.providers.vendors();

  return {
    app,
    sessions,
    tracking,
    health,
    database,
    async start() {
      await migrate(database.db);
      const started = (await app.start(config.port)) as Server | undefined;
      tracking.start();
      creations.start();
      const address = started && typeof started.address === 'function' ? started.address() : undefined;
      const port = address && typeof address === 'object' ? address.port : undefined;
      logger.info({ port, mode: config.slack.appToken ? 'socket' : 'http', database: database.kind }, 'Rendezvous is listening');
      return { port };
    },
    async stop() {
      await tracking.stop();
      await creations.stop();
      await sessions.drain();
      await vendors.stop();
      await app.stop().catch(() => undefined);
      if (!deps.database) await database.db.destroy();
    },
  };
}
