import { runLogger, type Logger } from '../domain/logger.js';
import type { CreationJob, CreationJobsRepository, CreationStep } from '../store/creation-jobs-repository.js';
import type { StepResult } from './sessions.js';

/** Which lanes a wake looks at: every lane (a poll), or the card lane and some vendors' lanes. */
export type WakeScope = 'all' | { cards: boolean; vendors: string[] };

function merge(a: WakeScope | undefined, b: WakeScope): WakeScope {
  if (!a) return b;
  if (a === 'all' || b === 'all') return 'all';
  return { cards: a.cards || b.cards, vendors: [...new Set([...a.vendors, ...b.vendors])] };
}

/** What the runner asks of the session service, one step at a time. */
export interface CreationSteps {
  /** The job's logger: its lines carry the correlation id of the request that asked for it. */
  loggerFor(job: CreationJob): Logger;
  postCard(job: CreationJob, log: Logger): Promise<StepResult | { kind: 'posted' }>;
  callVendor(job: CreationJob, markCalling: () => Promise<boolean>, log: Logger): Promise<StepResult>;
  settleStale(job: CreationJob, limitMs: number, log: Logger): Promise<StepResult>;
}

export interface CreationRunnerDeps {
  jobs: Pick<CreationJobsRepository, 'leaseForCard' | 'leaseForVendor' | 'leaseInterrupted' | 'leaseStale' | 'renew' | 'advance' | 'release' | 'finish' | 'adoptOrphans'>;
  steps: CreationSteps;
  /** The vendors set up here (their jobs are leased per vendor). */
  vendors: () => string[];
  owner: string;
  logger: Logger;
  /** Renewed while held, so a short lease only decides how soon a dead replica's jobs are taken over. */
  leaseMs?: number;
  /** Jobs written on other replicas (or left by a dead one) are looked for this often. */
  pollMs?: number;
  /** A creation still unsettled after this long is settled (failed, or reconciled with the vendor). */
  staleAfterMs?: number;
  /** Cards posted at once: more only competes with the next acks for the CPU, and Slack paces posts per channel anyway. */
  cardConcurrency?: number;
  /**
   * Cards leased ahead of the free card slots, held here until a slot frees: a burst of acks
   * then costs one lease query per few cards instead of one per card (each lease is a write).
   */
  cardPrefetch?: number;
  /** Vendor calls in flight per vendor: a slow vendor holds up its own sessions only. */
  vendorConcurrency?: number;
  now?: () => Date;
}

/**
 * Works off the creation jobs the acks wrote, on any replica, after any restart. The backlog
 * stays in the database: this replica holds only the jobs it is working on (a few cards, a few
 * calls per vendor), so memory stays flat however many requests were acknowledged. Cards and
 * vendor calls are leased separately, so a card is never posted behind a slow vendor.
 */
