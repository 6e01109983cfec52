import { connectBlitzz } from './connect.js';
import type { VendorModule } from '../../domain/vendor-module.js';
import { showMe } from './products.js';
import { blitzzSettings, type BlitzzSettings } from './settings.js';

export const blitzz: VendorModule<BlitzzSettings> = {
  name: 'blitzz',
  label: 'Blitzz',
  settings: blitzzSettings,
  products: [showMe],
  fieldDefaults: (settings) => ({ sessionId: settings.sessionId }),
  // The lockout after 5 failed logins is the agent account's (REFERENCE §1).
  account: (settings) => `${settings.apiUrl}\n${settings.username}`,
  connect: connectBlitzz,
};
