import { isValid, parseISO, startOfToday } from 'date-fns';
import { z } from 'zod';
import { parseContact, type Contact } from '../domain/contact.js';
import { checkInvite, defaultDelivery, type EmailContact, type PhoneContact, type StartRequest } from '../domain/invite-request.js';
import { isValidReference } from '../domain/reference.js';
import { kindFor } from '../domain/vendor-capabilities.js';
import { VENDOR_NAMES, type Delivery, type VendorName } from '../domain/vendors.js';
import { INPUT } from './ids.js';
import type { InviteModalMetadata } from './invite-modal.js';

/** One input's state as Slack sends it in `view.state.values[block][action]`. */
const InputState = z
  .object({
    type: z.string(),
    value: z.string().nullable().optional(),
    selected_option: z.object({ value: z.string() }).nullable().optional(),
    selected_options: z.array(z.object({ value: z.string() })).nullable().optional(),
    selected_conversation: z.string().nullable().optional(),
    selected_date: z.string().nullable().optional(),
    selected_date_time: z.number().nullable().optional(),
  })
  .loose();

export const ViewStateValues = z.record(z.string(), z.record(z.string(), InputState));
export type ViewStateValues = z.infer<typeof ViewStateValues>;

const Metadata = z
  .object({
    channelId: z.string().optional(),
    vendor: z.enum(VENDOR_NAMES).optional(),
    meeting: z.boolean().optional(),
    source: z.object({ channelId: z.string(), ts: z.string() }).optional(),
  })
  .catch({});

export function parseModalMetadata(raw: string | undefined): InviteModalMetadata {
  try {
    return Metadata.parse(JSON.parse(raw || '{}'));
  } catch {
    return {};
  }
}

export type InviteForm =
  | { ok: true; request: StartRequest; channelId: string; source?: { channelId: string; ts: string } }
  | { ok: false; errors: Record<string, string> };

type Id = { block: string; action: string };

function state(values: ViewStateValues, input: Id) {
  return values[input.block]?.[input.action];
}

function read(values: ViewStateValues, input: Id): string | undefined {
  const item = state(values, input);
  const raw = item?.value ?? item?.selected_option?.value ?? item?.selected_conversation ?? item?.selected_date ?? undefined;
  const trimmed = raw?.trim();
  return trimmed ? trimmed : undefined;
}

/** The vendor and kind the modal shows: the selects win over what the modal was opened with. */
export function chosenProduct(values: ViewStateValues, metadata: InviteModalMetadata): { vendor?: VendorName; meeting: boolean } {
  const vendorValue = read(values, INPUT.vendor) ?? metadata.vendor;
  const vendor = (VENDOR_NAMES as readonly string[]).includes(vendorValue ?? '') ? (vendorValue as VendorName) : undefined;
  const kindValue = read(values, INPUT.kind);
  const meeting = kindValue ? kindValue === 'meeting' : Boolean(metadata.meeting);
  return { vendor, meeting: Boolean(vendor && meeting && kindFor(vendor, true)) };
}

/** Reads and checks a submitted invite modal; errors are keyed by block id for `response_action: errors`. */
export function readInviteForm(rawValues: unknown, privateMetadata: string | undefined, now: Date = new Date()): InviteForm {
  const parsedValues = ViewStateValues.safeParse(rawValues);
  if (!parsedValues.success) return { ok: false, errors: { [INPUT.phone.block]: 'The form could not be read. Please try again.' } };
  const values = parsedValues.data;
  const metadata = parseModalMetadata(privateMetadata);
  const errors: Record<string, string> = {};
  const { vendor, meeting } = chosenProduct(values, metadata);
  const channelId = read(values, INPUT.conversation) ?? metadata.channelId;
  if (!channelId) errors[INPUT.conversation.block] = 'Choose where to post the session card.';
  const reference = read(values, INPUT.reference);
  if (reference && !isValidReference(reference)) errors[INPUT.reference.block] = 'Use at most 64 letters, digits and - _ . / # : for the reference.';
  if (!vendor) {
    errors[INPUT.vendor.block] = 'Choose a vendor.';
    return { ok: false, errors };
  }
  const request =
    vendor === 'genesys'
      ? readGenesys(values, errors, reference)
      : meeting
        ? readMeeting(values, errors, vendor as 'apizee' | 'conpeek', reference, now)
        : readInvite(values, errors, vendor, reference);
  if (Object.keys(errors).length > 0 || !request || !channelId) return { ok: false, errors };
  return { ok: true, channelId, request, ...(metadata.source ? { source: metadata.source } : {}) };
}

