import type { Logger } from '../domain/logger.js';
import type { JobLeases } from '../store/job-leases.js';
import type { RetentionStore } from '../store/retention.js';

/** The job's name in `job_runs`. */
export const RETENTION_JOB = 'retention';

const DAY_MS = 24 * 60 * 60_000;

export interface RetentionJobDeps {
  store: Pick<RetentionStore, 'purge'>;
  leases: Pick<JobLeases, 'claim' | 'renew' | 'finish'>;
  /** RETENTION_DAYS: sessions whose last activity is older go. */
  retentionDays: number;
  /** This replica, for the lease. */
  owner: string;
  logger: Logger;
  /** How often the purge runs, across all replicas (default hourly). */
  everyMs?: number;
  /** How often this replica asks whether it is due (default: every 5 minutes, or `everyMs` if shorter). */
  checkEveryMs?: number;
  /** The lease, renewed after each batch (default 10 minutes). */
  leaseMs?: number;
  /** Sessions deleted per transaction (default 500): a long purge never holds the database for long. */
  batchSize?: number;
  now?: () => Date;
}

/** What one check did: whether this replica ran the purge, and how many sessions went. */
export interface RetentionRun {
  ran: boolean;
  purged: number;
}

/**
 * The retention purge (README "Retention"): now and then, on one replica at a time, sessions
 * older than RETENTION_DAYS since their last activity go, with all kept under their id. Every
 * replica asks every few minutes; the lease in `job_runs` lets one run it, and sets when it is
 * next due. A failed run is logged and tried again at the next check; it never stops the loop.
 */
export class RetentionJob {
  private timer?: NodeJS.Timeout;
  private stopped = true;
  /** Set by stop(): a running purge ends after its current batch. */
  private stopping = false;
  private current?: Promise<RetentionRun>;

  constructor(private readonly deps: RetentionJobDeps) {}

  private get everyMs(): number {
    return this.deps.everyMs ?? 60 * 60_000;
  }

  private get checkEveryMs(): number {
    return this.deps.checkEveryMs ?? Math.min(this.everyMs, 5 * 60_000);
  }

  start(): void {
    this.stopped = false;
    this.schedule(this.checkEveryMs);
  }

  /** No new run; the one running ends after its current batch. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    await this.current;
  }

  /** One check now: runs the purge if it is due and no other replica holds it (tests call it). */
  runOnce(): Promise<RetentionRun> {
    this.current ??= this.check().finally(() => {
      this.current = undefined;
    });
    return this.current;
  }

  private async check(): Promise<RetentionRun> {
    const { leases, owner, logger } = this.deps;
    const leaseMs = this.deps.leaseMs ?? 10 * 60_000;
    const now = this.now();
    try {
      if (!(await leases.claim(RETENTION_JOB, owner, now, leaseMs))) return { ran: false, purged: 0 };
    } catch (error) {
      logger.warn({ err: error }, 'retention: the job lease could not be read; trying again at the next check');
      return { ran: false, purged: 0 };
    }
    const cutoff = new Date(now.getTime() - this.deps.retentionDays * DAY_MS);
    let purged = 0;
    try {
      purged = await this.purgeUntilDone(cutoff, leaseMs);
      logger.info({ purged, cutoff: cutoff.toISOString(), retentionDays: this.deps.retentionDays }, 'retention: old sessions purged');
      await leases.finish(RETENTION_JOB, owner, this.now(), new Date(this.now().getTime() + this.everyMs));
    } catch (error) {
      logger.error({ err: error, purged }, 'retention purge failed; trying again at the next check');
      // Due again at once: the next check (of any replica) takes it up.
      await leases.finish(RETENTION_JOB, owner, this.now(), this.now()).catch(() => undefined);
    }
    return { ran: true, purged };
  }

  /** Batch after batch, renewing the lease in between, until a batch comes back short, the lease is lost or the app stops. */
  private async purgeUntilDone(cutoff: Date, leaseMs: number): Promise<number> {
    const batchSize = this.deps.batchSize ?? 500;
    let purged = 0;
    for (;;) {
      const ids = await this.deps.store.purge(cutoff, this.now(), batchSize);
      purged += ids.length;
      if (ids.length < batchSize || this.stopping) return purged;
      if (!(await this.deps.leases.renew(RETENTION_JOB, this.deps.owner, this.now(), leaseMs))) {
        this.deps.logger.warn({ purged }, 'retention: lease lost mid-purge; another replica carries on');
        return purged;
      }
    }
  }

  private schedule(delay: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(async () => {
      await this.runOnce();
      this.schedule(this.checkEveryMs);
    }, delay);
  }

  private now(): Date {
    return (this.deps.now ?? (() => new Date()))();
  }
}
