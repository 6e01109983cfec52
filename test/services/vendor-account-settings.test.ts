import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { InputBlock, KnownBlock, ModalView } from '@slack/types';
import type { VendorModule } from '../../src/domain/vendor-module.js';
import { ADMINS_ONLY, VendorAccountSettings, type Submission } from '../../src/services/vendor-account-settings.js';
import { VendorAccounts } from '../../src/services/vendor-accounts.js';
import { ContactCrypto } from '../../src/store/contact-crypto.js';
import { VendorAccountsRepository } from '../../src/store/vendor-accounts-repository.js';
import { eachDatabase } from '../helpers/databases.js';
import { captureLogs } from '../helpers/log-capture.js';
import { toyModule } from '../helpers/toy-vendor.js';

const ADMIN = 'U0ADMIN';
const MEMBER = 'U0MEMBER';
const SECRET = 'right';

eachDatabase('VendorAccountSettings: the App Home form, saved and checked', (ctx) => {
  function harness(options: Parameters<typeof toyModule>[0] = {}) {
    const toy = toyModule(options);
    const { logger, lines } = captureLogs('trace');
    const store = new VendorAccountsRepository(ctx.db(), new ContactCrypto(randomBytes(32)).sealer('vendorAccounts'));
    const modules = [toy.module as VendorModule<unknown>];
    const accounts = new VendorAccounts({
      modules,
      environment: {},
      common: { timeoutMs: 1000 },
      vendorDeps: { logger, health: { record: () => undefined }, trackIntervalMs: 1000, pseudonymKey: 'unused' },
      store,
      identityKey: () => 'identity-key',
      logger,
    });
    const published: string[] = [];
    let clock = new Date('2026-12-02T10:00:00Z').getTime();
    const settings = new VendorAccountSettings({
      accounts,
      store,
      modules,
      common: { timeoutMs: 1000 },
      isAdmin: async (_teamId, userId, log) => {
        log.trace({ userId }, 'admin check (test)');
        return userId === ADMIN;
      },
      onSaved: async (teamId, userId, log) => {
        published.push(`${teamId}:${userId}`);
        log.debug({ teamId }, 'Home republished (test)');
      },
      logger,
      now: () => new Date(clock),
    });
    /** Submits, then (when accepted) runs what follows the ack; returns the answer and the view the modal ends on. */
    const submit = async (teamId: string, submitted: Record<string, string>, userId = ADMIN): Promise<{ answer: Submission; shown?: ModalView }> => {
      const answer = await settings.submit({ teamId, enterpriseId: null, userId, vendor: 'toy', submitted });
      let shown: ModalView | undefined;
      if (answer.kind === 'accepted') await answer.finish(async (view) => void (shown = view));
      return { answer, shown };
    };
    return {
      toy,
      accounts,
      settings,
      submit,
      published,
      logs: () => lines.join(''),
      advance: (ms: number) => void (clock += ms),
      load: () => accounts.load(),
    };
  }

  it('opens the form for admins only, pre-filled, a saved secret never in it', async () => {
    const h = harness();
    await h.load();
    assert.equal(await h.settings.form('T0ALPHA', MEMBER, 'toy'), undefined);
    assert.equal(await h.settings.form('T0ALPHA', ADMIN, 'nope'), undefined);
    await h.submit('T0ALPHA', { TOY_LOGIN: 'alpha', TOY_PASSWORD: SECRET });
    const form = (await h.settings.form('T0ALPHA', ADMIN, 'toy'))!;
    const json = JSON.stringify(form);
    assert.ok(!json.includes(`"${SECRET}"`) && !json.includes(`:${SECRET}`), json);
    const inputs = new Map((form.blocks as KnownBlock[]).filter((block): block is InputBlock => block.type === 'input').map((block) => [block.block_id, block]));
    assert.equal((inputs.get('TOY_LOGIN')!.element as { initial_value?: string }).initial_value, 'alpha');
    assert.equal((inputs.get('TOY_PASSWORD')!.element as { initial_value?: string }).initial_value, undefined);
    assert.match(JSON.stringify(inputs.get('TOY_PASSWORD')), /saved; leave empty to keep/);
  });

  it('writes every line of a save (the admin check, the vendor’s check, the outcome, the Home) with the request’s logger', async () => {
    const h = harness();
    await h.load();
    const request = captureLogs('trace');
    const logger = request.logger.child({ correlationId: 'req-save-1' });
    const save = async (userId: string, password: string) => {
      const answer = await h.settings.submit({ teamId: 'T0ALPHA', enterpriseId: null, userId, vendor: 'toy', submitted: { TOY_LOGIN: 'alpha', TOY_PASSWORD: password }, logger });
      if (answer.kind === 'accepted') await answer.finish(async () => undefined);
    };
    await save(ADMIN, SECRET);
    await save(ADMIN, 'wrong');
    await save(MEMBER, SECRET);
    const lines = request.lines.map((line) => JSON.parse(line) as { msg: string; correlationId?: string });
    assert.deepEqual(lines.map((line) => line.msg), [
      ...['admin check (test)', 'vendor account saved', 'toy login asked', 'vendor account checked', 'Home republished (test)'],
      ...['admin check (test)', 'vendor account saved', 'toy login asked', 'vendor account checked', 'Home republished (test)'],
      ...['admin check (test)', 'vendor account change refused: not an admin'],
    ]);
    for (const line of lines) assert.equal(line.correlationId, 'req-save-1', JSON.stringify(line));
    assert.doesNotMatch(h.logs(), /vendor account saved|toy login asked|not an admin/, 'nothing of the request with the service’s own logger');
  });

  it('refuses a submission from a non-admin, saving nothing', async () => {
    const h = harness();
    await h.load();
    const { answer } = await h.submit('T0ALPHA', { TOY_LOGIN: 'alpha', TOY_PASSWORD: SECRET }, MEMBER);
    assert.deepEqual(answer, { kind: 'refused', errors: { TOY_URL: ADMINS_ONLY } });
    assert.deepEqual(await ctx.db().selectFrom('vendor_accounts').selectAll().execute(), []);
    assert.match(h.logs(), /vendor account change refused: not an admin/);
  });

  it('answers a problem on its field, before anything is saved (a module without `problems`: the first one)', async () => {
    const h = harness();
    await h.load();
    const { answer } = await h.submit('T0ALPHA', {});
    assert.deepEqual(answer, { kind: 'invalid', errors: { TOY_LOGIN: 'Required.' } });
    const half = await h.submit('T0ALPHA', { TOY_LOGIN: 'alpha' });
    assert.deepEqual(half.answer, { kind: 'invalid', errors: { TOY_PASSWORD: 'Required.' } });
    assert.deepEqual(await ctx.db().selectFrom('vendor_accounts').selectAll().execute(), []);
  });

  it('saves, checks with the vendor, shows the outcome and refreshes the admin’s Home; a bad password fails only its own check', async () => {
    const h = harness();
    await h.load();
    const alpha = await h.submit('T0ALPHA', { TOY_LOGIN: 'alpha', TOY_PASSWORD: SECRET });
    assert.equal(alpha.answer.kind, 'accepted');
    assert.match(JSON.stringify((alpha.answer as Extract<Submission, { kind: 'accepted' }>).view), /Saving this workspace's Toy account and checking it/);
    assert.match(JSON.stringify(alpha.shown), /✅ Saved and checked: Toy accepted the account/);
    assert.deepEqual(h.published, ['T0ALPHA:U0ADMIN']);
    assert.deepEqual(h.accounts.forTeam('T0ALPHA').providers.vendors(), ['toy'], 'in force at once on this replica');

    const beta = await h.submit('T0BETA', { TOY_LOGIN: 'beta', TOY_PASSWORD: 'wrong' });
    assert.match(JSON.stringify(beta.shown), /⚠️ Saved, but the check failed \(asked for a login\): Toy refused/);
    assert.deepEqual(h.toy.checked, ['alpha', 'beta']);

    const lines = new Map(['T0ALPHA', 'T0BETA'].map((team) => [team, h.settings.lines(team)[0]!]));
    assert.equal(lines.get('T0ALPHA')!.check?.ok, true);
    assert.equal(lines.get('T0BETA')!.check?.ok, false);
    assert.equal(lines.get('T0BETA')!.source, 'workspace');
    assert.equal(h.settings.lines('T0GAMMA')[0]!.source, 'none');
    // Alpha's account still works: the two never shared a connection.
    const session = { id: 's', reference: 'R' } as never;
    assert.equal((await h.accounts.forTeam('T0ALPHA').providers.get('toy', 'call')!.create(session, {} as never)).vendorId, 'alpha-1');
  });

  it('keeps a saved secret left empty, and never logs a value', async () => {
    const h = harness();
    await h.load();
    await h.submit('T0ALPHA', { TOY_LOGIN: 'alpha', TOY_PASSWORD: SECRET });
    const again = await h.submit('T0ALPHA', { TOY_LOGIN: 'alpha', TOY_URL: 'https://toy2.example' });
    assert.match(JSON.stringify(again.shown), /✅ Saved and checked/);
    const connection = h.toy.connected.at(-1)!;
    assert.deepEqual(connection.settings, { url: 'https://toy2.example', login: 'alpha', password: SECRET });
    const logs = h.logs();
    assert.match(logs, /vendor account saved/);
    assert.ok(!logs.includes(SECRET) && !logs.includes('toy2.example'), logs);
  });

  it('checks an account at most once in its spacing, whichever workspace saves it', async () => {
    const h = harness({ check: { spacingMs: 10 * 60_000 } });
    await h.load();
    const first = await h.submit('T0ALPHA', { TOY_LOGIN: 'shared', TOY_PASSWORD: 'wrong' });
    assert.match(JSON.stringify(first.shown), /check failed/);
    h.advance(60_000);
    const second = await h.submit('T0BETA', { TOY_LOGIN: 'shared', TOY_PASSWORD: SECRET });
    assert.match(JSON.stringify(second.shown), /Saved, not checked: this Toy account was checked <!date\^\d+/);
    assert.match(JSON.stringify(second.shown), /at most once every 10 minutes \(Toy locks accounts\)/);
    assert.deepEqual(h.toy.checked, ['shared'], 'one login only');
    h.advance(10 * 60_000);
    const third = await h.submit('T0BETA', { TOY_LOGIN: 'shared', TOY_PASSWORD: SECRET });
    assert.match(JSON.stringify(third.shown), /✅ Saved and checked/);
  });

  it('saves unchecked a vendor with no harmless call, and says so', async () => {
    const h = harness({ check: 'none' });
    await h.load();
    const saved = await h.submit('T0ALPHA', { TOY_LOGIN: 'alpha', TOY_PASSWORD: SECRET });
    assert.match(JSON.stringify(saved.shown), /ℹ️ Saved without a check: Toy documents no call that does not create something/);
    const line = h.settings.lines('T0ALPHA')[0]!;
    assert.equal(line.check?.ok, null);
    assert.match(line.check?.detail ?? '', /Saved without a check/);
    assert.deepEqual(h.toy.checked, []);
  });
});
