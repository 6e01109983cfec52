import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CallObserver, ObservedCall } from '../domain/vendor-module.js';
import type { Logger } from '../logger.js';
import type { OperationalFigures, OutboxFigures, SessionCount } from '../store/operational-figures.js';

/** What a Slack request was, for the ack latency (Slack gives 3 s for every kind). */
export type AckKind = 'command' | 'action' | 'view' | 'shortcut' | 'event' | 'options' | 'other';

export interface MetricsOptions {
  figures: OperationalFigures;
  logger: Logger;
  /** How long database figures are reused between scrapes (default 5 s). */
  figuresCacheMs?: number;
  now?: () => Date;
  /** Node's own process metrics (memory, event loop, GC); once per process, so main.ts only. */
  processMetrics?: boolean;
}

interface Figures {
  sessions: SessionCount[];
  oldestDue: Array<{ vendor: string; dueSince: Date }>;
  outbox: OutboxFigures;
}

/**
 * Rendezvous's Prometheus series, in a registry of its own (createApp builds one per app, so
 * several apps in one process never share or clash). Counters and histograms are fed as things
 * happen; session, tracking and outbox figures are read from the database at scrape time with
 * a few aggregate queries, cached for a few seconds so that frequent scrapes cost nothing.
 */
export class Metrics implements CallObserver {
  readonly registry = new Registry();
  private readonly ackSeconds: Histogram<'kind'>;
  private readonly vendorCallSeconds: Histogram<'vendor' | 'operation' | 'outcome'>;
  private readonly vendorCalls: Counter<'vendor' | 'operation' | 'outcome'>;
  private readonly vendorRateLimited: Counter<'vendor'>;
  private readonly budgetWaitSeconds: Histogram<'vendor'>;
  private readonly slackApiErrors: Counter<'method' | 'error'>;
  private cached?: { at: number; figures: Promise<Figures | undefined> };

