import type { Logger } from '../domain/logger.js';
import type { SessionKind } from '../domain/session.js';
import type { TrackingPort, VendorTracker } from '../domain/vendor-module.js';
import type { AccountScope } from '../store/sessions-repository.js';
import type { Tracker } from './tracking-loop.js';

export interface AccountTrackingDeps {
  accounts: {
    /** Reloads the vendor accounts when a save (on any replica) moved their version; its lines with `logger`. */
    sync(logger: Logger): Promise<void>;
    trackedAccounts(): Array<{ vendor: string; scope: AccountScope; trackers: VendorTracker[] }>;
  };
  /** The port one tracker works through: its product's sessions, of its own account only, and the pass's logger. */
  portFor(vendor: string, kind: SessionKind, scope: AccountScope, logger: Logger): TrackingPort;
  /** A logger for one tracker's pass: a child with a correlation id of its own. */
  passLogger(): Logger;
  logger: Logger;
}

/**
 * One entry of the tracking loop for every vendor account: first the accounts are brought up to
 * date (a save on another replica shows here within one pass), then each account's trackers run,
 * each leasing only its own account's sessions, and one failing never stops the others.
 */
export function accountTracking(deps: AccountTrackingDeps): Tracker {
  return {
    async tick() {
      // The reload is a run of its own within the tick: an id of its own.
      const syncLog = deps.passLogger();
      try {
        await deps.accounts.sync(syncLog);
      } catch (error) {
        syncLog.warn({ err: error }, 'vendor accounts not reloaded; the ones in memory keep tracking');
      }
      for (const { vendor, scope, trackers } of deps.accounts.trackedAccounts()) {
        for (const tracker of trackers) {
          const log = deps.passLogger();
          try {
            await tracker.tick(deps.portFor(vendor, tracker.kind, scope, log));
          } catch (error) {
            log.error({ err: error, vendor, account: scope.account }, 'tracking pass failed');
          }
        }
      }
    },
  };
}
