import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Session } from '../../src/domain/session.js';
import type { VendorModule } from '../../src/domain/vendor-module.js';
import { createLogger } from '../../src/logger.js';
import { VendorAccounts } from '../../src/services/vendor-accounts.js';
import { ContactCrypto } from '../../src/store/contact-crypto.js';
import { VendorAccountsRepository, type StoredVendorAccount } from '../../src/store/vendor-accounts-repository.js';
import { apizee } from '../../src/vendors/apizee/index.js';
import { eachDatabase } from '../helpers/databases.js';
import { toyModule, type ToySettings } from '../helpers/toy-vendor.js';

function stored(teamId: string, values: Record<string, string>, overrides: Partial<StoredVendorAccount> = {}): StoredVendorAccount {
  return { teamId, enterpriseId: null, vendor: 'toy', values, account: 'unused-here', version: 1, updatedAt: new Date('2026-12-02T10:00:00Z'), updatedBy: 'U0ADMIN', check: null, ...overrides };
}

/** A store in memory: what the database would answer. */
function memoryStore(initial: StoredVendorAccount[] = []) {
  const state = { version: 1, accounts: initial, unreadable: [] as Array<{ teamId: string; vendor: string }> };
  return {
    state,
    put(accounts: StoredVendorAccount[]) {
      state.accounts = accounts;
      state.version += 1;
    },
    store: {
      all: async () => ({ version: state.version, accounts: state.accounts, unreadable: state.unreadable }),
      currentVersion: async () => state.version,
    },
  };
}

const ENV = { url: 'https://toy.example', login: 'operator', password: 'right' };
const RIGHT = { TOY_LOGIN: 'alpha', TOY_PASSWORD: 'right' };

function registry(options: { environment?: ToySettings; accounts?: StoredVendorAccount[]; modules?: VendorModule<unknown>[]; retireAfterMs?: number } = {}) {
  const toy = toyModule();
  const memory = memoryStore(options.accounts);
  const accounts = new VendorAccounts({
    modules: options.modules ?? [toy.module as VendorModule<unknown>],
    environment: options.environment ? { toy: options.environment } : {},
    common: { timeoutMs: 1000 },
    vendorDeps: { logger: createLogger('silent'), health: { record: () => undefined }, trackIntervalMs: 1000, pseudonymKey: 'unused' },
    store: memory.store,
    identityKey: () => 'identity-key',
    logger: createLogger('silent'),
    retireAfterMs: options.retireAfterMs,
  });
  return { accounts, toy, memory };
}

const sessionOf = (vendorAccount: string | null): Pick<Session, 'vendor' | 'kind' | 'vendorAccount'> => ({ vendor: 'toy', kind: 'call', vendorAccount });

