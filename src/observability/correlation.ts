import { randomUUID } from 'node:crypto';

/**
 * What every log line of one Slack request, webhook or tracking pass shares. It is carried
 * explicitly (Bolt's context, a child logger handed down, the creation job's payload), not in
 * AsyncLocalStorage: on Node 20 that turns on promise hooks, which cost every command ~40–60 µs
 * of CPU (scripts/bench/profile-help.ts showed it).
 */
export interface Correlation {
  correlationId: string;
  /** `performance.now()` when the request arrived (the ack latency is measured from it). */
  startedAt: number;
}

/** A random UUID: cheap (no hashing of the request) and never a secret. */
export function newCorrelationId(): string {
  return randomUUID();
}

export function newCorrelation(startedAt = performance.now()): Correlation {
  return { correlationId: randomUUID(), startedAt };
}
