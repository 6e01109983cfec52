import assert from 'node:assert/strict';
import { AdminGroupSettings, ADMINS_ONLY_GROUP } from '../../src/services/admin-group-settings.js';
import { AdminPolicy, adminUsergroupFor } from '../../src/services/admin-policy.js';
import { SlackPostError } from '../../src/slack/gateway.js';
import { WorkspaceSettingsRepository } from '../../src/store/workspace-settings-repository.js';
import { ADMIN_GROUP_INPUT, CALLBACK } from '../../src/ui/ids.js';
import { eachDatabase } from '../helpers/databases.js';
import { captureLogs } from '../helpers/log-capture.js';

const ADMIN = 'U0ADMIN';
const HELPER = 'U0HELPER';
const GROUPS: Record<string, string[]> = { S0HELPDESK: [HELPER], S0DEFAULT: [] };

eachDatabase('AdminGroupSettings: the workspace’s admin user group', (ctx) => {
  function harness(options: { defaultGroup?: string | null } = {}) {
    const defaultGroup = options.defaultGroup === undefined ? 'S0DEFAULT' : (options.defaultGroup ?? undefined);
    const { logger, lines } = captureLogs('info');
    const store = new WorkspaceSettingsRepository(ctx.db());
    let clock = 1_000_000;
    let reads = 0;
    const counted = { get: (teamId: string) => (reads++, store.get(teamId)), saveAdminUsergroup: store.saveAdminUsergroup.bind(store) };
    const lookups: string[] = [];
    let slackDown = false;
    const settings: AdminGroupSettings = new AdminGroupSettings({
      store: counted,
      defaultGroup,
      isAdmin: (teamId, userId, log) => admins.isAdmin(teamId, { teamId, userId, logger: log }),
      usergroupMembers: async (_teamId, group) => {
        lookups.push(group);
        if (slackDown) throw new SlackPostError('ratelimited', { retryAfterMs: 1000 });
        if (!GROUPS[group]) throw new SlackPostError('no_such_subteam');
        return GROUPS[group]!;
      },
      logger,
      now: () => clock,
    });
    const admins = new AdminPolicy({
      slackFor: () => ({ userRoles: async (userId) => ({ admin: userId === ADMIN, teamId: 'T0ALPHA' }), usergroupMembers: async (group) => GROUPS[group] ?? [] }),
      adminUsergroupFor: adminUsergroupFor(defaultGroup, (teamId) => settings.ownGroup(teamId)),
      logger,
      now: () => clock,
    });
    return { settings, admins, store, lines, lookups, reads: () => reads, advance: (ms: number) => (clock += ms), slackDown: () => (slackDown = true) };
  }
  const submit = (settings: AdminGroupSettings, userId: string, value: string) => settings.submit({ teamId: 'T0ALPHA', enterpriseId: null, userId, value });

  it('writes a submission’s lines (refusal, unknown group, save) with the request’s logger', async () => {
    const { settings, lines } = harness();
    const request = captureLogs('info');
    const logger = request.logger.child({ correlationId: 'req-group-1' });
    const send = (userId: string, value: string) => settings.submit({ teamId: 'T0ALPHA', enterpriseId: null, userId, value, logger });
    assert.equal((await send(HELPER, 'S0HELPDESK')).kind, 'refused');
    assert.equal((await send(ADMIN, 'S0NOSUCH')).kind, 'invalid');
    assert.deepEqual(await send(ADMIN, 'S0HELPDESK'), { kind: 'saved' });
    const written = request.lines.map((line) => JSON.parse(line) as { msg: string; correlationId?: string });
    assert.deepEqual(written.map((line) => line.msg), ['admin user group change refused: not an admin', 'admin user group not found', 'admin user group saved']);
    for (const line of written) assert.equal(line.correlationId, 'req-group-1');
    assert.deepEqual(lines, [], 'nothing with the service’s own logger');
  });

  it('shows the default until an admin saves the workspace’s own; its members are then admins, and empty goes back to the default', async () => {
    const { settings, admins, store } = harness();
    assert.deepEqual(await settings.line('T0ALPHA'), { source: 'default', usergroupId: 'S0DEFAULT' });
    assert.equal(await admins.isAdmin('T0ALPHA', { teamId: 'T0ALPHA', userId: HELPER }), false);

    assert.deepEqual(await submit(settings, ADMIN, 'S0HELPDESK'), { kind: 'saved' });
    assert.deepEqual(await settings.line('T0ALPHA'), { source: 'workspace', usergroupId: 'S0HELPDESK' });
    assert.equal((await store.get('T0ALPHA'))?.updatedBy, ADMIN);
    assert.equal(await admins.isAdmin('T0ALPHA', { teamId: 'T0ALPHA', userId: HELPER }), true, 'the save takes effect at once on this replica');
    assert.deepEqual(await settings.line('T0BETA'), { source: 'default', usergroupId: 'S0DEFAULT' }, 'another workspace keeps the default');

    // A member of the group may change it too (README: the group administers Rendezvous here).
    assert.deepEqual(await submit(settings, HELPER, ''), { kind: 'saved' });
    assert.deepEqual(await settings.line('T0ALPHA'), { source: 'default', usergroupId: 'S0DEFAULT' });
    assert.equal((await store.get('T0ALPHA'))?.adminUsergroup, null);
  });

  it('says "none" when there is no default either', async () => {
    assert.deepEqual(await harness({ defaultGroup: null }).settings.line('T0ALPHA'), { source: 'none' });
  });

  it('refuses a non-admin’s form and submission, and saves nothing', async () => {
    const { settings, store, lines } = harness();
    assert.equal(await settings.form('T0ALPHA', HELPER), undefined);
    assert.deepEqual(await submit(settings, HELPER, 'S0HELPDESK'), { kind: 'refused', errors: { [ADMIN_GROUP_INPUT.block]: ADMINS_ONLY_GROUP } });
    assert.equal(await store.get('T0ALPHA'), undefined);
    assert.ok(lines.some((line) => line.includes('admin user group change refused')));
    const form = await settings.form('T0ALPHA', ADMIN);
    assert.equal(form?.callback_id, CALLBACK.adminGroup);
  });

  it('answers a malformed id, a group Slack does not know, and a Slack failure on the field, without saving', async () => {
    const { settings, store, lookups, slackDown } = harness();
    for (const value of ['s0helpdesk', 'U0ADMIN', 'S0 HELP', '<!subteam^S0HELPDESK>']) {
      const answer = await submit(settings, ADMIN, value);
      assert.equal(answer.kind, 'invalid', value);
      assert.match((answer as { errors: Record<string, string> }).errors[ADMIN_GROUP_INPUT.block]!, /S followed by capital letters and digits/);
    }
    assert.deepEqual(lookups, [], 'a malformed id is not asked about');
    assert.deepEqual(await submit(settings, ADMIN, 'S0NOSUCH'), { kind: 'invalid', errors: { [ADMIN_GROUP_INPUT.block]: 'Slack knows no user group S0NOSUCH in this workspace.' } });
    slackDown();
    const down = await submit(settings, ADMIN, 'S0HELPDESK');
    assert.match((down as { errors: Record<string, string> }).errors[ADMIN_GROUP_INPUT.block]!, /could not check this user group \(ratelimited\)/);
    assert.equal(await store.get('T0ALPHA'), undefined);
  });

  it('reads each workspace’s group once a minute at most, and again once the minute is over (another replica’s save)', async () => {
    const { settings, store, reads, advance } = harness();
    await settings.ownGroup('T0ALPHA');
    await settings.ownGroup('T0ALPHA');
    assert.equal(reads(), 1);
    // Saved elsewhere (another replica): seen here once the cached answer expires.
    await store.saveAdminUsergroup({ teamId: 'T0ALPHA', enterpriseId: null, adminUsergroup: 'S0HELPDESK', updatedBy: ADMIN });
    assert.equal(await settings.ownGroup('T0ALPHA'), undefined);
    advance(60_001);
    assert.equal(await settings.ownGroup('T0ALPHA'), 'S0HELPDESK');
    assert.equal(reads(), 2);
  });
});
