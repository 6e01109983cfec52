import type { Contact } from './contact.js';
import { kindFor } from './vendor-capabilities.js';
import { VENDOR_LABELS, type ContactVendor, type Delivery } from './vendors.js';

export type PhoneContact = Extract<Contact, { kind: 'phone' }>;
export type EmailContact = Extract<Contact, { kind: 'email' }>;

/** A one-to-one invitation, complete and checked against the vendor's rules. */
export interface InviteRequest {
  vendor: ContactVendor;
  phone?: PhoneContact;
  email?: EmailContact;
  /** Absent for vendors that do not deliver (Conpeek: the agent passes the link on). */
  delivery?: Delivery;
  reference?: string;
  message?: string;
  /** Apizee: the agent's login. */
  agent?: string;
  /** Blitzz: the session code (default BLITZZ_SESSION_ID). */
  blitzzSessionId?: string;
  /** Imbee: the link's last valid day (YYYY-MM-DD) and how many times it may be used. */
  expiryDate?: string;
  maxUses?: number;
  /** A Genesys SMS session to push the room link to (`SendUrl`). */
  via?: string;
}

/** A multi-party meeting: an Apizee conference or a Conpeek room invitation per participant. */
export interface MeetRequest {
  vendor: 'apizee' | 'conpeek';
  /** Apizee: the participants Apizee invites (phones and e-mails). */
  participants: Contact[];
  /** Conpeek: one room invitation per name (the invitation carries only a `name`, seed 002). */
  participantNames?: string[];
  name?: string;
  reference?: string;
  message?: string;
  /** Apizee: start time and length in minutes, waiting room. */
  startTime?: Date;
  durationMinutes?: number;
  moderation?: boolean;
  /** Apizee: the moderator's login (default APIZEE_AGENT). */
  moderator?: string;
  /** Conpeek: the bridge and room (default CONPEEK_BRIDGE_ID / CONPEEK_ROOM_ID). */
  bridgeId?: number;
  roomId?: number;
  /** A Genesys SMS session to push the meeting link to (`SendUrl`). */
  via?: string;
}

/** Brings a colleague or a queue into a customer's Genesys SMS session. */
export interface GenesysInviteRequest {
  smsSessionId: string;
  target: string;
  reference?: string;
}

export type StartRequest =
  | ({ type: 'invite' } & InviteRequest)
  | ({ type: 'meet' } & MeetRequest)
  | ({ type: 'genesys' } & GenesysInviteRequest);

/** What each vendor can deliver by, and the longest message it takes (PRODUCT.md §1.2, §2). */
export const VENDOR_RULES: Record<ContactVendor, { deliveries: Delivery[]; messageLimit?: number }> = {
  apizee: rulesOf('apizee'),
  blitzz: rulesOf('blitzz'),
  conpeek: rulesOf('conpeek'),
  imbee: rulesOf('imbee'),
};

function rulesOf(vendor: ContactVendor) {
  const capability = kindFor(vendor, false)!;
  return { deliveries: capability.deliveries, messageLimit: capability.messageLimit };
}

export type InviteFieldError = { field: 'phone' | 'email' | 'delivery' | 'message' | 'vendor'; reason: string };

/** Delivery defaults to SMS for a phone and e-mail for an address (PRODUCT.md §1). */
export function defaultDelivery(phone?: PhoneContact, email?: EmailContact): Delivery | undefined {
  if (phone) return 'sms';
  if (email) return 'email';
  return undefined;
}

const DELIVERY_WORDS: Record<Delivery, string> = { sms: 'SMS', whatsapp: 'WhatsApp', email: 'e-mail' };

/** Checks an invitation against its vendor's rules; returns the first problem per field. */
export function checkInvite(request: Omit<InviteRequest, 'delivery'> & { delivery?: Delivery }): InviteFieldError[] {
  const errors: InviteFieldError[] = [];
  const label = VENDOR_LABELS[request.vendor];
  const rules = VENDOR_RULES[request.vendor];
  if (!request.phone && !request.email) {
    errors.push({ field: 'phone', reason: 'Give a phone number or an e-mail address.' });
    return errors;
  }
  const delivery = rules.deliveries.length > 0 ? (request.delivery ?? defaultDelivery(request.phone, request.email)) : undefined;
  if (request.delivery && rules.deliveries.length === 0) {
    errors.push({ field: 'delivery', reason: `${label} does not send invitations: you get the link to pass on.` });
  } else if (delivery && !rules.deliveries.includes(delivery)) {
    errors.push({ field: 'delivery', reason: `${label} delivers by ${rules.deliveries.map((item) => DELIVERY_WORDS[item]).join(' or ')} only.` });
  } else if ((delivery === 'sms' || delivery === 'whatsapp') && !request.phone) {
    errors.push({ field: 'phone', reason: `A phone number is needed to send the invitation by ${DELIVERY_WORDS[delivery]}.` });
  } else if (delivery === 'email' && !request.email) {
    errors.push({ field: 'email', reason: 'An e-mail address is needed to send the invitation by e-mail.' });
  }
  if (request.message && rules.messageLimit && request.message.length > rules.messageLimit) {
    errors.push({
      field: 'message',
      reason: `${label} takes at most ${rules.messageLimit} characters; this message has ${request.message.length}.`,
    });
  }
  if (request.message && request.vendor === 'blitzz' && delivery === 'whatsapp') {
    errors.push({ field: 'message', reason: 'Blitzz fixes the WhatsApp text itself: leave the message empty for WhatsApp.' });
  }
  return errors;
}
