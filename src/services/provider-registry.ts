import type { StartRequest } from '../domain/invite-request.js';
import { kindFor } from '../domain/vendor-capabilities.js';
import { VENDOR_NAMES, type VendorName } from '../domain/vendors.js';
import type { SessionProvider } from './providers/provider.js';

/** The configured vendor products; a vendor without credentials has none and is never offered. */
export class ProviderRegistry {
  private readonly providers = new Map<string, SessionProvider>();

  add(provider: SessionProvider): this {
    this.providers.set(`${provider.vendor}:${provider.kind}`, provider);
    return this;
  }

  get(vendor: string, kind: string): SessionProvider | undefined {
    return this.providers.get(`${vendor}:${kind}`);
  }

  /** The product a request asks for, if that vendor is configured for it. */
  forRequest(request: StartRequest): SessionProvider | undefined {
    if (request.type === 'genesys') return this.get('genesys', 'sms_invite');
    const kind = kindFor(request.vendor, request.type === 'meet')?.kind;
    return kind ? this.get(request.vendor, kind) : undefined;
  }

  /** Configured vendors, in PRODUCT.md's order. */
  vendors(): VendorName[] {
    return VENDOR_NAMES.filter((vendor) => [...this.providers.values()].some((provider) => provider.vendor === vendor));
  }
}
