import assert from 'node:assert/strict';
import { createLogger } from '../../src/logger.js';
import { AdminPolicy, adminUsergroupFor, type AdminLookup } from '../../src/services/admin-policy.js';
import { SlackPostError, type UserRoles } from '../../src/slack/gateway.js';
import { captureLogs } from '../helpers/log-capture.js';

const TEAM = 'T0001';

/** Slack's answers per workspace, counting each lookup; `fail` makes the next ones throw. */
function slack(roles: Record<string, UserRoles>, groups: Record<string, string[]> = {}) {
  const calls: string[] = [];
  let failing: string | undefined;
  const lookup: AdminLookup = {
    userRoles: async (userId) => {
      calls.push(`users.info ${userId}`);
      if (failing) throw new SlackPostError(failing);
      return roles[userId] ?? { teamId: TEAM, admin: false };
    },
    usergroupMembers: async (group) => {
      calls.push(`usergroups.users.list ${group}`);
      if (failing) throw new SlackPostError(failing);
      if (!(group in groups)) throw new SlackPostError('no_such_subteam');
      return groups[group]!;
    },
  };
  return { lookup, calls, fail: (code: string | undefined) => (failing = code) };
}

function policy(lookup: AdminLookup, options: { group?: string; now?: () => number; logger?: ReturnType<typeof createLogger> } = {}) {
  const asked: string[] = [];
  return {
    asked,
    policy: new AdminPolicy({
      slackFor: (teamId) => {
        asked.push(teamId);
        return lookup;
      },
      adminUsergroupFor: adminUsergroupFor(options.group),
      logger: options.logger ?? createLogger('silent'),
      now: options.now,
    }),
  };
}

const member = (userId: string, userTeamId: string = TEAM) => ({ teamId: TEAM, userId, userTeamId });

