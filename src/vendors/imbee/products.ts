import type { Product } from '../../domain/vendor-module.js';
import { readWebChatDetails } from './details.js';

export const webchat: Product = {
  kind: 'webchat',
  label: 'web chat',
  shape: 'invite',
  deliveries: ['sms', 'email'],
  deliveredBy: 'vendor',
  tracks: false,
  resend: false,
  // The agent also gets the link, so it can be pushed through another channel too.
  acceptsVia: true,
  summary: 'web chat link: Imbee sends it by e-mail or SMS; you also get it, and it can go through Genesys',
  parseDetails: readWebChatDetails,
  fields: [
    { type: 'date', key: 'expiryDate', blockId: 'imbee_expiry', actionId: 'imbee_expiry_picker', label: 'Link valid until', notBeforeToday: true, invalid: 'Choose a date from today on.' },
    { type: 'number', key: 'maxUses', blockId: 'imbee_max_uses', label: 'Maximum uses of the link', min: 1, max: 1000, invalid: 'Give a whole number of uses, 1 or more.' },
  ],
};
