/** A value kept for a while, with when it was computed. */
export interface Cached<T> {
  value: T;
  at: number;
}

/**
 * Answers kept in memory for `ttlMs` (each replica its own), so that asking again soon costs no
 * vendor request. At most `maxEntries` are kept; the oldest go first.
 */
export class StatsCache<T> {
  private readonly entries = new Map<string, Cached<T>>();

  constructor(
    private readonly options: { ttlMs?: number; maxEntries?: number; now?: () => number } = {},
  ) {}

  get ttlMs(): number {
    return this.options.ttlMs ?? 5 * 60_000;
  }

  get(key: string): Cached<T> | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (this.now() - entry.at < this.ttlMs) return entry;
    this.entries.delete(key);
    return undefined;
  }

  set(key: string, value: T): void {
    this.entries.delete(key);
    this.entries.set(key, { value, at: this.now() });
    const max = this.options.maxEntries ?? 1000;
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= max) break;
      this.entries.delete(oldest);
    }
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}