describe('AdminPolicy', () => {
  it('counts those users.info calls admins (admin, owner or primary owner), asked with the workspace’s own token', async () => {
    const fake = slack({ U0ADMIN: { teamId: TEAM, admin: true }, U0MEMBER: { teamId: TEAM, admin: false } });
    const { policy: admins, asked } = policy(fake.lookup);
    assert.equal(await admins.isAdmin(TEAM, member('U0ADMIN')), true);
    assert.equal(await admins.isAdmin(TEAM, member('U0MEMBER')), false);
    assert.deepEqual(asked, [TEAM, TEAM]);
  });

  it('counts members of the admin user group, and no one else, when there is one', async () => {
    const fake = slack({}, { S0RDV: ['U0GROUPIE'] });
    const { policy: admins } = policy(fake.lookup, { group: 'S0RDV' });
    assert.equal(await admins.isAdmin(TEAM, member('U0GROUPIE')), true);
    assert.equal(await admins.isAdmin(TEAM, member('U0MEMBER')), false);
    const { policy: noGroup } = policy(slack({}, { S0RDV: ['U0GROUPIE'] }).lookup);
    assert.equal(await noGroup.isAdmin(TEAM, member('U0GROUPIE')), false, 'no ADMIN_USERGROUP: no group asked');
  });

  it('never counts a user of another team, even an admin there (Slack Connect), and asks Slack nothing for it', async () => {
    const fake = slack({ U0GUEST: { teamId: 'T0GUEST', admin: true } }, { S0RDV: ['U0GUEST'] });
    const { lines, logger } = captureLogs('info');
    const { policy: admins } = policy(fake.lookup, { group: 'S0RDV', logger });
    assert.equal(await admins.isAdmin(TEAM, member('U0GUEST', 'T0GUEST')), false);
    assert.deepEqual(fake.calls, [], 'refused from the request alone');
    assert.match(lines.join(''), /a user of another team is not an admin here/);
  });

  it('never counts a user whom users.info places in another team, whatever the request said', async () => {
    const fake = slack({ U0GUEST: { teamId: 'T0GUEST', admin: true } }, { S0RDV: ['U0GUEST'] });
    const { policy: admins } = policy(fake.lookup, { group: 'S0RDV' });
    assert.equal(await admins.isAdmin(TEAM, { teamId: TEAM, userId: 'U0GUEST' }), false);
    assert.deepEqual(fake.calls, ['users.info U0GUEST'], 'the user group is not asked either');
  });

  it('keeps roles 5 minutes and a group’s members 1 minute', async () => {
    let now = 0;
    const fake = slack({ U0ADMIN: { teamId: TEAM, admin: true } }, { S0RDV: ['U0GROUPIE'] });
    const { policy: admins } = policy(fake.lookup, { group: 'S0RDV', now: () => now });
    await admins.isAdmin(TEAM, member('U0ADMIN'));
    await admins.isAdmin(TEAM, member('U0GROUPIE'));
    await admins.isAdmin(TEAM, member('U0OTHER'));
    assert.deepEqual(fake.calls, ['users.info U0ADMIN', 'users.info U0GROUPIE', 'usergroups.users.list S0RDV', 'users.info U0OTHER']);
    now += 59_000;
    await admins.isAdmin(TEAM, member('U0ADMIN'));
    await admins.isAdmin(TEAM, member('U0GROUPIE'));
    assert.equal(fake.calls.length, 4, 'all from memory within the minute');
    now += 2000;
    await admins.isAdmin(TEAM, member('U0GROUPIE'));
    assert.deepEqual(fake.calls.slice(4), ['usergroups.users.list S0RDV'], 'the group again after a minute, not the roles');
    now += 5 * 60_000;
    await admins.isAdmin(TEAM, member('U0ADMIN'));
    assert.deepEqual(fake.calls.slice(5), ['users.info U0ADMIN'], 'the roles again after 5 minutes');
  });

  it('asks once for users clicking at the same moment', async () => {
    const fake = slack({ U0ADMIN: { teamId: TEAM, admin: true } });
    const { policy: admins } = policy(fake.lookup);
    const answers = await Promise.all([1, 2, 3].map(() => admins.isAdmin(TEAM, member('U0ADMIN'))));
    assert.deepEqual(answers, [true, true, true]);
    assert.equal(fake.calls.length, 1);
  });

  it('answers no when Slack fails, logs the code only, and asks again next time', async () => {
    const fake = slack({ U0ADMIN: { teamId: TEAM, admin: true } });
    const { lines, logger } = captureLogs('warn');
    const { policy: admins } = policy(fake.lookup, { logger });
    fake.fail('ratelimited');
    assert.equal(await admins.isAdmin(TEAM, member('U0ADMIN')), false);
    assert.match(lines.join(''), /"code":"ratelimited".*admin check failed/);
    fake.fail(undefined);
    assert.equal(await admins.isAdmin(TEAM, member('U0ADMIN')), true, 'the failure was not cached');
  });

  it('writes its lines with the acting request’s logger, or its correlation id, when the actor carries one', async () => {
    const fake = slack({ U0GUEST: { teamId: 'T0OTHER', admin: true } });
    const { lines, logger } = captureLogs('info');
    const { policy: admins } = policy(fake.lookup, { logger });
    await admins.isAdmin(TEAM, { ...member('U0ADMIN', 'T0OTHER'), logger: logger.child({ correlationId: 'req-own-logger' }) });
    await admins.isAdmin(TEAM, { ...member('U0GUEST'), correlationId: 'req-id-only' });
    fake.fail('ratelimited');
    await admins.isAdmin(TEAM, { ...member('U0MEMBER'), correlationId: 'req-failed' });
    const written = lines.map((line) => JSON.parse(line) as { msg: string; correlationId?: string });
    assert.deepEqual(
      written.map((line) => [line.msg, line.correlationId]),
      [
        ['a user of another team is not an admin here', 'req-own-logger'],
        ['a user of another team is not an admin here', 'req-id-only'],
        ['admin check failed; treating the user as not an admin', 'req-failed'],
      ],
    );
  });

  it('answers no for a user group Slack does not know (a wrong ADMIN_USERGROUP), saying so in the log', async () => {
    const { lines, logger } = captureLogs('warn');
    const { policy: admins } = policy(slack({}).lookup, { group: 'S0TYPO', logger });
    assert.equal(await admins.isAdmin(TEAM, member('U0MEMBER')), false);
    assert.match(lines.join(''), /no_such_subteam/);
  });
});

describe('adminUsergroupFor', () => {
  it('gives every workspace ADMIN_USERGROUP until an installation has its own', async () => {
    assert.equal(await adminUsergroupFor('S0ENV')('T1'), 'S0ENV');
    assert.equal(await adminUsergroupFor(undefined)('T1'), undefined);
    const own = adminUsergroupFor('S0ENV', async (teamId) => (teamId === 'T2' ? 'S0OWN' : undefined));
    assert.equal(await own('T1'), 'S0ENV');
    assert.equal(await own('T2'), 'S0OWN');
  });
});
