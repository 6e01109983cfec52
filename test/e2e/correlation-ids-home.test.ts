import assert from 'node:assert/strict';
import { SANDBOX_APIZEE_WORKSPACE_ACCOUNTS, startLocalStack, type LocalStack } from '../../sandbox/local-stack.js';
import type { SlackArgs } from '../../sandbox/slack-api.js';
import { installThroughOAuth } from '../../sandbox/slack-install.js';
import type { SlackRequester } from '../../sandbox/slack-requests.js';
import { INVITE_STEP_CALLBACK_ID } from '../../src/domain/workflow-step.js';
import { ACTION, ADMIN_GROUP_INPUT, CALLBACK, VENDOR_FIELD_ACTION } from '../../src/ui/ids.js';
import { captureLogLines, UUID, type LogLine } from '../helpers/log-capture.js';

const TEAM = 'T0CORRHOME';
const CHANNEL = 'C0CORRHOME';
const ADMIN = 'U0CORRADMIN';
const MEMBER = 'U0CORRMEMBER';
const HELPDESK = 'S0CORRDESK';
const [ACCOUNT] = SANDBOX_APIZEE_WORKSPACE_ACCOUNTS;
type Line = LogLine;

/**
 * Issue 10, "a correlation id on every log line of one request": the request-driven paths the
 * first test (correlation-ids.test.ts) does not drive, with OAuth install. An install through the
 * browser flow, the App Home (published, refused by Slack, an admin check Slack could not answer),
 * an admin saving a vendor account (its check a vendor call), the admin user group, `/rendezvous
 * stats` (a vendor's figures), a Workflow Builder step whose acting user Slack could not look up,
 * a modal Slack refused, an uninstall: each writes lines, every one with an id, and the lines of
 * one request share its id.
 */
