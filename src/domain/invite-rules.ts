import { DELIVERY_WORDS, messageLength, type Delivery } from './delivery.js';
import type { EmailContact, PhoneContact, StartRequest } from './start-request.js';
import type { Product } from './vendor-module.js';

/** A problem with one field of a request: `phone`, `email`, `delivery`, `message`, `name`, or a product field's key. */
export type FieldProblem = { field: string; reason: string };

/** Delivery defaults to SMS for a phone and e-mail for an address (PRODUCT.md §1). */
export function defaultDelivery(phone?: PhoneContact, email?: EmailContact): Delivery | undefined {
  if (phone) return 'sms';
  if (email) return 'email';
  return undefined;
}

/** The delivery a product will use: the chosen one, else the default; none for a product that does not deliver. */
export function deliveryFor(product: Product, chosen: Delivery | undefined, phone?: PhoneContact, email?: EmailContact): Delivery | undefined {
  return product.deliveries.length > 0 ? (chosen ?? defaultDelivery(phone, email)) : undefined;
}

/** The message against the product's limit, counted in code points as vendors count characters. */
export function checkMessage(product: Product, vendorLabel: string, message: string | undefined): FieldProblem | undefined {
  if (!message || !product.messageLimit) return undefined;
  const length = messageLength(message);
  if (length <= product.messageLimit) return undefined;
  return { field: 'message', reason: `${vendorLabel} takes at most ${product.messageLimit} characters; this message has ${length}.` };
}

/**
 * Checks a one-to-one request against its product's rules (`delivery` as the agent chose it, or
 * absent); returns the problems, the first per field, then the product's own `check`.
 */
export function checkInvite(product: Product, vendorLabel: string, request: StartRequest): FieldProblem[] {
  const errors: FieldProblem[] = [];
  if (!request.phone && !request.email) {
    errors.push({ field: 'phone', reason: 'Give a phone number or an e-mail address.' });
    return errors;
  }
  const delivery = deliveryFor(product, request.delivery, request.phone, request.email);
  if (request.delivery && product.deliveries.length === 0) {
    errors.push({ field: 'delivery', reason: `${vendorLabel} does not send invitations: you get the link to pass on.` });
  } else if (delivery && !product.deliveries.includes(delivery)) {
    errors.push({ field: 'delivery', reason: `${vendorLabel} delivers by ${product.deliveries.map((item) => DELIVERY_WORDS[item]).join(' or ')} only.` });
  } else if ((delivery === 'sms' || delivery === 'whatsapp') && !request.phone) {
    errors.push({ field: 'phone', reason: `A phone number is needed to send the invitation by ${DELIVERY_WORDS[delivery]}.` });
  } else if (delivery === 'email' && !request.email) {
    errors.push({ field: 'email', reason: 'An e-mail address is needed to send the invitation by e-mail.' });
  }
  const message = checkMessage(product, vendorLabel, request.message);
  if (message) errors.push(message);
  errors.push(...(product.check?.({ ...request, delivery }) ?? []));
  return errors;
}

/** Checks a meeting request: its message limit and the product's own rules. */
export function checkMeeting(product: Product, vendorLabel: string, request: StartRequest): FieldProblem[] {
  const message = checkMessage(product, vendorLabel, request.message);
  return [...(message ? [message] : []), ...(product.check?.(request) ?? [])];
}
