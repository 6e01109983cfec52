import type { StartRequest } from '../domain/start-request.js';
import { vendorModules } from '../vendors/index.js';
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
    return this.get(request.vendor, request.kind);
  }

  /** Configured vendors, in PRODUCT.md's order (the modules' list). */
  vendors(): string[] {
    return vendorModules.map((module) => module.name).filter((vendor) => [...this.providers.values()].some((provider) => provider.vendor === vendor));
  }
}
