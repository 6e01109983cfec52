import { statusText, vendorsText } from '../ui/command-replies.js';
import type { VendorHealth } from '../vendors/health.js';
import type { Catalogue } from '../domain/product-catalogue.js';
import type { ProviderRegistry } from './provider-registry.js';
import type { Actor, SessionService } from './sessions.js';

/** Answers `vendors` and `status`: what is set up, how it is doing, where sessions are. */
export class VendorDirectory {
  constructor(private readonly deps: { providers: ProviderRegistry; health: VendorHealth; sessions: SessionService; catalogue: Catalogue }) {}

  configured(): Array<{ vendor: string; lastCall: ReturnType<VendorHealth['lastCall']> }> {
    return this.deps.providers.vendors().map((vendor) => ({ vendor, lastCall: this.deps.health.lastCall(vendor) }));
  }

  vendorsText(): string {
    return vendorsText(this.configured(), this.deps.catalogue);
  }

  async statusText(reference: string, actor: Actor): Promise<string> {
    const sessions = await this.deps.sessions.byReference(reference, actor);
    const withLinks = await Promise.all(
      sessions.slice(0, 20).map(async (session) => ({ session, permalink: await this.deps.sessions.permalink(session) })),
    );
    return statusText(reference, [...withLinks, ...sessions.slice(20).map((session) => ({ session }))], this.deps.catalogue);
  }
}
