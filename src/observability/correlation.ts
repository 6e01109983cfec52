import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/** What every log line of one Slack request, webhook or tracking pass shares. */
export interface Correlation {
  correlationId: string;
  /** `performance.now()` when the request arrived (the ack latency is measured from it). */
  startedAt: number;
}

const storage = new AsyncLocalStorage<Correlation>();

/**
 * Runs `work` with a fresh correlation id that every log line written inside it (awaits
 * included) carries. A random UUID: cheap (no hashing of the request) and never a secret.
 */
export function withCorrelation<T>(work: () => T, startedAt = performance.now()): T {
  return storage.run({ correlationId: randomUUID(), startedAt }, work);
}

export function currentCorrelation(): Correlation | undefined {
  return storage.getStore();
}

/** pino's `mixin`: adds `correlationId` to each line written inside `withCorrelation`. */
export function correlationFields(): { correlationId?: string } {
  const current = storage.getStore();
  return current ? { correlationId: current.correlationId } : {};
}
