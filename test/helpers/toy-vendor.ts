import { SettingsError, type CallVia, type Provider, type VendorConnection, type VendorModule, type VendorTracker } from '../../src/domain/vendor-module.js';
import { VendorError } from '../../src/vendors/errors.js';

export interface ToySettings {
  url: string;
  login: string;
  password: string;
}

/** A made-up vendor whose account is its URL and login, with a budget and a tracker per connection. */
export function toyModule(options: { check?: 'none' | { spacingMs: number } } = {}) {
  const connected: Array<{ settings: ToySettings; stopped: boolean; connection: VendorConnection }> = [];
  /** The logins checked, in order. */
  const checked: string[] = [];
  const module: VendorModule<ToySettings> = {
    name: 'toy',
    label: 'Toy',
    settings: {
      fields: [
        { env: 'TOY_URL', label: 'URL', secret: false, help: '' },
        { env: 'TOY_LOGIN', label: 'Login', secret: false, help: '', required: true },
        { env: 'TOY_PASSWORD', label: 'Password', secret: true, help: '', required: true },
      ],
      read(env) {
        if (!env.TOY_LOGIN) return undefined;
        if (!env.TOY_PASSWORD) throw new SettingsError('TOY_PASSWORD', 'is required once any TOY_ credential is set');
        return { url: env.TOY_URL ?? 'https://toy.example', login: env.TOY_LOGIN, password: env.TOY_PASSWORD };
      },
    },
    products: [],
    account: (settings) => `${settings.url}\n${settings.login}`,
    fieldDefaults: (settings) => ({ login: settings.login }),
    connect(settings) {
      const provider: Provider = {
        kind: 'call',
        describeInvitee: () => '',
        contactOf: () => undefined,
        // A wrong password fails this account's calls, and only this account's.
        create: async () => {
          if (settings.password !== 'right') throw new Error(`refused for ${settings.login}`);
          return { vendorId: `${settings.login}-1`, status: 'sent', milestone: 'sent' };
        },
      };
      const tracker: VendorTracker = { kind: 'call', tick: async () => undefined };
      const checks = (settings: ToySettings, via?: CallVia) => {
        checked.push(settings.login);
        // As a vendor client does: the call's line with the caller's logger.
        via?.logger?.info({ vendor: 'toy', operation: 'login' }, 'toy login asked');
        if (settings.password !== 'right') throw new VendorError('toy', 'login', 'unauthorized', { status: 401 });
      };
      const entry = {
        settings,
        stopped: false,
        connection: {
          check:
            options.check === 'none'
              ? undefined
              : {
                  call: 'a login',
                  spacing: options.check ? { everyMs: options.check.spacingMs, why: 'Toy locks accounts' } : undefined,
                  run: async (via) => checks(settings, via),
                },
          providers: [provider],
          trackers: [tracker],
          budget: { limit: 10, estimateWaitMs: () => 0, available: () => 10, reserve: 2 },
          webhook: { secret: `hook-${settings.login}`, route: () => ({ ignored: 'test' }) },
          stop: async () => {
            entry.stopped = true;
          },
        } satisfies VendorConnection,
      };
      connected.push(entry);
      return entry.connection;
    },
  };
  return { module, connected, checked };
}

