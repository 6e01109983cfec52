/** What the spare-request check reads of a vendor's request budget (`RateBudget`'s public API). */
export interface BudgetView {
  limit: number;
  estimateWaitMs(): number;
  /** Free slots as last seen; absent on a budget that cannot tell. */
  available?(): number;
  /** Slots kept for interactive calls (new sessions) that tracking never takes. */
  readonly reserve?: number;
}

export interface SpareBudgetOptions {
  /** Longer than this and a Refresh or `stats` is not queued at all (default 3 s). */
  maxWaitMs?: number;
  /** Free slots left to tracking beyond the reserve (default 1), so that it never starves. */
  keepForTracking?: number;
}

/** The answer when a vendor's budget has no spare request: nothing was sent or queued. */
export const NO_SPARE = Symbol('no spare request');

/**
 * Refresh and `/rendezvous stats` are extras: they only spend a vendor's requests that neither
 * new sessions nor tracking need. A budgeted vendor queues every interactive call in arrival
 * order, so an extra that queued would go ahead of the next new session, and while anything
 * waits there tracking takes no slot at all. An extra therefore runs only when the budget has a
 * slot free at once beyond the reserve (kept for new sessions) and one more for tracking; else
 * its caller says tracking will bring things up to date. Requests of extras already admitted
 * on this replica count as taken until they finish, because the budget only sees a slot once it
 * is acquired, and a burst of clicks would otherwise all read the same free slots.
 */
export class SpareBudget {
  private readonly maxWaitMs: number;
  private readonly keepForTracking: number;
  /** Per vendor: requests that admitted extras may still take. */
  private readonly admitted = new Map<string, number>();

  constructor(
    private readonly budgets: Partial<Record<string, BudgetView>>,
    options: SpareBudgetOptions = {},
  ) {
    this.maxWaitMs = options.maxWaitMs ?? 3000;
    this.keepForTracking = options.keepForTracking ?? 1;
  }

  /** Whether `requests` more can go to the vendor now without waiting or eating the slots kept. */
  hasSpare(vendor: string, requests: number): boolean {
    const budget = this.budgets[vendor];
    if (!budget) return true;
    if (budget.estimateWaitMs() > this.maxWaitMs) return false;
    if (!budget.available) return true;
    const kept = (budget.reserve ?? 0) + this.keepForTracking;
    return budget.available() - (this.admitted.get(vendor) ?? 0) - requests >= kept;
  }

  /** Runs `work` (which sends at most `requests` to the vendor) only when there is room; NO_SPARE otherwise. */
  async run<T>(vendor: string, requests: number, work: () => Promise<T>): Promise<T | typeof NO_SPARE> {
    if (!this.hasSpare(vendor, requests)) return NO_SPARE;
    this.admitted.set(vendor, (this.admitted.get(vendor) ?? 0) + requests);
    try {
      return await work();
    } finally {
      const left = (this.admitted.get(vendor) ?? requests) - requests;
      if (left > 0) this.admitted.set(vendor, left);
      else this.admitted.delete(vendor);
    }
  }
}
