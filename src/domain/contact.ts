import { parsePhoneNumberFromString } from 'libphonenumber-js';

/** Someone outside Slack: a phone number in E.164 form or an e-mail address. */
export type Contact =
  | { kind: 'phone'; e164: string; country?: string }
  | { kind: 'email'; address: string };

export type ContactParse = { ok: true; contact: Contact } | { ok: false; reason: string };

/** RFC 5321: a forward path is at most 256 octets, i.e. 254 for the address itself. */
const MAX_EMAIL_LENGTH = 254;
const MAX_LOCAL_PART_LENGTH = 64;

/**
 * Country used only to suggest the international form of a number typed with a national
 * trunk 0 (`06…` → `+336…`). It never changes what is accepted: the hint is only shown when
 * the number is valid in that country, so a wrong guess costs nothing but a less precise hint.
 * The product's users and examples are French, hence FR.
 */
const HINT_COUNTRY = 'FR';

const SLACK_LINK = /<(mailto:|tel:|https?:\/\/)([^|>]*)(?:\|([^>]*))?>/gi;

/**
 * Replaces Slack's link markup (`<mailto:a@b.c|a@b.c>`, `<tel:+336…|…>`, `<https://…|…>`) by
 * plain text. Slack escapes a literal `<` as `&lt;`, so a real `<` here always opens a link.
 * `prefer: 'label'` keeps what the person typed (the slash command, where the label is the
 * typed text); `'target'` keeps the address itself (a message, where the label may be any text).
 */
export function unwrapSlackLinks(text: string, prefer: 'label' | 'target' = 'label'): string {
  return text.replace(SLACK_LINK, (_whole, scheme: string, target: string, label?: string) => {
    const isHttp = scheme.toLowerCase().startsWith('http');
    if (label !== undefined && label !== '' && (prefer === 'label' || isHttp)) return label;
    if (isHttp) return scheme + target;
    // A mailto: link may carry `?subject=…`; the address is what precedes it.
    return safeDecode(target.split('?')[0] ?? '');
  });
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** A contact as typed or pasted, possibly inside Slack link markup. */
export function parseContact(raw: string): ContactParse {
  return parsePlainContact(unwrapSlackLinks(raw.trim(), 'target'));
}

/**
 * A contact from text whose Slack links were already unwrapped (the command grammar does it
 * before undoing `&lt;`): unwrapping again would let escaped text pose as a link.
 */
export function parsePlainContact(raw: string): ContactParse {
  const text = raw.trim();
  if (text === '') return { ok: false, reason: 'No contact given: write a phone number (+33612345678) or an e-mail address.' };
  return text.includes('@') ? parseEmail(text) : parsePhone(text);
}

const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+$/;
const DOMAIN_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const TOP_LEVEL_DOMAIN = /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;

function parseEmail(text: string): ContactParse {
  const invalid = { ok: false as const, reason: `"${text}" is not a valid e-mail address.` };
  if (text.length > MAX_EMAIL_LENGTH) {
    return { ok: false, reason: `That e-mail address is too long (${MAX_EMAIL_LENGTH} characters at most).` };
  }
  const at = text.lastIndexOf('@');
  const local = text.slice(0, at);
  // Domains are case-insensitive; the local part may not be, so it is kept as typed.
  const domain = text.slice(at + 1).toLowerCase();
  if (local.length === 0 || local.length > MAX_LOCAL_PART_LENGTH || !LOCAL_PART.test(local)) return invalid;
  if (local.startsWith('.') || local.endsWith('.') || local.includes('..')) return invalid;
  const labels = domain.split('.');
  const tld = labels[labels.length - 1] ?? '';
  if (labels.length < 2 || !labels.every((l) => DOMAIN_LABEL.test(l)) || !TOP_LEVEL_DOMAIN.test(tld)) return invalid;
  return { ok: true, contact: { kind: 'email', address: `${local}@${domain}` } };
}

function parsePhone(text: string): ContactParse {
  // `+33 (0)6 …` is a common way to show the trunk 0 that must be dropped abroad.
  const withoutTrunk = text.startsWith('+') ? text.replace(/\(0\)/g, '') : text;
  const compact = withoutTrunk.replace(/[\s.\-()]/g, '');
  if (!/^\+?\d+$/.test(compact)) {
    return { ok: false, reason: `"${text}" is neither a phone number nor an e-mail address.` };
  }
  if (!compact.startsWith('+')) return { ok: false, reason: missingCountryCodeReason(text, compact) };
  const phone = parsePhoneNumberFromString(compact);
  if (!phone || !phone.isValid()) {
    return { ok: false, reason: `"${text}" is not a valid phone number: check the country code and the digits.` };
  }
  const contact: Contact = phone.country
    ? { kind: 'phone', e164: phone.number, country: phone.country }
    : { kind: 'phone', e164: phone.number };
  return { ok: true, contact };
}

function missingCountryCodeReason(text: string, digits: string): string {
  if (digits.startsWith('00')) {
    return `"${text}" has 00 instead of +: write it as +${digits.slice(2)} (international format).`;
  }
  if (digits.startsWith('0')) {
    const guess = parsePhoneNumberFromString(digits, HINT_COUNTRY);
    if (guess?.isValid()) return `"${text}" has no country code: write it as ${guess.number} (international format).`;
    return `"${text}" has no country code: add it after a +, e.g. +33… (international format).`;
  }
  // Perhaps the country code is there and only the + is missing.
  if (parsePhoneNumberFromString(`+${digits}`)?.isValid()) {
    return `"${text}" has no +: write it as +${digits} (international format).`;
  }
  return `"${text}" has no country code: write it with + and the country code, e.g. +33612345678 (international format).`;
}

const MASK = '•';

/**
 * What a card shows of a contact (PRODUCT.md §1.3): enough to recognise it, not to use it.
 * Phone: country code, first national digit and last two digits, in international grouping.
 * E-mail: first character of the local part and the domain.
 */
export function maskContact(c: Contact): string {
  if (c.kind === 'email') {
    const at = c.address.lastIndexOf('@');
    return `${c.address.slice(0, 1)}${MASK.repeat(3)}@${c.address.slice(at + 1)}`;
  }
  const formatted = parsePhoneNumberFromString(c.e164)?.formatInternational() ?? '';
  const space = formatted.indexOf(' ');
  if (space < 0) {
    // Not expected for a parsed contact; still never reveal more than the ends.
    return `${c.e164.slice(0, 2)}${MASK.repeat(Math.max(c.e164.length - 4, 0))}${c.e164.slice(-2)}`;
  }
  const countryCode = formatted.slice(0, space);
  const national = formatted.slice(space + 1);
  const digitCount = national.replace(/\D/g, '').length;
  let seen = 0;
  let masked = national.replace(/\d/g, (d) => {
    const index = seen++;
    return index === 0 || index >= digitCount - 2 ? d : MASK;
  });
  // A lone first digit (French `6 12 34…`) would read as its own group once masked; the card
  // shows it joined to the next one, as in PRODUCT.md: `+33 6•• •• •• 78`.
  if (/^\S\s/.test(masked)) masked = masked.slice(0, 1) + masked.slice(2);
  return `${countryCode} ${masked}`;
}
