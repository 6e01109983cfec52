import { maskContact, type Contact } from '../domain/contact.js';
import type { StartRequest } from '../domain/invite-request.js';
import type { Provider } from '../domain/vendor-module.js';

export type Invite = Extract<StartRequest, { type: 'invite' }>;
export type Meet = Extract<StartRequest, { type: 'meet' }>;
export type GenesysInvite = Extract<StartRequest, { type: 'genesys' }>;

export function asInvite(request: StartRequest): Invite {
  if (request.type !== 'invite') throw new Error(`a one-to-one session needs an invitation, not ${request.type}`);
  return request;
}

export function asMeet(request: StartRequest): Meet {
  if (request.type !== 'meet') throw new Error(`a meeting needs participants, not ${request.type}`);
  return request;
}

/** The contact the chosen delivery goes to (the phone for SMS/WhatsApp, the address for e-mail). */
export function deliveredTo(request: Invite): Contact {
  if (request.delivery === 'email') return request.email!;
  return (request.phone ?? request.email)!;
}

export const plainContact = (contact: Contact): string => (contact.kind === 'phone' ? contact.e164 : contact.address);

/** Every contact of a one-to-one request, masked, for the card. */
export function maskedInvitee(request: Invite): string {
  return [request.phone, request.email].filter((contact): contact is Contact => Boolean(contact)).map(maskContact).join(' · ');
}

/** Participants, masked, short enough for a card field. */
export function maskedParticipants(contacts: Contact[], names: string[] = []): string {
  const all = [...contacts.map(maskContact), ...names];
  const shown = all.slice(0, 8).join(', ');
  return all.length > 8 ? `${shown} and ${all.length - 8} more` : shown;
}

/** One-to-one products whose invitee is the contact the chosen delivery goes to. */
export const deliveredInvitee = {
  describeInvitee: (request: StartRequest): string => maskContact(deliveredTo(asInvite(request))),
  contactOf: (request: StartRequest): string => plainContact(deliveredTo(asInvite(request))),
};

/** A provider reading today's start request (domain/invite-request.ts). */
export type RequestProvider = Provider<StartRequest>;
