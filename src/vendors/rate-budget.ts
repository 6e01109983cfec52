import { randomUUID } from 'node:crypto';
import type { CallObserver, RateLedger } from '../domain/vendor-module.js';

/**
 * Where the requests sent to a vendor account are counted (domain's `RateLedger`). In memory for
 * one process; in the database (src/store/rate-ledger.ts) when several replicas share the limit.
 */
export type { RateLedger };

/** One process's ledger: its stamps and its comparisons all use the budget's clock. */
export class MemoryRateLedger implements RateLedger {
  /** Per account: slot id → stamp. */
  private readonly accounts = new Map<string, Map<string, number>>();

  async tryAcquire(account: string, max: number, windowMs: number, now: number, inFlightMs = 0) {
    const slots = this.slotsOf(account);
    for (const [id, stamp] of slots) if (stamp <= now - windowMs) slots.delete(id);
    const acquired = slots.size < max;
    const id = acquired ? randomUUID() : undefined;
    if (id) slots.set(id, now + inFlightMs);
    return { acquired, id, stamps: [...slots.values()], now };
  }

  async settle(account: string, id: string, now: number) {
    this.slotsOf(account).set(id, now);
  }

  private slotsOf(account: string): Map<string, number> {
    let slots = this.accounts.get(account);
    if (!slots) this.accounts.set(account, (slots = new Map()));
    return slots;
  }
}

/** A slot taken with `takeSlot` or `tryTakeBackgroundSlot`, for one request. */
export interface RateSlot {
  /**
   * The request's answer (or its failure) is in, so the vendor has counted it by now: the slot
   * stays held a window (and the margin) from this moment. Call it once the answer's headers are
   * in, also after a timeout or a network error. Never throws; if the ledger cannot be reached,
   * the slot stays held as if its request were still in flight, which costs time, not a 429.
   */
  settle(): void;
}

export interface RateBudgetOptions {
  /** The vendor's window: at most `limit` requests in any `windowMs` (60 s). */
  windowMs?: number;
  /** Added to the window on our side (default 1/60 of it: 1 s a minute); see `RateBudget`. */
  marginMs?: number;
  /**
   * How long a request may be in flight with no answer (default 60 s). It must be at least the
   * client's timeout: a slot whose request has no answer is held that long, plus the window.
   */
  maxRequestMs?: number;
  now?: () => number;
  /** Waits `ms` (tests pair it with `now` to move time by hand). */
  sleep?: (ms: number) => Promise<void>;
  ledger?: RateLedger;
  /** The vendor account this budget belongs to (the ledger's key). */
  account?: string;
  /** Told how long each interactive call waited for its slot (metrics). */
  observer?: Pick<CallObserver, 'budgetWaited'>;
}

/**
 * A vendor account's request budget: at most `limit` requests in any window, as the vendor sees
 * them. Interactive calls queue in order; background work (tracking) only takes a slot while
 * `reserve` slots stay free and spreads its calls over the window, so creating a session is never
 * starved by polling. With a shared ledger, every replica counts against one limit.
 *
 * Never a 429 (issue 9). The vendor counts a request when it reaches it, somewhere between our
 * sending it and our reading its answer, while we decide when we reserve. Stamping a slot at
 * reservation let latency bring two requests closer together at the vendor than they were here
 * (the first delayed, the eleventh not: eleven in 60 s as the vendor counts). So a slot's stamp is
 * the LATEST time its request can have reached the vendor: `maxRequestMs` after the reservation
 * while no answer is in, then the time of `settle()`. A slot is held while its stamp is later
 * than now − (window + margin), and a request is admitted only while fewer than `limit` are held.
 *
 * Why that is enough: say the vendor saw `limit + 1` requests within one window W. Let j be the
 * one admitted last, at r_j; it reached the vendor at a_j ≥ r_j, so each other one, i, reached it
 * at a_i > a_j − W ≥ r_j − W. At r_j, i was already admitted. Settled by then, its stamp (the
 * settle, after its answer, so after a_i) is later than r_j − W. Not settled, its stamp is
 * r_i + maxRequestMs, and r_j ≤ a_j < a_i + W ≤ r_i + timeout + W (the client gives up at its
 * timeout, and maxRequestMs is at least that), so the stamp is later than r_j − W as well.
 * Either way `limit` slots were held at r_j and j could not be admitted. A vendor counting per
 * calendar minute is covered too: each of its minutes is one window of 60 s.
 *
 * The margin covers what that takes for granted: the vendor's clock and the ledger's ticking at
 * slightly different rates or being stepped, a vendor counting in whole seconds, the last bytes
 * of a timed-out request still on their way, and calls through `take()`/`tryTakeBackground()`,
 * which stamp at reservation. Every stamp and every comparison of one ledger use one clock (the
 * process's in memory, the database's when shared), so replicas whose clocks disagree still agree
 * on which slots are held; their own clocks only serve to guess how long to wait.
 */
