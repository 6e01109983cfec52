import assert from 'node:assert/strict';
import type { Installation } from '../../src/domain/installation.js';
import { ContactCrypto } from '../../src/store/contact-crypto.js';
import { InstallationsRepository, UNINSTALLED } from '../../src/store/installations-repository.js';
import { MilestonesRepository } from '../../src/store/milestones-repository.js';
import { SessionsRepository } from '../../src/store/sessions-repository.js';
import { eachDatabase, milestoneRow, sessionRow } from '../helpers/databases.js';

const crypto = new ContactCrypto(Buffer.alloc(32, 3));
const NOW = new Date('2026-12-02T10:00:00.000Z');

function workspace(teamId: string, overrides: Partial<Installation> = {}): Installation {
  return {
    enterpriseId: null,
    enterpriseName: null,
    teamId,
    teamName: `Team ${teamId}`,
    isEnterpriseInstall: false,
    appId: 'A0RENDEZVOUS',
    botId: `B-${teamId}`,
    botUserId: `U-BOT-${teamId}`,
    botScopes: ['commands', 'chat:write'],
    installerUserId: 'U0INSTALLER',
    bot: { token: `xoxb-${teamId}-secret-token` },
    ...overrides,
  };
}

function orgWide(enterpriseId: string, overrides: Partial<Installation> = {}): Installation {
  return workspace('', { enterpriseId, enterpriseName: `Org ${enterpriseId}`, teamId: null, teamName: null, isEnterpriseInstall: true, bot: { token: `xoxb-${enterpriseId}-org-token` }, ...overrides });
}

