import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Actor } from '../../src/domain/actor.js';
import type { Session } from '../../src/domain/session.js';
import { SessionAccess } from '../../src/services/session-access.js';
import { captureLogs } from '../helpers/log-capture.js';
import { sessionFixture } from '../helpers/databases.js';

const PHONE_DIGITS = '612345678';

function harness(sessions: Session[], admins: string[] = []) {
  const { logger, lines } = captureLogs('debug');
  const adminChecks: Array<[string, string]> = [];
  const access = new SessionAccess({
    sessions: { get: async (id) => sessions.find((session) => session.id === id) },
    admins: {
      isAdmin: async (teamId, actor) => {
        adminChecks.push([teamId, actor.userId]);
        return admins.includes(actor.userId);
      },
    },
    logger,
    retentionDays: 90,
  });
  return { access, lines, adminChecks };
}

const ours = sessionFixture({ teamId: 'T0001', startedBy: 'U0STARTER', contactMasked: '+33 6•• •• •• 78', reference: 'CASE-1' });
const theirs = sessionFixture({ teamId: 'T0002', startedBy: 'U0STARTER', contactMasked: '+33 6•• •• •• 78' });
const gridSession = sessionFixture({ teamId: 'T0001', enterpriseId: 'E0GRID' });
const actor = (overrides: Partial<Actor> = {}): Actor => ({ teamId: 'T0001', userId: 'U0STARTER', ...overrides });

describe('SessionAccess', () => {
  describe('sessionFor: the session a button names', () => {
    it("gives the acting workspace's session", async () => {
      const { access } = harness([ours]);
      assert.deepEqual(await access.sessionFor(ours.id, actor(), 'cancel'), { session: ours });
    });

    it("refuses another workspace's session in the same words as a missing one, and logs ids only", async () => {
      const { access, lines } = harness([ours, theirs]);
      const foreign = await access.sessionFor(theirs.id, actor(), 'cancel');
      const missing = await access.sessionFor(randomUUID(), actor(), 'cancel');
      assert.ok('refused' in foreign && 'refused' in missing);
      assert.equal(foreign.refused, missing.refused, 'nothing says the session exists elsewhere');
      assert.match(foreign.refused, /no such session in this workspace.*90 days/);
      const warning = lines.map((line) => JSON.parse(line)).find((entry) => entry.msg === "refused: a button names another workspace's session");
      assert.equal(warning?.level, 40);
      assert.deepEqual([warning?.sessionId, warning?.sessionTeamId, warning?.teamId, warning?.userId, warning?.action], [theirs.id, 'T0002', 'T0001', 'U0STARTER', 'cancel']);
      assert.ok(!lines.join('').includes(PHONE_DIGITS) && !lines.join('').includes('•'), 'no contact, not even masked');
    });

    it('refuses a session of the same team id under another enterprise, or seen without its enterprise', async () => {
      const { access } = harness([gridSession]);
      assert.ok('refused' in (await access.sessionFor(gridSession.id, actor({ enterpriseId: 'E0OTHER' }), 'refresh')));
      assert.ok('refused' in (await access.sessionFor(gridSession.id, actor(), 'refresh')));
      assert.ok('session' in (await access.sessionFor(gridSession.id, actor({ enterpriseId: 'E0GRID' }), 'refresh')));
      assert.ok('session' in (await access.sessionFor(gridSession.id, actor({ teamId: 'T0009', enterpriseId: 'E0GRID', enterpriseInstall: true }), 'refresh')), 'org-wide installation');
    });

    it('refuses a value that is no session id without asking the database, and never logs the value', async () => {
      let reads = 0;
      const { logger, lines } = captureLogs('debug');
      const access = new SessionAccess({ sessions: { get: async () => (reads++, ours) }, admins: { isAdmin: async () => true }, logger, retentionDays: 30 });
      for (const value of ['', 'DROP TABLE sessions', `${ours.id}x`, undefined, 42]) {
        const found = await access.sessionFor(value, actor(), 'cancel');
        assert.ok('refused' in found && /30 days/.test(found.refused));
      }
      assert.equal(reads, 0);
      assert.ok(!lines.join('').includes('DROP TABLE'));
      assert.match(lines.join(''), /"malformedValue":true/);
    });
  });

  describe('mayManage: Cancel, Resend and Customer link', () => {
    it('lets the starter, without asking Slack', async () => {
      const { access, adminChecks } = harness([ours]);
      assert.equal(await access.mayManage(ours, actor()), true);
      assert.deepEqual(adminChecks, []);
    });

    it("asks about the session's workspace for anyone else", async () => {
      const { access, adminChecks } = harness([ours], ['U0ADMIN']);
      assert.equal(await access.mayManage(ours, actor({ userId: 'U0ADMIN' })), true);
      assert.equal(await access.mayManage(ours, actor({ userId: 'U0OTHER' })), false);
      assert.deepEqual(adminChecks, [['T0001', 'U0ADMIN'], ['T0001', 'U0OTHER']]);
    });

    it('says who may, politely', () => {
      const { access } = harness([ours]);
      assert.equal(
        access.managerOnly(ours, 'cancel'),
        'Only <@U0STARTER>, who started CASE-1, or a Rendezvous admin (a workspace admin or a member of the admin user group) may cancel this session.',
      );
    });
  });

  describe('viewBelongs: a modal’s private_metadata', () => {
    it('accepts a view of the acting workspace, or one that names none, and refuses another’s with a log line', () => {
      const { access, lines } = harness([]);
      assert.equal(access.viewBelongs({ teamId: 'T0001' }, actor(), 'invite modal'), true);
      assert.equal(access.viewBelongs(undefined, actor(), 'invite modal'), true);
      assert.equal(lines.length, 0);
      assert.equal(access.viewBelongs({ teamId: 'T0002' }, actor(), 'invite modal'), false);
      assert.equal(access.viewBelongs({ teamId: 'T0001', enterpriseId: 'E0GRID' }, actor(), 'invite modal'), false);
      assert.equal(lines.filter((line) => line.includes("private_metadata names another workspace")).length, 2);
    });
  });
});
