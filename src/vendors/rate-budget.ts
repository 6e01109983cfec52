/**
 * A vendor account's request budget: at most `limit` requests in any `windowMs` (a sliding log,
 * stricter than any fixed window the vendor may count with, so the vendor never answers 429 in
 * normal use). Interactive calls queue in order; background work (tracking) only takes a slot
 * while `reserve` slots stay free, so creating a session is never starved by polling.
 */
export class RateBudget {
  private stamps: number[] = [];
  private waiters: Array<() => void> = [];
  private pausedUntil = 0;
  private timer?: NodeJS.Timeout;
  private lastBackgroundAt = -Infinity;
  readonly reserve: number;
  /** Background calls are spread evenly over the window instead of spent in a burst. */
  readonly backgroundSpacingMs: number;

  constructor(
    readonly limit: number,
    readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {
    this.reserve = limit >= 5 ? Math.max(1, Math.floor(limit * 0.2)) : 0;
    this.backgroundSpacingMs = windowMs / Math.max(1, limit - this.reserve);
  }

  /** Free slots right now. */
  available(): number {
    return this.pausedUntil > this.now() ? 0 : this.freeInWindow();
  }

  /** Free slots in the sliding window, whatever a pause says. */
  private freeInWindow(): number {
    const now = this.now();
    this.stamps = this.stamps.filter((stamp) => stamp > now - this.windowMs);
    return this.limit - this.stamps.length;
  }

  /** About how long a call queued now would wait, in ms (0 when a slot is free). */
  estimateWaitMs(): number {
    const free = this.freeInWindow();
    const position = this.waiters.length;
    const now = this.now();
    const pause = Math.max(0, this.pausedUntil - now);
    if (position < free) return pause;
    const sorted = [...this.stamps].sort((a, b) => a - b);
    const freeing = sorted[position - free];
    const wait = freeing === undefined ? this.windowMs : freeing + this.windowMs - now;
    return Math.max(pause, wait);
  }

  /** Waits for a slot, in arrival order. */
  async take(): Promise<void> {
    if (this.waiters.length === 0 && this.available() > 0) {
      this.stamps.push(this.now());
      return;
    }
    await new Promise<void>((resolve) => {
      this.waiters.push(resolve);
      this.schedule();
    });
  }

  /**
   * Whether background work may take a slot now: no interactive call is waiting, the reserve
   * stays free, and the last background call is at least `backgroundSpacingMs` old.
   */
  backgroundReady(): boolean {
    return (
      this.waiters.length === 0 &&
      this.available() - 1 >= this.reserve &&
      this.now() - this.lastBackgroundAt >= this.backgroundSpacingMs
    );
  }

  /** Takes a slot for background work only when `backgroundReady()`. */
  tryTakeBackground(): boolean {
    if (!this.backgroundReady()) return false;
    const now = this.now();
    this.stamps.push(now);
    this.lastBackgroundAt = now;
    return true;
  }

  /** The vendor said "not before": no call leaves until then (429 with a reset time). */
  pauseUntil(epochMs: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, epochMs);
    this.schedule();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (this.timer || this.waiters.length === 0) return;
    const delay = Math.max(5, this.waitForNextSlotMs());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.release();
    }, delay);
    this.timer.unref?.();
  }

  private waitForNextSlotMs(): number {
    const now = this.now();
    if (this.pausedUntil > now) return this.pausedUntil - now;
    if (this.available() > 0) return 0;
    const oldest = Math.min(...this.stamps);
    return oldest + this.windowMs - now;
  }

  private release(): void {
    while (this.waiters.length > 0 && this.available() > 0) {
      this.stamps.push(this.now());
      this.waiters.shift()!();
    }
    this.schedule();
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
