import type { Product } from '../../domain/vendor-module.js';
import { readMeetDetails, readRoomDetails } from './details.js';

export const meet: Product = {
  kind: 'meet',
  label: 'video chat',
  shape: 'invite',
  deliveries: [],
  deliveredBy: 'rendezvous',
  tracks: false,
  resend: false,
  acceptsVia: true,
  summary: 'video chat link: you pass it on (or Rendezvous sends it through a Genesys SMS session)',
  parseDetails: readMeetDetails,
  fields: [],
};

export const room: Product = {
  kind: 'room',
  label: 'conference room',
  shape: 'meeting',
  deliveries: [],
  deliveredBy: 'rendezvous',
  // A room invitation carries only a `name` (seed 002): Conpeek invites nobody itself.
  participants: 'names',
  tracks: false,
  resend: false,
  acceptsVia: false,
  summary: 'conference room: one invitation per participant',
  parseDetails: readRoomDetails,
  fields: [
    { type: 'number', key: 'bridgeId', blockId: 'conpeek_bridge', label: 'Conpeek bridge id', required: true, asText: true, min: 1, missing: 'Give the bridge id (a whole number).', invalid: 'Give the bridge id (a whole number).', defaultFrom: 'bridgeId' },
    { type: 'number', key: 'roomId', blockId: 'conpeek_room', label: 'Conpeek room id', required: true, asText: true, min: 1, missing: 'Give the room id (a whole number).', invalid: 'Give the room id (a whole number).', defaultFrom: 'roomId' },
  ],
};
