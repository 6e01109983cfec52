import { z } from 'zod';
import { parseContact, type Contact } from '../domain/contact.js';
import { DELIVERIES } from '../domain/delivery.js';
import { checkInvite, checkMeeting, deliveryFor, type FieldProblem } from '../domain/invite-rules.js';
import { moduleNamed, productOf, viaProvider, type Catalogue } from '../domain/product-catalogue.js';
import { isValidReference } from '../domain/reference.js';
import type { EmailContact, PhoneContact, StartRequest } from '../domain/start-request.js';
import type { Product } from '../domain/vendor-module.js';
import { INPUT, productInput, type InputId } from './ids.js';
import { readInput, readProductFields } from './product-field-inputs.js';
import { ViewStateValues } from './view-state.js';
import { SLACK_CALL_VALUE, type InviteModalMetadata } from './invite-modal.js';

export { ViewStateValues } from './view-state.js';

const Metadata = z
  .object({
    channelId: z.string().optional(),
    vendor: z.string().optional(),
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

type Errors = Record<string, string>;

/** The vendor and kind the modal shows: the selects win over what the modal was opened with. */
export function chosenProduct(values: ViewStateValues, metadata: InviteModalMetadata, catalogue: Catalogue): { vendor?: string; meeting: boolean } {
  const vendorValue = readInput(values, INPUT.vendor) ?? metadata.vendor;
  const vendor = vendorValue && moduleNamed(catalogue, vendorValue) ? vendorValue : undefined;
  const kindValue = readInput(values, INPUT.kind);
  const meeting = kindValue ? kindValue === 'meeting' : Boolean(metadata.meeting);
  return { vendor, meeting: Boolean(vendor && meeting && productOf(catalogue, vendor, 'meeting')) };
}

/**
 * Reads and checks a submitted invite modal against the chosen product's declarations; errors
 * are keyed by block id for `response_action: errors`.
 */
export function readInviteForm(rawValues: unknown, privateMetadata: string | undefined, catalogue: Catalogue, now: Date = new Date()): InviteForm {
  const parsedValues = ViewStateValues.safeParse(rawValues);
  if (!parsedValues.success) return { ok: false, errors: { [INPUT.phone.block]: 'The form could not be read. Please try again.' } };
  const values = parsedValues.data;
  const metadata = parseModalMetadata(privateMetadata);
  const errors: Errors = {};
  const { vendor, meeting } = chosenProduct(values, metadata, catalogue);
  const channelId = readInput(values, INPUT.conversation) ?? metadata.channelId;
  if (!channelId) errors[INPUT.conversation.block] = 'Choose where to post the session card.';
  const reference = readInput(values, INPUT.reference);
  if (reference && !isValidReference(reference)) errors[INPUT.reference.block] = 'Use at most 64 letters, digits and - _ . / # : for the reference.';
  const module = vendor ? moduleNamed(catalogue, vendor) : undefined;
  const product = vendor ? ((meeting ? productOf(catalogue, vendor, 'meeting') : undefined) ?? productOf(catalogue, vendor, 'invite') ?? productOf(catalogue, vendor, 'command')) : undefined;
  if (!vendor || !module || !product) {
    errors[INPUT.vendor.block] = 'Choose a vendor.';
    return { ok: false, errors };
  }
  const options = readProductFields(values, product.fields, errors, now);
  const base: StartRequest = { vendor, kind: product.kind, shape: product.shape, ...(reference !== undefined ? { reference } : {}), options };
  const request =
    product.shape === 'command'
      ? base
      : product.shape === 'meeting'
        ? readMeeting(values, errors, product, module.label, base, catalogue)
        : readInvite(values, errors, product, module.label, base, catalogue);
  if (Object.keys(errors).length > 0 || !channelId) return { ok: false, errors };
  return { ok: true, channelId, request, ...(metadata.source ? { source: metadata.source } : {}) };
}

function readInvite(values: ViewStateValues, errors: Errors, product: Product, label: string, base: StartRequest, catalogue: Catalogue): StartRequest {
  let phone: PhoneContact | undefined;
  const phoneText = readInput(values, INPUT.phone);
  if (phoneText) {
    const parsed = parseContact(phoneText);
    if (!parsed.ok) errors[INPUT.phone.block] = parsed.reason;
    else if (parsed.contact.kind !== 'phone') errors[INPUT.phone.block] = 'This looks like an e-mail address: put it in the e-mail field.';
    else phone = parsed.contact;
  }
  let email: EmailContact | undefined;
  const emailText = readInput(values, INPUT.email);
  if (emailText) {
    const parsed = parseContact(emailText);
    if (!parsed.ok || parsed.contact.kind !== 'email') errors[INPUT.email.block] = parsed.ok ? 'This is not an e-mail address.' : parsed.reason;
    else email = parsed.contact;
  }
  const via = readVia(values, errors, product, catalogue);
  const chosen = readInput(values, INPUT.delivery);
  const delivery = deliveryFor(product, DELIVERIES.find((item) => item === chosen), phone, email);
  const message = readInput(values, INPUT.message);
  const request: StartRequest = { ...base, phone, email, delivery, message, via };
  if (!errors[INPUT.phone.block] && !errors[INPUT.email.block]) addProblems(errors, product, checkInvite(product, label, request));
  return request;
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

function readMeeting(values: ViewStateValues, errors: Errors, product: Product, label: string, base: StartRequest, catalogue: Catalogue): StartRequest {
  const participantsText = readInput(values, INPUT.participants) ?? '';
  const name = readInput(values, INPUT.meetingName);
  let request: StartRequest;
  if (product.participants === 'names') {
    // The vendor invites nobody itself: each line is only a name on the invitation.
    const names = participantsText.split(/[\n,;]+/).map((item) => item.trim()).filter(Boolean);
    if (names.length === 0) errors[INPUT.participants.block] = 'Give at least one participant.';
    request = { ...base, participants: [], participantNames: names, name };
  } else {
    const { contacts, problem } = readParticipants(participantsText);
    if (problem) errors[INPUT.participants.block] = problem;
    request = { ...base, participants: contacts, name };
  }
  if (product.deliveredBy === 'vendor') request.message = readInput(values, INPUT.message);
  const via = readVia(values, errors, product, catalogue);
  if (via !== undefined) request.via = via;
  if (product.roomLink === 'shared' && slackCallTicked(values)) request.slackCall = true;
  addProblems(errors, product, checkMeeting(product, label, request));
  return request;
}

/** "Show as a Slack call in this channel" ticked (offered only where the room link is shared). */
function slackCallTicked(values: ViewStateValues): boolean {
  const options = values[INPUT.slackCall.block]?.[INPUT.slackCall.action]?.selected_options ?? [];
  return options.some((option) => option.value === SLACK_CALL_VALUE);
}

/** A `via:` target where the product accepts one, checked against the delivery channel's rule. */
function readVia(values: ViewStateValues, errors: Errors, product: Product, catalogue: Catalogue): string | undefined {
  if (!product.acceptsVia) return undefined;
  const via = readInput(values, INPUT.via);
  const channel = viaProvider(catalogue)?.viaChannel;
  if (via && channel && !channel.pattern.test(via)) errors[INPUT.via.block] = channel.invalid;
  return via;
}

/** Each problem goes to its field's block: a common input, or one of the product's own. */
function addProblems(errors: Errors, product: Product, problems: FieldProblem[]): void {
  const common: Record<string, InputId> = { phone: INPUT.phone, email: INPUT.email, delivery: INPUT.delivery, message: INPUT.message, name: INPUT.meetingName, vendor: INPUT.vendor };
  for (const problem of problems) {
    const field = product.fields.find((item) => item.key === problem.field);
    const block = field ? productInput(field).block : (common[problem.field] ?? INPUT.vendor).block;
    errors[block] ??= problem.reason;
  }
}
