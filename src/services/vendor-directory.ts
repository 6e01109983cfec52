import { statusText, vendorsText } from '../ui/command-replies.js';
import type { LastCall } from '../domain/vendor-health.js';
import type { Catalogue } from '../domain/product-catalogue.js';
import type { Actor, SessionService } from './sessions.js';
import type { TeamVendors } from './team-vendors.js';

/** Answers `vendors` and `status`: what is set up in a workspace, how its accounts are doing, where sessions are. */
export class VendorDirectory {
  constructor(private readonly deps: { vendors(teamId: string): Pick<TeamVendors, 'providers' | 'lastCall'>; sessions: SessionService; catalogue: Catalogue }) {}

  /** The workspace's vendors, each with its own account's last call. */
  configured(teamId: string): Array<{ vendor: string; lastCall: LastCall | undefined }> {
    const team = this.deps.vendors(teamId);
    return team.providers.vendors().map((vendor) => ({ vendor, lastCall: team.lastCall(vendor) }));
  }

  vendorsText(teamId: string): string {
    return vendorsText(this.configured(teamId), this.deps.catalogue);
  }

  async statusText(reference: string, actor: Actor): Promise<string> {
    const sessions = await this.deps.sessions.byReference(reference, actor);
    const withLinks = await Promise.all(
      sessions.slice(0, 20).map(async (session) => ({ session, permalink: await this.deps.sessions.permalink(session) })),
    );
    return statusText(reference, [...withLinks, ...sessions.slice(20).map((session) => ({ session }))], this.deps.catalogue);
  }
}
