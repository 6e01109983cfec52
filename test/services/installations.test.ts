import assert from 'node:assert/strict';
import type { Installation as BoltInstallation } from '@slack/bolt';
import type { BotCredentials } from '../../src/domain/installation.js';
import { InstallationService, TokenUnavailable, type TokenRefresher } from '../../src/services/installations.js';
import { ContactCrypto } from '../../src/store/contact-crypto.js';
import type { Db } from '../../src/store/database.js';
import { InstallationsRepository } from '../../src/store/installations-repository.js';
import { createLogger } from '../../src/logger.js';
import { eachDatabase, sessionRow } from '../helpers/databases.js';
import { captureLogs } from '../helpers/log-capture.js';

const crypto = new ContactCrypto(Buffer.alloc(32, 5));
const HOUR = 3600_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** What Bolt's installer stores after oauth.v2.access (expiresAt in epoch seconds, as Bolt writes it). */
function boltInstall(teamId: string, bot: Partial<NonNullable<BoltInstallation['bot']>> = {}): BoltInstallation {
  return {
    team: { id: teamId, name: `Team ${teamId}` },
    enterprise: undefined,
    user: { id: 'U0INSTALLER', token: undefined, scopes: undefined },
    bot: { token: `xoxb-${teamId}-1`, userId: `U-${teamId}`, id: `B-${teamId}`, scopes: ['commands', 'chat:write'], ...bot },
    appId: 'A0APP',
    tokenType: 'bot',
    isEnterpriseInstall: false,
    authVersion: 'v2',
  } as BoltInstallation;
}

/** Slack's refresh, counted; slow enough that concurrent callers overlap. */
class CountingRefresher implements TokenRefresher {
  calls: string[] = [];
  failWith?: Error;
  constructor(private readonly delayMs = 50) {}
  async refresh(refreshToken: string, now: Date): Promise<BotCredentials> {
    this.calls.push(refreshToken);
    await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    if (this.failWith) throw this.failWith;
    const n = this.calls.length;
    return { token: `xoxe.xoxb-renewed-${n}`, refreshToken: `xoxe-1-renewed-${n}`, expiresAt: new Date(now.getTime() + 12 * HOUR) };
  }
}

