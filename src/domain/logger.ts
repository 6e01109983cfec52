/**
 * The logger every layer is handed (pino's, created in src/logger.ts). Only its type lives here,
 * so that domain/ and vendors/ stay free of I/O and of the entry layer.
 */
export type { Logger } from 'pino';

import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';

/**
 * A child logger whose every line carries a fresh correlation id: one per tracking pass, outbox
 * flush, sweep or creation job. Carried explicitly rather than in AsyncLocalStorage, whose
 * promise hooks cost every Slack command ~40–60 µs of CPU on Node 20.
 */
export function runLogger(logger: Logger, correlationId: string = randomUUID()): Logger {
  return logger.child({ correlationId });
}

/** The logger to write an actor's lines with: its own, or `fallback` with its correlation id bound, or `fallback`. */
export function actorLogger(actor: { logger?: Logger; correlationId?: string }, fallback: Logger): Logger {
  return actor.logger ?? (actor.correlationId ? fallback.child({ correlationId: actor.correlationId }) : fallback);
}
