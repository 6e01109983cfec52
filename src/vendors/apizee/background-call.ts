import type { Logger } from '../../domain/logger.js';
import { VendorError } from '../errors.js';

/**
 * Runs a tracking call. A call that finds no spare request in the budget, or a failing vendor,
 * gives `undefined`: the next pass tries again, within its budget. Only failures are logged.
 */
export async function inBackground<T>(logger: Logger, what: string, run: () => Promise<T>): Promise<T | undefined> {
  try {
    return await run();
  } catch (error) {
    if (!(error instanceof VendorError && error.code === 'rate_limited')) {
      logger.warn({ vendor: error instanceof VendorError ? error.vendor : undefined, err: error }, `${what} failed; will try again`);
    }
    return undefined;
  }
}

/** Interactive calls (Refresh) fail loudly to the person; background ones wait for the next pass. */
export function callFor<T>(priority: 'interactive' | 'background', logger: Logger, what: string, run: () => Promise<T>): Promise<T | undefined> {
  return priority === 'background' ? inBackground(logger, what, run) : run();
}
