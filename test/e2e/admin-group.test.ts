/**
 * A workspace admin sets the workspace's own admin user group in the App Home (signed requests, as
 * Slack sends them); its members then administer Rendezvous there: a helpdesk member, neither the
 * starter nor a Slack admin, is refused Cancel before the save and may cancel after it.
 */
import assert from 'node:assert/strict';
import { startLocalStack, type LocalStack } from '../../sandbox/local-stack.js';
import type { SlackArgs } from '../../sandbox/slack-api.js';
import { ADMINS_ONLY_GROUP } from '../../src/services/admin-group-settings.js';
import { ACTION, ADMIN_GROUP_INPUT, CALLBACK } from '../../src/ui/ids.js';
import { captureLogs } from '../helpers/log-capture.js';

const CHANNEL = 'C0SUPPORT';
const STARTER = 'U0AGENT';
const ADMIN = 'U0ADMIN';
const HELPER = 'U0HELPER';
const HELPDESK = 'S0HELPDESK';

describe('e2e: the workspace’s admin user group, set in the App Home', function () {
  this.timeout(30_000);
  let stack: LocalStack;

  beforeEach(async () => {
    stack = await startLocalStack({
      apizeeRatePerMinute: 60,
      logger: captureLogs('info').logger,
      env: { TRACK_INTERVAL_SECONDS: '30' },
      slack: { users: { [ADMIN]: { admin: true } }, usergroups: { [HELPDESK]: [HELPER] } },
    });
  });
  afterEach(async () => {
    await stack.close();
    assert.deepEqual(stack.slack.rejections, []);
  });

  /** The user's Home tab as published after `app_home_opened`. */
  async function openHome(userId: string): Promise<SlackArgs> {
    const publishes = stack.slack.callsTo('views.publish').length;
    await stack.requester.event({ type: 'app_home_opened', user: userId, channel: `D0${userId.slice(2)}`, tab: 'home', event_ts: (Date.now() / 1000).toFixed(6) });
    await stack.slack.waitFor('views.publish', (call) => call.args.user_id === userId && stack.slack.callsTo('views.publish').length > publishes);
    return stack.slack.lastView(userId)!;
  }

  const changeClick = (userId: string, home: SlackArgs): SlackArgs =>
    stack.requester.viewButton({ view: home, userId, actionId: ACTION.homeAdminGroup, blockId: 'admin_group', text: 'Change', value: 'admin_group' });

  const submit = (userId: string, value: string) =>
    stack.requester.interaction(
      stack.requester.viewSubmission({ callbackId: CALLBACK.adminGroup, userId, values: { [ADMIN_GROUP_INPUT.block]: { [ADMIN_GROUP_INPUT.action]: { type: 'plain_text_input', value } } } }),
    );

  const statusOf = async (sessionId: string) =>
    (await stack.app.database.db.selectFrom('sessions').select('status').where('id', '=', sessionId).executeTakeFirstOrThrow()).status;

  it('lets an admin set S0HELPDESK; a member of it may then cancel another agent’s session, refused before', async () => {
    await stack.requester.slash('+33612345678 ref:CASE-G', { userId: STARTER, channelId: CHANNEL });
    const card = await stack.slack.waitFor('chat.update', (call) => JSON.stringify(call.args.blocks).includes(ACTION.cancel));
    const sessionId = JSON.stringify(card.args.blocks).match(/"value":"([0-9a-f-]{36})"/)![1]!;
    const cancel = () => stack.requester.interaction(stack.requester.blockAction({ actionId: ACTION.cancel, value: sessionId, userId: HELPER, channelId: CHANNEL, messageTs: card.args.ts }));

    // Before: the helper is no admin; their Home has no admin part, and a forged save is refused.
    await cancel();
    await stack.slack.waitFor('response_url', (call) => /may cancel this session/.test(call.args.text ?? ''));
    assert.equal(await statusOf(sessionId), 'invited');
    assert.doesNotMatch(JSON.stringify((await openHome(HELPER)).blocks), /Admin user group|home_admin_group/);
    const forged = await submit(HELPER, HELPDESK);
    assert.deepEqual(forged.body, { response_action: 'errors', errors: { [ADMIN_GROUP_INPUT.block]: ADMINS_ONLY_GROUP } });

    // The admin sees "none", opens the form, tries a group Slack does not know, then the helpdesk.
    const home = await openHome(ADMIN);
    assert.match(JSON.stringify(home.blocks), /Admin user group:\* none/);
    const opens = stack.slack.callsTo('views.open').length;
    assert.equal((await stack.requester.interaction(changeClick(ADMIN, home))).status, 200);
    const opened = await stack.slack.waitFor('views.open', () => stack.slack.callsTo('views.open').length > opens);
    assert.equal(opened.args.view.callback_id, CALLBACK.adminGroup);
    assert.equal(opened.response.ok, true, JSON.stringify(opened.response));

    const unknown = await submit(ADMIN, 'S0NOSUCH');
    assert.deepEqual(unknown.body, { response_action: 'errors', errors: { [ADMIN_GROUP_INPUT.block]: 'Slack knows no user group S0NOSUCH in this workspace.' } });
    const publishes = stack.slack.callsTo('views.publish').length;
    const saved = await submit(ADMIN, HELPDESK);
    assert.equal(saved.status, 200);
    assert.equal((saved.body as SlackArgs | undefined)?.response_action, undefined, JSON.stringify(saved.body));
    const republished = await stack.slack.waitFor('views.publish', (call) => call.args.user_id === ADMIN && stack.slack.callsTo('views.publish').length > publishes);
    assert.match(JSON.stringify(republished.args.view), /<!subteam\^S0HELPDESK> \(this workspace's own\)/);

    // After: the helpdesk member is an admin here.
    await cancel();
    await stack.slack.waitFor('chat.postMessage', (call) => new RegExp(`Cancelled in Rendezvous by <@${HELPER}>`).test(call.args.text ?? ''));
    assert.equal(await statusOf(sessionId), 'cancelled');
    assert.match(JSON.stringify((await openHome(HELPER)).blocks), /Admin user group:\* <!subteam\^S0HELPDESK>/);
  });
});