describe('VendorAccounts: accounts per workspace', () => {
  it('gives a workspace without an account of its own the environment’s, connected once for all', async () => {
    const { accounts, toy } = registry({ environment: ENV });
    await accounts.load();
    const one = accounts.forTeam('T0ONE');
    const other = accounts.forTeam('T0OTHER');
    assert.deepEqual(one.providers.vendors(), ['toy']);
    assert.equal(toy.connected.length, 1);
    assert.equal(one.providers.get('toy', 'call'), other.providers.get('toy', 'call'));
    assert.equal(one.budgets.toy, other.budgets.toy);
    assert.equal(one.accountOf('toy'), other.accountOf('toy'));
    assert.match(one.accountOf('toy')!, /^toy:[0-9a-f]{24}$/);
    assert.ok(!one.accountOf('toy')!.includes('operator'), 'the key says nothing of the login');
    assert.deepEqual(one.fieldDefaults.toy, { login: 'operator' });
  });

  it('offers nothing to a workspace when neither it nor the environment has an account', async () => {
    const { accounts } = registry({ accounts: [stored('T0ALPHA', RIGHT)] });
    await accounts.load();
    assert.deepEqual(accounts.forTeam('T0NOBODY').providers.vendors(), []);
    assert.deepEqual(accounts.forTeam('T0ALPHA').providers.vendors(), ['toy']);
    assert.deepEqual(accounts.allVendors(), ['toy']);
  });

  it('shares one connection and one budget between workspaces with the same account, and never between accounts', async () => {
    const { accounts, toy } = registry({
      environment: ENV,
      accounts: [stored('T0ALPHA', RIGHT), stored('T0ALPHA2', RIGHT), stored('T0BETA', { TOY_LOGIN: 'beta', TOY_PASSWORD: 'right' })],
    });
    await accounts.load();
    const [alpha, alpha2, beta, other] = ['T0ALPHA', 'T0ALPHA2', 'T0BETA', 'T0OTHER'].map((team) => accounts.forTeam(team));
    assert.equal(toy.connected.length, 3, 'the environment’s, alpha’s and beta’s');
    assert.equal(alpha!.providers.get('toy', 'call'), alpha2!.providers.get('toy', 'call'));
    assert.equal(alpha!.budgets.toy, alpha2!.budgets.toy);
    assert.equal(alpha!.accountOf('toy'), alpha2!.accountOf('toy'));
    for (const [a, b] of [[alpha!, beta!], [alpha!, other!], [beta!, other!]] as const) {
      assert.notEqual(a.providers.get('toy', 'call'), b.providers.get('toy', 'call'));
      assert.notEqual(a.budgets.toy, b.budgets.toy);
      assert.notEqual(a.accountOf('toy'), b.accountOf('toy'));
    }
  });

  it('keeps one workspace’s bad password its own: another password is another connection of the same account', async () => {
    const { accounts, toy } = registry({ accounts: [stored('T0ALPHA', RIGHT), stored('T0MISTYPED', { TOY_LOGIN: 'alpha', TOY_PASSWORD: 'wrong' })] });
    await accounts.load();
    const good = accounts.forTeam('T0ALPHA');
    const bad = accounts.forTeam('T0MISTYPED');
    assert.equal(toy.connected.length, 2);
    assert.equal(good.accountOf('toy'), bad.accountOf('toy'), 'the same vendor account (its budget is counted once in the ledger)');
    const session = { id: 's1', reference: 'CASE-1' } as Session;
    await assert.rejects(bad.providers.get('toy', 'call')!.create(session, {} as never), /refused for alpha/);
    assert.equal((await good.providers.get('toy', 'call')!.create(session, {} as never)).vendorId, 'alpha-1');
  });

  it('switches off a vendor for a workspace whose saved account no longer reads, never falling back to the environment’s', async () => {
    const { accounts } = registry({ environment: ENV, accounts: [stored('T0BROKEN', { TOY_LOGIN: 'alpha' })] });
    await accounts.load();
    assert.deepEqual(accounts.forTeam('T0BROKEN').providers.vendors(), []);
    assert.equal(accounts.workspaceAccounts('T0BROKEN').get('toy')?.unusable, 'TOY_PASSWORD is required once any TOY_ credential is set');
    assert.deepEqual(accounts.forTeam('T0OTHER').providers.vendors(), ['toy']);
  });

  it('acts on a session only through the account it was created under', async () => {
    const { accounts, memory } = registry({ environment: ENV, accounts: [stored('T0ALPHA', RIGHT)] });
    await accounts.load();
    const alpha = accounts.forTeam('T0ALPHA');
    const alphaAccount = alpha.accountOf('toy')!;
    const operator = accounts.forTeam('T0OTHER');
    assert.equal(alpha.providerOf(sessionOf(alphaAccount)), alpha.providers.get('toy', 'call'));
    // A session from before accounts per workspace (no key) is the environment's account's.
    assert.equal(alpha.providerOf(sessionOf(null)), operator.providers.get('toy', 'call'));
    assert.equal(operator.providerOf(sessionOf(operator.accountOf('toy')!)), operator.providers.get('toy', 'call'));

    // Alpha moves to another account: its old sessions are not asked of the new one, and with nobody
    // using the old account any more, nothing may act on them.
    memory.put([stored('T0ALPHA', { TOY_LOGIN: 'gamma', TOY_PASSWORD: 'right' })]);
    await accounts.sync();
    const moved = accounts.forTeam('T0ALPHA');
    assert.notEqual(moved.accountOf('toy'), alphaAccount);
    assert.equal(moved.providerOf(sessionOf(alphaAccount)), undefined);
    assert.equal(moved.providerOf(sessionOf(moved.accountOf('toy')!)), moved.providers.get('toy', 'call'));

    // While another workspace still uses the old account, that account's connection answers for them.
    memory.put([stored('T0ALPHA', { TOY_LOGIN: 'gamma', TOY_PASSWORD: 'right' }), stored('T0BETA', RIGHT)]);
    await accounts.sync();
    assert.equal(accounts.forTeam('T0ALPHA').providerOf(sessionOf(alphaAccount)), accounts.forTeam('T0BETA').providers.get('toy', 'call'));
  });

  it('tracks each account once, over its own sessions (the environment’s also over those without a key)', async () => {
    const { accounts } = registry({
      environment: ENV,
      accounts: [
        stored('T0ALPHA', RIGHT, { check: { at: new Date(), ok: false, detail: 'refused' } }),
        stored('T0ALPHA2', { TOY_LOGIN: 'alpha', TOY_PASSWORD: 'other' }, { check: { at: new Date(), ok: true, detail: 'ok' }, updatedAt: new Date('2026-12-01T00:00:00Z') }),
        stored('T0BETA', { TOY_LOGIN: 'beta', TOY_PASSWORD: 'right' }),
      ],
    });
    await accounts.load();
    const tracked = accounts.trackedAccounts();
    const alphaAccount = accounts.forTeam('T0ALPHA').accountOf('toy')!;
    const envAccount = accounts.forTeam('T0OTHER').accountOf('toy')!;
    assert.equal(tracked.length, 3, 'alpha’s two sets of settings are one account, tracked once');
    assert.deepEqual(
      tracked.map((entry) => entry.scope).sort((a, b) => a.account.localeCompare(b.account)),
      [
        { account: alphaAccount, orUnassigned: false },
        { account: accounts.forTeam('T0BETA').accountOf('toy')!, orUnassigned: false },
        { account: envAccount, orUnassigned: true },
      ].sort((a, b) => a.account.localeCompare(b.account)),
    );
    // The settings whose check worked follow alpha's sessions, not the refused ones.
    const alphaTracker = tracked.find((entry) => entry.scope.account === alphaAccount)!.trackers[0];
    assert.equal(alphaTracker, accounts.connectionFor('toy', { url: 'https://toy.example', login: 'alpha', password: 'other' }).trackers[0]);
    assert.notEqual(alphaTracker, accounts.connectionFor('toy', { url: 'https://toy.example', login: 'alpha', password: 'right' }).trackers[0]);
  });

  it('routes each webhook secret to its own account', async () => {
    const { accounts } = registry({ environment: ENV, accounts: [stored('T0ALPHA', RIGHT)] });
    await accounts.load();
    const targets = accounts.webhookTargets('toy');
    assert.deepEqual(targets.map((target) => target.handler.secret).sort(), ['hook-alpha', 'hook-operator']);
    assert.equal(targets.find((target) => target.handler.secret === 'hook-alpha')!.scope.account, accounts.forTeam('T0ALPHA').accountOf('toy'));
    assert.deepEqual(accounts.webhookTargets('other'), []);
  });

  it('stops a connection nobody uses any more, after a grace period, and keeps one that comes back', async () => {
    const { accounts, memory, toy } = registry({ accounts: [stored('T0ALPHA', RIGHT)], retireAfterMs: 30 });
    await accounts.load();
    memory.put([stored('T0ALPHA', { TOY_LOGIN: 'beta', TOY_PASSWORD: 'right' })]);
    await accounts.sync();
    assert.equal(toy.connected[0]!.stopped, false, 'a call that took it just before may still finish');
    await new Promise((resolve) => setTimeout(resolve, 60));
    assert.equal(toy.connected[0]!.stopped, true);
    assert.equal(toy.connected[1]!.stopped, false);

    memory.put([stored('T0ALPHA', RIGHT)]);
    await accounts.sync();
    memory.put([stored('T0ALPHA', { TOY_LOGIN: 'beta', TOY_PASSWORD: 'right' })]);
    await accounts.sync();
    memory.put([stored('T0ALPHA', RIGHT)]);
    await accounts.sync();
    await new Promise((resolve) => setTimeout(resolve, 60));
    assert.equal(toy.connected.at(-1)!.settings.login, 'alpha');
    assert.equal(toy.connected.at(-1)!.stopped, false, 'back in force before its retirement: kept');
    await accounts.stop();
    assert.ok(toy.connected.every((entry) => entry.stopped));
  });

  it('gives Apizee accounts with different logins separate request budgets, and the same login one', async () => {
    const values = (username: string) => ({
      APIZEE_API_URL: 'https://apizee.example/api',
      APIZEE_USERNAME: username,
      APIZEE_PASSWORD: 'secret',
      APIZEE_ENTERPRISE_ID: '1',
      APIZEE_AGENT: 'agent',
    });
    const apizeeAccount = (teamId: string, username: string) => ({ ...stored(teamId, values(username)), vendor: 'apizee' });
    const { accounts } = registry({
      modules: [apizee as VendorModule<unknown>],
      accounts: [apizeeAccount('T0ALPHA', 'alpha@example.com'), apizeeAccount('T0ALPHA2', 'alpha@example.com'), apizeeAccount('T0BETA', 'beta@example.com')],
    });
    await accounts.load();
    const [alpha, alpha2, beta] = ['T0ALPHA', 'T0ALPHA2', 'T0BETA'].map((team) => accounts.forTeam(team));
    assert.ok(alpha!.budgets.apizee && beta!.budgets.apizee);
    assert.equal(alpha!.budgets.apizee, alpha2!.budgets.apizee);
    assert.notEqual(alpha!.budgets.apizee, beta!.budgets.apizee);
    await accounts.stop();
  });

  it('reads agent links with the workspace’s own Apizee account: its portal, not the default’s (link unfurls)', async () => {
    const values = (username: string, portal?: string) => ({
      APIZEE_API_URL: 'https://apizee.example/api',
      APIZEE_USERNAME: username,
      APIZEE_PASSWORD: 'secret',
      APIZEE_ENTERPRISE_ID: '1',
      APIZEE_AGENT: 'agent',
      ...(portal ? { APIZEE_PORTAL_URL: portal } : {}),
    });
    const { accounts } = registry({
      modules: [apizee as VendorModule<unknown>],
      accounts: [{ ...stored('T0BETA', values('beta@example.com', 'https://video.beta.example')), vendor: 'apizee' }, { ...stored('T0ALPHA', values('alpha@example.com')), vendor: 'apizee' }],
    });
    await accounts.load();
    const betaLink = 'https://video.beta.example/entrypoint/223/tickets/82071';
    const defaultLink = 'https://apizee.example/entrypoint/223/tickets/82071';
    assert.deepEqual(accounts.forTeam('T0BETA').agentLinkOf(betaLink), { vendor: 'apizee', kind: 'ticket', vendorId: '82071' });
    assert.equal(accounts.forTeam('T0BETA').agentLinkOf(defaultLink), undefined, 'Beta’s Apizee lives on its own portal');
    assert.deepEqual(accounts.forTeam('T0ALPHA').agentLinkOf(defaultLink), { vendor: 'apizee', kind: 'ticket', vendorId: '82071' }, 'no portal set: the API’s host');
    assert.equal(accounts.forTeam('T0ALPHA').agentLinkOf(betaLink), undefined);
    assert.equal(accounts.forTeam('T0NONE').agentLinkOf(defaultLink), undefined, 'a workspace without Apizee reads no Apizee link');
    await accounts.stop();
  });
});

