import type { VendorConnection, VendorDeps } from '../../domain/vendor-module.js';
import { ImbeeClient, type ImbeeSettings } from './client.js';
import { ImbeeWebChatProvider } from './providers.js';

/** One Imbee account: web-chat links that Imbee sends by e-mail or SMS. */
export function connectImbee(settings: ImbeeSettings, deps: VendorDeps): VendorConnection {
  const client = new ImbeeClient(settings, { logger: deps.logger, health: deps.health });
  return {
    // The virtual user is an HMAC of the contact: stable per person, never the contact itself.
    providers: [new ImbeeWebChatProvider({ client, salt: deps.pseudonymKey })],
    trackers: [],
    async stop() {},
  };
}
