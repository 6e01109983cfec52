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
  connect() {
    // Joined at merge with the branch that moves this vendor's providers and trackers here (connect.ts).
    throw new Error('genesys.connect is not wired in this branch');
  },
};
