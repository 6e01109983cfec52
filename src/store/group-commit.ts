/**
 * Group commit: writes asked for in the same turn of the event loop go to the database in one
 * transaction, so that a burst of acks pays one commit (SQLite's WAL append of every page the
 * rows touched) instead of one each. Each caller still learns its own row's fate: when the
 * shared transaction fails (one row refused, say a request delivered twice), it is rolled back
 * and each row is written again on its own, in order.
 *
 * The wait is one `setImmediate`: the requests whose bytes arrived in the same poll phase are
 * handled first, then their rows are written together, before the loop turns again.
 */
export class GroupCommit<T> {
  private pending: Array<{ item: T; resolve: () => void; reject: (error: unknown) => void }> | undefined;

  constructor(
    /** Writes the items in one transaction, all or none. */
    private readonly writeAll: (items: readonly T[]) => Promise<void>,
    private readonly maxBatch = 64,
  ) {}

  write(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (!this.pending || this.pending.length >= this.maxBatch) {
        const batch: NonNullable<typeof this.pending> = [];
        this.pending = batch;
        setImmediate(() => {
          if (this.pending === batch) this.pending = undefined;
          void this.flush(batch);
        });
      }
      this.pending.push({ item, resolve, reject });
    });
  }

  private async flush(batch: NonNullable<typeof this.pending>): Promise<void> {
    if (batch.length > 1) {
      try {
        await this.writeAll(batch.map((entry) => entry.item));
        for (const entry of batch) entry.resolve();
        return;
      } catch {
        // Rolled back as a whole: each row again on its own, for its own answer.
      }
    }
    for (const entry of batch) await this.writeAll([entry.item]).then(entry.resolve, entry.reject);
  }
}