function readInvite(values: ViewStateValues, errors: Record<string, string>, vendor: Exclude<VendorName, 'genesys'>, reference: string | undefined): StartRequest | undefined {
  let phone: PhoneContact | undefined;
  const phoneText = read(values, INPUT.phone);
  if (phoneText) {
    const parsed = parseContact(phoneText);
    if (!parsed.ok) errors[INPUT.phone.block] = parsed.reason;
    else if (parsed.contact.kind !== 'phone') errors[INPUT.phone.block] = 'This looks like an e-mail address: put it in the e-mail field.';
    else phone = parsed.contact;
  }
  let email: EmailContact | undefined;
  const emailText = read(values, INPUT.email);
  if (emailText) {
    const parsed = parseContact(emailText);
    if (!parsed.ok || parsed.contact.kind !== 'email') errors[INPUT.email.block] = parsed.ok ? 'This is not an e-mail address.' : parsed.reason;
    else email = parsed.contact;
  }
  const agent = read(values, INPUT.agent);
  if (vendor === 'apizee' && !agent) errors[INPUT.agent.block] = 'Give the Apizee login of the agent who takes the session.';
  const blitzzSessionId = read(values, INPUT.blitzzSession);
  if (vendor === 'blitzz' && !blitzzSessionId) errors[INPUT.blitzzSession.block] = 'Give the Blitzz session code.';
  const expiryDate = read(values, INPUT.imbeeExpiry);
  if (expiryDate && (!isValid(parseISO(expiryDate)) || parseISO(expiryDate) < startOfToday())) {
    errors[INPUT.imbeeExpiry.block] = 'Choose a date from today on.';
  }
  const maxUsesText = read(values, INPUT.imbeeMaxUses);
  const maxUses = maxUsesText ? Number(maxUsesText) : undefined;
  if (maxUses !== undefined && (!Number.isInteger(maxUses) || maxUses < 1)) errors[INPUT.imbeeMaxUses.block] = 'Give a whole number of uses, 1 or more.';
  const via = read(values, INPUT.via);
  if (via && !/^[A-Za-z0-9._:-]{1,128}$/.test(via)) errors[INPUT.via.block] = 'A Genesys SMS session id is one word of letters and digits.';

  const capability = kindFor(vendor, false)!;
  const chosen = read(values, INPUT.delivery) as Delivery | undefined;
  const delivery = capability.deliveries.length > 0 ? (chosen ?? defaultDelivery(phone, email)) : undefined;
  const message = read(values, INPUT.message);
  if (!errors[INPUT.phone.block] && !errors[INPUT.email.block]) {
    for (const problem of checkInvite({ vendor, phone, email, delivery, message, reference, agent })) {
      errors[INPUT[problem.field].block] ??= problem.reason;
    }
  }
  return { type: 'invite', vendor, phone, email, delivery, reference, message, agent, blitzzSessionId, expiryDate, maxUses, via };
}

/** Participants: one per line or comma-separated; each a phone (E.164) or an e-mail. */
export function readParticipants(textValue: string): { contacts: Contact[]; problem?: string } {
  const contacts: Contact[] = [];
  for (const entry of textValue.split(/[\n,;]+/).map((item) => item.trim()).filter(Boolean)) {
    const parsed = parseContact(entry);
    if (!parsed.ok) return { contacts, problem: parsed.reason };
    contacts.push(parsed.contact);
  }
  return contacts.length > 0 ? { contacts } : { contacts, problem: 'Give at least one participant.' };
}

function readMeeting(values: ViewStateValues, errors: Record<string, string>, vendor: 'apizee' | 'conpeek', reference: string | undefined, now: Date): StartRequest | undefined {
  const participantsText = read(values, INPUT.participants) ?? '';
  const name = read(values, INPUT.meetingName);
  if (vendor === 'conpeek') {
    const names = participantsText.split(/[\n,;]+/).map((item) => item.trim()).filter(Boolean);
    if (names.length === 0) errors[INPUT.participants.block] = 'Give at least one participant.';
    const bridgeId = Number(read(values, INPUT.conpeekBridge));
    const roomId = Number(read(values, INPUT.conpeekRoom));
    if (!Number.isInteger(bridgeId) || bridgeId < 1) errors[INPUT.conpeekBridge.block] = 'Give the bridge id (a whole number).';
    if (!Number.isInteger(roomId) || roomId < 1) errors[INPUT.conpeekRoom.block] = 'Give the room id (a whole number).';
    return { type: 'meet', vendor, participants: [], participantNames: names, name, reference, bridgeId, roomId };
  }
  const { contacts, problem } = readParticipants(participantsText);
  if (problem) errors[INPUT.participants.block] = problem;
  if (name !== undefined && (name.length < 2 || name.length > 255)) errors[INPUT.meetingName.block] = 'A meeting name has 2 to 255 characters.';
  const message = read(values, INPUT.message);
  if (message && message.length > 300) errors[INPUT.message.block] = `Apizee takes at most 300 characters; this message has ${message.length}.`;
  const startSeconds = state(values, INPUT.startTime)?.selected_date_time ?? undefined;
  const startTime = startSeconds ? new Date(startSeconds * 1000) : undefined;
  if (startTime && startTime.getTime() < now.getTime() - 60_000) errors[INPUT.startTime.block] = 'This time is in the past.';
  const durationText = read(values, INPUT.duration);
  const durationMinutes = durationText ? Number(durationText) : undefined;
  if (durationMinutes !== undefined && (!Number.isInteger(durationMinutes) || durationMinutes < 1)) errors[INPUT.duration.block] = 'Give a whole number of minutes, 1 or more.';
  const moderation = (state(values, INPUT.moderation)?.selected_options ?? []).some((item) => item.value === 'on');
  const via = read(values, INPUT.via);
  if (via && !/^[A-Za-z0-9._:-]{1,128}$/.test(via)) errors[INPUT.via.block] = 'A Genesys SMS session id is one word of letters and digits.';
  return { type: 'meet', vendor, participants: contacts, name, reference, message, startTime, durationMinutes, moderation, moderator: read(values, INPUT.agent), via };
}

function readGenesys(values: ViewStateValues, errors: Record<string, string>, reference: string | undefined): StartRequest | undefined {
  const smsSessionId = read(values, INPUT.genesysSession);
  const target = read(values, INPUT.genesysTarget);
  if (!smsSessionId || !/^[A-Za-z0-9._:-]{1,128}$/.test(smsSessionId)) errors[INPUT.genesysSession.block] = 'Give the SMS session id (one word of letters and digits).';
  if (!target) errors[INPUT.genesysTarget.block] = 'Give the agent or queue to bring in.';
  return smsSessionId && target ? { type: 'genesys', smsSessionId, target, reference } : undefined;
}
