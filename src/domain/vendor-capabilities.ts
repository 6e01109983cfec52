import type { SessionKind } from './session.js';
import type { Delivery, VendorName } from './vendors.js';

/** What one vendor product can do (PRODUCT.md §2), so the modal, grammar, card and `vendors` agree. */
export interface KindCapability {
  kind: SessionKind;
  /** A multi-party meeting (several participants) rather than one invitee. */
  meeting: boolean;
  /** How the vendor can deliver the invitation; empty when it does not deliver at all. */
  deliveries: Delivery[];
  messageLimit?: number;
  /** Who gets the link to the invitee: the vendor itself, or Rendezvous (the agent passes it on). */
  deliveredBy: 'vendor' | 'rendezvous';
  /** Whether Rendezvous can follow the session's state after creation. */
  tracks: boolean;
  /** Whether photos or recordings come back. */
  media: boolean;
  /** Whether the card offers "Resend invitation". */
  resend: boolean;
  /** Whether the documents name a call that cancels it at the vendor (none do). */
  cancelAtVendor: boolean;
  /** Words for `/rendezvous vendors`. */
  summary: string;
}

export const VENDOR_KINDS: Record<VendorName, KindCapability[]> = {
  apizee: [
    {
      kind: 'ticket',
      meeting: false,
      deliveries: ['sms', 'email'],
      // No ticket message parameter is documented; the note goes to `description` [I], capped
      // like the conference `message` (≤ 300, REFERENCE §4).
      messageLimit: 300,
      deliveredBy: 'vendor',
      tracks: true,
      media: true,
      resend: false,
      // Seed 003 and REFERENCE §4 name no call that cancels a ticket with a path.
      cancelAtVendor: false,
      summary: 'video-assistance ticket: Apizee sends it by SMS or e-mail; status, duration, photos and videos',
    },
    {
      kind: 'conference',
      meeting: true,
      deliveries: [],
      messageLimit: 300,
      deliveredBy: 'vendor',
      tracks: true,
      media: true,
      resend: false,
      cancelAtVendor: false,
      summary: 'video meeting: Apizee invites every participant; room link, SIP dial-in, status and recordings',
    },
  ],
  blitzz: [
    {
      kind: 'showme',
      meeting: false,
      deliveries: ['sms', 'whatsapp', 'email'],
      messageLimit: 100,
      deliveredBy: 'vendor',
      tracks: false,
      media: false,
      resend: true,
      cancelAtVendor: false,
      summary: 'ShowMe live video: Blitzz sends it by SMS, WhatsApp or e-mail; sent or failed only',
    },
  ],
  conpeek: [
    {
      kind: 'meet',
      meeting: false,
      deliveries: [],
      deliveredBy: 'rendezvous',
      tracks: false,
      media: false,
      resend: false,
      cancelAtVendor: false,
      summary: 'video chat link: you pass it on (or Rendezvous sends it through a Genesys SMS session)',
    },
    {
      kind: 'room',
      meeting: true,
      deliveries: [],
      deliveredBy: 'rendezvous',
      tracks: false,
      media: false,
      resend: false,
      cancelAtVendor: false,
      summary: 'conference room: one invitation per participant',
    },
  ],
  imbee: [
    {
      kind: 'webchat',
      meeting: false,
      deliveries: ['sms', 'email'],
      deliveredBy: 'vendor',
      tracks: false,
      media: false,
      resend: false,
      cancelAtVendor: false,
      summary: 'web chat link: Imbee sends it by e-mail or SMS; you also get it, and it can go through Genesys',
    },
  ],
  genesys: [
    {
      kind: 'sms_invite',
      meeting: false,
      deliveries: [],
      deliveredBy: 'vendor',
      // The outcome arrives once, over CometD: nothing to poll or refresh.
      tracks: false,
      media: false,
      resend: false,
      cancelAtVendor: false,
      summary: "brings a colleague or a queue into a customer's SMS session; also delivers other vendors' links (SendUrl)",
    },
  ],
};

export function capabilityOf(vendor: VendorName, kind: SessionKind): KindCapability | undefined {
  return VENDOR_KINDS[vendor].find((item) => item.kind === kind);
}

/** The vendor's one-to-one product, or its meeting product. */
export function kindFor(vendor: VendorName, meeting: boolean): KindCapability | undefined {
  return VENDOR_KINDS[vendor].find((item) => item.meeting === meeting);
}
