import { z } from 'zod';
import type { CommandRequest } from './command-grammar.js';
import { parseContact, type Contact } from './contact.js';
import { isValidReference } from './reference.js';

/** The step's callback_id, as declared under `functions:` in manifest.yml. */
export const INVITE_STEP_CALLBACK_ID = 'invite_to_remote_session';

/** Meeting participants a step may name at once (the command's `meet` has no other limit than Slack's text). */
const MAX_PARTICIPANTS = 20;
/** Workflow Builder passes variables' text as is: a message longer than this is no vendor's. */
const MAX_MESSAGE = 1000;

/** Workflow Builder sends an unset optional input as absent or as an empty string: both are "not given". */
const optionalText = z.preprocess((value) => (typeof value === 'string' && value.trim() === '' ? undefined : value), z.string().trim().optional());

/**
 * The step's inputs, as manifest.yml declares them (`input_parameters`). Slack checks only their
 * types; what they mean is checked here and then by the same rules as the command and the modal.
 */
export const InviteStepInputs = z.object({
  vendor: optionalText.transform((value) => value?.toLowerCase()),
  kind: z.preprocess(
    (value) => (typeof value === 'string' && value.trim() === '' ? undefined : typeof value === 'string' ? value.trim().toLowerCase() : value),
    z.enum(['one-to-one', 'meeting'], { error: 'The kind must be "one-to-one" or "meeting".' }).default('one-to-one'),
  ),
  contacts: z.string({ error: 'Give the invitee: a phone number (+33612345678) or an e-mail address.' }).trim().min(1, 'Give the invitee: a phone number (+33612345678) or an e-mail address.'),
  channel: z.string({ error: 'Choose the channel for the session card.' }).regex(/^[CGD][A-Z0-9]{2,}$/, 'The channel is not a Slack channel id.'),
  reference: optionalText.refine((value) => value === undefined || isValidReference(value), 'The reference takes up to 64 letters, digits and - _ . / # : (no spaces).'),
  message: optionalText.refine((value) => value === undefined || value.length <= MAX_MESSAGE, `The message takes at most ${MAX_MESSAGE} characters.`),
  acting_user: z.string({ error: 'Choose the person this step acts for.' }).regex(/^[UW][A-Z0-9]{2,}$/, 'The person this step acts for is not a Slack user id.'),
});
export type InviteStepInputs = z.infer<typeof InviteStepInputs>;

/** What the step asks for, as the command would have: the same request, the same rules after. */
export type InviteStepRequest = {
  command: Extract<CommandRequest, { kind: 'invite' | 'meet' }>;
  channelId: string;
  userId: string;
};

export type InviteStepParse = { ok: true; request: InviteStepRequest } | { ok: false; reason: string };

/** Splits a list of contacts on commas, semicolons and line breaks, as people paste them. */
function splitContacts(text: string): string[] {
  return text
    .split(/[,;\n]+/)
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

/** Reads the step's inputs into a command request, or says plainly what is wrong (every problem, one a line). */
export function parseInviteStepInputs(raw: unknown): InviteStepParse {
  const parsed = InviteStepInputs.safeParse(raw ?? {});
  if (!parsed.success) return { ok: false, reason: [...new Set(parsed.error.issues.map((issue) => issue.message))].join('\n') };
  const inputs = parsed.data;
  const parts = splitContacts(inputs.contacts);
  const contacts: Contact[] = [];
  for (const part of parts) {
    const contact = parseContact(part);
    // The reason names what was typed: the workflow's author sees it, never a channel.
    if (!contact.ok) return { ok: false, reason: contact.reason };
    contacts.push(contact.contact);
  }
  const base = { channelId: inputs.channel, userId: inputs.acting_user };
  if (inputs.kind === 'meeting') {
    if (contacts.length > MAX_PARTICIPANTS) return { ok: false, reason: `A meeting from a workflow takes at most ${MAX_PARTICIPANTS} participants; ${contacts.length} were given.` };
    if (inputs.reference) return { ok: false, reason: 'A meeting takes no reference: leave it empty, or choose the kind "one-to-one".' };
    return { ok: true, request: { ...base, command: { kind: 'meet', contacts, vendor: inputs.vendor, name: inputs.message } } };
  }
  if (contacts.length !== 1) return { ok: false, reason: `A one-to-one session invites one person; ${contacts.length} contacts were given. Choose the kind "meeting" to invite several.` };
  return { ok: true, request: { ...base, command: { kind: 'invite', contact: contacts[0]!, vendor: inputs.vendor, reference: inputs.reference, message: inputs.message } } };
}
