import type { VendorModule } from '../../domain/vendor-module.js';
import { webchat } from './products.js';
import { imbeeSettings } from './settings.js';
import type { ImbeeSettings } from './client.js';

export const imbee: VendorModule<ImbeeSettings> = {
  name: 'imbee',
  label: 'Imbee',
  settings: imbeeSettings,
  products: [webchat],
  fieldDefaults: (_settings) => ({}),
  connect() {
    // Joined at merge with the branch that moves this vendor's providers and trackers here (connect.ts).
    throw new Error('imbee.connect is not wired in this branch');
  },
};
