import type { VendorConnection, VendorDeps } from '../../domain/vendor-module.js';
import { BlitzzClient, type BlitzzSettings } from './client.js';
import { BlitzzShowMeProvider } from './providers.js';

/** One Blitzz account: ShowMe invitations, which Blitzz sends itself and never reports on. */
export function connectBlitzz(settings: BlitzzSettings, deps: VendorDeps): VendorConnection {
  const client = new BlitzzClient(settings, { logger: deps.logger, health: deps.health });
  return {
    providers: [new BlitzzShowMeProvider({ client, defaultSessionId: settings.sessionId })],
    trackers: [],
    check: {
      call: 'a login (POST /api/login)',
      // REFERENCE §1: more than 5 failed logins lock the account for 10 minutes.
      spacing: { everyMs: 10 * 60_000, why: 'Blitzz locks an account for 10 minutes after 5 failed logins' },
      run: (via) => client.checkLogin(via),
    },
    async stop() {},
  };
}
