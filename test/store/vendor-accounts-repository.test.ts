import assert from 'node:assert/strict';
import { ContactCrypto, keyIdOf } from '../../src/store/contact-crypto.js';
import { rekeyStoredSecrets } from '../../src/store/rekey.js';
import { VendorAccountsRepository, type SaveAccount } from '../../src/store/vendor-accounts-repository.js';
import { eachDatabase } from '../helpers/databases.js';

const KEY_A = Buffer.alloc(32, 0xa);
const KEY_B = Buffer.alloc(32, 0xb);
const PASSWORD = 'pa55-w0rd-never-in-clear';

function account(overrides: Partial<SaveAccount> = {}): SaveAccount {
  return {
    teamId: 'T0ALPHA',
    enterpriseId: null,
    vendor: 'apizee',
    values: { APIZEE_USERNAME: 'alpha@example.com', APIZEE_PASSWORD: PASSWORD },
    account: 'apizee:alpha',
    updatedBy: 'U0ADMIN',
    ...overrides,
  };
}

eachDatabase('VendorAccountsRepository', (ctx) => {
  const repository = (key = KEY_A, previous?: Buffer) => new VendorAccountsRepository(ctx.db(), new ContactCrypto(key, previous).sealer('vendorAccounts'));

  it('keeps each workspace’s values sealed, and opens them back', async () => {
    const accounts = repository();
    const version = await accounts.save(account({ now: new Date('2026-12-02T10:00:00Z') }));
    await accounts.save(account({ teamId: 'T0BETA', enterpriseId: 'E0GRID', values: { APIZEE_USERNAME: 'beta@example.com', APIZEE_PASSWORD: 'other' }, account: 'apizee:beta' }));

    const stored = await ctx.db().selectFrom('vendor_accounts').selectAll().execute();
    assert.equal(stored.length, 2);
    for (const row of stored) {
      assert.ok(row.settings.startsWith(`v2:${keyIdOf(KEY_A)}:`), row.settings);
      assert.ok(!row.settings.includes(PASSWORD) && !row.settings.includes('example.com'), 'nothing in clear');
    }
    const read = await accounts.all();
    assert.equal(read.version, version + 1);
    assert.deepEqual(read.unreadable, []);
    const alpha = read.accounts.find((item) => item.teamId === 'T0ALPHA')!;
    assert.deepEqual(alpha.values, { APIZEE_USERNAME: 'alpha@example.com', APIZEE_PASSWORD: PASSWORD });
    assert.equal(alpha.version, version);
    assert.equal(alpha.updatedAt.toISOString(), '2026-12-02T10:00:00.000Z');
    assert.equal(alpha.updatedBy, 'U0ADMIN');
    assert.equal(alpha.check, null);
    assert.equal(read.accounts.find((item) => item.teamId === 'T0BETA')!.enterpriseId, 'E0GRID');
  });

  it('a save replaces the workspace’s account with that vendor, clears its check and bumps the version', async () => {
    const accounts = repository();
    const first = await accounts.save(account());
    await accounts.recordCheck('T0ALPHA', 'apizee', first, { at: new Date(), ok: true, detail: 'token issued' });
    const second = await accounts.save(account({ values: { APIZEE_USERNAME: 'alpha@example.com', APIZEE_PASSWORD: 'new' } }));
    assert.ok(second > first);
    const read = await accounts.all();
    assert.equal(read.accounts.length, 1);
    assert.equal(read.accounts[0]!.values.APIZEE_PASSWORD, 'new');
    assert.equal(read.accounts[0]!.check, null);
    assert.equal(await accounts.currentVersion(), read.version);
  });

  it('gives concurrent saves versions of their own (from two connections on PostgreSQL)', async () => {
    const one = repository();
    // Several replicas need PostgreSQL; on SQLite the one connection takes the transactions in turn.
    const other = new VendorAccountsRepository(ctx.kind === 'postgres' ? ctx.open() : ctx.db(), new ContactCrypto(KEY_A).sealer('vendorAccounts'));
    const versions = await Promise.all(
      Array.from({ length: 8 }, (_, index) => (index % 2 ? one : other).save(account({ teamId: `T0TEAM${index}` }))),
    );
    assert.equal(new Set(versions).size, versions.length);
    assert.equal(await one.currentVersion(), Math.max(...versions));
  });

  it('records a check only for the values it checked', async () => {
    const accounts = repository();
    const old = await accounts.save(account());
    const current = await accounts.save(account());
    assert.equal(await accounts.recordCheck('T0ALPHA', 'apizee', old, { at: new Date(), ok: false, detail: 'stale' }), false);
    const before = await accounts.currentVersion();
    assert.equal(await accounts.recordCheck('T0ALPHA', 'apizee', current, { at: new Date('2026-12-02T10:01:00Z'), ok: false, detail: 'Apizee refused the login' }), true);
    assert.equal(await accounts.currentVersion(), before + 1, 'other replicas reload to show it');
    const check = (await accounts.all()).accounts[0]!.check!;
    assert.deepEqual(check, { at: new Date('2026-12-02T10:01:00Z'), ok: false, detail: 'Apizee refused the login' });
  });

  it('checks one vendor account at most once in the interval, across the workspaces that share it', async () => {
    const accounts = repository();
    const now = new Date('2026-12-02T10:00:00Z');
    const tenMinutes = 10 * 60_000;
    const shared = { vendor: 'blitzz', account: 'blitzz:shared', values: { BLITZZ_USERNAME: 'agent' } };
    const alpha = await accounts.save(account({ ...shared, teamId: 'T0ALPHA' }));
    const beta = await accounts.save(account({ ...shared, teamId: 'T0BETA' }));
    const gamma = await accounts.save(account({ vendor: 'blitzz', account: 'blitzz:other', teamId: 'T0GAMMA' }));

    assert.deepEqual(await accounts.claimCheck('T0ALPHA', 'blitzz', alpha, tenMinutes, now), { claimed: true });
    assert.deepEqual(await accounts.claimCheck('T0BETA', 'blitzz', beta, tenMinutes, new Date(now.getTime() + 60_000)), { claimed: false, lastCheckedAt: now });
    assert.deepEqual(await accounts.claimCheck('T0GAMMA', 'blitzz', gamma, tenMinutes, now), { claimed: true }, 'another account is not held back');
    assert.deepEqual(await accounts.claimCheck('T0BETA', 'blitzz', beta, tenMinutes, new Date(now.getTime() + tenMinutes + 1)), { claimed: true });
    // Without an interval (Apizee), every save is checked.
    const apizee = await accounts.save(account());
    assert.deepEqual(await accounts.claimCheck('T0ALPHA', 'apizee', apizee, 0, now), { claimed: true });
    assert.deepEqual(await accounts.claimCheck('T0ALPHA', 'apizee', apizee, 0, new Date(now.getTime() + 1)), { claimed: true });
  });

  it('lets only one of two claims of the same check through (two connections on PostgreSQL)', async () => {
    const accounts = repository();
    const other = new VendorAccountsRepository(ctx.kind === 'postgres' ? ctx.open() : ctx.db(), new ContactCrypto(KEY_A).sealer('vendorAccounts'));
    const version = await accounts.save(account({ vendor: 'blitzz', account: 'blitzz:shared' }));
    const now = new Date('2026-12-02T10:00:00Z');
    const claims = await Promise.all([accounts.claimCheck('T0ALPHA', 'blitzz', version, 600_000, now), other.claimCheck('T0ALPHA', 'blitzz', version, 600_000, now)]);
    assert.equal(claims.filter((claim) => claim.claimed).length, 1);
  });

  it('names rows no configured key opens, and re-keys the others on rotation', async () => {
    await repository(KEY_A).save(account());
    await repository(KEY_B).save(account({ teamId: 'T0BETA' }));
    const underA = await repository(KEY_A).all();
    assert.deepEqual(underA.unreadable, [{ teamId: 'T0BETA', vendor: 'apizee' }]);
    assert.equal(underA.accounts.length, 1);

    const report = await rekeyStoredSecrets(ctx.db(), new ContactCrypto(KEY_B, KEY_A));
    assert.deepEqual(report, { rekeyed: 1, raced: 0, unreadable: 0 });
    const rows = await ctx.db().selectFrom('vendor_accounts').select(['settings', 'version']).execute();
    assert.ok(rows.every((row) => row.settings.startsWith(`v2:${keyIdOf(KEY_B)}:`)));
    const underB = await repository(KEY_B).all();
    assert.deepEqual(underB.unreadable, []);
    assert.deepEqual(underB.accounts.map((item) => item.values.APIZEE_PASSWORD), [PASSWORD, PASSWORD]);
    assert.deepEqual(await rekeyStoredSecrets(ctx.db(), new ContactCrypto(KEY_B)), { rekeyed: 0, raced: 0, unreadable: 0 });
  });

  it('seals under a key of its own purpose: the contacts key does not open it', async () => {
    const crypto = new ContactCrypto(KEY_A);
    const sealed = crypto.sealer('vendorAccounts').seal('secret');
    assert.throws(() => crypto.decrypt(sealed));
    assert.throws(() => crypto.sealer('vendorIdentity').open(sealed));
    assert.equal(new ContactCrypto(KEY_B, KEY_A).sealer('vendorAccounts').open(sealed), 'secret');
  });
});
