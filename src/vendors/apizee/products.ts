import type { Product } from '../../domain/vendor-module.js';
import { CONFERENCE_MESSAGE_MAX_LENGTH } from './client.js';
import { dialInNotes, postedMediaCount, readConferenceDetails, readTicketDetails } from './details.js';

/** Apizee has no documented ticket message parameter: the note goes to `description` [I], capped like the conference `message` (≤ 300, REFERENCE §4). */
const MESSAGE_LIMIT = CONFERENCE_MESSAGE_MAX_LENGTH;

export const ticket: Product = {
  kind: 'ticket',
  label: 'video assistance',
  shape: 'invite',
  deliveries: ['sms', 'email'],
  deliveredBy: 'vendor',
  messageLimit: MESSAGE_LIMIT,
  tracks: true,
  resend: false,
  acceptsVia: false,
  summary: 'video-assistance ticket: Apizee sends it by SMS or e-mail; status, duration, photos and videos',
  parseDetails: readTicketDetails,
  mediaCount: postedMediaCount,
  fields: [
    {
      type: 'text',
      key: 'agent',
      blockId: 'agent',
      label: 'Apizee agent login',
      required: true,
      missing: 'Give the Apizee login of the agent who takes the session.',
      defaultFrom: 'agent',
    },
  ],
};

export const conference: Product = {
  kind: 'conference',
  label: 'video meeting',
  shape: 'meeting',
  deliveries: [],
  deliveredBy: 'vendor',
  messageLimit: MESSAGE_LIMIT,
  participants: 'contacts',
  tracks: true,
  resend: false,
  acceptsVia: true,
  // POST /conferences answers one `url`/`short_url` for the agent and every participant (seed 003).
  roomLink: 'shared',
  summary: 'video meeting: Apizee invites every participant; room link, SIP dial-in, status and recordings',
  parseDetails: readConferenceDetails,
  cardNotes: dialInNotes,
  mediaCount: postedMediaCount,
  fields: [
    { type: 'datetime', key: 'startTime', blockId: 'start_time', actionId: 'start_time_picker', label: 'Start time', notInPast: true, invalid: 'This time is in the past.' },
    {
      type: 'number',
      key: 'durationMinutes',
      blockId: 'duration',
      label: 'Duration (minutes)',
      min: 1,
      max: 1440,
      invalid: 'Give a whole number of minutes, 1 or more.',
    },
    { type: 'checkbox', key: 'moderation', blockId: 'moderation', actionId: 'moderation_checkbox', label: 'Waiting room', optionLabel: 'Participants wait for the moderator' },
    { type: 'text', key: 'moderator', blockId: 'agent', label: 'Moderator (Apizee login)', defaultFrom: 'agent' },
  ],
  check(request) {
    // POST /conferences takes a name of 2 to 255 characters (seed 003).
    const name = request.name;
    if (name !== undefined && (name.length < 2 || name.length > 255)) return [{ field: 'name', reason: 'A meeting name has 2 to 255 characters.' }];
    return [];
  },
};
