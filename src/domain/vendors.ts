/** Every vendor Rendezvous can drive, in the default-selection order of PRODUCT.md §1. */
export const VENDOR_NAMES = ['apizee', 'blitzz', 'conpeek', 'imbee', 'genesys'] as const;
export type VendorName = (typeof VENDOR_NAMES)[number];

/**
 * Vendors that take a contact, i.e. the `<vendor>` word of the slash command.
 * Genesys is left out: it has its own `genesys <sms-session-id> <agent-or-queue>` form.
 */
export const CONTACT_VENDORS = ['apizee', 'blitzz', 'conpeek', 'imbee'] as const;
export type ContactVendor = (typeof CONTACT_VENDORS)[number];

/** Vendors whose only product is a room link; only they can push it through Genesys (`via:`). */
export const LINK_ONLY_VENDORS = ['conpeek', 'imbee'] as const satisfies readonly ContactVendor[];

/** Vendors that can host a multi-party meeting (`meet`). */
export const MEETING_VENDORS = ['apizee', 'conpeek'] as const satisfies readonly ContactVendor[];

export type Delivery = 'sms' | 'whatsapp' | 'email';
export const DELIVERIES: readonly Delivery[] = ['sms', 'whatsapp', 'email'];

export const VENDOR_LABELS: Record<VendorName, string> = {
  apizee: 'Apizee',
  blitzz: 'Blitzz',
  conpeek: 'Conpeek',
  imbee: 'Imbee',
  genesys: 'Genesys',
};

export function isContactVendor(word: string): word is ContactVendor {
  return (CONTACT_VENDORS as readonly string[]).includes(word);
}
