import type { StartRequest } from '../domain/invite-request.js';
import type { LinkDelivery, VendorConnection, VendorDeps, VendorTracker, WebhookHandler } from '../domain/vendor-module.js';
import type { VendorName } from '../domain/vendors.js';
import { ProviderRegistry } from './provider-registry.js';

/** One vendor to connect: its `connect`, and its settings (undefined: not configured here). */
export interface VendorEntry {
  name: VendorName;
  connect(deps: VendorDeps): VendorConnection<StartRequest>;
  configured: boolean;
}

/** Pairs a module's `connect` with its settings, keeping their types together. */
export function vendorEntry<S>(
  name: VendorName,
  connect: (settings: S, deps: VendorDeps) => VendorConnection<StartRequest>,
  settings: S | undefined,
): VendorEntry {
  return { name, configured: settings !== undefined, connect: (deps) => connect(settings!, deps) };
}

export interface VendorUsage {
  vendor: VendorName;
  usage(from: Date, to: Date): Promise<{ title: string; lines: string[] }>;
}

export interface VendorAssembly {
  providers: ProviderRegistry;
  /** What follows sessions in the background; the entry layer runs each over its tracking port. */
  trackers: Array<{ vendor: VendorName; tracker: VendorTracker }>;
  /** Per-account request budgets, to tell a user how long a queued request will wait. */
  budgets: Partial<Record<VendorName, { limit: number; estimateWaitMs(): number }>>;
  linkDelivery?: LinkDelivery;
  webhooks: Partial<Record<VendorName, WebhookHandler>>;
  /** Vendors' own usage figures for `/rendezvous stats`. */
  usage: VendorUsage[];
  stop(): Promise<void>;
}

/** Connects every configured vendor and gathers what each offers. */
export function assembleVendors(entries: VendorEntry[], deps: VendorDeps): VendorAssembly {
  const providers = new ProviderRegistry();
  const assembly: Omit<VendorAssembly, 'stop'> = { providers, trackers: [], budgets: {}, webhooks: {}, usage: [] };
  const connections: VendorConnection<StartRequest>[] = [];
  for (const entry of entries.filter((item) => item.configured)) {
    const connection = entry.connect(deps);
    connections.push(connection);
    for (const provider of connection.providers) providers.add(entry.name, provider);
    for (const tracker of connection.trackers) assembly.trackers.push({ vendor: entry.name, tracker });
    if (connection.budget) assembly.budgets[entry.name] = connection.budget;
    if (connection.delivery) assembly.linkDelivery = connection.delivery;
    if (connection.webhook) assembly.webhooks[entry.name] = connection.webhook;
    if (connection.usage) assembly.usage.push({ vendor: entry.name, usage: connection.usage.bind(connection) });
  }
  return {
    ...assembly,
    async stop() {
      await Promise.allSettled(connections.map((connection) => connection.stop()));
    },
  };
}
