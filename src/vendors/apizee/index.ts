import { connectApizee } from './connect.js';
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
  // REFERENCE §4 counts the 10 requests a minute per user: the login names the account.
  account: (settings) => `${settings.apiUrl}\n${settings.username}`,
  connect: connectApizee,
};
