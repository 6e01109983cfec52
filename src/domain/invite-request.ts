import type { Contact } from './contact.js';
import { VENDOR_LABELS, type ContactVendor, type Delivery } from './vendors.js';

export type PhoneContact = Extract<Contact, { kind: 'phone' }>;
export type EmailContact = Extract<Contact, { kind: 'email' }>;

/** A one-to-one invitation, complete and checked against the vendor's rules. */
export interface InviteRequest {
  vendor: ContactVendor;
  phone?: PhoneContact;
  email?: EmailContact;
  delivery: Delivery;
  reference?: string;
  message?: string;
  /** Apizee: the agent's login. */
  agent?: string;
}

/** What each vendor can deliver by, and the longest message it takes (PRODUCT.md §1.2, §2). */
export const VENDOR_RULES: Record<ContactVendor, { deliveries: Delivery[]; messageLimit?: number }> = {
  // Apizee: no ticket message parameter is documented; the note goes to `description` [I],
  // capped like the conference `message` (≤ 300, REFERENCE §4).
  apizee: { deliveries: ['sms', 'email'], messageLimit: 300 },
  blitzz: { deliveries: ['sms', 'whatsapp', 'email'], messageLimit: 100 },
  conpeek: { deliveries: [] },
  imbee: { deliveries: ['sms', 'email'] },
};

export type InviteFieldError = { field: 'phone' | 'email' | 'delivery' | 'message' | 'vendor'; reason: string };

/** Delivery defaults to SMS for a phone and e-mail for an address (PRODUCT.md §1). */
export function defaultDelivery(phone?: PhoneContact, email?: EmailContact): Delivery | undefined {
  if (phone) return 'sms';
  if (email) return 'email';
  return undefined;
}

/** Checks an invitation against its vendor's rules; returns the first problem per field. */
export function checkInvite(request: Omit<InviteRequest, 'delivery'> & { delivery?: Delivery }): InviteFieldError[] {
  const errors: InviteFieldError[] = [];
  const label = VENDOR_LABELS[request.vendor];
  const rules = VENDOR_RULES[request.vendor];
  if (!request.phone && !request.email) {
    errors.push({ field: 'phone', reason: 'Give a phone number or an e-mail address.' });
    return errors;
  }
  const delivery = request.delivery ?? defaultDelivery(request.phone, request.email);
  if (delivery && rules.deliveries.length > 0 && !rules.deliveries.includes(delivery)) {
    const options = rules.deliveries.map((item) => (item === 'email' ? 'e-mail' : item === 'sms' ? 'SMS' : 'WhatsApp'));
    errors.push({ field: 'delivery', reason: `${label} delivers by ${options.join(' or ')} only.` });
  } else if ((delivery === 'sms' || delivery === 'whatsapp') && !request.phone) {
    errors.push({ field: 'phone', reason: `A phone number is needed to send the invitation by ${delivery === 'sms' ? 'SMS' : 'WhatsApp'}.` });
  } else if (delivery === 'email' && !request.email) {
    errors.push({ field: 'email', reason: 'An e-mail address is needed to send the invitation by e-mail.' });
  }
  if (request.message && rules.messageLimit && request.message.length > rules.messageLimit) {
    errors.push({
      field: 'message',
      reason: `${label} takes at most ${rules.messageLimit} characters; this message has ${request.message.length}.`,
    });
  }
  return errors;
}
