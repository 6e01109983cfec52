/**
 * The ids of the last requests handled, to drop Slack's retries of one already handled
 * (PRODUCT.md §4: a retried event carries `X-Slack-Retry-Num` and the same `event_id`).
 * Bounded: the oldest ids are forgotten first, so memory stays flat whatever the traffic.
 * In memory, per process: a retry reaching another replica is handled there once more,
 * which the listeners using this must tolerate (publishing a Home tab twice is harmless).
 */
export class SeenIds {
  private readonly ids = new Set<string>();

  constructor(private readonly capacity = 1000) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
  }

  /** True the first time an id is seen (and remembers it); false while it is remembered. */
  firstTime(id: string): boolean {
    if (this.ids.has(id)) return false;
    this.ids.add(id);
    if (this.ids.size > this.capacity) {
      const oldest = this.ids.values().next().value;
      if (oldest !== undefined) this.ids.delete(oldest);
    }
    return true;
  }

  get size(): number {
    return this.ids.size;
  }
}
