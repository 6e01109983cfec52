import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { hostname } from 'node:os';
import { App, HTTPReceiver, SocketModeReceiver, type Receiver, type ReceiverEvent } from '@slack/bolt';
import { WebClient, type WebClientOptions } from '@slack/web-api';
import type { Config } from './config.js';
import { type Logger, boltLogger } from './logger.js';
import { detailsParserOf } from './domain/product-catalogue.js';
import type { Session } from './domain/session.js';
import type { VendorModule } from './domain/vendor-module.js';
import { registerListeners } from './listeners/index.js';
import { replyTo, respondThrough } from './listeners/reply.js';
import { AdminGroupSettings } from './services/admin-group-settings.js';
import { AdminPolicy, adminUsergroupFor } from './services/admin-policy.js';
import { CardPublisher } from './services/card-publisher.js';
import { CreationRunner } from './services/creation-jobs.js';
import { HomeService } from './services/home.js';
import { InstallationService } from './services/installations.js';
import { InviteModals } from './services/invite-modals.js';
import { LinkUnfurls } from './services/link-unfurls.js';
import { SessionLifecycle } from './services/session-lifecycle.js';
import { SlackCalls } from './services/slack-calls.js';
import { SlackCallsRepository } from './store/slack-calls-repository.js';
import { SessionAccess } from './services/session-access.js';
import { SessionService } from './services/sessions.js';
import { StatsService } from './services/stats.js';
import { VendorAccountSettings } from './services/vendor-account-settings.js';
import { VendorAccounts } from './services/vendor-accounts.js';
import { VendorDirectory } from './services/vendor-directory.js';
import { WorkflowCompleter } from './services/workflow-completer.js';
import { WorkflowStepStart } from './services/workflow-step-start.js';
import { completeStep } from './slack/function-completion.js';
import { WorkflowStepsRepository } from './store/workflow-steps-repository.js';
import { healthRoute, metricsRoute, readyRoute, unhandledRequest, webhookRoute } from './http/routes.js';
import { installerReceiverOptions } from './http/oauth-install.js';
import { SlackReceiver } from './http/slack-receiver.js';
import { newCorrelation } from './observability/correlation.js';
import { runLogger } from './domain/logger.js';
import { Metrics, ackKindOf } from './observability/metrics.js';
import { correlationOf, RequestGate } from './observability/request-gate.js';
import { slackErrorReportingFetch } from './observability/slack-fetch.js';
import { WebhookDispatch } from './tracking/webhook-dispatch.js';
import { fetchWithTimeout } from './slack/fetch-timeout.js';
import { SlackGateway } from './slack/gateway.js';
import { modalClient, ModalOpener } from './slack/modal-opener.js';
import { oneGateway, TokenGateways, type SlackGateways } from './slack/gateways.js';
import { SlackTokenRefresher } from './slack/token-refresh.js';
import { ContactCrypto } from './store/contact-crypto.js';
import { CreationJobsRepository } from './store/creation-jobs-repository.js';
import { migrate, openDatabase, type OpenedDatabase } from './store/database.js';
import { InstallationsRepository } from './store/installations-repository.js';
import { LinkUnfurlsRepository } from './store/link-unfurls-repository.js';
import { accountIdsKey, vendorIdentityKey } from './store/key-pins.js';
import { rekeyStoredSecrets } from './store/rekey.js';
import { MilestonesRepository } from './store/milestones-repository.js';
import { OperationalFigures } from './store/operational-figures.js';
import { DatabasePendingOperations } from './store/pending-operations.js';
import { DatabaseRateLedger } from './store/rate-ledger.js';
import { SessionsRepository } from './store/sessions-repository.js';
import { VendorAccountsRepository } from './store/vendor-accounts-repository.js';
import { WorkspaceSettingsRepository } from './store/workspace-settings-repository.js';
import { accountTracking } from './tracking/account-trackers.js';
import { ThreadNotifier } from './tracking/thread-notifier.js';
import { TrackingLoop } from './tracking/tracking-loop.js';
import { RetentionJob, type RetentionJobDeps } from './tracking/retention-job.js';
import { JobLeases } from './store/job-leases.js';
import { RetentionStore } from './store/retention.js';
import { StoreTrackingPort } from './tracking/tracking-port.js';
import { VendorHealth } from './vendors/health.js';
import { vendorModules } from './vendors/index.js';

