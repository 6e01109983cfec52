import { z } from 'zod';
import { parseContact } from '../domain/contact.js';
import { checkInvite, defaultDelivery, type EmailContact, type InviteRequest, type PhoneContact } from '../domain/invite-request.js';
import { isValidReference } from '../domain/reference.js';
import { CONTACT_VENDORS, type ContactVendor } from '../domain/vendors.js';
import { INPUT } from './ids.js';
import type { InviteModalMetadata } from './invite-modal.js';

/** One input's state as Slack sends it in `view.state.values[block][action]`. */
const InputState = z
  .object({
    type: z.string(),
    value: z.string().nullable().optional(),
    selected_option: z.object({ value: z.string() }).nullable().optional(),
    selected_conversation: z.string().nullable().optional(),
  })
  .loose();

export const ViewStateValues = z.record(z.string(), z.record(z.string(), InputState));
export type ViewStateValues = z.infer<typeof ViewStateValues>;

const Metadata = z.object({ channelId: z.string().optional() }).catch({});

export function parseModalMetadata(raw: string | undefined): InviteModalMetadata {
  try {
    return Metadata.parse(JSON.parse(raw || '{}'));
  } catch {
    return {};
  }
}

export type InviteForm =
  | { ok: true; request: InviteRequest; channelId: string }
  | { ok: false; errors: Record<string, string> };

function read(values: ViewStateValues, input: { block: string; action: string }): string | undefined {
  const state = values[input.block]?.[input.action];
  const raw = state?.value ?? state?.selected_option?.value ?? state?.selected_conversation ?? undefined;
  const trimmed = raw?.trim();
  return trimmed ? trimmed : undefined;
}

/** Reads and checks a submitted invite modal; errors are keyed by block id for `response_action: errors`. */
export function readInviteForm(rawValues: unknown, privateMetadata: string | undefined): InviteForm {
  const parsedValues = ViewStateValues.safeParse(rawValues);
  if (!parsedValues.success) return { ok: false, errors: { [INPUT.phone.block]: 'The form could not be read. Please try again.' } };
  const values = parsedValues.data;
  const errors: Record<string, string> = {};

  const vendorValue = read(values, INPUT.vendor) ?? 'apizee';
  const vendor = (CONTACT_VENDORS as readonly string[]).includes(vendorValue) ? (vendorValue as ContactVendor) : undefined;
  if (!vendor) errors[INPUT.vendor.block] = 'Choose a vendor.';

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

  const reference = read(values, INPUT.reference);
  if (reference && !isValidReference(reference)) {
    errors[INPUT.reference.block] = 'Use at most 64 letters, digits and - _ . / # : for the reference.';
  }

  const agent = read(values, INPUT.agent);
  if (vendor === 'apizee' && !agent) errors[INPUT.agent.block] = 'Give the Apizee login of the agent who takes the session.';

  const channelId = read(values, INPUT.conversation) ?? parseModalMetadata(privateMetadata).channelId;
  if (!channelId) errors[INPUT.conversation.block] = 'Choose where to post the session card.';

  const delivery = read(values, INPUT.delivery) as InviteRequest['delivery'] | undefined;
  const message = read(values, INPUT.message);
  if (vendor && !errors[INPUT.phone.block] && !errors[INPUT.email.block]) {
    for (const problem of checkInvite({ vendor, phone, email, delivery, message, reference, agent })) {
      errors[INPUT[problem.field].block] ??= problem.reason;
    }
  }
  if (Object.keys(errors).length > 0 || !vendor || !channelId) return { ok: false, errors };

  return {
    ok: true,
    channelId,
    request: {
      vendor,
      phone,
      email,
      delivery: delivery ?? defaultDelivery(phone, email)!,
      reference,
      message,
      agent,
    },
  };
}