describe('e2e: a correlation id on every line of the App Home, admin, stats, workflow and install requests', function () {
  this.timeout(60_000);
  let stack: LocalStack;
  let slack: SlackRequester;
  const captured = captureLogLines('debug');
  const { lines } = captured;
  let started = 0;

  before(async () => {
    // No tracking pass on its own: each line is known to be one of these requests'.
    stack = await startLocalStack({
      apizeeRatePerMinute: 60,
      logger: captured.logger,
      vendors: ['apizee'],
      oauth: true,
      env: { TRACK_INTERVAL_SECONDS: '3600' },
      slack: { users: { [ADMIN]: { teamId: TEAM, admin: true }, [MEMBER]: { teamId: TEAM } }, usergroups: { [HELPDESK]: [MEMBER] } },
    });
    assert.equal((await fetch(`${stack.appUrl}/healthz`)).status, 200);
    started = lines.length;
    slack = stack.requesterFor(TEAM);
  });
  after(async () => {
    await stack?.close();
  });

  const since = (from: number) => lines.slice(from);
  const waitForLine = (what: string, match: (line: Line) => boolean, from = started, timeoutMs?: number) => captured.waitForLine(what, match, from, timeoutMs);
  /** The lines from `from` on with this message, each with an id. */
  async function tracedLine(what: string, msg: string, from: number, more: (line: Line) => boolean = () => true): Promise<Line> {
    const line = await waitForLine(what, (candidate) => candidate.msg === msg && more(candidate), from);
    assert.match(String(line.correlationId), UUID, `${what}: ${JSON.stringify(line)}`);
    return line;
  }
  async function openHome(userId: string): Promise<SlackArgs> {
    const publishes = stack.slack.callsTo('views.publish').length;
    await slack.event({ type: 'app_home_opened', user: userId, channel: `D0${userId.slice(2)}`, tab: 'home', event_ts: (Date.now() / 1000).toFixed(6) });
    await stack.slack.waitFor('views.publish', (call) => call.args.user_id === userId && stack.slack.callsTo('views.publish').length > publishes);
    return stack.slack.lastView(userId)!;
  }

  it('gives each request’s lines its id, and leaves no line without one', async () => {
    // The install: the redirect's request stores it.
    const installed = await installThroughOAuth(stack.appUrl, { team: TEAM });
    assert.equal(installed.status, 200, installed.page);
    await tracedLine('the install', 'Rendezvous installed in a workspace', started);

    // App Home: Slack refuses the publish; another user's admin check cannot be answered.
    let from = lines.length;
    stack.slack.failNext('views.publish', 'internal_error');
    await slack.event({ type: 'app_home_opened', user: ADMIN, channel: 'D0CORRADMIN', tab: 'home' });
    await tracedLine('the Home not published', 'App Home not published', from);
    from = lines.length;
    stack.slack.failNext('users.info', 'internal_error');
    await slack.event({ type: 'app_home_opened', user: MEMBER, channel: 'D0CORRMEMBER', tab: 'home' });
    await tracedLine('the failed admin check', 'admin check failed; treating the user as not an admin', from);

    // The admin saves a vendor account: the save, the vendor's check and its outcome are one request's.
    const home = await openHome(ADMIN);
    await slack.interaction(slack.viewButton({ view: home, userId: ADMIN, actionId: ACTION.homeVendorAccount, blockId: 'vendor_account_apizee', text: 'Set up', value: 'apizee' }));
    await stack.slack.waitFor('views.open', (call) => call.args.view?.callback_id === CALLBACK.vendorAccount);
    from = lines.length;
    const values: Record<string, string> = {
      APIZEE_API_URL: stack.apizee.url,
      APIZEE_USERNAME: ACCOUNT.username,
      APIZEE_PASSWORD: ACCOUNT.password,
      APIZEE_ENTERPRISE_ID: String(ACCOUNT.enterpriseId),
      APIZEE_AGENT: ACCOUNT.username,
    };
    const submitted = await slack.interaction(
      slack.viewSubmission({
        callbackId: CALLBACK.vendorAccount,
        userId: ADMIN,
        values: Object.fromEntries(Object.entries(values).map(([block, value]) => [block, { [VENDOR_FIELD_ACTION]: { type: 'plain_text_input', value } }])),
      }),
    );
    assert.equal((submitted.body as SlackArgs).response_action, 'update', JSON.stringify(submitted.body));
    const saved = await tracedLine('the account saved', 'vendor account saved', from);
    const check = await tracedLine('the check’s call', 'vendor call succeeded', from, (line) => line.operation === 'login');
    const checked = await tracedLine('the account checked', 'vendor account checked', from);
    assert.equal(checked.check, 'ok', JSON.stringify(checked));
    assert.deepEqual(new Set([saved.correlationId, check.correlationId, checked.correlationId]).size, 1, 'one request: one id');

    // The admin user group: a group Slack does not know, then one it does.
    from = lines.length;
    const submitGroup = (value: string) =>
      slack.interaction(
        slack.viewSubmission({ callbackId: CALLBACK.adminGroup, userId: ADMIN, values: { [ADMIN_GROUP_INPUT.block]: { [ADMIN_GROUP_INPUT.action]: { type: 'plain_text_input', value } } } }),
      );
    await submitGroup('S0NOSUCH');
    const unknown = await tracedLine('the unknown group', 'admin user group not found', from);
    await submitGroup(HELPDESK);
    const groupSaved = await tracedLine('the group saved', 'admin user group saved', from);
    assert.notEqual(groupSaved.correlationId, unknown.correlationId, 'two submissions, two ids');

    // /rendezvous stats: Apizee's own figures, a vendor call under the command's id.
    from = lines.length;
    assert.equal((await slack.slash('stats', { userId: ADMIN, channelId: CHANNEL })).status, 200);
    await tracedLine('the stats call', 'vendor call succeeded', from, (line) => line.operation === 'ticketStats');

    // A Workflow Builder step whose acting user Slack could not look up.
    from = lines.length;
    stack.slack.failNext('users.info', 'internal_error');
    const run = await slack.functionExecuted(INVITE_STEP_CALLBACK_ID, { vendor: 'apizee', kind: 'one-to-one', contacts: '+33 6 12 34 56 78', channel: CHANNEL, reference: 'CORR-WF', acting_user: 'U0CORRNEW' });
    assert.equal(run.status, 200);
    await tracedLine('the step’s lookup', 'workflow step: the acting user could not be looked up', from);

    // The invite modal, which Slack refuses to open.
    from = lines.length;
    stack.slack.failNext('views.open', 'expired_trigger_id');
    assert.equal((await slack.slash('', { userId: ADMIN, channelId: CHANNEL })).status, 200);
    await tracedLine('the modal not opened', 'modal not opened within its trigger', from);

    // The workspace removes the app.
    from = lines.length;
    await slack.event({ type: 'app_uninstalled' });
    await tracedLine('the uninstall', 'Rendezvous removed from a workspace: its sessions are set aside', from);

    // Let what these started (the Home republished after the saves) finish.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const orphans = since(started).filter((line) => line.component !== 'bolt' && typeof line.correlationId !== 'string');
    assert.deepEqual(orphans, [], 'no line without a correlation id');
    assert.ok(since(started).length > 15, `${since(started).length} lines (a scan of nothing proves nothing)`);
  });
});
