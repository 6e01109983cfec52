import type { VendorConnection, VendorDeps } from '../../domain/vendor-module.js';
import { ConpeekClient, type ConpeekSettings } from './client.js';
import { ConpeekMeetProvider, ConpeekRoomProvider } from './providers.js';

/** One Conpeek account: video chats and room invitations; Conpeek delivers nothing itself. */
export function connectConpeek(settings: ConpeekSettings, deps: VendorDeps): VendorConnection {
  const client = new ConpeekClient(settings, { logger: deps.logger, health: deps.health });
  return {
    providers: [
      new ConpeekMeetProvider({ client, project: settings.project }),
      new ConpeekRoomProvider({ client, bridgeId: settings.bridgeId, roomId: settings.roomId }),
    ],
    trackers: [],
    // A one-item read: the only documented call that creates nothing.
    check: { call: 'a one-meeting read (GET /meeting?limit=1)', run: async (via) => void (await client.listMeetings({ limit: 1 }, via)) },
    async stop() {},
  };
}
