import type { StartRequest } from '../domain/invite-request.js';
import { kindFor } from '../domain/vendor-capabilities.js';
import type { Provider } from '../domain/vendor-module.js';
import { VENDOR_NAMES, type VendorName } from '../domain/vendors.js';

/** A provider reading today's start request (domain/invite-request.ts). */
export type SessionProvider = Provider<StartRequest>;

/** The configured vendor products; a vendor without credentials has none and is never offered. */
export class ProviderRegistry {
  private readonly providers = new Map<string, SessionProvider>();
  private readonly configured = new Set<VendorName>();

  add(vendor: VendorName, provider: SessionProvider): this {
    this.providers.set(`${vendor}:${provider.kind}`, provider);
    this.configured.add(vendor);
    return this;
  }

  get(vendor: string, kind: string): SessionProvider | undefined {
    return this.providers.get(`${vendor}:${kind}`);
  }

  /** The product a request asks for, if that vendor is configured for it. */
  forRequest(request: StartRequest): { vendor: VendorName; provider: SessionProvider } | undefined {
    const vendor = request.type === 'genesys' ? 'genesys' : request.vendor;
    const kind = request.type === 'genesys' ? 'sms_invite' : kindFor(request.vendor, request.type === 'meet')?.kind;
    const provider = kind ? this.get(vendor, kind) : undefined;
    return provider && { vendor, provider };
  }

  /** Configured vendors, in PRODUCT.md's order. */
  vendors(): VendorName[] {
    return VENDOR_NAMES.filter((vendor) => this.configured.has(vendor));
  }
}
