/**
 * Two workspaces, one Rendezvous: each admin saves the workspace's own Apizee account through the
 * App Home form (signed requests, as Slack sends them), and each workspace's sessions then run
 * against its own account: its tickets, its request budget, its tracking. A wrong password in one
 * shows as a failed check there and touches nothing of the other; a second app instance on the
 * same database takes the saved accounts up with its tracking pass.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { sandboxEnvironment, SANDBOX_APIZEE_ACCOUNT, SANDBOX_APIZEE_WORKSPACE_ACCOUNTS, startLocalStack, type LocalStack } from '../../sandbox/local-stack.js';
import type { FakeSlackCall, SlackArgs } from '../../sandbox/slack-api.js';
import { installThroughOAuth } from '../../sandbox/slack-install.js';
import { SlackRequester } from '../../sandbox/slack-requests.js';
import { createApp, type Rendezvous } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { ACTION, CALLBACK, VENDOR_FIELD_ACTION } from '../../src/ui/ids.js';
import { eventually } from '../helpers/eventually.js';
import { captureLogs } from '../helpers/log-capture.js';

const [ALPHA_ACCOUNT, BETA_ACCOUNT] = SANDBOX_APIZEE_WORKSPACE_ACCOUNTS;
const TEAMS = {
  alpha: { teamId: 'T0ALPHA', admin: 'U0ADMINALPHA', agent: 'U0AGENTALPHA', channel: 'C0ALPHA', account: ALPHA_ACCOUNT },
  beta: { teamId: 'T0BETA', admin: 'U0ADMINBETA', agent: 'U0AGENTBETA', channel: 'C0BETA', account: BETA_ACCOUNT },
} as const;
type Team = (typeof TEAMS)[keyof typeof TEAMS];

// Once with the one bot token, once with OAuth install (each workspace installed, and posted to, with its own token).
for (const oauth of [false, true])
  describe(`e2e: vendor accounts per workspace${oauth ? ' (OAuth install: a token per workspace)' : ''}`, function () {
  this.timeout(60_000);
  const encryptionKey = randomBytes(32).toString('base64');
  let stack: LocalStack;
  let logs: string[];
  let second: Rendezvous | undefined;
  const requesters = new Map<string, SlackRequester>();

  beforeEach(async () => {
    const captured = captureLogs('debug');
    logs = captured.lines;
    stack = await startLocalStack({
      apizeeRatePerMinute: 60,
      env: { ENCRYPTION_KEY: encryptionKey },
      // Each admin is an admin of their own workspace (users.info names their team).
      slack: { users: Object.fromEntries(Object.values(TEAMS).map((team) => [team.admin, { teamId: team.teamId, admin: true }])) },
      logger: captured.logger,
      vendors: ['apizee'],
      oauth,
    });
    for (const team of Object.values(TEAMS)) {
      if (oauth) {
        const installed = await installThroughOAuth(stack.appUrl, { team: team.teamId });
        assert.equal(installed.status, 200, installed.page);
      }
      requesters.set(team.teamId, requesterFor(team, stack.appUrl));
    }
  });
  afterEach(async () => {
    await second?.stop();
    second = undefined;
    await stack.close();
  });

  function requesterFor(team: Team, appUrl: string): SlackRequester {
    return new SlackRequester({ appUrl, signingSecret: stack.signingSecret, fakeSlack: stack.slack, teamId: team.teamId });
  }

  const formValues = (team: Team, password: string) => ({
    APIZEE_API_URL: stack.apizee.url,
    APIZEE_USERNAME: team.account.username,
    APIZEE_PASSWORD: password,
    APIZEE_ENTERPRISE_ID: String(team.account.enterpriseId),
    APIZEE_AGENT: team.account.username,
    APIZEE_RATE_LIMIT_PER_MINUTE: '60',
  });

  /** Opens the App Home as the team's admin, clicks Apizee's button, and fills in and submits the form; returns the modal's last view. */
  async function saveApizeeAccount(team: Team, password: string, expected: RegExp): Promise<FakeSlackCall> {
    const requester = requesters.get(team.teamId)!;
    const publishes = stack.slack.callsTo('views.publish').length;
    await requester.event({ type: 'app_home_opened', user: team.admin, channel: `D0${team.admin.slice(2)}`, tab: 'home', event_ts: (Date.now() / 1000).toFixed(6) });
    await stack.slack.waitFor('views.publish', (call) => call.args.user_id === team.admin && stack.slack.callsTo('views.publish').length > publishes);
    const home = stack.slack.lastView(team.admin)!;
    assert.match(JSON.stringify(home.blocks), /\*Vendors\* \(only admins see this\)/);

    const opens = stack.slack.callsTo('views.open').length;
    const click = await requester.interaction(homeButton(team, home, 'apizee'));
    assert.equal(click.status, 200);
    const opened = await stack.slack.waitFor('views.open', () => stack.slack.callsTo('views.open').length > opens);
    assert.equal(opened.args.view.callback_id, CALLBACK.vendorAccount);
    assert.equal(opened.response.ok, true, JSON.stringify(opened.response));
    const form = stack.slack.lastView(team.admin)!;
    assert.equal(form.callback_id, CALLBACK.vendorAccount);
    assert.ok(!JSON.stringify(form).includes('sandbox-secret'), 'a saved password is never shown');

    const submitted = await requester.interaction(
      requester.viewSubmission({ callbackId: CALLBACK.vendorAccount, userId: team.admin, values: inputs(formValues(team, password)) }),
    );
    assert.equal(submitted.status, 200);
    const ack = submitted.body as SlackArgs;
    assert.equal(ack.response_action, 'update', JSON.stringify(ack));
    assert.match(JSON.stringify(ack.view), /Saving this workspace's Apizee account and checking it/);
    return stack.slack.waitFor('views.update', (call) => call.args.view_id === form.id && expected.test(JSON.stringify(call.args.view)), 10_000);
  }

  /** A click on a vendor's "Set up" button in the Home tab, by the team's admin unless another user is named. */
  const homeButton = (team: Team, home: SlackArgs, vendor: string, userId: string = team.admin): SlackArgs =>
    requesters.get(team.teamId)!.viewButton({ view: home, userId, actionId: ACTION.homeVendorAccount, blockId: `vendor_account_${vendor}`, text: 'Set up', value: vendor });

  function inputs(values: Record<string, string>): Record<string, Record<string, SlackArgs>> {
    return Object.fromEntries(Object.entries(values).map(([block, value]) => [block, { [VENDOR_FIELD_ACTION]: { type: 'plain_text_input', value } }]));
  }

  async function startSession(team: Team, reference: string, requester = requesters.get(team.teamId)!): Promise<void> {
    const response = await requester.slash(`+33612345678 apizee ref:${reference}`, { userId: team.agent, channelId: team.channel });
    assert.equal(response.status, 200);
    assert.match(response.body.text, /Creating the Apizee session/);
  }

  async function ticketOf(reference: string) {
    await eventually(`Apizee has a ticket ${reference}`, () => ticketFor(reference) !== undefined, 10_000);
    return ticketFor(reference)!;
  }
  const ticketFor = (reference: string) => [...stack.apizee.tickets.values()].find((ticket) => ticket.reference === reference);

  it('runs each workspace’s sessions on its own Apizee account, budgets and tracking apart; a bad password stays its own', async () => {
    const alphaSaved = await saveApizeeAccount(TEAMS.alpha, ALPHA_ACCOUNT.password, /Saved and checked/);
    assert.match(JSON.stringify(alphaSaved.args.view), /Apizee accepted the account \(asked for a token \(POST \/token\)\)/);
    await saveApizeeAccount(TEAMS.beta, BETA_ACCOUNT.password, /Saved and checked/);
    const tokenRequests = stack.apizee.requests.filter((request) => request.path === '/api/token');
    assert.deepEqual(new Set(tokenRequests.map((request) => request.account)), new Set([ALPHA_ACCOUNT.username, BETA_ACCOUNT.username]), 'each check logged in as its own account');

    // The admin's Home shows the account and its check, never the password.
    const alphaHome = await stack.slack.waitFor('views.publish', (call) => call.args.user_id === TEAMS.alpha.admin && /this workspace's own account/.test(JSON.stringify(call.args.view)));
    assert.match(JSON.stringify(alphaHome.args.view), /✅ Checked/);
    assert.ok(!JSON.stringify(alphaHome.args.view).includes(ALPHA_ACCOUNT.password));

    await startSession(TEAMS.alpha, 'ALPHA-1');
    await startSession(TEAMS.beta, 'BETA-1');
    const alphaTicket = await ticketOf('ALPHA-1');
    const betaTicket = await ticketOf('BETA-1');
    assert.equal(alphaTicket.enterpriseId, ALPHA_ACCOUNT.enterpriseId, 'created under alpha’s account');
    assert.equal(betaTicket.enterpriseId, BETA_ACCOUNT.enterpriseId, 'created under beta’s account');
    const creations = stack.apizee.requests.filter((request) => request.method === 'POST' && request.path === '/api/tickets');
    assert.deepEqual(
      creations.map((request) => [request.query.reference, request.account]).sort(),
      [['ALPHA-1', ALPHA_ACCOUNT.username], ['BETA-1', BETA_ACCOUNT.username]],
    );

    // Each account's budget is its own: the ledger counts them under different accounts.
    const db = stack.app.database.db;
    const ledger = new Set((await db.selectFrom('rate_slots').select('account').execute()).map((row) => row.account));
    assert.ok(ledger.has(`apizee:${ALPHA_ACCOUNT.username}`) && ledger.has(`apizee:${BETA_ACCOUNT.username}`), [...ledger].join(', '));
    assert.ok(!ledger.has(`apizee:${SANDBOX_APIZEE_ACCOUNT.username}`), 'the default account was never used');
    const sessions = await db.selectFrom('sessions').select(['reference', 'vendor_account']).execute();
    const accountOf = (reference: string) => sessions.find((row) => row.reference === reference)!.vendor_account;
    assert.ok(accountOf('ALPHA-1') && accountOf('BETA-1') && accountOf('ALPHA-1') !== accountOf('BETA-1'));

    // Alpha's session is tracked through alpha's account (its list calls), and its thread moves.
    const listsBefore = stack.apizee.requests.length;
    stack.apizee.setTicketState(alphaTicket.id, 'inprogress');
    await stack.slack.waitFor('chat.postMessage', (call) => call.args.channel === TEAMS.alpha.channel && Boolean(call.args.thread_ts) && /guest joined/.test(call.args.text), 10_000);
    const lists = stack.apizee.requests.slice(listsBefore).filter((request) => request.method === 'GET' && request.path === '/api/tickets');
    assert.ok(lists.some((request) => request.account === ALPHA_ACCOUNT.username), 'alpha’s tracker listed alpha’s tickets');

    if (oauth) {
      // Every card, update and thread reply in a workspace's channel went with that workspace's own token.
      for (const team of Object.values(TEAMS)) {
        const [token] = stack.slack.tokensOf(team.teamId);
        const calls = stack.slack.calls.filter((call) => ['chat.postMessage', 'chat.update'].includes(call.method) && call.args.channel === team.channel);
        assert.ok(token && calls.length >= 2, `${team.teamId}: ${calls.length} calls`);
        for (const call of calls) assert.equal(call.token, token, `${call.method} in ${team.channel} used another workspace's token`);
      }
    }

    // Beta's admin mistypes the password: the check fails and says so; alpha carries on untouched.
    const failed = await saveApizeeAccount(TEAMS.beta, 'not-the-password', /the check failed/);
    assert.match(JSON.stringify(failed.args.view), /Apizee refused Rendezvous's credentials/);
    await startSession(TEAMS.alpha, 'ALPHA-2');
    assert.equal((await ticketOf('ALPHA-2')).enterpriseId, ALPHA_ACCOUNT.enterpriseId);
    await startSession(TEAMS.beta, 'BETA-2');
    await stack.slack.waitFor('chat.update', (call) => call.args.channel === TEAMS.beta.channel && /BETA-2/.test(JSON.stringify(call.args.blocks)) && /Failed/.test(JSON.stringify(call.args.blocks)), 10_000);
    assert.equal(ticketFor('BETA-2'), undefined);

    assert.deepEqual(stack.slack.rejections, []);
    assert.equal(stack.apizee.rateLimitedCount, 0);
    const logged = logs.join('');
    for (const secret of [ALPHA_ACCOUNT.password, BETA_ACCOUNT.password, 'not-the-password']) assert.ok(!logged.includes(secret), `${secret} reached the logs`);
  });

  it('refuses a forged submission from someone who is not an admin, saving nothing', async () => {
    const requester = requesters.get(TEAMS.alpha.teamId)!;
    const forged = requester.viewSubmission({
      callbackId: CALLBACK.vendorAccount,
      userId: TEAMS.alpha.agent,
      privateMetadata: JSON.stringify({ vendor: 'apizee' }),
      values: inputs(formValues(TEAMS.alpha, ALPHA_ACCOUNT.password)),
    });
    const response = await requester.interaction(forged);
    assert.equal(response.status, 200);
    assert.equal((response.body as SlackArgs).response_action, 'errors');
    assert.match(JSON.stringify((response.body as SlackArgs).errors), /Only workspace admins/);
    assert.deepEqual(await stack.app.database.db.selectFrom('vendor_accounts').selectAll().execute(), []);
    // Nor does a forged click open the form.
    await requester.event({ type: 'app_home_opened', user: TEAMS.alpha.agent, channel: 'D0AGENT', tab: 'home', event_ts: (Date.now() / 1000).toFixed(6) });
    const home = await stack.slack.waitFor('views.publish', (call) => call.args.user_id === TEAMS.alpha.agent);
    assert.ok(!JSON.stringify(home.args.view).includes(ACTION.homeVendorAccount), 'no Vendors section for a member');
    await requester.interaction(homeButton(TEAMS.alpha, home.args.view, 'apizee', TEAMS.alpha.agent));
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(stack.slack.callsTo('views.open').length, 0);
  });

  // A second instance here runs with the one bot token (its configuration is built below).
  if (!oauth) it('a second app instance on the same database takes a saved account up with its tracking pass', async () => {
    const config = loadConfig({
      ...sandboxEnvironment(stack, { vendors: ['apizee'], apizeeRatePerMinute: 60 }),
      SLACK_SIGNING_SECRET: stack.signingSecret,
      ENCRYPTION_KEY: encryptionKey,
      PORT: '0',
      // Its own tracking passes are run by hand below.
      TRACK_INTERVAL_SECONDS: '600',
    });
    second = createApp(config, { logger: createLogger('silent'), database: stack.app.database });
    const { port } = await second.start();
    const secondAlpha = requesterFor(TEAMS.alpha, `http://127.0.0.1:${port}`);

    await saveApizeeAccount(TEAMS.alpha, ALPHA_ACCOUNT.password, /Saved and checked/);
    await second.tracking.runOnce();
    await startSession(TEAMS.alpha, 'ALPHA-VIA-2', secondAlpha);
    assert.equal((await ticketOf('ALPHA-VIA-2')).enterpriseId, ALPHA_ACCOUNT.enterpriseId, 'the second instance used alpha’s account');
  });
});
