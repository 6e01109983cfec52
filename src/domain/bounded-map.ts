/**
 * A Map that keeps at most `max` entries, dropping the least recently used: for caches keyed by
 * something unbounded (workspaces, tokens), so memory stays flat however many workspaces come.
 */
export class BoundedMap<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(private readonly max: number) {
    if (!(max >= 1)) throw new Error('a BoundedMap keeps at least one entry');
  }

  get size(): number {
    return this.entries.size;
  }

  /** The value, now the most recently used. */
  get(key: K): V | undefined {
    const value = this.entries.get(key);
    if (value === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  set(key: K, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    while (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value as K);
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  /** Removes every entry `matches` says yes to. */
  deleteWhere(matches: (key: K, value: V) => boolean): void {
    for (const [key, value] of [...this.entries]) if (matches(key, value)) this.entries.delete(key);
  }
}