/** Requests over 1 MB are refused (PRODUCT.md §4). */
export const BODY_LIMIT_BYTES = 1024 * 1024;

export interface AppDeps {
  logger: Logger;
  /** An already opened database (tests share one); otherwise DATABASE_URL decides. */
  database?: OpenedDatabase;
  /** The vendor modules (default: the five of src/vendors/index.ts); a test may add one. */
  modules?: readonly VendorModule<unknown>[];
  /** Node's process metrics (memory, event loop, GC) in /metrics: once per process, so main.ts only. */
  processMetrics?: boolean;
  /** How long a background Slack call (thread replies, tracker card updates) may take; tests shorten it. */
  slackBackgroundTimeoutMs?: number;
  /** The retention purge's timing (default: hourly, each replica asking every 5 minutes); tests shorten or fake it. */
  retention?: Pick<RetentionJobDeps, 'everyMs' | 'checkEveryMs' | 'now'>;
}

/** A background Slack call that takes longer has probably lost its answer: the outbox settles it. */
export const SLACK_BACKGROUND_TIMEOUT_MS = 10_000;

export interface Rendezvous {
  app: App;
  sessions: SessionService;
  tracking: TrackingLoop;
  /** The leased purge of sessions past RETENTION_DAYS (README "Retention"). */
  retention: RetentionJob;
  health: VendorHealth;
  database: OpenedDatabase;
  metrics: Metrics;
  /** Migrates, then listens (HTTP on config.port, or Socket Mode) and starts tracking. */
  start(): Promise<{ port?: number }>;
  /**
   * Graceful shutdown within config.shutdownTimeoutMs: new requests get 503, requests in flight
   * are answered, tracking stops leasing and its running pass ends (vendor calls finish, leases
   * are released), queued creations finish, the outbox posts what it can, the database closes.
   * Whatever the deadline cuts short keeps its lease until it runs out, and another replica (or
   * the next start) takes it over. Calling it again returns the same shutdown.
   */
  stop(): Promise<void>;
}

