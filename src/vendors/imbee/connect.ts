import type { VendorConnection, VendorDeps } from '../../domain/vendor-module.js';
import { ImbeeClient, type ImbeeSettings } from './client.js';
import { ImbeeWebChatProvider } from './providers.js';

/** One Imbee account: web-chat links that Imbee sends by e-mail or SMS. */
export function connectImbee(settings: ImbeeSettings, deps: VendorDeps): VendorConnection {
  const client = new ImbeeClient(settings, { logger: deps.logger, health: deps.health });
  return {
    // The virtual user is an HMAC of the contact: stable per person, never the contact itself.
    // The key is read at each use, not here: the app loads it from the database when it starts
    // (it is pinned there so that a rotation of ENCRYPTION_KEY never changes a virtual user).
    providers: [
      new ImbeeWebChatProvider({
        client,
        get salt() {
          return deps.pseudonymKey;
        },
      }),
    ],
    trackers: [],
    async stop() {},
  };
}
