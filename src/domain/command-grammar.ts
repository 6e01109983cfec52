import { isValid, parse } from 'date-fns';
import { parsePlainContact, unwrapSlackLinks, type Contact } from './contact.js';
import { isValidReference } from './reference.js';
import { DELIVERIES, DELIVERY_LABELS, type Delivery } from './delivery.js';
import {
  commandFormNamed,
  commandForms,
  contactVendors,
  meetingVendors,
  moduleNamed,
  orList,
  productOf,
  viaProvider,
  viaVendors,
  type Catalogue,
  type CommandFormOf,
} from './product-catalogue.js';
import type { SessionKind } from './session.js';
import type { FieldValue } from './start-request.js';

/**
 * What the text of `/rendezvous` asks for (PRODUCT.md §1), read against the vendor modules'
 * declarations (`catalogue`): their names, meetings, deliveries, `via:` and command forms.
 * Defaults (vendor, delivery, reference) are filled in later, by code that knows the configuration.
 * An `invalid` reason is plain text that may quote the user's words: escape it before mrkdwn.
 */
export type CommandRequest =
  | { kind: 'modal' }
  | { kind: 'help' }
  | { kind: 'invalid'; reason: string }
  | {
      kind: 'invite';
      contact: Contact;
      vendor?: string;
      delivery?: Delivery;
      reference?: string;
      message?: string;
      via?: string;
    }
  /** `call`: show the meeting as a Slack call in the channel (products with a shared room link only). */
  | { kind: 'meet'; contacts: Contact[]; vendor?: string; name?: string; call?: boolean }
  /** A product's own command form: the module, its product and the options its form parsed. */
  | { kind: 'command'; vendor: string; product: SessionKind; options: Record<string, FieldValue> }
  | { kind: 'status'; reference: string }
  | { kind: 'stats'; from?: string; to?: string }
  | { kind: 'vendors' };

type Invalid = Extract<CommandRequest, { kind: 'invalid' }>;
const invalid = (reason: string): Invalid => ({ kind: 'invalid', reason });

/** A Map, not an object: `word in {…}` would also match `constructor` and friends. */
const DELIVERY_WORDS = new Map<string, Delivery>(DELIVERIES.map((delivery) => [delivery, delivery]));

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
/** The word that shows a meeting as a Slack call (`meet … call`). */
export const CALL_WORD = 'call';
const OPENING_QUOTES = ['"', '“'];
const CLOSING_QUOTES = ['"', '”'];

export function parseCommand(text: string, catalogue: Catalogue): CommandRequest {
  // Links first, then entities: an escaped `&lt;mailto:…&gt;` typed by someone is text, not a link.
  const plain = unescapeSlack(unwrapSlackLinks(text, 'label'));
  if (plain.trim() === '') return { kind: 'modal' };

  const split = splitQuoted(plain);
  if ('reason' in split) return invalid(split.reason);
  const { quoted } = split;
  const words = split.outside.split(/\s+/).filter((w) => w !== '');
  const [first = '', ...rest] = words;

  const keyword = first.toLowerCase();
  const form = commandFormNamed(catalogue, keyword);
  if (form) return quoted === undefined ? parseCommandForm(form, rest) : noQuotedText(form.command.keyword);
  switch (keyword) {
    case 'help':
      return { kind: 'help' };
    case 'meet':
      return parseMeet(rest, quoted, catalogue);
    case 'status':
      return quoted === undefined ? parseStatus(rest) : noQuotedText('status');
    case 'stats':
      return quoted === undefined ? parseStats(rest) : noQuotedText('stats');
    case 'vendors':
      if (quoted !== undefined) return noQuotedText('vendors');
      return rest.length === 0 ? { kind: 'vendors' } : invalid(`\`vendors\` takes nothing more: unexpected "${rest[0]}".`);
    default:
      return parseInvite(words, quoted, catalogue);
  }
}

function parseCommandForm(form: CommandFormOf, words: string[]): CommandRequest {
  const parsed = form.command.parse(words);
  if ('reason' in parsed) return invalid(parsed.reason);
  return { kind: 'command', vendor: form.module.name, product: form.kind, options: parsed.options };
}

/** Slack escapes only these three; one pass, so `&amp;lt;` becomes `&lt;` and not `<`. */
function unescapeSlack(text: string): string {
  const entities: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>' };
  return text.replace(/&(?:amp|lt|gt);/g, (e) => entities[e] ?? e);
}

