import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startLocalStack, type LocalStack } from '../../sandbox/local-stack.js';
import { SlackRequester, type InteractionOrigin } from '../../sandbox/slack-requests.js';
import { ACTION, CALLBACK, INPUT } from '../../src/ui/ids.js';
import { eventually } from '../helpers/eventually.js';
import { captureLogs } from '../helpers/log-capture.js';
import { PRODUCT_INPUT } from '../helpers/product-inputs.js';

const CHANNEL = 'C0SUPPORT';
const STARTER = 'U0AGENT';
const COLLEAGUE = 'U0OTHER';
const ADMIN = 'U0ADMIN';
const OWNER = 'U0OWNER';
const GROUPIE = 'U0GROUPIE';
const GUEST = 'U0GUEST';
const ADMIN_GROUP = 'S0RDVADMINS';
const PHONE = '+33612345678';

interface Card {
  sessionId: string;
  cardTs: string;
}

describe('e2e: who may do what', function () {
  this.timeout(30_000);
  let stack: LocalStack;
  let logs: ReturnType<typeof captureLogs>;

  beforeEach(async () => {
    logs = captureLogs('info');
    stack = await startLocalStack({
      apizeeRatePerMinute: 60,
      logger: logs.logger,
      env: { TRACK_INTERVAL_SECONDS: '30', ADMIN_USERGROUP: ADMIN_GROUP },
      slack: {
        users: { [ADMIN]: { admin: true }, [OWNER]: { owner: true }, [GUEST]: { teamId: 'T0GUEST', admin: true } },
        usergroups: { [ADMIN_GROUP]: [GROUPIE] },
      },
    });
  });
  afterEach(async () => {
    await stack.close();
    assert.deepEqual(stack.slack.rejections, []);
  });

  /** A session started by slash command (from `requester`'s workspace), once its card has its buttons. */
  async function started(text: string, reference: string, requester: SlackRequester = stack.requester): Promise<Card> {
    await requester.slash(`${text} ref:${reference}`, { userId: STARTER, channelId: CHANNEL });
    const update = await stack.slack.waitFor('chat.update', (call) => {
      const blocks = JSON.stringify(call.args.blocks);
      return blocks.includes(reference) && blocks.includes(ACTION.cancel);
    });
    return { sessionId: JSON.stringify(update.args.blocks).match(/"value":"([0-9a-f-]{36})"/)![1]!, cardTs: update.args.ts };
  }

  function click(actionId: string, card: Card, userId: string, origin?: InteractionOrigin, requester: SlackRequester = stack.requester) {
    return requester.interaction(requester.blockAction({ actionId, value: card.sessionId, userId, channelId: CHANNEL, messageTs: card.cardTs, origin }));
  }

  /** The next ephemeral answer through a response_url matching `pattern`. */
  async function answered(pattern: RegExp): Promise<string> {
    const reply = await stack.slack.waitFor('response_url', (call) => pattern.test(call.args.text ?? ''));
    assert.equal(reply.args.response_type, 'ephemeral');
    return reply.args.text as string;
  }

  const statusOf = async (sessionId: string) =>
    (await stack.app.database.db.selectFrom('sessions').select('status').where('id', '=', sessionId).executeTakeFirstOrThrow()).status;
  const logged = () => logs.lines.map((line) => JSON.parse(line) as Record<string, unknown>);

  describe('buttons and views belong to the workspace they act in', () => {
    it("refuses a button whose value names another workspace's session, politely, and logs it without contact data", async () => {
      const ours = await started(PHONE, 'CASE-OURS');
      const elsewhere = new SlackRequester({ appUrl: stack.appUrl, signingSecret: stack.signingSecret, fakeSlack: stack.slack, teamId: 'T0002' });
      const theirs = await started('+33698765432', 'CASE-THEIRS', elsewhere);
      // T0002's card, its Cancel's value replaced with T0001's session id.
      await click(ACTION.cancel, { ...theirs, sessionId: ours.sessionId }, STARTER, { teamId: 'T0002' }, elsewhere);
      const words = await answered(/no such session in this workspace/);
      assert.match(words, /nothing was done/);
      assert.equal(await statusOf(ours.sessionId), 'invited');
      assert.equal(await statusOf(theirs.sessionId), 'invited');
      const refusal = logged().find((entry) => entry.msg === "refused: a button names another workspace's session");
      assert.deepEqual([refusal?.teamId, refusal?.sessionTeamId, refusal?.sessionId, refusal?.action], ['T0002', 'T0001', ours.sessionId, 'cancel']);
      for (const digits of ['612345678', '698765432']) assert.ok(!logs.lines.join('').includes(digits));
    });

    it('refuses the same way a button naming a session that does not exist, or no session at all', async () => {
      const card = await started(PHONE, 'CASE-GONE');
      await click(ACTION.customerLink, { ...card, sessionId: randomUUID() }, STARTER);
      await answered(/no such session in this workspace/);
      await click(ACTION.refresh, { ...card, sessionId: 'not-a-session' }, STARTER);
      await eventually('the second refusal', () => stack.slack.callsTo('response_url').filter((call) => /no such session/.test(call.args.text ?? '')).length === 2);
      assert.ok(!stack.slack.callsTo('response_url').some((call) => /diag\.apizee/.test(call.args.text ?? '')));
    });

    it("refuses a modal submitted from another workspace than the one it was opened in, and starts nothing", async () => {
      await stack.requester.slash('', { userId: STARTER, channelId: CHANNEL });
      const opened = await stack.slack.waitFor('views.open');
      assert.deepEqual(JSON.parse(opened.args.view.private_metadata).scope, { t: 'T0001' });
      const values = {
        [INPUT.phone.block]: { [INPUT.phone.action]: { type: 'plain_text_input', value: PHONE } },
        [PRODUCT_INPUT.agent.block]: { [PRODUCT_INPUT.agent.action]: { type: 'plain_text_input', value: 'agent@example.com' } },
        [INPUT.conversation.block]: { [INPUT.conversation.action]: { type: 'conversations_select', selected_conversation: CHANNEL } },
      };
      // Its metadata in a view of another workspace (which Slack would say the app is installed in).
      const foreign = await stack.requester.interaction(
        stack.requester.viewSubmission({ callbackId: CALLBACK.inviteModal, values, userId: STARTER, viewId: 'V0ELSEWHERE', privateMetadata: opened.args.view.private_metadata, origin: { teamId: 'T0002' } }),
      );
      assert.equal(foreign.status, 200);
      assert.equal(foreign.body.response_action, 'update');
      assert.match(JSON.stringify(foreign.body.view.blocks), /opened in another workspace.*nothing was started/);
      // The metadata itself rewritten to name another workspace, sent from this one.
      const tampered = JSON.stringify({ ...JSON.parse(opened.args.view.private_metadata), scope: { t: 'T0002' } });
      const rewritten = await stack.requester.interaction(stack.requester.viewSubmission({ callbackId: CALLBACK.inviteModal, values, userId: STARTER, privateMetadata: tampered }));
      assert.equal(rewritten.body.response_action, 'update');
      assert.equal((await stack.app.database.db.selectFrom('sessions').select('id').execute()).length, 0);
      assert.equal(stack.apizee.tickets.size, 0);
      assert.equal(logged().filter((entry) => entry.msg === "refused: a view's private_metadata names another workspace").length, 2);
      // The same view from its own workspace goes through.
      const ok = await stack.requester.interaction(stack.requester.viewSubmission({ callbackId: CALLBACK.inviteModal, values, userId: STARTER }));
      assert.equal(ok.body, '');
      await stack.slack.waitFor('chat.postMessage', (call) => !call.args.thread_ts);
    });

    it('switches a modal in place only for its own workspace, and keeps its scope', async () => {
      await stack.requester.slash('', { userId: STARTER, channelId: CHANNEL });
      const opened = await stack.slack.waitFor('views.open');
      const select = (origin?: InteractionOrigin) =>
        stack.requester.interaction({
          ...stack.requester.blockAction({ actionId: ACTION.vendorSelect, channelId: CHANNEL, messageTs: '1.000100', userId: STARTER, origin }),
          container: { type: 'view', view_id: opened.response.view.id },
          view: { ...opened.response.view, state: { values: {} } },
          actions: [{ type: 'static_select', action_id: ACTION.vendorSelect, block_id: INPUT.vendor.block, selected_option: { value: 'blitzz' }, action_ts: '1' }],
        });
      await select({ teamId: 'T0002' });
      await select();
      const update = await stack.slack.waitFor('views.update');
      assert.equal(stack.slack.callsTo('views.update').length, 1, 'the foreign switch changed nothing');
      assert.deepEqual(JSON.parse(update.args.view.private_metadata).scope, { t: 'T0001' });
      assert.match(update.args.view.private_metadata, /"vendor":"blitzz"/);
    });
  });

  describe('Cancel, Resend and Customer link: the starter or an admin', () => {
    it('refuses a colleague who is no admin, politely and only to them, and changes nothing', async () => {
      const ticket = await started(PHONE, 'CASE-T');
      const showMe = await started('+447400123456 blitzz', 'CASE-B');
      for (const [actionId, card, verb] of [
        [ACTION.customerLink, ticket, 'see the customer link of'],
        [ACTION.cancel, ticket, 'cancel'],
        [ACTION.resend, showMe, 'resend the invitation of'],
      ] as const) {
        await click(actionId, card, COLLEAGUE);
        await answered(new RegExp(`Only <@${STARTER}>, who started CASE-[TB], or a Rendezvous admin .* may ${verb} this session\\.`));
      }
      assert.equal(await statusOf(ticket.sessionId), 'invited');
      assert.equal(stack.blitzz.invitations.length, 1, 'not sent again');
      assert.ok(!stack.slack.callsTo('response_url').some((call) => /diag\.apizee/.test(call.args.text ?? '')), 'no customer link shown');
      assert.ok(!stack.slack.callsTo('chat.postMessage').some((call) => /Only <@/.test(call.args.text ?? '')), 'never said in the channel');
    });

    it('lets a workspace admin see the customer link, an owner resend, and an admin user group member cancel', async () => {
      const ticket = await started(PHONE, 'CASE-T');
      const showMe = await started('+447400123456 blitzz', 'CASE-B');
      await click(ACTION.customerLink, ticket, ADMIN);
      const link = await answered(/Customer link for \*CASE-T\*/);
      assert.match(link, /diag\.apizee/);
      await click(ACTION.resend, showMe, OWNER);
      await stack.slack.waitFor('chat.postMessage', (call) => new RegExp(`<@${OWNER}> sent the invitation again`).test(call.args.text ?? ''));
      assert.equal(stack.blitzz.invitations.length, 2);
      await click(ACTION.cancel, ticket, GROUPIE);
      await stack.slack.waitFor('chat.postMessage', (call) => new RegExp(`Cancelled in Rendezvous by <@${GROUPIE}>`).test(call.args.text ?? ''));
      assert.equal(await statusOf(ticket.sessionId), 'cancelled');
      const usersInfo = stack.slack.callsTo('users.info').map((call) => call.args.user);
      assert.deepEqual(usersInfo.sort(), [ADMIN, GROUPIE, OWNER], 'each asked about once');
      assert.deepEqual(stack.slack.callsTo('usergroups.users.list').map((call) => call.args.usergroup), [ADMIN_GROUP]);
    });

    it('refuses a Slack Connect user of another team, admin there, yet lets them refresh the card they see', async () => {
      const ticket = await started(PHONE, 'CASE-T');
      await click(ACTION.cancel, ticket, GUEST, { userTeamId: 'T0GUEST' });
      await answered(/Only <@U0AGENT>.* may cancel this session/);
      await click(ACTION.customerLink, ticket, GUEST, { userTeamId: 'T0GUEST' });
      await answered(/Only <@U0AGENT>.* may see the customer link of this session/);
      assert.equal(await statusOf(ticket.sessionId), 'invited');
      assert.deepEqual(stack.slack.callsTo('users.info'), [], 'refused from the request: their own admin rights were never asked');
      assert.ok(logged().some((entry) => entry.msg === 'a user of another team is not an admin here' && entry.userTeamId === 'T0GUEST'));

      const before = { apizee: stack.apizee.requests.length, answers: stack.slack.callsTo('response_url').length };
      await click(ACTION.refresh, ticket, GUEST, { userTeamId: 'T0GUEST' });
      await stack.slack.waitFor('chat.update', (call) => call.args.ts === ticket.cardTs && stack.apizee.requests.length > before.apizee);
      assert.ok(stack.apizee.requests.slice(before.apizee).some((request) => request.method === 'GET' && request.query.reference === 'CASE-T'), 'Apizee asked');
      assert.deepEqual(stack.slack.callsTo('response_url').slice(before.answers), [], 'no refusal');
    });
  });
});
