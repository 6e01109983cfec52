import type { Product } from '../../domain/vendor-module.js';
import { BLITZZ_MESSAGE_MAX } from './client.js';
import { readShowMeDetails } from './details.js';

export const showMe: Product = {
  kind: 'showme',
  label: 'ShowMe live video',
  shape: 'invite',
  deliveries: ['sms', 'whatsapp', 'email'],
  deliveredBy: 'vendor',
  messageLimit: BLITZZ_MESSAGE_MAX,
  messageHint: 'Not used for WhatsApp: Blitzz fixes that text.',
  tracks: false,
  resend: true,
  acceptsVia: false,
  summary: 'ShowMe live video: Blitzz sends it by SMS, WhatsApp or e-mail; sent or failed only',
  parseDetails: readShowMeDetails,
  fields: [
    {
      type: 'text',
      key: 'sessionId',
      blockId: 'blitzz_session',
      label: 'Blitzz session code',
      required: true,
      hint: 'The 9-digit ShowMe session code.',
      missing: 'Give the Blitzz session code.',
      defaultFrom: 'sessionId',
    },
  ],
  check(request) {
    // Blitzz sends its own template on WhatsApp and ignores `Message` (seed 000).
    if (request.message && request.delivery === 'whatsapp') {
      return [{ field: 'message', reason: 'Blitzz fixes the WhatsApp text itself: leave the message empty for WhatsApp.' }];
    }
    return [];
  },
};
