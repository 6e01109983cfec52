import { connectConpeek } from './connect.js';
import type { VendorModule } from '../../domain/vendor-module.js';
import { meet, room } from './products.js';
import { conpeekSettings } from './settings.js';
import type { ConpeekSettings } from './client.js';

export const conpeek: VendorModule<ConpeekSettings> = {
  name: 'conpeek',
  label: 'Conpeek',
  settings: conpeekSettings,
  products: [meet, room],
  fieldDefaults: (settings) => ({ bridgeId: settings.bridgeId, roomId: settings.roomId }),
  // The raw API key is the account (seed 002 has no login).
  account: (settings) => `${settings.apiUrl}\n${settings.apiKey}`,
  connect: connectConpeek,
};