eachDatabase('InstallationService', (ctx) => {
  const service = (refresher: TokenRefresher, db: Db = ctx.db(), owner = 'replica-1', logger = createLogger('silent')) =>
    new InstallationService({ installations: new InstallationsRepository(db, crypto), refresher, logger, owner, pollMs: 10 });

  it('stores what Bolt\'s installer hands over and serves the token to Bolt and to later calls', async () => {
    const installations = service(new CountingRefresher());
    await installations.storeInstallation(boltInstall('T0AAA'));
    assert.equal(await installations.botToken({ teamId: 'T0AAA' }), 'xoxb-T0AAA-1');
    assert.equal(await installations.botToken({ teamId: 'T0BBB' }), undefined);
    const forBolt = await installations.fetchInstallation({ teamId: 'T0AAA', enterpriseId: undefined, isEnterpriseInstall: false });
    assert.equal(forBolt.bot?.token, 'xoxb-T0AAA-1');
    assert.equal(forBolt.bot?.userId, 'U-T0AAA');
    assert.equal(forBolt.team?.id, 'T0AAA');
    await assert.rejects(installations.fetchInstallation({ teamId: 'T0BBB', enterpriseId: undefined, isEnterpriseInstall: false }), /no installation for team T0BBB/);
  });

  it('refuses a malformed install without echoing its token', async () => {
    const broken = { ...boltInstall('T0AAA'), team: undefined } as unknown as BoltInstallation;
    await assert.rejects(service(new CountingRefresher()).storeInstallation(broken), (error: Error) => /names its team/.test(error.message) && !error.message.includes('xoxb-'));
  });

  it('renews a rotating token when it is due, never handing Bolt a refresh token to renew by itself', async () => {
    const refresher = new CountingRefresher();
    const installations = service(refresher);
    await installations.storeInstallation(boltInstall('T0AAA', { token: 'xoxe.xoxb-first', refreshToken: 'xoxe-1-first', expiresAt: Math.floor((Date.now() + HOUR) / 1000) }));
    const forBolt = await installations.fetchInstallation({ teamId: 'T0AAA', enterpriseId: undefined, isEnterpriseInstall: false });
    assert.deepEqual(refresher.calls, ['xoxe-1-first']);
    assert.equal(forBolt.bot?.token, 'xoxe.xoxb-renewed-1');
    assert.equal(forBolt.bot?.refreshToken, undefined);
    assert.equal(forBolt.bot?.expiresAt, undefined);
    assert.equal(await installations.botToken({ teamId: 'T0AAA' }), 'xoxe.xoxb-renewed-1');
    assert.equal(refresher.calls.length, 1, 'a renewed token is not renewed again');
  });

  it('renews once across replicas: the others use the current token meanwhile, then the new one', async () => {
    const refresher = new CountingRefresher(100);
    await service(refresher).storeInstallation(boltInstall('T0AAA', { token: 'xoxe.xoxb-first', refreshToken: 'xoxe-1-first', expiresAt: Math.floor((Date.now() + HOUR) / 1000) }));
    const replicas = [service(refresher, ctx.db(), 'replica-1'), service(refresher, ctx.open(), 'replica-2'), service(refresher, ctx.open(), 'replica-3')];
    const tokens = await Promise.all(replicas.flatMap((replica) => [replica.botToken({ teamId: 'T0AAA' }), replica.botToken({ teamId: 'T0AAA' })]));
    assert.deepEqual(refresher.calls, ['xoxe-1-first'], 'one refresh in all');
    for (const token of tokens) assert.ok(['xoxe.xoxb-first', 'xoxe.xoxb-renewed-1'].includes(token!), token);
    assert.ok(tokens.includes('xoxe.xoxb-renewed-1'));
    // A token still due is never cached: the next call on each replica reads the renewed one.
    for (const replica of replicas) assert.equal(await replica.botToken({ teamId: 'T0AAA' }), 'xoxe.xoxb-renewed-1');
    assert.equal(refresher.calls.length, 1);
  });

  it('an expired token being renewed elsewhere: waits for the new one', async () => {
    const refresher = new CountingRefresher(200);
    await service(refresher).storeInstallation(boltInstall('T0AAA', { token: 'xoxe.xoxb-old', refreshToken: 'xoxe-1-old', expiresAt: Math.floor((Date.now() - 1000) / 1000) }));
    const [first, second] = await Promise.all([service(refresher, ctx.db(), 'replica-1').botToken({ teamId: 'T0AAA' }), service(refresher, ctx.open(), 'replica-2').botToken({ teamId: 'T0AAA' })]);
    assert.equal(first, 'xoxe.xoxb-renewed-1');
    assert.equal(second, 'xoxe.xoxb-renewed-1');
    assert.equal(refresher.calls.length, 1);
  });

  it('a failed renewal: the current token while it lasts; once expired, no token but a retryable error; never the token in the logs', async () => {
    const refresher = new CountingRefresher(0);
    refresher.failWith = Object.assign(new Error('An API error occurred: invalid_refresh_token'), { data: { ok: false, error: 'invalid_refresh_token' } });
    const logs = captureLogs();
    const installations = service(refresher, ctx.db(), 'replica-1', logs.logger);
    await installations.storeInstallation(boltInstall('T0AAA', { token: 'xoxe.xoxb-soon', refreshToken: 'xoxe-1-soon', expiresAt: Math.floor((Date.now() + HOUR) / 1000) }));
    assert.equal(await installations.botToken({ teamId: 'T0AAA' }), 'xoxe.xoxb-soon');
    await installations.storeInstallation(boltInstall('T0BBB', { token: 'xoxe.xoxb-gone', refreshToken: 'xoxe-1-gone', expiresAt: Math.floor((Date.now() - 1000) / 1000) }));
    await assert.rejects(installations.botToken({ teamId: 'T0BBB' }), TokenUnavailable);
    assert.ok(logs.lines.some((line) => line.includes('invalid_refresh_token')));
    for (const secret of ['xoxe.xoxb-soon', 'xoxe-1-soon', 'xoxe-1-gone', 'xoxb-T0']) assert.equal(logs.lines.join('').includes(secret), false, secret);
    // The lease was given back: another try may renew at once.
    refresher.failWith = undefined;
    assert.equal(await service(refresher, ctx.open(), 'replica-2').botToken({ teamId: 'T0BBB' }), `xoxe.xoxb-renewed-${refresher.calls.length}`);
  });

  it('logs an install under the redirect’s id, an uninstall under the event’s, and each renewal under an id of its own', async () => {
    const refresher = new CountingRefresher(0);
    const logs = captureLogs();
    const installations = service(refresher, ctx.db(), 'replica-1', logs.logger);
    const lineOf = (msg: string) => logs.lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.msg === msg);
    const traced = boltInstall('T0AAA', { token: 'xoxe.xoxb-first', refreshToken: 'xoxe-1-first', expiresAt: Math.floor((Date.now() + HOUR) / 1000) });
    installations.traceInstall(traced, 'redirect-id-0001');
    await installations.storeInstallation(traced);
    // Bolt's installer may store one it was not told about: an id of its own.
    await installations.storeInstallation(boltInstall('T0BBB'));
    const installs = lineOf('Rendezvous installed in a workspace');
    assert.equal(installs[0]!.correlationId, 'redirect-id-0001');
    assert.match(String(installs[1]!.correlationId), UUID);

    await installations.botToken({ teamId: 'T0AAA' });
    const [renewal] = lineOf('Slack token renewed');
    assert.match(String(renewal!.correlationId), UUID, 'a renewal is a run of its own');
    assert.notEqual(renewal!.correlationId, installs[1]!.correlationId);

    await installations.uninstalled({ teamId: 'T0AAA' }, 'app_uninstalled', logs.logger.child({ correlationId: 'event-id-0002' }));
    await installations.uninstalled({ teamId: 'T0BBB' }, 'tokens_revoked');
    const removals = lineOf('Rendezvous removed from a workspace: its sessions are set aside');
    assert.equal(removals[0]!.correlationId, 'event-id-0002');
    assert.match(String(removals[1]!.correlationId), UUID);
  });

  it('forgets a workspace at once when it uninstalls, and sets aside only its sessions', async () => {
    const installations = service(new CountingRefresher());
    await installations.storeInstallation(boltInstall('T0AAA'));
    await installations.storeInstallation(boltInstall('T0BBB'));
    await ctx.db().insertInto('sessions').values([sessionRow({ team_id: 'T0AAA' }), sessionRow({ team_id: 'T0BBB' })]).execute();
    assert.ok(await installations.botToken({ teamId: 'T0AAA' }));
    await installations.uninstalled({ teamId: 'T0AAA' }, 'app_uninstalled');
    assert.equal(await installations.botToken({ teamId: 'T0AAA' }), undefined);
    assert.equal(await installations.botToken({ teamId: 'T0BBB' }), 'xoxb-T0BBB-1');
    const rows = await ctx.db().selectFrom('sessions').select(['team_id', 'set_aside_at']).orderBy('team_id').execute();
    assert.deepEqual(rows.map((row) => [row.team_id, row.set_aside_at !== null]), [['T0AAA', true], ['T0BBB', false]]);
    // Installed again: served again at once on this replica.
    await installations.storeInstallation(boltInstall('T0AAA', { token: 'xoxb-T0AAA-2' }));
    assert.equal(await installations.botToken({ teamId: 'T0AAA' }), 'xoxb-T0AAA-2');
  });
});
