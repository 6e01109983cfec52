import { connectGenesys } from './connect.js';
import type { VendorModule } from '../../domain/vendor-module.js';
import { smsInvite, smsSessionDelivery } from './products.js';
import { genesysSettings } from './settings.js';
import type { GenesysSettings } from './client.js';

export const genesys: VendorModule<GenesysSettings> = {
  name: 'genesys',
  label: 'Genesys',
  settings: genesysSettings,
  products: [smsInvite],
  viaChannel: smsSessionDelivery,
  fieldDefaults: (_settings) => ({}),
  account: (settings) => `${settings.apiUrl}\n${settings.username}`,
  connect: connectGenesys,
};
