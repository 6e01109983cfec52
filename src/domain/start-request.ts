import type { Contact } from './contact.js';
import type { Delivery } from './delivery.js';
import type { SessionKind } from './session.js';

export type PhoneContact = Extract<Contact, { kind: 'phone' }>;
export type EmailContact = Extract<Contact, { kind: 'email' }>;

/** A value of one of a product's own fields (declared in its `fields`), keyed by the field's `key`. */
export type FieldValue = string | number | boolean | Date;

/**
 * What the agent asked for, from the slash command or the modal, complete and checked against
 * the product's rules. Nothing here names a vendor: the product's own inputs (an agent login, a
 * session code, a bridge id, a Genesys SMS session) are in `options`, keyed as it declares them.
 */
export interface StartRequest {
  /** The vendor module's `name` and the product's `kind`. */
  vendor: string;
  kind: SessionKind;
  /** One-to-one (a contact), a meeting (participants) or the product's own command form. */
  shape: 'invite' | 'meeting' | 'command';
  /** One-to-one: the invitee's phone and/or e-mail. */
  phone?: PhoneContact;
  email?: EmailContact;
  /** How the vendor delivers it; absent for products that do not deliver. */
  delivery?: Delivery;
  /** Meeting: the participants' contacts, and bare names for products that take names. */
  participants?: Contact[];
  participantNames?: string[];
  /** Meeting name. */
  name?: string;
  reference?: string;
  message?: string;
  /** Another module's delivery channel target (`via:`): the link is pushed there too. */
  via?: string;
  /**
   * Show the meeting as a Slack call in the card's conversation (`call` word, modal checkbox):
   * only for products whose `roomLink` is `shared`; then anyone there can join.
   */
  slackCall?: boolean;
  options: Record<string, FieldValue>;
}
