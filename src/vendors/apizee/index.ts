import type { VendorModule } from '../../domain/vendor-module.js';
import { ticket, conference } from './products.js';
import { apizeeSettings } from './settings.js';
import type { ApizeeSettings } from './client.js';

export const apizee: VendorModule<ApizeeSettings> = {
  name: 'apizee',
  label: 'Apizee',
  settings: apizeeSettings,
  products: [ticket, conference],
  fieldDefaults: (settings) => ({ agent: settings.agent }),
  connect() {
    // Joined at merge with the branch that moves this vendor's providers and trackers here (connect.ts).
    throw new Error('apizee.connect is not wired in this branch');
  },
};
