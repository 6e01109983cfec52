import { maskContact, type Contact } from '../domain/contact.js';
import type { StartRequest } from '../domain/start-request.js';

export type Invite = StartRequest & { shape: 'invite' };
export type Meet = StartRequest & { shape: 'meeting'; participants: Contact[] };

export function asInvite(request: StartRequest): Invite {
  if (request.shape !== 'invite') throw new Error(`a one-to-one session needs an invitation, not ${request.shape}`);
  return request as Invite;
}

export function asMeet(request: StartRequest): Meet {
  if (request.shape !== 'meeting') throw new Error(`a meeting needs participants, not ${request.shape}`);
  return { ...request, participants: request.participants ?? [] } as Meet;
}

/** A product's own option (`StartRequest.options[key]`), as the type its field declares. */
export function textOption(request: StartRequest, key: string): string | undefined {
  const value = request.options[key];
  return typeof value === 'string' ? value : undefined;
}

export function numberOption(request: StartRequest, key: string): number | undefined {
  const value = request.options[key];
  return typeof value === 'number' ? value : undefined;
}

export function dateOption(request: StartRequest, key: string): Date | undefined {
  const value = request.options[key];
  return value instanceof Date ? value : undefined;
}

export function booleanOption(request: StartRequest, key: string): boolean | undefined {
  const value = request.options[key];
  return typeof value === 'boolean' ? value : undefined;
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