export class CreationRunner {
  private readonly held = new Set<string>();
  /** Cards leased ahead (`cardPrefetch`), oldest first, waiting for a card slot. */
  private readonly waitingCards: CreationJob[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private cards = 0;
  private readonly calls = new Map<string, number>();
  private stopped = true;
  private passing?: Promise<void>;
  private pending?: WakeScope;
  private pollTimer?: NodeJS.Timeout;
  private renewTimer?: NodeJS.Timeout;
  private lastSweep = 0;
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private readonly staleAfterMs: number;
  private readonly now: () => Date;

  constructor(private readonly deps: CreationRunnerDeps) {
    this.leaseMs = deps.leaseMs ?? 15_000;
    this.pollMs = deps.pollMs ?? 1000;
    this.staleAfterMs = deps.staleAfterMs ?? 10 * 60_000;
    this.now = deps.now ?? (() => new Date());
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.pollTimer = setInterval(() => this.wake('all'), this.pollMs);
    this.renewTimer = setInterval(() => void this.renew(), Math.max(100, Math.floor(this.leaseMs / 3)));
    this.wake('all');
  }

  /**
   * Stops leasing, and gives the steps running now `graceMs` to finish (their leases renewed
   * meanwhile). A step still running then (a call queued behind a vendor's rate limit) is left
   * to its lease: once it runs out, another replica retries it, or reconciles it if the vendor
   * call had started. Nothing acknowledged is lost either way.
   */
  async stop(graceMs = 3000): Promise<void> {
    this.stopped = true;
    clearInterval(this.pollTimer);
    await this.passing;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled([...this.inFlight]), new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
    clearInterval(this.renewTimer);
    await this.releaseWaitingCards();
  }

  /** Cards leased ahead and never started go back at once, for any replica (not after their lease). */
  private async releaseWaitingCards(): Promise<void> {
    const waiting = this.waitingCards.splice(0);
    for (const job of waiting) this.held.delete(job.sessionId);
    await Promise.allSettled(waiting.map((job) => this.deps.jobs.release(job.sessionId, this.deps.owner, job.step, this.now())));
  }

  /**
   * A job was written here (`cards`), a card was posted or a call ended (that vendor): lease
   * now rather than at the next poll. Only the lanes named are looked at, and a lane without a
   * free slot costs no query, so a flood of acks does not turn into a flood of queries.
   */
  wake(scope: WakeScope = 'all'): void {
    if (this.stopped || !this.hasRoomFor(scope)) return;
    this.pending = merge(this.pending, scope);
    if (this.passing) return;
    const next = this.pending;
    this.pending = undefined;
    if (!next) return;
    this.passing = this.pass(next)
      // The pass writes no other line: its id is made only when it fails.
      .catch((error: unknown) => runLogger(this.deps.logger).warn({ err: error }, 'creation jobs not leased; the next poll retries'))
      .finally(() => {
        this.passing = undefined;
        if (this.pending) this.wake(this.pending);
      });
  }

  /** Whether a lane named has a free slot: an ack while every card slot is busy costs nothing. */
  private hasRoomFor(scope: WakeScope): boolean {
    if (scope === 'all') return true;
    if (scope.cards && this.cards < this.cardConcurrency) return true;
    return scope.vendors.some((vendor) => (this.calls.get(vendor) ?? 0) < (this.deps.vendorConcurrency ?? 16));
  }

  /** Resolves once nothing is held (tests). */
  async idle(): Promise<void> {
    while (this.passing || this.inFlight.size > 0) {
      await this.passing;
      await Promise.allSettled([...this.inFlight]);
    }
  }

  private async pass(scope: WakeScope): Promise<void> {
    const lease = { owner: this.deps.owner, now: this.now(), leaseMs: this.leaseMs };
    const all = scope === 'all';
    if (all && lease.now.getTime() - this.lastSweep >= Math.min(30_000, this.staleAfterMs / 4)) {
      this.lastSweep = lease.now.getTime();
      await this.sweep(lease);
    }
    if (all || scope.cards) {
      this.startWaitingCards();
      // Only once none is waiting: a slot still free is filled, and a few more leased ahead.
      const cardSlots = this.cardConcurrency - this.cards;
      if (cardSlots > 0) {
        const ahead = await this.deps.jobs.leaseForCard({ ...lease, limit: cardSlots + (this.deps.cardPrefetch ?? 8) });
        for (const job of ahead) this.held.add(job.sessionId);
        // Oldest first: their starters have waited longest (PostgreSQL returns leased rows in any order).
        this.waitingCards.push(...ahead.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime()));
        this.startWaitingCards();
      }
    }
    for (const vendor of all ? this.deps.vendors() : scope.vendors) {
      let slots = (this.deps.vendorConcurrency ?? 16) - (this.calls.get(vendor) ?? 0);
      if (slots <= 0) continue;
      // Calls a dead replica left half done go first (looked for at each poll): their starters
      // have waited longest.
      if (all) {
        const interrupted = await this.deps.jobs.leaseInterrupted(vendor, { ...lease, limit: slots });
        for (const job of interrupted) this.run(job, 'call');
        slots -= interrupted.length;
        if (slots <= 0) continue;
      }
      for (const job of await this.deps.jobs.leaseForVendor(vendor, { ...lease, limit: slots })) this.run(job, 'call');
    }
  }

