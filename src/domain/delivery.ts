/** How a vendor can deliver an invitation (PRODUCT.md §1). */
export const DELIVERIES = ['sms', 'whatsapp', 'email'] as const;
export type Delivery = (typeof DELIVERIES)[number];

export const DELIVERY_LABELS: Record<Delivery, string> = { sms: 'SMS', whatsapp: 'WhatsApp', email: 'E-mail' };
export const DELIVERY_WORDS: Record<Delivery, string> = { sms: 'SMS', whatsapp: 'WhatsApp', email: 'e-mail' };

/** Message limits are counted one way everywhere: in Unicode code points, as vendors count characters. */
export function messageLength(text: string): number {
  return [...text].length;
}