/** Builds the whole app from its configuration; nothing here is global. */
export function createApp(config: Config, deps: AppDeps): Rendezvous {
  const { logger } = deps;
  // SQLite checkpoints in a worker thread: their fsyncs never stall the event loop (an ack).
  const database = deps.database ?? openDatabase(config.databaseUrl, { ...config.database, backgroundCheckpoints: true });
  const health = new VendorHealth();
  const metrics = new Metrics({ figures: new OperationalFigures(database.db), logger, processMetrics: deps.processMetrics });
  const gate = new RequestGate();
  // Every Slack Web API call, Bolt's client and the background one alike, reports its failures.
  const slackFetch = slackErrorReportingFetch(config.slack.apiUrl, (method, error) => metrics.slackApiError(method, error));
  const owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const milestonesRepo = new MilestonesRepository(database.db, database.kind);
  // The modules' declarations, handed down as data to what draws and parses (grammar, modal, card…).
  const modules = deps.modules ?? vendorModules;
  const catalogue = modules;
  // Each session's vendor details are read back through its module's own schema.
  const sessionsRepo = new SessionsRepository(database.db, database.kind, detailsParserOf(catalogue));
  const contactCrypto = new ContactCrypto(config.encryptionKey, config.encryptionKeyPrevious);
  // Read from the database at start() (src/store/key-pins.ts): it must survive key rotations.
  let pseudonymKey: string | undefined;
  // Read from the database at start() too: the account keys sessions carry must never change.
  let accountIds: string | undefined;
  const accountsStore = new VendorAccountsRepository(database.db, contactCrypto.sealer('vendorAccounts'));
  // Each workspace's vendor accounts (its own, else the environment's), connected once per
  // account and loaded at start(); a module with no account anywhere is never offered.
  const accounts = new VendorAccounts({
    modules,
    environment: config.vendors,
    common: config.vendorCommon,
    vendorDeps: {
      logger,
      // Health for /healthz, and each call's latency and outcome for /metrics.
      health: { record: (...call) => health.record(...call), observe: (call) => metrics.call(call) },
      budgetObserver: metrics,
      ledger: new DatabaseRateLedger(database.db, database.kind),
      pending: new DatabasePendingOperations(database.db),
      trackIntervalMs: config.trackIntervalMs,
      get pseudonymKey(): string {
        if (pseudonymKey === undefined) throw new Error('the vendor identity key is read at start(); start the app first');
        return pseudonymKey;
      },
    },
    store: accountsStore,
    identityKey: () => {
      if (accountIds === undefined) throw new Error('the account ids key is read at start(); start the app first');
      return accountIds;
    },
    logger,
  });
  const teamVendors = (teamId: string) => accounts.forTeam(teamId);
  // A webhook only makes its session due; the next tracking pass (started at once) reads it.
  const webhooks = new WebhookDispatch({ sessions: sessionsRepo, logger, onDue: () => void tracking.runOnce() });
  const routes = [
    healthRoute(database, health, () => configuredVendors()),
    readyRoute(database, () => gate.stopping),
    metricsRoute(metrics),
    ...modules.map(({ name }) => webhookRoute(name, () => accounts.webhookTargets(name), webhooks, logger)),
  ];

  // Every Web API client (Bolt's, the installer's, each workspace's) calls SLACK_API_URL and reports its failures.
  const slackClientOptions: WebClientOptions = { slackApiUrl: config.slack.apiUrl, fetch: slackFetch, logger: boltLogger(logger) };
  // OAuth install (many workspaces): installations in the database, each with its token.
  const oauth = config.slack.oauth;
  const installations = oauth
    ? new InstallationService({
        installations: new InstallationsRepository(database.db, contactCrypto),
        refresher: new SlackTokenRefresher(oauth, slackClientOptions),
        logger,
        owner,
      })
    : undefined;
  const installer = oauth && installations ? installerReceiverOptions(oauth, config.slack.apiUrl, installations, slackClientOptions) : undefined;

  const receiver: Receiver = config.slack.appToken
    ? new SocketModeReceiver({
        appToken: config.slack.appToken,
        logger: boltLogger(logger),
        customRoutes: routes,
        // Each Slack event's correlation (there is no gate in front of Socket Mode).
        customPropertiesExtractor: () => newCorrelation() as unknown as Record<string, unknown>,
        ...installer,
        // Socket Mode serves the install pages (and /healthz) on its own small HTTP server.
        installerOptions: { ...installer?.installerOptions, port: config.port },
      })
    : new SlackReceiver(
        {
          ...installer,
          signingSecret: config.slack.signingSecret!,
          endpoints: ['/slack/events'],
          logger: boltLogger(logger),
          bodyLimit: BODY_LIMIT_BYTES,
          customRoutes: routes,
          // Bolt's default logs the whole URL, query string (a webhook's `?secret=`) included.
          dispatchErrorHandler: unhandledRequest(logger),
          // The correlation the gate gave the request (its id and arrival time) goes into Bolt's context.
          // Listeners make their logger from it (listeners/actor.ts), a child only where one is used.
          customPropertiesExtractor: (req) => (correlationOf(req) ?? newCorrelation()) as unknown as Record<string, unknown>,
        },
        { logger },
      );
  const app = new App({
    // With OAuth install, Bolt's installer authorizes each request with its workspace's token.
    ...(oauth ? {} : { token: config.slack.botToken }),
    receiver,
    logger: boltLogger(logger),
    clientOptions: slackClientOptions,
    // Rendezvous keeps no conversation state in Bolt; its default in-memory store only cost
    // every request a lookup (seen in the bench's profile).
    convoStore: false,
  });

  // The door in HTTP mode: 503 once stopping, requests in flight counted, a correlation id each.
  if (receiver instanceof HTTPReceiver) receiver.requestListener = gate.wrap(receiver.requestListener);
  observeSlackRequests(app, gate, metrics, Boolean(config.slack.appToken));

  // Background work (thread replies, tracker card updates, App Home, DMs) goes through Web API
  // clients of its own that do not queue behind 429s, so it never holds up an interactive
  // request. They never retry by themselves (a post whose answer was lost would stand twice) and
  // give up after a timeout: the outbox retries, settled by the reply's metadata.
  const backgroundClientOptions: WebClientOptions = {
    ...slackClientOptions,
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 0 },
    // A timer cleared once answered, unlike the SDK's own `timeout` (fetch-timeout.ts).
    fetch: fetchWithTimeout(deps.slackBackgroundTimeoutMs ?? SLACK_BACKGROUND_TIMEOUT_MS, slackFetch),
  };
  const gatewayOptions = { logger };
  const backgroundGatewayOptions = { ...gatewayOptions, updateRetryAfterMaxMs: 10_000 };
  // Every Slack call for a session goes through its workspace's gateway: the one bot token, or
  // (OAuth install) the token of the workspace's installation, each with Web API clients of its own.
  const { gateways, backgroundGateways } = installations
    ? {
        gateways: tokenGateways(installations, (token) => new SlackGateway(new WebClient(token, slackClientOptions), gatewayOptions)),
        backgroundGateways: tokenGateways(installations, (token) => new SlackGateway(new WebClient(token, backgroundClientOptions), backgroundGatewayOptions)),
      }
    : {
        gateways: oneGateway(new SlackGateway(app.client, gatewayOptions)),
        backgroundGateways: oneGateway(new SlackGateway(new WebClient(config.slack.botToken, backgroundClientOptions), backgroundGatewayOptions)),
      };
  // Who may do what (README "Permissions"): one guard for every button and view; the admin
  // lookups act with the workspace's own token.
  // Each workspace's own admin user group (App Home), ADMIN_USERGROUP for one that has none.
  const adminGroup: AdminGroupSettings = new AdminGroupSettings({
    store: new WorkspaceSettingsRepository(database.db),
    defaultGroup: config.adminUsergroup,
    isAdmin: (teamId, userId, log) => admins.isAdmin(teamId, { teamId, userId, logger: log }),
    usergroupMembers: (teamId, usergroupId) => gateways.of({ teamId }).usergroupMembers(usergroupId),
    logger,
  });
  const admins = new AdminPolicy({
    slackFor: (teamId) => gateways.of({ teamId }),
    adminUsergroupFor: adminUsergroupFor(config.adminUsergroup, (teamId) => adminGroup.ownGroup(teamId)),
    logger,
  });
  const access = new SessionAccess({ sessions: sessionsRepo, admins, logger, retentionDays: config.retentionDays });
  // Modals must open within their trigger's 3 s. Bolt's client answers a 429 by pausing its whole
  // queue and retrying after Slack's Retry-After plus a backoff of its own, past the trigger; this
  // one hands the 429 back, and the opener waits only while a retry still fits. Each call carries
  // the request's own bot token (the workspace's installation's, with OAuth install).
  const views = new ModalOpener(modalClient(config.slack.botToken, { ...slackClientOptions, fetch: slackFetch }), { logger });
  const cards = new CardPublisher({ gateways, sessions: sessionsRepo, logger, catalogue });
  const trackingCards = new CardPublisher({ gateways: backgroundGateways, sessions: sessionsRepo, logger, catalogue });
  const notifier = new ThreadNotifier({
    milestones: milestonesRepo,
    gateways: backgroundGateways,
    logger,
    owner,
    leaseMs: Math.max(10_000, 2 * config.trackIntervalMs),
    // The starter's Home tab lists what was set aside; republished at once (background client).
    onDeadLettered: (teamId, userId, enterpriseId, log) => void backgroundHome.publish(teamId, userId, enterpriseId, log),
  });
  // Nothing awaits the outbox but the tracking loop's own pass: buttons and creations only start
  // a flush, so Slack's pacing or a failing thread never holds up an interactive request.
  const onOutbox = async (log: Logger) => notifier.trigger(log);
  // Pasted agent links of sessions unfurl, and follow their session (README "Link unfurls").
  const unfurls = new LinkUnfurls({
    sessions: sessionsRepo,
    unfurls: new LinkUnfurlsRepository(database.db),
    vendors: teamVendors,
    gateways,
    backgroundGateways,
    catalogue,
    logger,
  });
  const onCardChanged = (session: Session, log: Logger) => unfurls.changed(session, log);
  // A meeting shown as a Slack call follows its session: each change asks for a sync, and the
  // tracking pass sweeps what is still behind. Background gateways: no automatic retry of calls.add.
  const onChanged = (session: Session, log: Logger) => slackCalls.trigger(session, log);
  const lifecycle = new SessionLifecycle({ sessions: sessionsRepo, cards, onOutbox, onChanged, onCardChanged, logger });
  const trackingLifecycle = new SessionLifecycle({ sessions: sessionsRepo, cards: trackingCards, onOutbox, onChanged, onCardChanged, logger });
  const slackCalls: SlackCalls = new SlackCalls({
    store: new SlackCallsRepository(database.db),
    sessions: sessionsRepo,
    gateways: backgroundGateways,
    refreshCard: (sessionId) => trackingCards.refresh(sessionId),
    note: async (session, outcome) => void (await trackingLifecycle.apply(session, outcome)),
    catalogue,
    logger,
  });

  const creationJobs = new CreationJobsRepository(database.db, database.kind);
  const sessions = new SessionService({
    sessions: sessionsRepo,
    gateways,
    access,
    cards,
    lifecycle,
    crypto: contactCrypto,
    logger,
    trackIntervalMs: config.trackIntervalMs,
    // Refresh shares what is spare of each account's budget, after new sessions and tracking.
    vendors: teamVendors,
    catalogue,
    jobs: creationJobs,
    replyFor: ({ channelId, userId, responseUrl, team, orDirectMessage }) =>
      replyTo({ respond: responseUrl ? respondThrough(responseUrl) : undefined, gateway: gateways.of(team), channelId, userId, logger, orDirectMessage }),
    onQueued: () => creations.wake({ cards: true, vendors: [] }),
  });
  // Creations acknowledged on any replica (or left by a dead one) are worked off here.
  const creations = new CreationRunner({ jobs: creationJobs, steps: sessions, vendors: () => accounts.allVendors(), owner, logger });
  const modal = new InviteModals({ vendors: teamVendors, catalogue, defaultVendor: config.defaultVendor });
  const directory = new VendorDirectory({ vendors: teamVendors, sessions, catalogue });
  // Admins set up each workspace's own vendor accounts in the App Home.
  const vendorAccounts = new VendorAccountSettings({
    accounts,
    store: accountsStore,
    modules,
    common: config.vendorCommon,
    isAdmin: (teamId, userId, log) => admins.isAdmin(teamId, { teamId, userId, logger: log }),
    onSaved: (teamId, userId, log) => home.publish(teamId, userId, undefined, log),
    logger,
  });
  const home: HomeService = new HomeService({
    sessions: sessionsRepo,
    permalink: (row) => sessions.permalink(row),
    gateways,
    admins,
    vendors: (teamId) => directory.configured(teamId),
    vendorAccounts: (teamId) => vendorAccounts.lines(teamId),
    adminGroup: (teamId) => adminGroup.line(teamId),
    deadLetters: (teamId, userId, limit) => milestonesRepo.deadLettersOf(teamId, userId, limit),
    logger,
    catalogue,
  });
  const backgroundHome = new HomeService({
    sessions: sessionsRepo,
    permalink: async (row) => (row.cardTs ? backgroundGateways.of(row).permalink(row.channelId, row.cardTs) : undefined),
    gateways: backgroundGateways,
    admins,
    vendors: (teamId) => directory.configured(teamId),
    vendorAccounts: (teamId) => vendorAccounts.lines(teamId),
    adminGroup: (teamId) => adminGroup.line(teamId),
    deadLetters: (teamId, userId, limit) => milestonesRepo.deadLettersOf(teamId, userId, limit),
    logger,
    catalogue,
  });
  const stats = new StatsService({ sessions: sessionsRepo, vendors: teamVendors, catalogue, logger });
  const commandDefaults = (teamId: string) => ({
    catalogue,
    vendors: teamVendors(teamId).providers.vendors(),
    defaultVendor: config.defaultVendor,
    canDeliverVia: sessions.canDeliverVia(teamId),
  });
  // Workflow Builder steps: accepted like a command; completed once their creation settles, by
  // whichever replica leases them, with the execution's own token (sealed in workflow_steps).
  const workflowStart = new WorkflowStepStart({ sessions, gateways, catalogue, commandDefaults, logger });
  const workflowTokens = contactCrypto.sealer('workflowTokens');
  const workflowCompleter = new WorkflowCompleter({
    steps: new WorkflowStepsRepository(database.db, database.kind),
    sessions: sessionsRepo,
    lifecycle: trackingLifecycle,
    openToken: (sealed) => workflowTokens.open(sealed),
    complete: (token, executionId, completion) => completeStep(token, executionId, completion, backgroundClientOptions),
    permalink: async (session) => (session.cardTs ? backgroundGateways.of(session).permalink(session.channelId, session.cardTs) : undefined),
    catalogue,
    owner,
    logger,
  });
  registerListeners(app, {
    sessions,
    access,
    gateways,
    installations,
    logger,
    modal,
    views,
    directory,
    catalogue,
    commandDefaults,
    stats: (from, to, actor) => stats.summary(from, to, actor),
    home,
    vendorAccounts,
    adminGroup,
    workflowSteps: workflowStart,
    unfurls,
  });
  app.error(async (error) => {
    logger.error({ err: error }, 'unhandled listener error');
  });

  // Each vendor account's trackers lease only its own sessions; the accounts are reloaded first
  // when a save (on any replica) moved their version.
  const vendorTracking = accountTracking({
    accounts,
    portFor: (vendor, kind, scope, passLog) =>
      new StoreTrackingPort({
        logger: passLog,
        sessions: sessionsRepo,
        lifecycle: trackingLifecycle,
        vendor,
        kind,
        scope,
        owner,
        // Long enough for a slow pass; short enough that a crashed replica's sessions are soon taken over.
        leaseMs: Math.max(5000, 2 * config.trackIntervalMs),
      }),
    // Each tracker's pass (and the outbox's) logs under a correlation id of its own.
    passLogger: () => runLogger(logger),
    logger,
  });
  const tracking = new TrackingLoop(
    [
      vendorTracking,
      { tick: () => notifier.flush(runLogger(logger)) },
      { tick: () => slackCalls.sweep(runLogger(logger)) },
      { tick: () => unfurls.flush(runLogger(logger)) },
    ],
    config.trackIntervalMs,
    logger,
  );
  const configuredVendors = () => accounts.allVendors();
  const retention = new RetentionJob({
    store: new RetentionStore(database.db, database.kind),
    leases: new JobLeases(database.db),
    retentionDays: config.retentionDays,
    owner,
    logger,
    ...deps.retention,
  });

  let stopping: Promise<void> | undefined;
  async function finishCreations(left: () => number): Promise<void> {
    creations.wake('all');
    await settledWithin(creations.idle(), Math.max(0, left() - 2000));
    await creations.stop(Math.max(0, left() - 1000));
    await sessions.drain();
  }
  async function shutdown(): Promise<void> {
    const deadline = Date.now() + config.shutdownTimeoutMs;
    const left = () => Math.max(0, deadline - Date.now());
    gate.close();
    logger.info({ timeoutMs: config.shutdownTimeoutMs }, 'Rendezvous is stopping: new requests get 503');
    const steps = {
      requestsAnswered: await gate.drained(left()),
      // No new leases; the running pass finishes its vendor calls and releases what it leased.
      trackingStopped: await settledWithin(tracking.stop(), left()),
      retentionStopped: await settledWithin(retention.stop(), left()),
      // The creations acked before the door closed are carried through while the deadline allows;
      // then no job is leased any more, and one still running keeps its lease for another replica.
      creationsFinished: await settledWithin(finishCreations(left), left()),
      outboxFlushed: await settledWithin(notifier.flush(), left()),
      // A completion in flight ends (its lease runs out otherwise, and another replica sends it).
      workflowStepsStopped: await settledWithin(workflowCompleter.stop(), left()),
      // A Slack call sync in flight records what Slack answered before the database closes.
      slackCallsSynced: await settledWithin(slackCalls.settle(), left()),
    };
    if (Object.values(steps).includes(false)) logger.warn(steps, 'shutdown deadline reached; unfinished work keeps its lease until it runs out');
    // The outbox takes no more rows before the database closes; a reply in flight is bounded by the client's timeout.
    void notifier.stop();
    await unfurls.stop();
    await accounts.stop();
    // Closing the server waits for open connections; a request still held past the deadline
    // must not hold the exit (its lease, if any, runs out and is taken over).
    await settledWithin(app.stop().catch(() => undefined), Math.max(1000, left()));
    if (!deps.database) {
      await database.db.destroy();
      // Its last checkpoint written and its connection closed: nothing holds the files any more.
      await database.checkpointer?.stop();
    }
    logger.info(steps, 'Rendezvous stopped');
  }

  return {
    app,
    sessions,
    tracking,
    retention,
    health,
    database,
    metrics,
    async start() {
      await migrate(database.db);
      // Before any request. The identity key first: an upgraded deployment's is told by its v1
      // rows, which the re-key job then seals again with the current key (with all the others).
      pseudonymKey = await vendorIdentityKey(database.db, contactCrypto);
      await rekeyStoredSecrets(database.db, contactCrypto, { logger });
      accountIds = await accountIdsKey(database.db, contactCrypto);
      await accounts.load();
      const started = (await app.start(config.port)) as Server | undefined;
      tracking.start();
      creations.start();
      retention.start();
      workflowCompleter.start();
      const address = started && typeof started.address === 'function' ? started.address() : undefined;
      const port = address && typeof address === 'object' ? address.port : undefined;
      logger.info({ port, mode: config.slack.appToken ? 'socket' : 'http', install: oauth ? 'oauth' : 'single-workspace', database: database.kind }, 'Rendezvous is listening');
      return { port };
    },
    stop() {
      stopping ??= shutdown();
      return stopping;
    },
  };
}

