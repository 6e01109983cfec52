import { findPhoneNumbersInText } from 'libphonenumber-js';
import { parseContact, unwrapSlackLinks, type Contact } from './contact.js';

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;

/**
 * The contacts a Slack message mentions ("Invite from this message"): e-mail addresses and
 * international phone numbers, in order of appearance, links unwrapped to their targets.
 */
export function contactsInText(text: string): { phone?: Extract<Contact, { kind: 'phone' }>; email?: Extract<Contact, { kind: 'email' }> } {
  const plain = unwrapSlackLinks(text, 'target').replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>');
  let email: Extract<Contact, { kind: 'email' }> | undefined;
  for (const match of plain.match(EMAIL) ?? []) {
    const parsed = parseContact(match);
    if (parsed.ok && parsed.contact.kind === 'email') {
      email = parsed.contact;
      break;
    }
  }
  let phone: Extract<Contact, { kind: 'phone' }> | undefined;
  for (const found of findPhoneNumbersInText(plain)) {
    const parsed = parseContact(found.number.number);
    if (parsed.ok && parsed.contact.kind === 'phone') {
      phone = parsed.contact;
      break;
    }
  }
  return { phone, email };
}