  private get cardConcurrency(): number {
    return this.deps.cardConcurrency ?? 2;
  }

  private startWaitingCards(): void {
    while (this.cards < this.cardConcurrency && this.waitingCards.length > 0) this.run(this.waitingCards.shift()!, 'card');
  }

  /** Creations past the limit: those nobody holds are settled here and now. */
  private async sweep(lease: { owner: string; now: Date; leaseMs: number }): Promise<void> {
    const before = new Date(lease.now.getTime() - this.staleAfterMs);
    await this.deps.jobs.adoptOrphans(before, lease.now, 50);
    for (const job of await this.deps.jobs.leaseStale(before, { ...lease, limit: 50 })) this.run(job, 'stale');
  }

  private run(job: CreationJob, lane: 'card' | 'call' | 'stale'): void {
    this.held.add(job.sessionId);
    this.count(lane, job.vendor, +1);
    // Each job logs under its own request's id, whichever request or poll woke this runner.
    const log = this.deps.steps.loggerFor(job);
    const running = this.step(job, lane, log)
      .catch(async (error: unknown) => {
        log.error({ sessionId: job.sessionId, vendor: job.vendor, step: job.step, err: error }, 'creation step failed; retried');
        // Before the call, the step is simply tried again; a job in `calling` keeps its
        // lease until it runs out, and is then reconciled, never called again.
        if (job.step !== 'calling') await this.deps.jobs.release(job.sessionId, this.deps.owner, job.step, new Date(this.now().getTime() + 5000), 'internal').catch(() => undefined);
      })
      .finally(() => {
        this.held.delete(job.sessionId);
        this.count(lane, job.vendor, -1);
        this.inFlight.delete(running);
        // The slot it held is free; a posted card is now the vendor lane's.
        this.wake(lane === 'card' ? { cards: true, vendors: [job.vendor] } : lane === 'call' ? { cards: false, vendors: [job.vendor] } : 'all');
      });
    this.inFlight.add(running);
  }

  private async step(job: CreationJob, lane: 'card' | 'call' | 'stale', log: Logger): Promise<void> {
    const { jobs, steps, owner } = this.deps;
    if (lane === 'stale') return this.record(job, await steps.settleStale(job, this.staleAfterMs, log), log);
    if (lane === 'card') {
      const result = await steps.postCard(job, log);
      if (result.kind !== 'posted') return this.record(job, result, log);
      // Let go of it: the vendor lane (this replica's, woken in `run`, or another's) takes it.
      await jobs.release(job.sessionId, owner, 'card_posted', this.now());
      return;
    }
    const result = await steps.callVendor(job, () => jobs.advance(job.sessionId, owner, 'calling'), log);
    await this.record(job, result, log);
  }

  private async record(job: CreationJob, result: StepResult, log: Logger): Promise<void> {
    const { jobs, owner } = this.deps;
    if (result.kind === 'done') await jobs.finish(job.sessionId, owner);
    else if (result.kind === 'retry') await jobs.release(job.sessionId, owner, job.step as CreationStep, new Date(this.now().getTime() + result.afterMs), result.reason);
    else log.warn({ sessionId: job.sessionId }, 'creation job taken over by another replica');
  }

  private count(lane: 'card' | 'call' | 'stale', vendor: string, delta: number): void {
    if (lane === 'card') this.cards += delta;
    else if (lane === 'call') this.calls.set(vendor, (this.calls.get(vendor) ?? 0) + delta);
  }

  private async renew(): Promise<void> {
    if (this.held.size === 0) return;
    try {
      await this.deps.jobs.renew(this.deps.owner, [...this.held], this.now(), this.leaseMs);
    } catch (error) {
      runLogger(this.deps.logger).warn({ err: error }, 'creation leases not renewed; retried shortly');
    }
  }
}
