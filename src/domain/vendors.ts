/**
 * Kept only for the imports of code this branch does not own (the vendor clients and shared
 * vendor plumbing). The vendors themselves are the modules listed in `src/vendors/index.ts`.
 */
export type { Delivery } from './delivery.js';
export { DELIVERIES } from './delivery.js';

/** A vendor module's `name`. */
export type VendorName = string;
