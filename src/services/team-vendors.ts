import type { Session } from '../domain/session.js';
import type { LastCall } from '../domain/vendor-health.js';
import type { CallVia, LinkDelivery, WebhookHandler } from '../domain/vendor-module.js';
import type { AccountScope } from '../store/sessions-repository.js';
import type { ProviderRegistry, SessionProvider } from './provider-registry.js';
import { type BudgetView, SpareBudget } from './spare-budget.js';

export interface VendorUsage {
  vendor: string;
  /** Its calls log with `via`'s logger (the command's). */
  usage(from: Date, to: Date, via?: CallVia): Promise<{ title: string; lines: string[] }>;
}

/** What Refresh and stats ask of a budget: a request only when one is spare (SpareBudget). */
export type SpareRequests = Pick<SpareBudget, 'run' | 'hasSpare'>;

/**
 * The vendors one workspace has, each through the account in force for it (its own, saved in the
 * App Home, else the environment's): what new sessions, the modal, the command and stats use.
 * Built from memory, never from the database or a vendor, so the modal opens at once.
 */
export interface TeamVendors {
  /** The workspace's vendor products; a vendor it has no account for has none. */
  providers: ProviderRegistry;
  /** Each vendor's request budget, keyed by vendor (that of the workspace's account). */
  budgets: Partial<Record<string, BudgetView>>;
  /** Spare requests of the workspace's accounts, by vendor. */
  spare: SpareRequests;
  /** The delivery channel for `via:`, when the workspace has the vendor offering it. */
  linkDelivery?: LinkDelivery;
  /** Vendors' own usage figures for `/rendezvous stats`. */
  usage: VendorUsage[];
  /** Per vendor, what pre-fills its products' fields (the module's `fieldDefaults` of the account's settings). */
  fieldDefaults: Record<string, Record<string, string | number | undefined>>;
  /** The identity key new sessions of this vendor are written with (`Session.vendorAccount`). */
  accountOf(vendor: string): string | undefined;
  /**
   * The product that may act on a session of this workspace: its own account's. When the
   * workspace changed accounts since the session started, the account it started under (if the
   * app still has it), never the new one, which does not know the session.
   */
  providerOf(session: Pick<Session, 'vendor' | 'kind' | 'vendorAccount'>): SessionProvider | undefined;
  /** The last real call of the workspace's account with this vendor. */
  lastCall(vendor: string): LastCall | undefined;
  /**
   * The session an agent-side link of one of the workspace's accounts opens (its vendor, product
   * and the vendor's id), or undefined for any other link (customer, meeting, single-use, another host).
   */
  agentLinkOf(url: string): AgentLink | undefined;
}

/** What an agent-side link names: the session of this vendor product with this vendor id. */
export interface AgentLink {
  vendor: string;
  kind: string;
  vendorId: string;
}

/** One vendor account's webhook: its secret names the account whose sessions the body may touch. */
export interface WebhookTarget {
  handler: WebhookHandler;
  scope: AccountScope;
}

/**
 * The same vendors for every workspace, with no account keys (sessions are written without one:
 * the environment's). For single-account use and tests.
 */
export function sameForEveryTeam(input: {
  providers: ProviderRegistry;
  budgets?: Partial<Record<string, BudgetView>>;
  spare?: SpareRequests;
  linkDelivery?: LinkDelivery;
  usage?: VendorUsage[];
  fieldDefaults?: TeamVendors['fieldDefaults'];
  lastCall?: TeamVendors['lastCall'];
}): (teamId: string) => TeamVendors {
  const budgets = input.budgets ?? {};
  const vendors: TeamVendors = {
    providers: input.providers,
    budgets,
    spare: input.spare ?? new SpareBudget(budgets),
    linkDelivery: input.linkDelivery,
    usage: input.usage ?? [],
    fieldDefaults: input.fieldDefaults ?? {},
    accountOf: () => undefined,
    providerOf: (session) => input.providers.get(session.vendor, session.kind),
    lastCall: input.lastCall ?? (() => undefined),
    agentLinkOf: () => undefined,
  };
  return () => vendors;
}