export class RateBudget {
  readonly reserve: number;
  /** Background calls are spread evenly over the window instead of spent in a burst. */
  readonly backgroundSpacingMs: number;
  /** The vendor's window. */
  readonly windowMs: number;
  readonly marginMs: number;
  /** How long a slot is held after its stamp: the window and the margin. */
  readonly heldMs: number;
  readonly maxRequestMs: number;
  private readonly now: () => number;
  private readonly wait: ((ms: number) => Promise<void>) | undefined;
  private readonly ledger: RateLedger;
  private readonly account: string;
  /** The held slots' stamps as last seen in the ledger, on this process's clock. */
  private stamps: number[] = [];
  private waiting = 0;
  private queue: Promise<unknown> = Promise.resolve();
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
    this.marginMs = options.marginMs ?? Math.ceil(this.windowMs / 60);
    this.heldMs = this.windowMs + this.marginMs;
    this.maxRequestMs = options.maxRequestMs ?? 60_000;
    this.now = options.now ?? Date.now;
    this.wait = options.sleep;
    this.ledger = options.ledger ?? new MemoryRateLedger();
    this.account = options.account ?? 'default';
    this.observer = typeof windowMsOrOptions === 'number' ? undefined : windowMsOrOptions.observer;
    this.reserve = limit >= 5 ? Math.max(1, Math.floor(limit * 0.2)) : 0;
    this.backgroundSpacingMs = this.heldMs / Math.max(1, limit - this.reserve);
  }

  /** Free slots right now, as last seen. */
  available(): number {
    return this.pausedUntil > this.now() ? 0 : this.freeInWindow();
  }

  private freeInWindow(): number {
    const now = this.now();
    this.stamps = this.stamps.filter((stamp) => stamp > now - this.heldMs);
    return this.limit - this.stamps.length;
  }

  /** About how long a call queued now would wait, in ms (0 when a slot is free). */
  estimateWaitMs(): number {
    const free = this.freeInWindow();
    const position = this.waiting;
    const now = this.now();
    const pause = Math.max(0, this.pausedUntil - now);
    if (position < free) return pause;
    // A request still in flight is expected to answer about now.
    const sorted = this.stamps.map((stamp) => Math.min(stamp, now)).sort((a, b) => a - b);
    const freeing = sorted[position - free];
    const wait = freeing === undefined ? this.heldMs : freeing + this.heldMs - now;
    return Math.max(pause, wait);
  }

  /**
   * Waits for a slot, in arrival order, for a request sent at once. The slot is stamped now, so
   * only the margin stands for the request's latency: prefer `takeSlot` and settle the slot.
   */
  async take(): Promise<void> {
    await this.enqueue(0);
  }

  /** Waits for a slot, in arrival order; settle it when the request's answer (or failure) is in. */
  takeSlot(): Promise<RateSlot> {
    return this.enqueue(this.maxRequestMs);
  }

  private enqueue(inFlightMs: number): Promise<RateSlot> {
    this.waiting += 1;
    const queuedAt = this.now();
    const turn = this.queue
      .then(() => this.acquire(this.limit, inFlightMs))
      .then((slot) => {
        this.observer?.budgetWaited(this.account, this.now() - queuedAt);
        return slot;
      });
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

  /**
   * Takes a slot for background work only when ready and the ledger still leaves the reserve.
   * Stamped now, like `take`: prefer `tryTakeBackgroundSlot`.
   */
  async tryTakeBackground(): Promise<boolean> {
    return (await this.takeBackground(0)) !== undefined;
  }

  /** `tryTakeBackground` with a slot to settle when the answer is in; undefined when refused. */
  tryTakeBackgroundSlot(): Promise<RateSlot | undefined> {
    return this.takeBackground(this.maxRequestMs);
  }

  private async takeBackground(inFlightMs: number): Promise<RateSlot | undefined> {
    if (!this.backgroundReady()) return undefined;
    const now = this.now();
    const result = await this.ledger.tryAcquire(this.account, this.limit - this.reserve, this.heldMs, now, inFlightMs);
    const offset = this.remember(result, now);
    if (!result.acquired || !result.id) return undefined;
    this.lastBackgroundAt = now;
    return this.slot(result.id, result.now + inFlightMs - offset);
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

  private async acquire(max: number, inFlightMs: number): Promise<RateSlot> {
    for (;;) {
      if (this.stopped) throw new Error('rate budget stopped');
      const now = this.now();
      if (this.pausedUntil > now) {
        await this.sleep(this.pausedUntil - now);
        continue;
      }
      const result = await this.ledger.tryAcquire(this.account, max, this.heldMs, now, inFlightMs);
      const offset = this.remember(result, now);
      if (result.acquired && result.id) return this.slot(result.id, result.now + inFlightMs - offset);
      await this.sleep(Math.max(20, this.firstFreeingIn()));
    }
  }

  /**
   * Keeps the ledger's stamps on this process's clock; returns the ledger clock's lead over it
   * (0 in memory; a shared ledger's clock may differ, which only shifts our guesses).
   */
  private remember(result: { stamps: number[]; now: number }, localNow: number): number {
    const offset = result.now - localNow;
    this.stamps = result.stamps.map((stamp) => stamp - offset);
    return offset;
  }

  /** When the first held slot can free: a request in flight holds its slot a window past its answer. */
  private firstFreeingIn(): number {
    const now = this.now();
    const first = Math.min(...this.stamps.map((stamp) => Math.min(stamp, now)));
    return Number.isFinite(first) ? first + this.heldMs - now : 0;
  }

  private slot(id: string, localStamp: number): RateSlot {
    let settled = false;
    return {
      settle: () => {
        if (settled) return;
        settled = true;
        const now = this.now();
        const index = this.stamps.indexOf(localStamp);
        if (index >= 0) this.stamps[index] = now;
        // Not awaited: until the ledger has it, the slot reads as still in flight, held longer.
        try {
          this.ledger.settle(this.account, id, now).catch(() => undefined);
        } catch {
          // Same: a ledger that cannot take the settle leaves the slot held longer.
        }
      },
    };
  }

  private sleep(ms: number): Promise<void> {
    if (this.wait) return this.wait(ms);
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