/** The quoted text runs from the first opening quote to the last closing one, whatever is inside. */
function splitQuoted(text: string): { outside: string; quoted?: string } | { reason: string } {
  const open = firstIndexOf(text, OPENING_QUOTES);
  if (open < 0) return { outside: text };
  const close = lastIndexOf(text, CLOSING_QUOTES);
  if (close <= open) return { reason: 'The quoted text has no closing quote: end it with ".' };
  const quoted = text.slice(open + 1, close).trim();
  if (quoted === '') return { reason: 'The quoted text is empty: write something between the quotes, or leave them out.' };
  return { outside: `${text.slice(0, open)} ${text.slice(close + 1)}`, quoted };
}

function firstIndexOf(text: string, chars: string[]): number {
  const found = chars.map((c) => text.indexOf(c)).filter((i) => i >= 0);
  return found.length === 0 ? -1 : Math.min(...found);
}

function lastIndexOf(text: string, chars: string[]): number {
  return Math.max(...chars.map((c) => text.lastIndexOf(c)));
}

const noQuotedText = (command: string): Invalid => invalid(`\`${command}\` takes no quoted text.`);

/** Pieces of a phone number as people type them: `+33`, `6`, `12.34`, `(0)6`, `56-78`. */
function isPhoneFragment(word: string): boolean {
  return /^[+\d().-]+$/.test(word) && /[\d+]/.test(word);
}

function optionKey(word: string): 'ref' | 'via' | undefined {
  const lower = word.toLowerCase();
  if (lower.startsWith('ref:')) return 'ref';
  if (lower.startsWith('via:')) return 'via';
  return undefined;
}

function parseInvite(words: string[], message: string | undefined, catalogue: Catalogue): CommandRequest {
  const contactRuns: string[][] = [];
  let phoneRun: string[] | undefined;
  let vendor: string | undefined;
  const contactNames = contactVendors(catalogue).map((module) => module.name);
  const channel = viaProvider(catalogue)?.viaChannel;
  let delivery: Delivery | undefined;
  let reference: string | undefined;
  let via: string | undefined;

  for (let i = 0; i < words.length; i++) {
    const word = words[i] ?? '';
    const lower = word.toLowerCase();
    // A phone typed with spaces arrives as several words; consecutive fragments are one number.
    if (isPhoneFragment(word)) {
      if (phoneRun) phoneRun.push(word);
      else contactRuns.push((phoneRun = [word]));
      continue;
    }
    phoneRun = undefined;

    const key = optionKey(word);
    if (key) {
      let value = word.slice(4);
      // `ref: CASE-1` (a space after the colon) is read as `ref:CASE-1`.
      if (value === '' && i + 1 < words.length) value = words[++i] ?? '';
      if (value === '') return invalid(`\`${key}:\` needs a value, e.g. ${key === 'ref' ? 'ref:CASE-1234' : `via:${channel?.placeholder ?? '<target>'}`}.`);
      if (key === 'ref') {
        if (reference !== undefined) return invalid('`ref:` given twice: keep one.');
        if (!isValidReference(value)) return invalid(referenceReason(value));
        reference = value;
      } else {
        if (via !== undefined) return invalid('`via:` given twice: keep one.');
        if (!channel) return invalid('`via:` needs a delivery channel, and no vendor offers one.');
        if (!channel.pattern.test(value)) return invalid(`"${value}" is not a ${channel.where} id.`);
        via = value;
      }
    } else if (contactNames.includes(lower)) {
      if (vendor !== undefined) return invalid(`Vendor given twice ("${vendor}" and "${lower}"): keep one.`);
      vendor = lower;
    } else if (DELIVERY_WORDS.has(lower)) {
      if (delivery !== undefined) return invalid(`Delivery given twice ("${delivery}" and "${lower}"): keep one.`);
      delivery = DELIVERY_WORDS.get(lower);
    } else if (lower === CALL_WORD) {
      return invalid(callOnlyForMeetings(catalogue));
    } else if (commandFormNamed(catalogue, lower)) {
      const { module, command } = commandFormNamed(catalogue, lower)!;
      return invalid(`${module.label} takes no contact: use \`${command.keyword} ${command.syntax}\`.`);
    } else if (word.includes(',')) {
      return invalid('A one-to-one session takes one contact: for several, use `meet <contact>,<contact>`.');
    } else if (word.includes('@')) {
      contactRuns.push([word]);
    } else {
      return invalid(`Unknown word "${word}".`);
    }
  }

  if (contactRuns.length === 0) return invalid('No contact given: write a phone number (+33612345678) or an e-mail address.');
  if (contactRuns.length > 1) {
    return invalid('A one-to-one session takes one contact: for several, use `meet <contact>,<contact>`.');
  }
  const parsed = parsePlainContact((contactRuns[0] ?? []).join(' '));
  if (!parsed.ok) return invalid(parsed.reason);
  const { contact } = parsed;

  if ((delivery === 'sms' || delivery === 'whatsapp') && contact.kind === 'email') {
    return invalid(`${DELIVERY_LABELS[delivery]} needs a phone number, not an e-mail address.`);
  }
  if (delivery === 'email' && contact.kind === 'phone') {
    return invalid('E-mail delivery needs an e-mail address, not a phone number.');
  }
  const linkOnly = viaVendors(catalogue).map((module) => module.name);
  if (via !== undefined && !linkOnly.includes(vendor ?? '')) {
    // The default vendor is not known here, so `via:` needs the vendor named next to it.
    return invalid(
      vendor === undefined
        ? `\`via:\` needs a link-only vendor named in the command: ${orList(linkOnly)}.`
        : `\`via:\` only works with a link-only vendor (${orList(linkOnly)}), not ${moduleNamed(catalogue, vendor)?.label ?? vendor}.`,
    );
  }

  const request: Extract<CommandRequest, { kind: 'invite' }> = { kind: 'invite', contact };
  if (vendor) request.vendor = vendor;
  if (delivery) request.delivery = delivery;
  if (reference !== undefined) request.reference = reference;
  if (message !== undefined) request.message = message;
  if (via !== undefined) request.via = via;
  return request;
}