  constructor(private readonly options: MetricsOptions) {
    const registers = [this.registry];
    this.ackSeconds = new Histogram({
      name: 'rendezvous_slack_ack_seconds',
      help: 'Time from a Slack request arriving to its acknowledgement, by kind (Slack allows 3 s)',
      labelNames: ['kind'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5],
      registers,
    });
    this.vendorCallSeconds = new Histogram({
      name: 'rendezvous_vendor_call_seconds',
      help: 'Vendor API call latency by vendor, operation and outcome (ok or the error code)',
      labelNames: ['vendor', 'operation', 'outcome'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30],
      registers,
    });
    this.vendorCalls = new Counter({
      name: 'rendezvous_vendor_calls_total',
      help: 'Vendor API calls by vendor, operation and outcome (ok or the error code)',
      labelNames: ['vendor', 'operation', 'outcome'],
      registers,
    });
    this.vendorRateLimited = new Counter({
      name: 'rendezvous_vendor_rate_limited_total',
      help: 'Vendor answers with HTTP 429 (the budget should make these rare)',
      labelNames: ['vendor'],
      registers,
    });
    this.budgetWaitSeconds = new Histogram({
      name: 'rendezvous_budget_wait_seconds',
      help: "Time a call waited for a slot of the vendor account's request budget",
      labelNames: ['vendor'],
      buckets: [0.01, 0.1, 0.5, 1, 5, 10, 30, 60, 120],
      registers,
    });
    this.slackApiErrors = new Counter({
      name: 'rendezvous_slack_api_errors_total',
      help: 'Slack Web API calls that failed, by method and error (Slack error code, ratelimited, http_5xx or network)',
      labelNames: ['method', 'error'],
      registers,
    });
    this.figureGauges();
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'rendezvous_' });
  }

  ack(kind: AckKind, seconds: number): void {
    this.ackSeconds.observe({ kind }, seconds);
  }

  call({ vendor, operation, ok, code, status, durationMs }: ObservedCall): void {
    const labels = { vendor, operation, outcome: ok ? 'ok' : (code ?? 'error') };
    this.vendorCallSeconds.observe(labels, durationMs / 1000);
    this.vendorCalls.inc(labels);
    if (status === 429) this.vendorRateLimited.inc({ vendor });
  }

  budgetWaited(account: string, waitedMs: number): void {
    // The account key is `<vendor>:<user name>`; only the vendor is a label (a user name may be an e-mail).
    this.budgetWaitSeconds.observe({ vendor: account.split(':')[0]! }, waitedMs / 1000);
  }

  slackApiError(method: string, error: string): void {
    this.slackApiErrors.inc({ method, error });
  }

  /** The text exposition for `GET /metrics`. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  /** One read of the database figures shared by every gauge of a scrape (and the next few seconds). */
  private figures(): Promise<Figures | undefined> {
    const at = Date.now();
    if (this.cached && at - this.cached.at < (this.options.figuresCacheMs ?? 5000)) return this.cached.figures;
    const { figures, logger } = this.options;
    const read = Promise.all([figures.sessionsByStatus(), figures.oldestDue(this.now()), figures.outbox()])
      .then(([sessions, oldestDue, outbox]) => ({ sessions, oldestDue, outbox }))
      .catch((error: unknown) => {
        // A scrape still answers (vendor and Slack series) while the database does not.
        logger.warn({ err: error }, 'metrics: database figures not read');
        return undefined;
      });
    this.cached = { at, figures: read };
    return read;
  }

  /**
   * Labelled gauges show no series for what the database did not give; a gauge without labels
   * always shows one, so it says NaN (unknown) rather than a reassuring 0.
   */
  private figureGauges(): void {
    const registers = [this.registry];
    // Each gauge's `collect` runs with `this` = the gauge; these reach the shared figures.
    const read = () => this.figures();
    const age = (since: Date | undefined) => (since ? Math.max(0, (this.now().getTime() - since.getTime()) / 1000) : 0);
    new Gauge({
      name: 'rendezvous_sessions',
      help: 'Sessions in the database by vendor and status',
      labelNames: ['vendor', 'status'],
      registers,
      async collect() {
        const figures = await read();
        this.reset();
        for (const { vendor, status, count } of figures?.sessions ?? []) this.set({ vendor, status }, count);
      },
    });
    new Gauge({
      name: 'rendezvous_tracking_lag_seconds',
      help: 'Age of the oldest tracked session whose check is due, by vendor (0 when none is overdue)',
      labelNames: ['vendor'],
      registers,
      async collect() {
        const figures = await read();
        this.reset();
        for (const { vendor, dueSince } of figures?.oldestDue ?? []) this.set({ vendor }, age(dueSince));
      },
    });
    new Gauge({
      name: 'rendezvous_outbox_depth',
      help: 'Thread replies written and not posted yet',
      registers,
      async collect() {
        const figures = await read();
        this.reset();
        this.set(figures ? figures.outbox.depth : Number.NaN);
      },
    });
    new Gauge({
      name: 'rendezvous_outbox_oldest_age_seconds',
      help: 'Age of the oldest thread reply not posted yet (0 when none waits)',
      registers,
      async collect() {
        const figures = await read();
        this.reset();
        this.set(figures ? age(figures.outbox.oldestCreatedAt) : Number.NaN);
      },
    });
    new Gauge({
      name: 'rendezvous_outbox_dead_letters',
      help: 'Thread replies given up on (dead letters): set aside after their last try or a refusal Slack will repeat',
      registers,
      async collect() {
        const figures = await read();
        this.reset();
        this.set(figures?.outbox.deadLetters ?? Number.NaN);
      },
    });
  }
}

/** Slack's request kind, from the parsed body Bolt hands to `processEvent`. */
export function ackKindOf(body: Record<string, unknown>): AckKind {
  if (typeof body.command === 'string') return 'command';
  switch (body.type) {
    case 'block_actions':
    case 'interactive_message':
      return 'action';
    case 'view_submission':
    case 'view_closed':
      return 'view';
    case 'shortcut':
    case 'message_action':
      return 'shortcut';
    case 'event_callback':
      return 'event';
    case 'block_suggestion':
      return 'options';
    default:
      return 'other';
  }
}
