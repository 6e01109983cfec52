import type { FieldValue } from '../../domain/start-request.js';
import { readSmsInviteDetails } from './details.js';
import type { CommandForm, Product, ViaChannel } from '../../domain/vendor-module.js';
import { parseTarget, TARGET_PATTERN, targetRefusal } from './targets.js';

/** Genesys SMS session ids are UUIDs; this wider set only keeps the value one safe word. */
const SMS_SESSION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

const command: CommandForm = {
  keyword: 'genesys',
  syntax: '<sms-session-id> <agent-or-queue>',
  usage:
    '`/rendezvous genesys &lt;sms-session-id&gt; &lt;agent-or-queue&gt;` brings a colleague or a queue into a Genesys SMS session; ' +
    'the agent or queue is `agent:&lt;id&gt;`, `queue:&lt;id&gt;`, a user or queue URI, or a path (`/users/&lt;id&gt;`).',
  parse(words) {
    const [smsSessionId, ...targetWords] = words;
    if (smsSessionId === undefined || targetWords.length === 0) {
      return { reason: '`genesys` needs an SMS session id and an agent or queue: `genesys <sms-session-id> <agent-or-queue>`.' };
    }
    if (!SMS_SESSION_ID.test(smsSessionId)) return { reason: `"${smsSessionId}" is not a Genesys SMS session id.` };
    // The whole rest of the line, so "Support FR" is refused as a whole rather than sent in part.
    const target = targetWords.join(' ');
    if (!parseTarget(target)) return { reason: targetRefusal(target) };
    const options: Record<string, FieldValue> = { smsSessionId, target };
    return { options };
  },
};

export const smsInvite: Product = {
  kind: 'sms_invite',
  label: 'SMS session invitation',
  shape: 'command',
  deliveries: [],
  deliveredBy: 'vendor',
  // The outcome arrives once, over CometD: nothing to poll or refresh.
  tracks: false,
  resend: false,
  acceptsVia: false,
  summary: "brings a colleague or a queue into a customer's SMS session; also delivers other vendors' links (SendUrl)",
  parseDetails: readSmsInviteDetails,
  command,
  fields: [
    {
      type: 'text',
      key: 'smsSessionId',
      blockId: 'genesys_session',
      label: "Customer's SMS session id",
      required: true,
      placeholder: '0000Na9B26EF006E',
      pattern: { regex: SMS_SESSION_ID, reason: 'Give the SMS session id (one word of letters and digits).' },
      missing: 'Give the SMS session id (one word of letters and digits).',
    },
    {
      type: 'text',
      key: 'target',
      blockId: 'genesys_target',
      label: 'Colleague or queue to bring in',
      required: true,
      hint: 'agent:<id>, queue:<id>, a user or queue URI (https://…/api/v2/users/<id>) or a path (/users/<id>, /queues/<id>). A queue name alone is not enough.',
      placeholder: 'agent:<id> or queue:<id>',
      // The same rules as the command's (targets.ts): free text such as "Support FR" is refused here.
      pattern: { regex: TARGET_PATTERN, reason: targetRefusal() },
      missing: 'Give the agent or queue to bring in.',
    },
  ],
};

/** `SendUrl` pushes another vendor's room link into a customer's SMS session (`via:`). */
export const smsSessionDelivery: ViaChannel = {
  where: 'Genesys SMS session',
  fieldLabel: 'Send through Genesys SMS session',
  hint: "The customer's Genesys SMS session id: the link is pushed there (SendUrl).",
  meetingHint: "A customer's Genesys SMS session id: the meeting link is pushed there (SendUrl).",
  placeholder: '<sms-session-id>',
  pattern: SMS_SESSION_ID,
  invalid: 'A Genesys SMS session id is one word of letters and digits.',
};