function referenceReason(value: string): string {
  return `Reference "${value}" is not valid: use 1 to 64 letters, digits or - _ . / # : characters.`;
}

function parseMeet(words: string[], name: string | undefined, catalogue: Catalogue): CommandRequest {
  const contactRuns: string[][] = [];
  let phoneRun: string[] | undefined;
  let afterContact = false; // a contact was read and no comma has come since
  let vendor: string | undefined;
  let call = false;
  const meetingNames = meetingVendors(catalogue).map((module) => module.name);
  const separate = invalid('Separate the contacts with commas: `meet <contact>,<contact>`.');

  // Commas become words of their own, so `a@b.c,d@e.f` and `a@b.c , d@e.f` read the same.
  const pieces = words.flatMap((w) => w.split(/(,)/)).filter((p) => p !== '');
  for (const piece of pieces) {
    const lower = piece.toLowerCase();
    if (piece === ',') {
      phoneRun = undefined;
      afterContact = false;
    } else if (isPhoneFragment(piece)) {
      if (phoneRun) phoneRun.push(piece);
      else if (afterContact) return separate;
      else contactRuns.push((phoneRun = [piece]));
      afterContact = true;
    } else if (piece.includes('@')) {
      if (afterContact) return separate;
      contactRuns.push([piece]);
      phoneRun = undefined;
      afterContact = true;
    } else if (moduleNamed(catalogue, lower)) {
      phoneRun = undefined;
      if (!meetingNames.includes(lower)) {
        return invalid(`${moduleNamed(catalogue, lower)!.label} cannot host a meeting: use ${orList(meetingNames)}.`);
      }
      if (vendor !== undefined) return invalid(`Vendor given twice ("${vendor}" and "${lower}"): keep one.`);
      vendor = lower;
    } else if (lower === CALL_WORD) {
      phoneRun = undefined;
      if (call) return invalid('`call` given twice: keep one.');
      call = true;
    } else if (DELIVERY_WORDS.has(lower) || optionKey(piece)) {
      return invalid(`"${piece}" does not apply to a meeting.`);
    } else {
      return invalid(`Unknown word "${piece}".`);
    }
  }

  if (contactRuns.length === 0) return invalid('`meet` needs at least one contact: `meet <contact>,<contact>`.');
  if (call && vendor !== undefined && !callVendors(catalogue).includes(vendor)) {
    return invalid(`${moduleNamed(catalogue, vendor)!.label} meetings cannot be shown as a Slack call: ${callWhere(catalogue)}.`);
  }
  const contacts: Contact[] = [];
  for (const run of contactRuns) {
    const parsed = parsePlainContact(run.join(' '));
    if (!parsed.ok) return invalid(parsed.reason);
    // The same person listed twice is a slip; inviting them once is what was meant.
    if (!contacts.some((c) => sameContact(c, parsed.contact))) contacts.push(parsed.contact);
  }
  const request: Extract<CommandRequest, { kind: 'meet' }> = { kind: 'meet', contacts };
  if (vendor) request.vendor = vendor;
  if (name !== undefined) request.name = name;
  if (call) request.call = true;
  return request;
}

/** The modules whose meeting has one room link for everyone (`roomLink: 'shared'`): only those can be a Slack call. */
export function callVendors(catalogue: Catalogue): string[] {
  return meetingVendors(catalogue)
    .filter((module) => productOf(catalogue, module.name, 'meeting')?.roomLink === 'shared')
    .map((module) => module.name);
}

