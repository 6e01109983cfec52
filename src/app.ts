import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { App, HTTPReceiver, SocketModeReceiver, type Receiver } from '@slack/bolt';
import type { Config } from './config.js';
import { type Logger, boltLogger } from './logger.js';
import { registerListeners } from './listeners/index.js';
import { CardPublisher } from './services/card-publisher.js';
import { SessionService, type SessionServiceDeps } from './services/sessions.js';
import { SlackGateway } from './slack/gateway.js';
import { ContactCrypto } from './store/contact-crypto.js';
import { migrate, openDatabase, pingDatabase, type OpenedDatabase } from './store/database.js';
import { MilestonesRepository } from './store/milestones-repository.js';
import { SessionsRepository } from './store/sessions-repository.js';
import { ApizeeTicketTracker } from './tracking/apizee-tickets.js';
import { ThreadNotifier } from './tracking/thread-notifier.js';
import { TrackingLoop } from './tracking/tracking-loop.js';
import { ApizeeClient } from './vendors/apizee/client.js';
import { VendorHealth } from './vendors/health.js';

/** Requests over 1 MB are refused (PRODUCT.md §4). */
export const BODY_LIMIT_BYTES = 1024 * 1024;

export interface AppDeps {
  logger: Logger;
  /** An already opened database (tests share one); otherwise DATABASE_URL decides. */
  database?: OpenedDatabase;
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
  const healthz = healthRoute(database, health, config);

  const receiver: Receiver = config.slack.appToken
    ? new SocketModeReceiver({
        appToken: config.slack.appToken,
        logger: boltLogger(logger),
        customRoutes: [healthz],
        installerOptions: { port: config.port },
      })
    : new HTTPReceiver({
        signingSecret: config.slack.signingSecret!,
        endpoints: ['/slack/events'],
        logger: boltLogger(logger),
        bodyLimit: BODY_LIMIT_BYTES,
        customRoutes: [healthz],
      });
  const app = new App({
    token: config.slack.botToken,
    receiver,
    logger: boltLogger(logger),
    clientOptions: { slackApiUrl: config.slack.apiUrl },
  });

  const sessionsRepo = new SessionsRepository(database.db);
  const milestonesRepo = new MilestonesRepository(database.db);
  const gateway = new SlackGateway(app.client, { logger, adminUsergroup: config.adminUsergroup });
  const cards = new CardPublisher({ gateway, sessions: sessionsRepo, logger });
  const notifier = new ThreadNotifier({ milestones: milestonesRepo, gateway, logger });

  let apizee: SessionServiceDeps['apizee'];
  if (config.apizee) {
    const client = new ApizeeClient(config.apizee, { logger, health });
    const tracker = new ApizeeTicketTracker({ client, sessions: sessionsRepo, cards, notifier, logger, intervalMs: config.trackIntervalMs });
    apizee = { client, tracker, agent: config.apizee.agent };
  }

  const sessions = new SessionService({
    sessions: sessionsRepo,
    gateway,
    cards,
    notifier,
    crypto: new ContactCrypto(config.encryptionKey),
    logger,
    trackIntervalMs: config.trackIntervalMs,
    apizee,
  });
  registerListeners(app, { sessions, gateway, logger, modalDefaults: { agent: config.apizee?.agent } });
  app.error(async (error) => {
    logger.error({ err: error }, 'unhandled listener error');
  });

  const tracking = new TrackingLoop(
    [apizee?.tracker, { tick: () => notifier.flush() }].filter((tracker) => tracker !== undefined),
    config.trackIntervalMs,
    logger,
  );

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
      const address = started && typeof started.address === 'function' ? started.address() : undefined;
      const port = address && typeof address === 'object' ? address.port : undefined;
      logger.info({ port, mode: config.slack.appToken ? 'socket' : 'http', database: database.kind }, 'Rendezvous is listening');
      return { port };
    },
    async stop() {
      await tracking.stop();
      apizee?.client.budget.stop();
      await app.stop().catch(() => undefined);
      if (!deps.database) await database.db.destroy();
    },
  };
}

function healthRoute(database: OpenedDatabase, health: VendorHealth, config: Config) {
  return {
    path: '/healthz',
    method: ['GET'],
    handler: async (_req: IncomingMessage, res: ServerResponse) => {
      const databaseOk = await pingDatabase(database.db);
      const vendors = config.apizee ? { apizee: { configured: true, lastCall: health.lastCall('apizee') ?? null } } : {};
      res.writeHead(databaseOk ? 200 : 503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: databaseOk ? 'ok' : 'degraded', database: { kind: database.kind, ok: databaseOk }, vendors }));
    },
  };
}
