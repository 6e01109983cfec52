import type { CallObserver, RateLedger } from '../domain/vendor-module.js';

/**
 * Where the requests sent to a vendor account are counted (domain's `RateLedger`). In memory for
 * one process; in the database (src/store/rate-ledger.ts) when several replicas share the limit.
 */
export type { RateLedger };

export class MemoryRateLedger implements RateLedger {
  private readonly accounts = new Map<string, number[]>();

  async tryAcquire(account: string, max: number, windowMs: number, now: number) {
    const stamps = (this.accounts.get(account) ?? []).filter((stamp) => stamp > now - windowMs);
    const acquired = stamps.length < max;
    if (acquired) stamps.push(now);
    this.accounts.set(account, stamps);
    return { acquired, stamps: [...stamps] };
  }
}

export interface RateBudgetOptions {
  windowMs?: number;
  now?: () => number;
  ledger?: RateLedger;
  /** The vendor account this budget belongs to (the ledger's key). */
  account?: string;
  /** Told how long each interactive call waited for its slot (metrics). */
  observer?: Pick<CallObserver, 'budgetWaited'>;
}

/**
 * A vendor account's request budget: at most `limit` requests in any `windowMs` (a sliding log,
 * stricter than any fixed window the vendor may count with, so the vendor never answers 429 in
 * normal use). Interactive calls queue in order; background work (tracking) only takes a slot
 * while `reserve` slots stay free and spreads its calls over the window, so creating a session
 * is never starved by polling. With a shared ledger, every replica counts against one limit.
 */
export class RateBudget {
  readonly reserve: number;
  /** Background calls are spread evenly over the window instead of spent in a burst. */
  readonly backgroundSpacingMs: number;
  readonly windowMs: number;
  private readonly now: () => number;
  private readonly ledger: RateLedger;
  private readonly account: string;
  /** The window as last seen in the ledger (this replica's estimate between two reads). */
  private stamps: number[] = [];
  private waiting = 0;
  private queue: Promise<void> = Promise.resolve();
  private pausedUntil = 0;
  private lastBackgroundAt = -Infinity;
  private stopped = false;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly observer?: RateBudgetOptions['observer'];

  constructor(
    readonly limit: number,
    windowMsOrOptions: number | RateBudgetOptions = {},
    now?: () => number,
  ) {
    const options = typeof windowMsOrOptions === 'number' ? { windowMs: windowMsOrOptions, now } : windowMsOrOptions;
    this.windowMs = options.windowMs ?? 60_000;
    this.now = options.now ?? Date.now;
    this.ledger = options.ledger ?? new MemoryRateLedger();
    this.account = options.account ?? 'default';
    this.observer = typeof windowMsOrOptions === 'number' ? undefined : windowMsOrOptions.observer;
    this.reserve = limit >= 5 ? Math.max(1, Math.floor(limit * 0.2)) : 0;
    this.backgroundSpacingMs = this.windowMs / Math.max(1, limit - this.reserve);
  }

  /** Free slots right now, as last seen. */
  available(): number {
    return this.pausedUntil > this.now() ? 0 : this.freeInWindow();
  }

  private freeInWindow(): number {
    const now = this.now();
    this.stamps = this.stamps.filter((stamp) => stamp > now - this.windowMs);
    return this.limit - this.stamps.length;
  }

  /** About how long a call queued now would wait, in ms (0 when a slot is free). */
  estimateWaitMs(): number {
    const free = this.freeInWindow();
    const position = this.waiting;
    const now = this.now();
    const pause = Math.max(0, this.pausedUntil - now);
    if (position < free) return pause;
    const sorted = [...this.stamps].sort((a, b) => a - b);
    const freeing = sorted[position - free];
    const wait = freeing === undefined ? this.windowMs : freeing + this.windowMs - now;
    return Math.max(pause, wait);
  }

  /** Waits for a slot, in arrival order. */
  take(): Promise<void> {
    this.waiting += 1;
    const queuedAt = this.now();
    const turn = this.queue.then(() => this.acquire()).then(() => this.observer?.budgetWaited(this.account, this.now() - queuedAt));
    this.queue = turn.catch(() => undefined);
    return turn.finally(() => {
      this.waiting -= 1;
    });
  }

  /**
   * Whether background work may try for a slot now: no interactive call is waiting, the reserve
   * stays free (as last seen), and the last background call is at least `backgroundSpacingMs` old.
   */
  backgroundReady(): boolean {
    return (
      !this.stopped &&
      this.waiting === 0 &&
      this.available() - 1 >= this.reserve &&
      this.now() - this.lastBackgroundAt >= this.backgroundSpacingMs
    );
  }

  /** Waits (at most `maxWaitMs`) until background work may try for a slot; true when it may. */
  async backgroundReadyWithin(maxWaitMs: number): Promise<boolean> {
    const deadline = this.now() + maxWaitMs;
    while (!this.backgroundReady()) {
      const spacingLeft = this.lastBackgroundAt + this.backgroundSpacingMs - this.now();
      if (this.stopped || this.waiting > 0 || this.now() + Math.max(spacingLeft, 5) > deadline) return false;
      await this.sleep(Math.max(5, spacingLeft));
    }
    return true;
  }

  /** Takes a slot for background work only when ready and the ledger still leaves the reserve. */
  async tryTakeBackground(): Promise<boolean> {
    if (!this.backgroundReady()) return false;
    const now = this.now();
    const result = await this.ledger.tryAcquire(this.account, this.limit - this.reserve, this.windowMs, now);
    this.stamps = result.stamps;
    if (result.acquired) this.lastBackgroundAt = now;
    return result.acquired;
  }

  /** The vendor said "not before": no call leaves until then (429 with a reset time). */
  pauseUntil(epochMs: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, epochMs);
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private async acquire(): Promise<void> {
    for (;;) {
      if (this.stopped) throw new Error('rate budget stopped');
      const now = this.now();
      if (this.pausedUntil > now) {
        await this.sleep(this.pausedUntil - now);
        continue;
      }
      const result = await this.ledger.tryAcquire(this.account, this.limit, this.windowMs, now);
      this.stamps = result.stamps;
      if (result.acquired) return;
      const oldest = Math.min(...result.stamps);
      await this.sleep(Math.max(20, oldest + this.windowMs - this.now()));
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      timer.unref?.();
      this.timers.add(timer);
    });
  }
}

/** `X-RateLimit-Reset` below 10⁹ is seconds from now, above it a Unix time (PRODUCT.md §3). */
export function rateLimitResetAt(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const value = Number(header);
  if (!Number.isFinite(value) || value < 0) return undefined;
  return value < 1e9 ? now + value * 1000 : value * 1000;
}

/** `Retry-After`: seconds, or an HTTP date. */
export function retryAfterAt(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return now + seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : date;
}
