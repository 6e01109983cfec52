import { createHash, createHmac } from 'node:crypto';
import { runLogger, type Logger } from '../domain/logger.js';
import { SettingsError, type CommonSettings, type VendorConnection, type VendorDeps, type VendorModule, type VendorTracker } from '../domain/vendor-module.js';
import type { AccountScope } from '../store/sessions-repository.js';
import type { StoredVendorAccount, VendorAccountsRepository } from '../store/vendor-accounts-repository.js';
import { VendorHealth } from '../vendors/health.js';
import { ProviderRegistry } from './provider-registry.js';
import { type BudgetView, SpareBudget } from './spare-budget.js';
import type { TeamVendors, WebhookTarget } from './team-vendors.js';

export interface VendorAccountsDeps {
  /** Every vendor module, in PRODUCT.md's order. */
  modules: readonly VendorModule<unknown>[];
  /** Each module's settings read from the environment (config.vendors): every workspace's default. */
  environment: Readonly<Record<string, unknown>>;
  /** What every module's settings read with (VENDOR_TIMEOUT_SECONDS). */
  common: CommonSettings;
  /** What every connection is built with; its health recorder also sees each account's calls. */
  vendorDeps: VendorDeps;
  store: Pick<VendorAccountsRepository, 'all' | 'currentVersion'>;
  /**
   * The secret account identities are keyed with. It must never change, since sessions carry the
   * keys: the app passes a key pinned in the database (store/key-pins.ts), read at start.
   */
  identityKey(): string;
  logger: Logger;
  /** How long a connection no longer in force stays up for calls still using it (default 2 minutes). */
  retireAfterMs?: number;
}

/** One set of settings, connected: shared by the workspaces (and the environment) whose settings are the same. */
interface Connected {
  /** The account's identity key, then a fingerprint of the settings: same settings, same connection. */
  key: string;
  vendor: string;
  /** The identity key of the vendor account (`Session.vendorAccount`). */
  account: string;
  connection: VendorConnection;
  fieldDefaults: Record<string, string | number | undefined>;
}

/** A workspace's own account with one vendor: connected, or why its saved values cannot be used. */
export interface WorkspaceAccount {
  vendor: string;
  /** Absent when no configured key opens the saved values. */
  stored?: StoredVendorAccount;
  connected?: Connected;
  /** Why not connected: a variable's name and what is wrong with it, never a value. */
  unusable?: string;
}

/** One vendor account being tracked: its trackers, over its own sessions only. */
export interface TrackedAccount {
  vendor: string;
  scope: AccountScope;
  trackers: VendorTracker[];
}

const DEFAULT_RETIRE_AFTER_MS = 2 * 60_000;

/**
 * Vendor accounts per workspace. For a workspace, the settings in force with a vendor are its own
 * account (saved by an admin in the App Home) if it has one, else the environment's (the
 * single-workspace default). Each account connects once: workspaces whose settings are the same
 * share the connection, its token cache and its request budget; settings naming another account
 * never share anything, so one workspace's bad credentials never touch another's.
 *
 * Everything a request needs is in memory (which vendors a workspace has, their products and
 * budgets), so the invite modal opens before any database query or vendor call. The database is
 * the truth: a save bumps a version that every replica reads with its tracking pass (`sync`),
 * and a replica whose copy is older reloads it.
 */
export class VendorAccounts {
  /** Every connection not stopped yet, by key: those in force, and those retiring. */
  private readonly pool = new Map<string, Connected>();
  private readonly retiring = new Map<string, NodeJS.Timeout>();
  private readonly environment = new Map<string, Connected>();
  private workspaces = new Map<string, Map<string, WorkspaceAccount>>();
  private readonly views = new Map<string, TeamVendors>();
  private tracked: TrackedAccount[] = [];
  /** The connection following each account's sessions, by account key. */
  private followers = new Map<string, Connected>();
  private version = -1;
  private reloads: Promise<void> = Promise.resolve();
  /** Each connection's last call, by key (the health of /healthz stays per vendor). */
  private readonly lastCalls = new VendorHealth();
  /** Refresh and stats spend spare requests per connection (its budget), whichever workspace asks. */
  private readonly budgets: Record<string, BudgetView> = {};
  private readonly spare = new SpareBudget(this.budgets);
  private stopped = false;