/** OAuth install: each workspace's calls with its installation's token, a gateway per token. */
function tokenGateways(installations: InstallationService, build: (token: string) => SlackGateway): SlackGateways {
  return new TokenGateways({ tokenFor: (team) => installations.botToken(team), forget: (team) => installations.forget(team), build });
}

/** True when `work` settles within `ms` (its failure is logged where it happens), false otherwise. */
function settledWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  return Promise.race([work.then(() => true, () => true), late]).finally(() => clearTimeout(timer));
}

/**
 * Wraps Bolt's entry point for every Slack request (both receivers call `app.processEvent`): the
 * request's ack latency by kind, counted from its arrival (the gate's timestamp in HTTP mode,
 * passed in the event's custom properties). In Socket Mode a request arriving
 * while stopping is left unacknowledged, so Slack sends it again, to another connection.
 */
function observeSlackRequests(app: App, gate: RequestGate, metrics: Metrics, socketMode: boolean): void {
  const processEvent = app.processEvent.bind(app);
  const observed = (event: ReceiverEvent): Promise<void> => {
    const startedAt = (event.customProperties?.startedAt as number | undefined) ?? performance.now();
    const kind = ackKindOf(event.body);
    const ack: ReceiverEvent['ack'] = async (response) => {
      try {
        await event.ack(response);
      } finally {
        metrics.ack(kind, (performance.now() - startedAt) / 1000);
      }
    };
    return gate.track(processEvent({ ...event, ack }));
  };
  app.processEvent = (event) => {
    if (socketMode && gate.stopping) return Promise.resolve();
    return observed(event);
  };
}