eachDatabase('VendorAccounts on one database, two replicas', (ctx) => {
  it('a save on one replica shows on the other at its next sync, and not before', async () => {
    const key = randomBytes(32);
    const make = (db = ctx.db()) => {
      const toy = toyModule();
      return new VendorAccounts({
        modules: [toy.module as VendorModule<unknown>],
        environment: {},
        common: { timeoutMs: 1000 },
        vendorDeps: { logger: createLogger('silent'), health: { record: () => undefined }, trackIntervalMs: 1000, pseudonymKey: 'unused' },
        store: new VendorAccountsRepository(db, new ContactCrypto(key).sealer('vendorAccounts')),
        identityKey: () => 'identity-key',
        logger: createLogger('silent'),
      });
    };
    const first = make();
    const second = make(ctx.kind === 'postgres' ? ctx.open() : ctx.db());
    await first.load();
    await second.load();
    assert.deepEqual(second.forTeam('T0ALPHA').providers.vendors(), []);

    const repository = new VendorAccountsRepository(ctx.db(), new ContactCrypto(key).sealer('vendorAccounts'));
    const account = first.accountOf('toy', { url: 'https://toy.example', login: 'alpha', password: 'right' });
    await repository.save({ teamId: 'T0ALPHA', enterpriseId: null, vendor: 'toy', values: RIGHT, account, updatedBy: 'U0ADMIN' });
    await first.reload();
    assert.deepEqual(first.forTeam('T0ALPHA').providers.vendors(), ['toy']);
    assert.deepEqual(second.forTeam('T0ALPHA').providers.vendors(), [], 'from memory until its tracking pass');
    await second.sync();
    assert.deepEqual(second.forTeam('T0ALPHA').providers.vendors(), ['toy']);
    assert.equal(second.forTeam('T0ALPHA').accountOf('toy'), account, 'both replicas key the account alike');
    await first.stop();
    await second.stop();
  });
});
