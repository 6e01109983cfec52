import type { StartRequest } from '../domain/start-request.js';
import type { Provider } from '../domain/vendor-module.js';

export type SessionProvider = Provider;

/** The configured vendor products; a vendor without credentials has none and is never offered. */
export class ProviderRegistry {
  private readonly providers = new Map<string, SessionProvider>();
  /** In the order the modules are listed (src/vendors/index.ts), which is PRODUCT.md's. */
  private readonly configured = new Set<string>();

  add(vendor: string, provider: SessionProvider): this {
    this.providers.set(`${vendor}:${provider.kind}`, provider);
    this.configured.add(vendor);
    return this;
  }

  get(vendor: string, kind: string): SessionProvider | undefined {
    return this.providers.get(`${vendor}:${kind}`);
  }

  /** The product a request asks for, if that vendor is configured for it. */
  forRequest(request: StartRequest): { vendor: string; provider: SessionProvider } | undefined {
    const provider = this.get(request.vendor, request.kind);
    return provider && { vendor: request.vendor, provider };
  }

  /** Configured vendors, in the modules' order. */
  vendors(): string[] {
    return [...this.configured];
  }
}