  constructor(private readonly deps: VendorAccountsDeps) {}

  /** At start, once the identity key is known: the environment's accounts, then every saved one. */
  async load(): Promise<void> {
    for (const module of this.deps.modules) {
      const settings = this.deps.environment[module.name];
      if (settings !== undefined) this.environment.set(module.name, this.connect(module, settings));
    }
    await this.reload();
  }

  /** With each tracking pass: reloads when another replica (or this one) saved since the last load. `logger`: the pass's. */
  async sync(logger: Logger = this.deps.logger): Promise<void> {
    if ((await this.deps.store.currentVersion()) !== this.version) await this.reload(logger);
  }

  /**
   * Reads every saved account again, one reload at a time (a save's must not be overtaken by an
   * older one). `logger`: the save's or pass's that asks (its correlation id), else the service's.
   */
  reload(logger: Logger = this.deps.logger): Promise<void> {
    const next = this.reloads.then(() => this.readAll(logger));
    this.reloads = next.catch(() => undefined);
    return next;
  }

  /** The vendors of one workspace, from memory. */
  forTeam(teamId: string): TeamVendors {
    let view = this.views.get(teamId);
    if (!view) {
      view = this.buildView(teamId);
      this.views.set(teamId, view);
    }
    return view;
  }

  /** Every vendor some account is set up for (creation jobs are leased per vendor), in the modules' order. */
  allVendors(): string[] {
    const vendors = new Set([...this.inForce()].map((connected) => connected.vendor));
    return this.deps.modules.map((module) => module.name).filter((name) => vendors.has(name));
  }

  /** One entry per vendor account in force, whoever uses it: its sessions are followed by it alone. */
  trackedAccounts(): TrackedAccount[] {
    return this.tracked;
  }

  /** The webhooks of a vendor's accounts: the secret a request carries says whose sessions it may touch. */
  webhookTargets(vendor: string): WebhookTarget[] {
    return [...this.inForce()]
      .filter((connected) => connected.vendor === vendor && connected.connection.webhook)
      .map((connected) => ({ handler: connected.connection.webhook!, scope: this.scopeOf(connected) }));
  }

  /** A workspace's own accounts (App Home), by vendor. */
  workspaceAccounts(teamId: string): ReadonlyMap<string, WorkspaceAccount> {
    return this.workspaces.get(teamId) ?? new Map();
  }

  /** Whether the environment sets this vendor up (every workspace's default). */
  hasEnvironmentAccount(vendor: string): boolean {
    return this.environment.has(vendor);
  }

  /** The connection these settings make (made now if new): what a check runs on. */
  connectionFor(vendor: string, settings: unknown): VendorConnection {
    return this.connect(this.module(vendor), settings).connection;
  }

