/** How the outbox retries a thread reply Slack did not take. */
export interface RetryPolicy {
  /** Tries before a row is set aside (dead-lettered). */
  maxAttempts: number;
  /** The wait after the first failure; doubled after each further one. */
  baseDelayMs: number;
  /** The longest wait between two tries. */
  maxDelayMs: number;
}

/** Eight tries over about a quarter of an hour: long enough for a Slack incident, short enough to tell someone. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 8, baseDelayMs: 2000, maxDelayMs: 10 * 60_000 };

/**
 * The wait before the next try after `attempts` failed ones: exponential, capped, with "equal
 * jitter" (half fixed, half random) so that replicas and threads failing together spread out
 * instead of coming back in step. `random` returns [0, 1) (Math.random; tests pass their own).
 */
export function retryDelayMs(attempts: number, policy: RetryPolicy, random: () => number): number {
  const exponent = Math.max(0, attempts - 1);
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(exponent, 30));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
