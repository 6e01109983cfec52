import type { Logger } from '../domain/logger.js';
import { VendorError } from './errors.js';
import type { CallRecorder, CallVia } from '../domain/vendor-module.js';

export type { CallVia };

/** The account's deps with the call's own logger, when it has one. */
export function withCallLogger<D extends { logger: Logger }>(deps: D, via: CallVia | undefined): D {
  return via?.logger ? { ...deps, logger: via.logger } : deps;
}

/**
 * Runs one vendor operation and records its outcome: in the vendor's health (read by /healthz,
 * `vendors` and the App Home), for metrics (`observe`, when wired) and as one log line with its
 * duration. Every vendor client calls through here, so this is where all calls are seen. `fields` adds what is worth
 * logging about a success (never a contact or a secret).
 */
export async function observedCall<T>(
  deps: { logger: Logger; health: CallRecorder },
  vendor: string,
  operation: string,
  run: () => Promise<T>,
  fields: (result: T) => Record<string, unknown> = () => ({}),
): Promise<T> {
  const started = Date.now();
  try {
    const result = await run();
    deps.health.record(vendor, operation, true);
    deps.health.observe?.({ vendor, operation, ok: true, durationMs: Date.now() - started });
    deps.logger.info({ vendor, operation, durationMs: Date.now() - started, ...fields(result) }, 'vendor call succeeded');
    return result;
  } catch (error) {
    const code = error instanceof VendorError ? error.code : 'unavailable';
    deps.health.record(vendor, operation, false, code);
    const status = error instanceof VendorError ? error.status : undefined;
    deps.health.observe?.({ vendor, operation, ok: false, code, status, durationMs: Date.now() - started });
    deps.logger.warn(
      { vendor, operation, code, status: error instanceof VendorError ? error.status : undefined, durationMs: Date.now() - started },
      'vendor call failed',
    );
    throw error;
  }
}
