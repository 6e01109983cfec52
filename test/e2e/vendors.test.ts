import assert from 'node:assert/strict';
import { SANDBOX_GENESYS, startLocalStack, type LocalStack } from '../../sandbox/local-stack.js';
import { ACTION } from '../../src/ui/ids.js';
import { eventually } from '../helpers/eventually.js';

const CHANNEL = 'C0SUPPORT';
const STARTER = 'U0AGENT';

const replies = (stack: LocalStack) => stack.slack.callsTo('chat.postMessage').filter((call) => call.args.thread_ts);
const reply = (stack: LocalStack, pattern: RegExp, timeoutMs = 8000) =>
  stack.slack.waitFor('chat.postMessage', (call) => Boolean(call.args.thread_ts) && pattern.test(call.args.text), timeoutMs);
const ephemeral = (stack: LocalStack, pattern: RegExp) => stack.slack.waitFor('response_url', (call) => pattern.test(call.args.text ?? ''));
const vendorCalls = (stack: LocalStack) =>
  stack.apizee.requests.length + stack.blitzz.requests.length + stack.conpeek.requests.length + stack.imbee.requests.length + stack.genesys.operations.length;

describe('e2e: every vendor from the slash command', function () {
  this.timeout(30_000);
  let stack: LocalStack;

  beforeEach(async () => {
    stack = await startLocalStack({ apizeeRatePerMinute: 60 });
  });
  afterEach(async () => {
    await stack.close();
    assert.deepEqual(stack.slack.rejections, [], 'Slack accepted every payload');
  });

  describe('Blitzz', () => {
    it('sends a WhatsApp ShowMe invitation with the documented body, and resends it from the card', async () => {
      const ack = await stack.requester.slash('+33 6 12 34 56 78 blitzz whatsapp ref:CASE-B', { userId: STARTER, channelId: CHANNEL });
      assert.match(ack.body.text, /Creating the Blitzz session/);
      await reply(stack, /Blitzz sent the invitation by WhatsApp to \+33 6•• •• •• 78/);
      const [sent] = stack.blitzz.invitations;
      // WhatsApp: no Message (Blitzz fixes that text), no e-mail, and no media options set here.
      assert.deepEqual(sent?.body, { InvitationType: 2, IsoCode: 'FR', MobileNo: '612345678' });
      const card = await stack.slack.waitFor('chat.update', (call) => JSON.stringify(call.args.blocks).includes('Resend invitation'));
      const sessionId = JSON.stringify(card.args.blocks).match(/"value":"([0-9a-f-]{36})"/)![1]!;
      await stack.requester.interaction(
        stack.requester.blockAction({ actionId: ACTION.resend, value: sessionId, userId: STARTER, channelId: CHANNEL, messageTs: card.args.ts }),
      );
      await reply(stack, /sent the invitation again/);
      assert.equal(stack.blitzz.invitations.length, 2);
    });

    it('refuses a message over 100 characters before calling Blitzz', async () => {
      const ack = await stack.requester.slash(`+33612345678 blitzz "${'x'.repeat(101)}"`);
      assert.match(ack.body.text, /Blitzz takes at most 100 characters; this message has 101/);
      assert.equal(stack.blitzz.requests.length, 0);
      assert.equal(stack.slack.callsTo('chat.postMessage').length, 0);
    });
  });

  describe('Conpeek', () => {
    it('opens a video chat and gives the link to the starter only', async () => {
      await stack.requester.slash('+33612345678 conpeek ref:CASE-C', { userId: STARTER, channelId: CHANNEL });
      const link = await ephemeral(stack, /Conpeek link for \*CASE-C\*/);
      const [meet] = [...stack.conpeek.meets.values()];
      assert.ok(meet && link.args.text.includes(meet.url));
      await reply(stack, /Conpeek does not send invitations/);
      const card = await stack.slack.waitFor('chat.update', (call) => JSON.stringify(call.args.blocks).includes('Link ready'));
      // The one Conpeek link is the customer's too: it never reaches the channel.
      assert.ok(!JSON.stringify(card.args.blocks).includes(meet.url), 'the link is not on the card');
      assert.ok(JSON.stringify(card.args.blocks).includes('Customer link'));
    });

    it('pushes the room link into the customer’s Genesys SMS session with via:', async () => {
      await stack.requester.slash(`+33612345678 conpeek via:${SANDBOX_GENESYS.smsSession}`, { userId: STARTER, channelId: CHANNEL });
      await reply(stack, /The link went to the customer through Genesys SMS session/);
      const [pushed] = stack.genesys.operations;
      assert.equal(pushed?.operationName, 'SendUrl');
      assert.equal(pushed?.smsSessionId, SANDBOX_GENESYS.smsSession);
      const [meet] = [...stack.conpeek.meets.values()];
      assert.equal(pushed?.url, meet?.url);
    });

    it('adds one room invitation per meeting participant, names masked', async () => {
      await stack.requester.slash('meet +33612345678, jane@example.com conpeek "Site visit"', { userId: STARTER, channelId: CHANNEL });
      await reply(stack, /2 invitations added/);
      assert.deepEqual(
        stack.conpeek.invitations.map((invitation) => invitation.name),
        ['+33 6•• •• •• 78', 'j•••@example.com'],
      );
    });
  });

  describe('Imbee', () => {
    it('issues a web-chat link that Imbee e-mails, and shows it to the starter', async () => {
      await stack.requester.slash('jane@example.com imbee ref:CASE-I', { userId: STARTER, channelId: CHANNEL });
      await reply(stack, /Imbee sent the web-chat link by e-mail to j•••@example.com/);
      const [token] = stack.imbee.tokens;
      assert.equal(token?.mail, 'jane@example.com');
      assert.ok(token && !token.virtualUser.includes('jane'), 'the virtual user is not the address');
      await ephemeral(stack, /Web-chat link for \*CASE-I\*/);
    });

    it('refuses SMS without a phone, with no call', async () => {
      const ack = await stack.requester.slash('jane@example.com imbee sms');
      assert.match(ack.body.text, /sms|SMS/);
      assert.equal(stack.imbee.requests.length, 0);
    });
  });

  describe('Genesys', () => {
    it('brings a colleague into the SMS session and records the asynchronous outcome', async () => {
      const target = stack.genesys.targets[0]!;
      await stack.requester.slash(`genesys ${SANDBOX_GENESYS.smsSession} ${target}`, { userId: STARTER, channelId: CHANNEL });
      await reply(stack, /Genesys accepted the request to bring agent-2/);
      await reply(stack, /Genesys brought agent-2 into the SMS session/);
      const [operation] = stack.genesys.operations;
      assert.equal(operation?.operationName, 'Invite');
      assert.equal(operation?.targetUri, target);
      await stack.slack.waitFor('chat.update', (call) => JSON.stringify(call.args.blocks).includes('In progress'));
    });

    it('says plainly when Genesys does not know the SMS session', async () => {
      await stack.requester.slash(`genesys UNKNOWN0001 ${stack.genesys.targets[0]}`);
      const update = await stack.slack.waitFor('chat.update', (call) => JSON.stringify(call.args.blocks).includes('Failed'));
      assert.match(JSON.stringify(update.args.blocks), /Genesys/);
      assert.equal(stack.genesys.operations.length, 0);
    });

    it('posts the CometD error outcome for an unknown colleague', async () => {
      await stack.requester.slash(`genesys ${SANDBOX_GENESYS.smsSession} ${stack.genesys.url}/api/v2/users/nobody`);
      await reply(stack, /Genesys could not bring nobody in/);
    });
  });

  describe('Apizee meetings', () => {
    it('creates a conference, shows the dial-in, follows it, and posts the recording', async () => {
      await stack.requester.slash('meet jane@example.com, +33612345678 "Weekly review"', { userId: STARTER, channelId: CHANNEL });
      await reply(stack, /Apizee invited 2 participants/);
      const card = await stack.slack.waitFor('chat.update', (call) => JSON.stringify(call.args.blocks).includes('Dial-in'));
      assert.match(JSON.stringify(card.args.blocks), /Scheduled/);
      const [conference] = [...stack.apizee.conferences.values()];
      assert.ok(conference);
      const created = stack.apizee.requests.find((request) => request.method === 'POST' && request.path === '/api/conferences');
      assert.equal(created?.query.participants, 'jane@example.com,+33612345678');
      await ephemeral(stack, /Room link/);
      stack.apizee.setConferenceStatus(conference.id, 'ongoing');
      await reply(stack, /meeting started/);
      stack.apizee.addConferenceRecording(conference.id, { title: 'composite', filesize: 2270386 });
      stack.apizee.setConferenceStatus(conference.id, 'ended');
      await reply(stack, /session ended after/);
      const media = await reply(stack, /from the session/);
      assert.match(JSON.stringify(media.args.blocks), /2\.2 MB/);
    });
  });

  it('lists the configured vendors with what each can do', async () => {
    const response = await stack.requester.slash('vendors');
    for (const vendor of ['Apizee', 'Blitzz', 'Conpeek', 'Imbee', 'Genesys']) assert.match(response.body.text, new RegExp(`\\*${vendor}\\*`));
    assert.match(response.body.text, /not called since the app started/);
    assert.equal(vendorCalls(stack), 0);
  });

  it('finds sessions by reference with links to their cards', async () => {
    await stack.requester.slash('+33612345678 ref:CASE-S', { userId: STARTER, channelId: CHANNEL });
    await reply(stack, /sent the invitation/);
    await stack.requester.slash('status CASE-S');
    const status = await ephemeral(stack, /Sessions with the reference CASE-S/);
    assert.match(status.args.text, /open the card/);
    await eventually('one thread reply only', () => replies(stack).length === 1);
  });
});

