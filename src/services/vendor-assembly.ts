import type { LinkDelivery, VendorConnection, VendorDeps, VendorModule, VendorTracker, WebhookHandler } from '../domain/vendor-module.js';
import { ProviderRegistry } from './provider-registry.js';

export interface VendorUsage {
  vendor: string;
  usage(from: Date, to: Date): Promise<{ title: string; lines: string[] }>;
}

export interface VendorAssembly {
  providers: ProviderRegistry;
  /** What follows sessions in the background; the entry layer runs each over its tracking port. */
  trackers: Array<{ vendor: string; tracker: VendorTracker }>;
  /** Per-account request budgets, to tell a user how long a queued request will wait. */
  budgets: Partial<Record<string, NonNullable<VendorConnection['budget']>>>;
  /** The delivery channel one module offers for the others' links (`via:`). */
  linkDelivery?: LinkDelivery;
  webhooks: Partial<Record<string, WebhookHandler>>;
  /** Vendors' own usage figures for `/rendezvous stats`. */
  usage: VendorUsage[];
  stop(): Promise<void>;
}

/**
 * Connects every configured module (those whose settings were read) and gathers what each
 * offers, in the modules' order. Knows no vendor: the list of modules is handed in.
 */
export function assembleVendors(
  modules: readonly VendorModule<unknown>[],
  settings: Readonly<Record<string, unknown>>,
  deps: VendorDeps,
): VendorAssembly {
  const providers = new ProviderRegistry();
  const assembly: Omit<VendorAssembly, 'stop'> = { providers, trackers: [], budgets: {}, webhooks: {}, usage: [] };
  const connections: VendorConnection[] = [];
  for (const module of modules) {
    const own = settings[module.name];
    if (own === undefined) continue;
    // Each module gets back the settings its own `settings.read` produced.
    const connection = module.connect(own, deps);
    connections.push(connection);
    for (const provider of connection.providers) providers.add(module.name, provider);
    for (const tracker of connection.trackers) assembly.trackers.push({ vendor: module.name, tracker });
    if (connection.budget) assembly.budgets[module.name] = connection.budget;
    if (connection.delivery) assembly.linkDelivery = connection.delivery;
    if (connection.webhook) assembly.webhooks[module.name] = connection.webhook;
    if (connection.usage) assembly.usage.push({ vendor: module.name, usage: connection.usage.bind(connection) });
  }
  return {
    ...assembly,
    async stop() {
      await Promise.allSettled(connections.map((connection) => connection.stop()));
    },
  };
}