  /** The identity key of the account these settings log into. */
  accountOf(vendor: string, settings: unknown): string {
    return this.accountKey(this.module(vendor), settings);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.retiring.values()) clearTimeout(timer);
    this.retiring.clear();
    await Promise.allSettled([...this.pool.values()].map((connected) => connected.connection.stop()));
    this.pool.clear();
  }

  private async readAll(logger: Logger): Promise<void> {
    const { version, accounts, unreadable } = await this.deps.store.all();
    const workspaces = new Map<string, Map<string, WorkspaceAccount>>();
    const put = (teamId: string, account: WorkspaceAccount) => {
      const own = workspaces.get(teamId) ?? new Map<string, WorkspaceAccount>();
      own.set(account.vendor, account);
      workspaces.set(teamId, own);
    };
    for (const { teamId, vendor } of unreadable) {
      // Never the environment's instead: the workspace chose its own account.
      logger.warn({ teamId, vendor }, 'a saved vendor account opens with neither ENCRYPTION_KEY nor ENCRYPTION_KEY_PREVIOUS; that vendor is off for this workspace');
      put(teamId, { vendor, unusable: 'its saved settings are sealed under a key no longer configured' });
    }
    for (const stored of accounts) {
      const module = this.deps.modules.find((candidate) => candidate.name === stored.vendor);
      if (!module) continue; // a module removed from this build: nothing can use it
      put(stored.teamId, this.workspaceAccount(module, stored, logger));
    }
    this.workspaces = workspaces;
    this.version = version;
    this.views.clear();
    this.retireUnused();
    this.followers = this.followersNow();
    this.tracked = [...this.followers.values()]
      .map((connected) => ({ vendor: connected.vendor, scope: this.scopeOf(connected), trackers: connected.connection.trackers }))
      .sort((a, b) => this.order(a.vendor) - this.order(b.vendor) || a.scope.account.localeCompare(b.scope.account));
  }

  private workspaceAccount(module: VendorModule<unknown>, stored: StoredVendorAccount, logger: Logger): WorkspaceAccount {
    try {
      const settings = module.settings.read(stored.values, this.deps.common);
      if (settings === undefined) return { vendor: module.name, stored, unusable: 'its credentials are missing' };
      return { vendor: module.name, stored, connected: this.connect(module, settings) };
    } catch (error) {
      // A module whose rules changed since the save: named by variable, never by value.
      const unusable = error instanceof SettingsError ? `${error.variable} ${error.reason}` : 'its saved settings do not read';
      logger.warn({ teamId: stored.teamId, vendor: module.name, problem: unusable }, 'a saved vendor account no longer reads; that vendor is off for this workspace');
      return { vendor: module.name, stored, unusable };
    }
  }

  /** The connection of these settings: the one already made for the same settings, else a new one. */
  private connect(module: VendorModule<unknown>, settings: unknown): Connected {
    const account = this.accountKey(module, settings);
    const key = `${account}#${createHash('sha256').update(stableJson(settings)).digest('hex').slice(0, 16)}`;
    const known = this.pool.get(key);
    if (known) return known;
    const base = this.deps.vendorDeps;
    const connection = module.connect(settings, {
      ...base,
      // Each account's last call too, so a workspace sees how its own account is doing.
      health: {
        record: (vendor, operation, ok, code) => {
          base.health.record(vendor, operation, ok, code);
          this.lastCalls.record(key, operation, ok, code);
        },
        observe: base.health.observe?.bind(base.health),
      },
    });
    const connected: Connected = { key, vendor: module.name, account, connection, fieldDefaults: module.fieldDefaults(settings) };
    this.pool.set(key, connected);
    if (connection.budget) this.budgets[key] = connection.budget;
    return connected;
  }

  /**
   * `<vendor>:<24 hex>`: an HMAC of what names the account (the module's `account`), so the key
   * stored with each session and shown in logs says nothing of the login or key behind it.
   */
  private accountKey(module: VendorModule<unknown>, settings: unknown): string {
    const named = module.account?.(settings) ?? stableJson(settings);
    const digest = createHmac('sha256', this.deps.identityKey()).update(`rendezvous vendor account\0${module.name}\0${named}`).digest('hex');
    return `${module.name}:${digest.slice(0, 24)}`;
  }

  private module(vendor: string): VendorModule<unknown> {
    const module = this.deps.modules.find((candidate) => candidate.name === vendor);
    if (!module) throw new Error(`no vendor module named ${vendor}`);
    return module;
  }

  /** Connections some workspace, or the environment, uses now. */
  private inForce(): Set<Connected> {
    const connections = new Set(this.environment.values());
    for (const accounts of this.workspaces.values()) {
      for (const { connected } of accounts.values()) if (connected) connections.add(connected);
    }
    return connections;
  }

  private scopeOf(connected: Connected): AccountScope {
    // Sessions from before accounts per workspace carry no key: the environment's account owns them.
    return { account: connected.account, orUnassigned: this.environment.get(connected.vendor)?.account === connected.account };
  }

  /**
   * One connection per vendor account follows its sessions. When workspaces saved different
   * settings for the same account (another password), the one whose check worked is preferred,
   * then the environment's, then the newest save.
   */
  private followersNow(): Map<string, Connected> {
    const best = new Map<string, { connected: Connected; rank: number; at: number }>();
    const consider = (connected: Connected, rank: number, at: number) => {
      const current = best.get(connected.account);
      if (!current || rank > current.rank || (rank === current.rank && at > current.at)) best.set(connected.account, { connected, rank, at });
    };
    for (const connected of this.environment.values()) consider(connected, 2, 0);
    for (const accounts of this.workspaces.values()) {
      for (const { stored, connected } of accounts.values()) {
        if (!connected || !stored) continue;
        const ok = stored.check?.ok;
        consider(connected, ok === true ? 3 : ok === false ? 0 : 1, stored.updatedAt.getTime());
      }
    }
    return new Map([...best].map(([account, { connected }]) => [account, connected]));
  }

  private order(vendor: string): number {
    return this.deps.modules.findIndex((module) => module.name === vendor);
  }

  /** Connections no longer in force stop after a while: a call that took one just before still finishes. */
  private retireUnused(): void {
    const inForce = new Set([...this.inForce()].map((connected) => connected.key));
    for (const [key, connected] of this.pool) {
      const timer = this.retiring.get(key);
      if (inForce.has(key)) {
        if (timer) clearTimeout(timer);
        this.retiring.delete(key);
        continue;
      }
      if (timer || this.stopped) continue;
      const retire = setTimeout(() => {
        this.retiring.delete(key);
        this.pool.delete(key);
        delete this.budgets[key];
        // Minutes after the reload that retired it: a run of its own.
        void connected.connection.stop().catch((error: unknown) => runLogger(this.deps.logger).warn({ vendor: connected.vendor, err: error }, 'a retired vendor connection did not stop cleanly'));
      }, this.deps.retireAfterMs ?? DEFAULT_RETIRE_AFTER_MS);
      retire.unref();
      this.retiring.set(key, retire);
    }
  }

  private buildView(teamId: string): TeamVendors {
    const own = this.workspaces.get(teamId);
    const providers = new ProviderRegistry();
    const chosen = new Map<string, Connected>();
    const view: Omit<TeamVendors, 'providerOf' | 'accountOf' | 'lastCall' | 'spare' | 'agentLinkOf'> = { providers, budgets: {}, usage: [], fieldDefaults: {} };
    for (const module of this.deps.modules) {
      const saved = own?.get(module.name);
      // A workspace with an account of its own never falls back to the environment's, even when its own cannot be used.
      const connected = saved ? saved.connected : this.environment.get(module.name);
      if (!connected) continue;
      const { connection } = connected;
      chosen.set(module.name, connected);
      for (const provider of connection.providers) providers.add(module.name, provider);
      if (connection.budget) view.budgets[module.name] = connection.budget;
      if (connection.delivery) view.linkDelivery = connection.delivery;
      if (connection.usage) view.usage.push({ vendor: module.name, usage: connection.usage.bind(connection) });
      view.fieldDefaults[module.name] = connected.fieldDefaults;
    }
    const keyOf = (vendor: string) => chosen.get(vendor)?.key ?? vendor;
    return {
      ...view,
      spare: {
        hasSpare: (vendor, requests) => this.spare.hasSpare(keyOf(vendor), requests),
        run: (vendor, requests, work) => this.spare.run(keyOf(vendor), requests, work),
      },
      accountOf: (vendor) => chosen.get(vendor)?.account,
      lastCall: (vendor) => {
        const connected = chosen.get(vendor);
        return connected && this.lastCalls.lastCall(connected.key);
      },
      agentLinkOf: (url) => {
        for (const [vendor, { connection }] of chosen) {
          const found = connection.agentLinks?.sessionOf(url);
          if (found) return { vendor, ...found };
        }
        return undefined;
      },
      providerOf: (session) => {
        const account = session.vendorAccount ?? this.environment.get(session.vendor)?.account;
        const mine = chosen.get(session.vendor);
        // Started under another account than the workspace's current one: only that account knows it.
        const connected = mine?.account === account ? mine : account === undefined ? undefined : this.followers.get(account);
        return connected?.connection.providers.find((provider) => provider.kind === session.kind);
      },
    };
  }
}

/** JSON with object keys sorted, so that the same settings always give the same fingerprint. */
function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    item && typeof item === 'object' && !Array.isArray(item)
      ? Object.fromEntries(Object.entries(item as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : item,
  );
}