describe('e2e: stats', function () {
  this.timeout(20_000);
  let stack: LocalStack;
  beforeEach(async () => {
    stack = await startLocalStack({ apizeeRatePerMinute: 60, vendors: ['apizee', 'blitzz'] });
  });
  afterEach(async () => {
    await stack.close();
  });

  it("sums up local sessions with Apizee's tickets-stats, in Block Kit", async () => {
    await stack.requester.slash('+33612345678 ref:ST-1');
    await stack.requester.slash('+33612345679 blitzz');
    await eventually('two invitations', () => replies(stack).filter((call) => /sent the invitation/.test(call.args.text)).length === 2);
    await stack.requester.slash('stats');
    const answer = await stack.slack.waitFor('response_url', (call) => Array.isArray(call.args.blocks) && /Rendezvous usage/.test(call.args.text ?? ''));
    const json = JSON.stringify(answer.args.blocks);
    assert.match(json, /\*Apizee\*: 📨 Invited, waiting for the guest: 1/);
    assert.match(json, /\*Blitzz\*: 📨 Invitation sent: 1/);
    assert.match(json, /Apizee's own figures.*1 tickets/);
    assert.ok(stack.apizee.requests.some((request) => /tickets-stats$/.test(request.path)));
  });

  it('refuses a bad date with usage', async () => {
    const response = await stack.requester.slash('stats 2026-13-01');
    assert.match(response.body.text, /2026-13-01/);
  });
});
