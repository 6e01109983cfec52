import assert from 'node:assert/strict';
import { startLocalStack, type LocalStack } from '../../sandbox/local-stack.js';
import type { FakeSlackCall } from '../../sandbox/slack-api.js';
import { installThroughOAuth } from '../../sandbox/slack-install.js';
import { ACTION } from '../../src/ui/ids.js';
import { eventually } from '../helpers/eventually.js';

const A = { team: 'T0AAAAAAA', channel: 'C0AAAAAAA', user: 'U0ALICE' };
const B = { team: 'T0BBBBBBB', channel: 'C0BBBBBBB', user: 'U0BOB' };

/** Calls the app made in a channel (cards, replies, updates), with the token each used. */
const inChannel = (stack: LocalStack, channel: string): FakeSlackCall[] =>
  stack.slack.calls.filter((call) => ['chat.postMessage', 'chat.update'].includes(call.method) && call.args.channel === channel);

/** Thread replies (not the card) the stand-in holds in a channel. */
const replies = (stack: LocalStack, channel: string): string[] => stack.slack.messages(channel).flatMap((card) => card.replies.map((reply) => reply.text));

describe('e2e: OAuth install in many workspaces', function () {
  this.timeout(60_000);
  let stack: LocalStack;

  afterEach(async () => {
    await stack?.close();
  });

  async function twoWorkspacesWithASessionEach(): Promise<void> {
    stack = await startLocalStack({ oauth: true, vendors: ['apizee'], apizeeRatePerMinute: 600, env: { TRACK_INTERVAL_SECONDS: '0.5' } });
    for (const { team } of [A, B]) {
      const installed = await installThroughOAuth(stack.appUrl, { team });
      assert.equal(installed.status, 200, installed.page);
      assert.match(installed.page, /Thank you!/);
    }
    const [slashA, slashB] = await Promise.all([
      stack.requesterFor(A.team).slash('+33612345678 ref:CASE-A', { channelId: A.channel, userId: A.user }),
      stack.requesterFor(B.team).slash('+33698765432 ref:CASE-B', { channelId: B.channel, userId: B.user }),
    ]);
    assert.equal(slashA.status, 200);
    assert.match(JSON.stringify(slashA.body), /Creating the Apizee session/);
    assert.equal(slashB.status, 200);
    await eventually('each workspace\'s first thread reply', () => replies(stack, A.channel).length === 1 && replies(stack, B.channel).length === 1, 20_000);
  }

  function ticketOf(reference: string) {
    return [...stack.apizee.tickets.values()].find((ticket) => ticket.reference === reference)!;
  }

  it('installs two workspaces through the browser flow; each card, update and thread reply is posted with its own workspace\'s token', async () => {
    await twoWorkspacesWithASessionEach();
    // The installer's own calls went to SLACK_API_URL (the stand-in), once per workspace.
    const exchanges = stack.slack.callsTo('oauth.v2.access');
    assert.equal(exchanges.length, 2);
    assert.deepEqual(exchanges.map((call) => call.response.team?.id), [A.team, B.team]);
    const [tokenA] = stack.slack.tokensOf(A.team);
    const [tokenB] = stack.slack.tokensOf(B.team);
    assert.ok(tokenA && tokenB && tokenA !== tokenB);

    // Tracking: both guests join; each thread hears it, through its own workspace's token.
    stack.apizee.setTicketState(ticketOf('CASE-A').id, 'inprogress');
    stack.apizee.setTicketState(ticketOf('CASE-B').id, 'inprogress');
    await eventually('both guests joined, in their own threads', () => replies(stack, A.channel).some((text) => /guest joined/.test(text)) && replies(stack, B.channel).some((text) => /guest joined/.test(text)), 20_000);
    for (const [workspace, token] of [[A, tokenA], [B, tokenB]] as const) {
      const calls = inChannel(stack, workspace.channel);
      assert.ok(calls.some((call) => call.method === 'chat.update'), 'the card was updated');
      assert.ok(calls.filter((call) => call.args.thread_ts).length >= 2, 'two thread replies');
      for (const call of calls) {
        assert.equal(call.token, token, `${call.method} in ${workspace.channel} used another workspace's token`);
        assert.equal(call.response.ok, true, JSON.stringify(call.response));
      }
    }
    // Neither workspace's token touched the other's channel.
    assert.equal(stack.slack.calls.filter((call) => call.teamId === A.team && JSON.stringify(call.args).includes(B.channel)).length, 0);

    // A button (Cancel, by its starter) changes the card with the clicking workspace's token too.
    const card = stack.slack.messages(B.channel)[0]!;
    const cancel = stack.requesterFor(B.team).blockAction({ actionId: ACTION.cancel, userId: B.user, channelId: B.channel, messageTs: card.ts });
    assert.equal((await stack.requesterFor(B.team).interaction(cancel)).status, 200);
    const cancelled = await stack.slack.waitFor('chat.update', (call) => call.args.channel === B.channel && /Cancelled/.test(JSON.stringify(call.args.blocks)), 10_000);
    assert.equal(cancelled.token, tokenB);
    // And App Home, published with the opening user's workspace's token, lists only that workspace's sessions.
    await stack.requesterFor(A.team).event({ type: 'app_home_opened', user: A.user, channel: 'D0ALICE', tab: 'home' });
    const home = await stack.slack.waitFor('views.publish', (call) => call.args.user_id === A.user, 10_000);
    assert.equal(home.token, tokenA);
    assert.match(JSON.stringify(home.args.view), /CASE-A/);
    assert.doesNotMatch(JSON.stringify(home.args.view), /CASE-B/);
  });

  it('uninstalling one workspace (its signed app_uninstalled event) stops only its tracking and thread replies', async () => {
    await twoWorkspacesWithASessionEach();
    stack.slack.revokeTokens(A.team);
    const uninstalled = await stack.requesterFor(A.team).event({ type: 'app_uninstalled' });
    assert.equal(uninstalled.status, 200);
    const [sessionA] = await stack.app.database.db.selectFrom('sessions').select(['id', 'set_aside_at', 'tracking']).where('team_id', '=', A.team).execute();
    await eventually('A set aside', async () => {
      const row = await stack.app.database.db.selectFrom('sessions').select('set_aside_at').where('id', '=', sessionA!.id).executeTakeFirst();
      return row?.set_aside_at !== null;
    });
    const after = stack.slack.calls.length;

    stack.apizee.setTicketState(ticketOf('CASE-A').id, 'inprogress');
    stack.apizee.setTicketState(ticketOf('CASE-B').id, 'inprogress');
    await eventually('B hears its guest joined', () => replies(stack, B.channel).some((text) => /guest joined/.test(text)), 20_000);
    // A few more tracking passes: still nothing for A.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const laterCalls = stack.slack.calls.slice(after);
    assert.equal(laterCalls.filter((call) => call.teamId === A.team).length, 0, 'no Slack call for the workspace that left');
    assert.equal(laterCalls.filter((call) => JSON.stringify(call.args).includes(A.channel)).length, 0);
    assert.equal(replies(stack, A.channel).some((text) => /guest joined/.test(text)), false);
    // Not tracked any more: the join was never observed for A (B's was), so nothing waits in its outbox either.
    const milestones = await stack.app.database.db.selectFrom('milestones').select(['team_id', 'key']).where('key', '=', 'joined').execute();
    assert.deepEqual(milestones.map((row) => row.team_id), [B.team]);
    assert.equal(await stack.app.database.db.selectFrom('installations').select('key').where('team_id', '=', A.team).executeTakeFirst(), undefined);
    const stillB = await stack.app.database.db.selectFrom('sessions').select(['tracking', 'set_aside_at']).where('team_id', '=', B.team).executeTakeFirstOrThrow();
    assert.equal(stillB.set_aside_at, null);
    // A request from the workspace that left is not served (no installation to authorize it).
    const slash = await stack.requesterFor(A.team).slash('+33612345670 ref:CASE-A2', { channelId: A.channel, userId: A.user });
    assert.doesNotMatch(JSON.stringify(slash.body), /Creating/);
    assert.equal(await stack.app.database.db.selectFrom('sessions').select('id').where('reference', '=', 'CASE-A2').executeTakeFirst(), undefined);
  });

  it('tokens_revoked naming the bot sets the workspace aside; naming only user tokens changes nothing', async () => {
    await twoWorkspacesWithASessionEach();
    const installed = () => stack.app.database.db.selectFrom('installations').select('team_id').orderBy('team_id').execute();
    await stack.requesterFor(A.team).event({ type: 'tokens_revoked', tokens: { oauth: [A.user] } });
    // Events are handled after the ack: give this one time to do what it would.
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.deepEqual((await installed()).map((row) => row.team_id), [A.team, B.team]);
    await stack.requesterFor(A.team).event({ type: 'tokens_revoked', tokens: { bot: ['U0BOTA'] } });
    await eventually('A removed', async () => (await installed()).length === 1);
    assert.deepEqual((await installed()).map((row) => row.team_id), [B.team]);
    const sessions = await stack.app.database.db.selectFrom('sessions').select(['team_id', 'set_aside_at']).orderBy('team_id').execute();
    assert.deepEqual(sessions.map((row) => [row.team_id, row.set_aside_at !== null]), [[A.team, true], [B.team, false]]);
  });

  it('refuses the redirect without the state cookie of the browser that started the install', async () => {
    stack = await startLocalStack({ oauth: true, vendors: ['apizee'] });
    const forged = await installThroughOAuth(stack.appUrl, { team: A.team, withoutCookie: true });
    assert.equal(forged.status, 400);
    assert.equal(stack.slack.callsTo('oauth.v2.access').length, 0, 'the code was never traded');
    assert.equal((await stack.app.database.db.selectFrom('installations').select('key').execute()).length, 0);
  });

  it('stores an Enterprise Grid org-wide install by its enterprise, and serves its workspaces with its token', async () => {
    stack = await startLocalStack({ oauth: true, vendors: ['apizee'], apizeeRatePerMinute: 600 });
    const installed = await installThroughOAuth(stack.appUrl, { enterprise: 'E0ORG', orgWide: true });
    assert.equal(installed.status, 200, installed.page);
    const [row] = await stack.app.database.db.selectFrom('installations').select(['key', 'team_id', 'enterprise_id', 'is_enterprise_install']).execute();
    assert.deepEqual(row, { key: 'E0ORG:', team_id: null, enterprise_id: 'E0ORG', is_enterprise_install: 1 });
    const [orgToken] = stack.slack.tokensOf('E0ORG');
    // A workspace of the organisation: its command is authorized, its card and thread go out with the org-wide token.
    const member = stack.requesterFor('T0MEMBER', { enterpriseId: 'E0ORG', orgWideInstall: true });
    const slash = await member.slash('jane@example.com ref:CASE-ORG', { channelId: 'C0ORGCHAN', userId: 'U0MEMBER' });
    assert.match(JSON.stringify(slash.body), /Creating the Apizee session/);
    await eventually('the first thread reply', () => replies(stack, 'C0ORGCHAN').length === 1, 10_000);
    for (const call of inChannel(stack, 'C0ORGCHAN')) assert.equal(call.token, orgToken);
    const [session] = await stack.app.database.db.selectFrom('sessions').select(['team_id', 'enterprise_id']).execute();
    assert.deepEqual(session, { team_id: 'T0MEMBER', enterprise_id: 'E0ORG' });
  });
});

describe('e2e: single-workspace mode (SLACK_BOT_TOKEN) is unchanged', function () {
  this.timeout(30_000);
  let stack: LocalStack;
  afterEach(async () => {
    await stack?.close();
  });

  it('has no install pages, and posts with the one bot token', async () => {
    stack = await startLocalStack({ vendors: ['apizee'] });
    assert.equal((await fetch(new URL('/slack/install', stack.appUrl))).status, 404);
    await stack.requester.slash('+33612345678 ref:CASE-1', { channelId: 'C0SUPPORT' });
    const card = await stack.slack.waitFor('chat.postMessage', (call) => call.args.channel === 'C0SUPPORT');
    assert.equal(card.token, 'xoxb-test');
  });
});
