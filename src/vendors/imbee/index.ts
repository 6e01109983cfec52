import { connectImbee } from './connect.js';
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
  // myCorporateToken names the corporate account (seed 004).
  account: (settings) => `${settings.apiUrl}\n${settings.corporateToken}`,
  connect: connectImbee,
};