eachDatabase('InstallationsRepository', (ctx) => {
  const repo = () => new InstallationsRepository(ctx.db(), crypto);

  it('stores a workspace install with its tokens sealed, and finds it by team', async () => {
    const rotating = workspace('T0AAA', { bot: { token: 'xoxe.xoxb-T0AAA-one', refreshToken: 'xoxe-1-refresh-one', expiresAt: new Date('2026-12-02T22:00:00.000Z') } });
    await repo().save(rotating, NOW);
    const row = await ctx.db().selectFrom('installations').selectAll().executeTakeFirstOrThrow();
    assert.equal(row.key, ':T0AAA');
    assert.ok(row.bot_credentials.startsWith(`v2:${crypto.kid}:`));
    for (const secret of ['xoxe.xoxb-T0AAA-one', 'xoxe-1-refresh-one', '2026-12-02T22', String(Date.parse('2026-12-02T22:00:00.000Z'))]) {
      assert.equal(JSON.stringify(row).includes(secret), false, `${secret} stored in clear`);
    }
    const found = await repo().find({ teamId: 'T0AAA' });
    assert.deepEqual(found?.bot, rotating.bot);
    assert.equal(found?.botUserId, 'U-BOT-T0AAA');
    assert.deepEqual(found?.botScopes, ['commands', 'chat:write']);
    assert.equal(found?.installedAt.toISOString(), NOW.toISOString());
    assert.equal(await repo().find({ teamId: 'T0BBB' }), undefined);
  });

  it('a reinstall replaces the token and scopes, moves the version, and keeps the first install date', async () => {
    await repo().save(workspace('T0AAA'), NOW);
    const first = await repo().find({ teamId: 'T0AAA' });
    const later = new Date(NOW.getTime() + 60_000);
    await repo().save(workspace('T0AAA', { bot: { token: 'xoxb-T0AAA-second' }, botScopes: ['commands'] }), later);
    const second = await repo().find({ teamId: 'T0AAA' });
    assert.equal(second?.bot.token, 'xoxb-T0AAA-second');
    assert.deepEqual(second?.botScopes, ['commands']);
    assert.equal(second!.version, first!.version + 1);
    assert.equal(second?.installedAt.toISOString(), NOW.toISOString());
    assert.equal(second?.updatedAt.toISOString(), later.toISOString());
    assert.equal((await ctx.db().selectFrom('installations').select('key').execute()).length, 1);
  });

  it('serves a workspace of an Enterprise Grid org-wide install, and prefers the workspace\'s own install', async () => {
    await repo().save(orgWide('E0ORG'), NOW);
    await repo().save(workspace('T0OWN', { enterpriseId: 'E0ORG' }), NOW);
    assert.equal((await repo().find({ teamId: 'T0MEMBER', enterpriseId: 'E0ORG' }))?.bot.token, 'xoxb-E0ORG-org-token');
    assert.equal((await repo().find({ enterpriseId: 'E0ORG' }))?.key, 'E0ORG:');
    assert.equal((await repo().find({ teamId: 'T0OWN', enterpriseId: 'E0ORG' }))?.bot.token, 'xoxb-T0OWN-secret-token');
    assert.equal((await repo().find({ teamId: 'T0OWN', enterpriseId: 'E0ORG' }))?.key, 'E0ORG:T0OWN');
    // Without its enterprise, a member workspace is not known.
    assert.equal(await repo().find({ teamId: 'T0MEMBER' }), undefined);
    assert.equal(await repo().find({ teamId: 'T0MEMBER', enterpriseId: 'E0OTHER' }), undefined);
  });

  it('lets one replica at a time renew a token: one lease among concurrent callers, none once renewed', async () => {
    await repo().save(workspace('T0AAA', { bot: { token: 'xoxe.xoxb-old', refreshToken: 'xoxe-1-old', expiresAt: NOW } }), NOW);
    const { version, key } = (await repo().find({ teamId: 'T0AAA' }))!;
    const replicas = [repo(), new InstallationsRepository(ctx.open(), crypto), new InstallationsRepository(ctx.open(), crypto)];
    const won = await Promise.all(replicas.map((replica, index) => replica.leaseRefresh(key, version, `replica-${index}`, NOW, 30_000)));
    assert.equal(won.filter(Boolean).length, 1, JSON.stringify(won));
    const winner = `replica-${won.indexOf(true)}`;
    const loser = `replica-${won.indexOf(false)}`;
    assert.equal(await repo().finishRefresh(key, loser, { token: 'xoxe.xoxb-loser' }, NOW), false);
    const renewed = { token: 'xoxe.xoxb-new', refreshToken: 'xoxe-1-new', expiresAt: new Date(NOW.getTime() + 12 * 3600_000) };
    assert.equal(await repo().finishRefresh(key, winner, renewed, NOW), true);
    const after = (await repo().find({ teamId: 'T0AAA' }))!;
    assert.deepEqual(after.bot, renewed);
    assert.equal(after.version, version + 1);
    // What the others read before the renewal is stale now: no second lease on it.
    assert.equal(await repo().leaseRefresh(key, version, loser, new Date(NOW.getTime() + 60_000), 30_000), false);
    assert.equal(await repo().leaseRefresh(key, after.version, loser, NOW, 30_000), true);
  });

  it('takes a lease over once it ran out (its holder died), and at once when it was given back', async () => {
    await repo().save(workspace('T0AAA', { bot: { token: 'xoxe.xoxb-old', refreshToken: 'xoxe-1-old', expiresAt: NOW } }), NOW);
    const { version, key } = (await repo().find({ teamId: 'T0AAA' }))!;
    assert.equal(await repo().leaseRefresh(key, version, 'dead', NOW, 30_000), true);
    assert.equal(await repo().leaseRefresh(key, version, 'other', new Date(NOW.getTime() + 29_000), 30_000), false);
    assert.equal(await repo().leaseRefresh(key, version, 'other', new Date(NOW.getTime() + 31_000), 30_000), true);
    assert.equal(await repo().finishRefresh(key, 'dead', { token: 'late' }, NOW), false);
    await repo().releaseRefresh(key, 'other');
    assert.equal(await repo().leaseRefresh(key, version, 'third', new Date(NOW.getTime() + 31_000), 30_000), true);
  });

  describe('uninstall', () => {
    async function seed(): Promise<void> {
      const db = ctx.db();
      await repo().save(workspace('T0AAA'), NOW);
      await repo().save(workspace('T0BBB'), NOW);
      await db.insertInto('sessions').values([
        sessionRow({ id: '00000000-0000-0000-0000-00000000000a', team_id: 'T0AAA', card_ts: '1.1' }),
        sessionRow({ id: '00000000-0000-0000-0000-00000000000b', team_id: 'T0BBB', card_ts: '2.2' }),
        sessionRow({ id: '00000000-0000-0000-0000-0000000000ac', team_id: 'T0AAA', status: 'creating', vendor_id: null, tracking: 0 }),
      ]).execute();
      await db.insertInto('milestones').values([
        milestoneRow('00000000-0000-0000-0000-00000000000a', 'joined', { team_id: 'T0AAA' }),
        milestoneRow('00000000-0000-0000-0000-00000000000b', 'joined', { team_id: 'T0BBB' }),
      ]).execute();
      await db.insertInto('creation_jobs').values({ session_id: '00000000-0000-0000-0000-0000000000ac', vendor: 'apizee', step: 'queued', payload: null, next_at: NOW.toISOString(), created_at: NOW.toISOString(), lease_owner: null, lease_until: null, last_error: null }).execute();
    }

    it('removes the workspace\'s installation and sets aside only its sessions: no polling, no posting, no creation', async () => {
      await seed();
      const later = new Date(NOW.getTime() + 60_000);
      assert.deepEqual(await repo().uninstall({ teamId: 'T0AAA' }, later), { installations: 1, sessions: 2 });
      assert.equal(await repo().find({ teamId: 'T0AAA' }), undefined);
      assert.ok(await repo().find({ teamId: 'T0BBB' }));
      const sessions = await ctx.db().selectFrom('sessions').select(['id', 'team_id', 'tracking', 'set_aside_at', 'status', 'last_error']).orderBy('team_id').orderBy('status').execute();
      assert.deepEqual(
        sessions.map((row) => [row.team_id, row.tracking, row.set_aside_at, row.status]),
        [
          ['T0AAA', 0, later.toISOString(), 'failed'],
          ['T0AAA', 0, later.toISOString(), 'invited'],
          ['T0BBB', 1, null, 'invited'],
        ],
      );
      assert.equal((await ctx.db().selectFrom('creation_jobs').select('session_id').execute()).length, 0);
      const replies = await ctx.db().selectFrom('milestones').select(['team_id', 'dead_lettered_at', 'last_error']).orderBy('team_id').execute();
      assert.deepEqual(replies.map((row) => [row.team_id, row.last_error]), [['T0AAA', UNINSTALLED], ['T0BBB', null]]);

      // An outcome in flight during the uninstall may turn tracking back on and queue a reply: still left alone.
      await ctx.db().updateTable('sessions').set({ tracking: 1 }).where('team_id', '=', 'T0AAA').execute();
      await ctx.db().insertInto('milestones').values(milestoneRow('00000000-0000-0000-0000-00000000000a', 'ended', { team_id: 'T0AAA' })).execute();
      const polled = await new SessionsRepository(ctx.db(), ctx.kind).leaseDue('apizee', 'ticket', 'me', later, 10_000, 10);
      assert.deepEqual(polled.map((session) => session.teamId), ['T0BBB']);
      const posted = await new MilestonesRepository(ctx.db(), ctx.kind).leaseOutboxes('me', later, 10_000, 10);
      assert.deepEqual(posted, ['00000000-0000-0000-0000-00000000000b']);

      assert.deepEqual(await repo().uninstall({ teamId: 'T0AAA' }, later), { installations: 0, sessions: 0 }, 'a redelivered event changes nothing');
    });

    it('an org-wide uninstall sets aside the organisation\'s workspaces, except one with its own install', async () => {
      await repo().save(orgWide('E0ORG'), NOW);
      await repo().save(workspace('T0OWN', { enterpriseId: 'E0ORG' }), NOW);
      await ctx.db().insertInto('sessions').values([
        sessionRow({ team_id: 'T0MEMBER', enterprise_id: 'E0ORG' }),
        sessionRow({ team_id: 'T0OWN', enterprise_id: 'E0ORG' }),
        sessionRow({ team_id: 'T0ELSEWHERE', enterprise_id: 'E0OTHER' }),
      ]).execute();
      assert.deepEqual(await repo().uninstall({ enterpriseId: 'E0ORG', orgWide: true }, NOW), { installations: 1, sessions: 1 });
      const rows = await ctx.db().selectFrom('sessions').select(['team_id', 'set_aside_at']).orderBy('team_id').execute();
      assert.deepEqual(rows.map((row) => [row.team_id, row.set_aside_at !== null]), [['T0ELSEWHERE', false], ['T0MEMBER', true], ['T0OWN', false]]);
      assert.ok(await repo().find({ teamId: 'T0OWN', enterpriseId: 'E0ORG' }));
      assert.equal(await repo().find({ teamId: 'T0MEMBER', enterpriseId: 'E0ORG' }), undefined);
    });
  });
});
