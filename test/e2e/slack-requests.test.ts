import assert from 'node:assert/strict';
import { startLocalStack, type LocalStack } from '../../sandbox/local-stack.js';
import { signRequest } from '../../sandbox/slack-requests.js';
import { timestampAcceptable } from '../../src/http/slack-receiver.js';
import { ACTION } from '../../src/ui/ids.js';

const CHANNEL = 'C0SUPPORT';
const STARTER = 'U0AGENT';
const OTHER = 'U0OTHER';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

describe('e2e: Slack requests (timestamps both ways, no response_url)', function () {
  this.timeout(30_000);
  let stack: LocalStack;

  before(async () => {
    stack = await startLocalStack({ vendors: ['conpeek'] });
  });
  after(async () => {
    await stack.close();
  });
  beforeEach(() => stack.slack.reset());

  /** A slash command exactly as Slack posts it, but with no `response_url` (Slack may send none). */
  function commandWithoutResponseUrl(text: string, userId = STARTER): string {
    return new URLSearchParams({
      token: 'legacy-verification-token',
      team_id: stack.slack.teamId,
      team_domain: 'rendezvous-sandbox',
      channel_id: CHANNEL,
      channel_name: 'support',
      user_id: userId,
      user_name: 'agent',
      command: '/rendezvous',
      text,
      api_app_id: stack.slack.appId,
      is_enterprise_install: 'false',
      trigger_id: stack.slack.triggerId(userId),
    }).toString();
  }

  const helpCommand = () => commandWithoutResponseUrl('help');
  const signedAt = (body: string, offsetSeconds: number) =>
    stack.requester.raw(body, { ...FORM, ...signRequest(stack.signingSecret, body, Math.floor(Date.now() / 1000) + offsetSeconds) });
  const nonAuthCalls = () => stack.slack.calls.filter((call) => call.method !== 'auth.test');

  it('refuses a correctly signed request dated 10 minutes ahead (401), and does nothing', async () => {
    const response = await signedAt(helpCommand(), 10 * 60);
    assert.equal(response.status, 401);
    assert.equal(response.body, '');
    assert.deepEqual(nonAuthCalls(), []);
  });

  it('refuses one dated 10 minutes ago (401)', async () => {
    const response = await signedAt(helpCommand(), -10 * 60);
    assert.equal(response.status, 401);
  });

  it('accepts one dated 4 minutes ahead, and one 4 minutes ago', async () => {
    for (const offset of [4 * 60, -4 * 60]) {
      const response = await signedAt(helpCommand(), offset);
      assert.equal(response.status, 200, `offset ${offset} s`);
      assert.match(response.body.text, /rendezvous/i);
    }
  });

  it('refuses a forged signature dated 4 minutes ahead: Bolt still verifies what passes the date check', async () => {
    const body = helpCommand();
    const headers = signRequest('not-the-secret', body, Math.floor(Date.now() / 1000) + 4 * 60);
    assert.equal((await stack.requester.raw(body, { ...FORM, ...headers })).status, 401);
  });

  it('creates a session from a command without response_url; its ephemeral answers come by chat.postEphemeral', async () => {
    const response = await signedAt(commandWithoutResponseUrl('+33612345678 conpeek ref:NO-URL-1'), 0);
    assert.equal(response.status, 200);
    assert.match(response.body.text, /Creating the Conpeek session/);
    // Conpeek's link goes to the starter only: the private note, by the Web API this time.
    const note = await stack.slack.waitFor('chat.postEphemeral', (call) => /Conpeek link for \*NO-URL-1\*/.test(call.args.text ?? ''));
    assert.equal(note.args.channel, CHANNEL);
    assert.equal(note.args.user, STARTER);
    await stack.slack.waitFor('chat.update', (call) => JSON.stringify(call.args.blocks).includes('Link ready'));
    assert.equal(stack.slack.callsTo('response_url').length, 0);
  });

  it('answers a status command without response_url by chat.postEphemeral', async () => {
    const response = await signedAt(commandWithoutResponseUrl('status NOPE-42'), 0);
    assert.equal(response.status, 200);
    const answer = await stack.slack.waitFor('chat.postEphemeral', (call) => /NOPE-42/.test(call.args.text ?? ''));
    assert.equal(answer.args.user, STARTER);
  });

  it('answers a card button clicked without response_url by chat.postEphemeral', async () => {
    await stack.requester.slash('+33612345678 conpeek ref:NO-URL-2', { userId: STARTER, channelId: CHANNEL });
    const card = await stack.slack.waitFor('chat.update', (call) => /NO-URL-2/.test(JSON.stringify(call.args.blocks)) && JSON.stringify(call.args.blocks).includes('Cancel'));
    const sessionId = JSON.stringify(card.args.blocks).match(/"value":"([0-9a-f-]{36})"/)![1]!;
    const payload = stack.requester.blockAction({ actionId: ACTION.cancel, value: sessionId, userId: OTHER, channelId: CHANNEL, messageTs: card.args.ts });
    delete payload.response_url;
    const response = await stack.requester.interaction(payload);
    assert.equal(response.status, 200);
    const refusal = await stack.slack.waitFor('chat.postEphemeral', (call) => /Only <@U0AGENT>/.test(call.args.text ?? ''));
    assert.equal(refusal.args.user, OTHER);
    assert.equal(refusal.args.channel, CHANNEL);
  });
});

describe('timestampAcceptable', () => {
  const now = 1_700_000_000_000;
  const at = (offsetSeconds: number) => String(now / 1000 + offsetSeconds);

  it('accepts up to 5 minutes either way, and refuses beyond', () => {
    assert.deepEqual(
      [-301, -300, 0, 300, 301, 600].map((offset) => timestampAcceptable(at(offset), now)),
      [false, true, true, true, false, false],
    );
  });

  it("leaves a missing or malformed header to Bolt's verification, which refuses it", () => {
    assert.equal(timestampAcceptable(undefined, now), true);
    assert.equal(timestampAcceptable('soon', now), true);
  });
});