/** Where `call` applies, in words. */
function callWhere(catalogue: Catalogue): string {
  const names = callVendors(catalogue);
  return names.length === 0
    ? 'no vendor set up here has meetings with one room link for everyone'
    : `\`call\` works with ${orList(names.map((name) => moduleNamed(catalogue, name)?.label ?? name))} meetings, whose one room link everyone can join`;
}

function callOnlyForMeetings(catalogue: Catalogue): string {
  const example = callVendors(catalogue)[0];
  return `\`call\` shows a meeting as a Slack call: use it with \`meet\`, e.g. \`meet jane@example.com, +33612345678${example ? ` ${example}` : ''} call\`.`;
}

function sameContact(a: Contact, b: Contact): boolean {
  if (a.kind === 'phone' && b.kind === 'phone') return a.e164 === b.e164;
  if (a.kind === 'email' && b.kind === 'email') return a.address.toLowerCase() === b.address.toLowerCase();
  return false;
}

function parseStatus(words: string[]): CommandRequest {
  const [reference, extra] = words;
  if (reference === undefined) return invalid('`status` needs a reference: `status CASE-1234`.');
  if (extra !== undefined) return invalid(`\`status\` takes one reference: unexpected "${extra}".`);
  if (!isValidReference(reference)) return invalid(referenceReason(reference));
  return { kind: 'status', reference };
}

function parseStats(words: string[]): CommandRequest {
  if (words.length > 2) return invalid(`\`stats\` takes at most two dates: unexpected "${words[2]}".`);
  const [from, to] = words;
  for (const date of words) {
    if (!isIsoDate(date)) return invalid(`"${date}" is not a date: write it as YYYY-MM-DD, e.g. 2025-01-31.`);
  }
  if (from !== undefined && to !== undefined && from > to) {
    return invalid(`The start date ${from} is after the end date ${to}.`);
  }
  const request: Extract<CommandRequest, { kind: 'stats' }> = { kind: 'stats' };
  if (from !== undefined) request.from = from;
  if (to !== undefined) request.to = to;
  return request;
}

/** The pattern check rejects what date-fns would still accept (`2025-1-5`); date-fns rejects `2025-02-30`. */
function isIsoDate(s: string): boolean {
  return ISO_DATE.test(s) && isValid(parse(s, 'yyyy-MM-dd', new Date(0)));
}

/** Usage in Slack mrkdwn, drawn from the modules' declarations; `<` and `>` are written as entities so Slack shows them. */
export function usageText(catalogue: Catalogue): string {
  const c = '/rendezvous';
  const contact = contactVendors(catalogue).map((module) => module.name);
  const whatsapp = contact.find((name) => productOf(catalogue, name, 'invite')?.deliveries.includes('whatsapp'));
  const linkOnly = viaVendors(catalogue)[0]?.name;
  const channel = viaProvider(catalogue)?.viaChannel;
  const meeting = meetingVendors(catalogue)[0]?.name;
  const lines = [
    `*How to use \`${c}\`*`,
    `• \`${c}\` opens the invite form.`,
    `• \`${c} +33612345678\` invites a phone number with the default vendor (by SMS).`,
    ...(contact[0] ? [`• \`${c} jane@example.com ${contact[0]} ref:CASE-1234 "Your video call with support"\` invites by e-mail, with a reference and a message.`] : []),
    ...(whatsapp ? [`• \`${c} +33 6 12 34 56 78 ${whatsapp} whatsapp\` invites through WhatsApp.`] : []),
    ...(linkOnly && channel
      ? [`• \`${c} +33612345678 ${linkOnly} via:${escapeAngles(channel.placeholder)}\` also sends the room link in the customer's ${channel.where}.`]
      : []),
    ...(meeting ? [`• \`${c} meet jane@example.com, +33612345678 ${meeting} "Site survey"\` starts a meeting with several people.`] : []),
    ...(callVendors(catalogue)[0]
      ? [`• \`${c} meet jane@example.com, +33612345678 ${callVendors(catalogue)[0]} call\` also shows the meeting as a Slack call in the channel: anyone there can then join it.`]
      : []),
    ...commandForms(catalogue).map(({ command }) => `• ${command.usage}`),
    `• \`${c} status CASE-1234\` lists the sessions with that reference.`,
    `• \`${c} stats 2025-01-01 2025-01-31\` sums up usage (default: the last 7 days).`,
    `• \`${c} vendors\` lists the vendors and what each can do.`,
    `A contact is a phone number with its country code (+33…) or an e-mail address. ` +
      `Vendors: ${contact.join(', ')}. Delivery: ${orList([...DELIVERIES])}. ` +
      `Words may come in any order; the message goes between quotes.`,
  ];
  return lines.join('\n');
}

function escapeAngles(text: string): string {
  return text.replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
