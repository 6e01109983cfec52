import assert from 'node:assert/strict';
import { APIZEE_SANDBOX_PORTAL_URL } from '../../sandbox/apizee.js';
import { startLocalStack, type LocalStack } from '../../sandbox/local-stack.js';
import type { FakeSlackCall } from '../../sandbox/slack-api.js';
import { eventually } from '../helpers/eventually.js';

const CHANNEL = 'C0SUPPORT';
const ELSEWHERE = 'C0FIELD';
const AGENT = 'U0AGENT';
const OTHER_TEAM = 'T0OTHER';

const unfurlCalls = (stack: LocalStack) => stack.slack.callsTo('chat.unfurl');
const unfurlJson = (call: FakeSlackCall, url: string) => JSON.stringify(call.args.unfurls[url]);
const at = (place: { channel: string; messageTs: string }) => (call: FakeSlackCall) => call.args.channel === place.channel && call.args.ts === place.messageTs;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('e2e: live unfurls of agent-side links', function () {
  this.timeout(40_000);
  let stack: LocalStack;
  let agentUrl: string;
  let ticketId: number;
  let ssoUrl: string;
  let customerUrl: string;

  beforeEach(async () => {
    // Tracking four times a second, and Apizee at 240 a minute: the ticket's life is followed sooner.
    stack = await startLocalStack({ apizeeRatePerMinute: 240, vendors: ['apizee'], env: { TRACK_INTERVAL_SECONDS: '0.25' } });
    await stack.requester.slash('+33 6 12 34 56 78 apizee ref:CASE-77', { userId: AGENT, channelId: CHANNEL });
    await stack.slack.waitFor('chat.update', (call) => JSON.stringify(call.args.blocks).includes('Invited'), 10_000);
    const [ticket] = [...stack.apizee.tickets.values()];
    assert.ok(ticket);
    ticketId = ticket.id;
    agentUrl = `${APIZEE_SANDBOX_PORTAL_URL}/entrypoint/${ticket.buttonId}/tickets/${ticket.id}`;
    customerUrl = ticket.requestorUrl;
    const sso = await stack.slack.waitFor('response_url', (call) => /agent link/.test(call.args.text ?? ''));
    ssoUrl = /<(https:[^|>]*access_token=[^|>]*)\|/.exec(sso.args.text)![1]!;
  });
  afterEach(async () => {
    await stack.close();
  });

  it('unfurls a pasted agent link with the live status, then again when the session changes, once per change', async () => {
    const { response, place } = await stack.requester.linkShared({ urls: [agentUrl], channelId: ELSEWHERE, userId: 'U0COLLEAGUE' });
    assert.equal(response.status, 200);
    const first = await stack.slack.waitFor('chat.unfurl', at(place));
    assert.deepEqual(Object.keys(first.args.unfurls), [agentUrl]);
    const shown = unfurlJson(first, agentUrl);
    for (const words of ['Invited, waiting for the guest', 'Apizee', 'CASE-77', '+33 6•• •• •• 78', 'not started', 'none yet', 'Open the card']) assert.ok(shown.includes(words), `${words} in ${shown}`);
    assert.ok(!shown.includes('612345678'), 'the unfurl never shows the phone number');
    // The button opens the card, by its permalink (chat.getPermalink of the card's ts).
    const card = stack.slack.callsTo('chat.postMessage').find((call) => !call.args.thread_ts)!;
    const permalink = stack.slack.callsTo('chat.getPermalink').find((call) => call.args.message_ts === card.response.ts);
    assert.ok(permalink, 'the permalink was asked for');
    assert.ok(shown.includes(permalink.response.permalink), shown);
    assert.deepEqual(stack.slack.unfurlsOf({ channel: place.channel, ts: place.messageTs })[agentUrl], first.args.unfurls[agentUrl]);

    stack.apizee.setTicketState(ticketId, 'inprogress');
    const joined = await stack.slack.waitFor('chat.unfurl', (call) => at(place)(call) && unfurlJson(call, agentUrl).includes('In progress'), 8000);
    assert.match(unfurlJson(joined, agentUrl), /in progress since/);
    // Tracking goes on polling (four passes a second): no change, no refresh.
    await sleep(1200);
    assert.equal(unfurlCalls(stack).filter(at(place)).length, 2, 'one unfurl, one refresh for the one change');

    stack.apizee.completeWithMedia(ticketId);
    await stack.slack.waitFor('chat.unfurl', (call) => at(place)(call) && /Ended/.test(unfurlJson(call, agentUrl)) && /Photos and recordings\*\\n2/.test(unfurlJson(call, agentUrl)), 10_000);
    // The permalink is cached: asked once for the card, whatever the refreshes.
    assert.equal(stack.slack.callsTo('chat.getPermalink').filter((call) => call.args.message_ts === card.response.ts).length, 1);
    assert.deepEqual(stack.slack.rejections, []);
  });

  it('never unfurls customer, single-use or meeting links, unknown tickets, or another workspace’s session', async () => {
    const meetingUrl = 'https://meet.apizee.example/private/7a3dc7993234907508525829e02f2388/ae226154999f5d50f9e6f909e27c5113';
    const unknown = `${APIZEE_SANDBOX_PORTAL_URL}/entrypoint/223/tickets/99999999`;
    const withQuery = `${agentUrl}?access_token=abc`;
    const other = await stack.requesterFor(OTHER_TEAM).linkShared({ urls: [agentUrl], channelId: 'C0THEIRS' });
    assert.equal(other.response.status, 200);
    const mixed = await stack.requester.linkShared({ urls: [customerUrl, ssoUrl, meetingUrl, unknown, withQuery, agentUrl], channelId: ELSEWHERE });
    const call = await stack.slack.waitFor('chat.unfurl', at(mixed.place));
    assert.deepEqual(Object.keys(call.args.unfurls), [agentUrl], 'only the agent link of this workspace’s session');
    const only = await stack.requester.linkShared({ urls: [customerUrl, ssoUrl, meetingUrl, unknown], channelId: ELSEWHERE });
    assert.equal(only.response.status, 200);
    await sleep(800);
    assert.equal(unfurlCalls(stack).filter(at(other.place)).length, 0, 'another workspace never sees this session');
    assert.equal(unfurlCalls(stack).filter(at(only.place)).length, 0, 'nothing to unfurl, no call');
    for (const made of unfurlCalls(stack)) {
      const json = JSON.stringify(made.args);
      assert.ok(!json.includes('access_token=ey') && !json.includes('pwd='), 'no single-use or customer link in any unfurl');
    }
  });

  it('unfurls in the composer by unfurl_id, and forgets an unfurl whose message was deleted', async () => {
    const composer = await stack.requester.linkShared({ urls: [agentUrl], source: 'composer' });
    const drafted = await stack.slack.waitFor('chat.unfurl', (call) => call.args.unfurl_id === composer.place.unfurlId);
    assert.equal(drafted.args.source, 'composer');
    assert.equal(drafted.args.channel, undefined);
    assert.ok(unfurlJson(drafted, agentUrl).includes('Invited'));

    const posted = await stack.requester.linkShared({ urls: [agentUrl], channelId: ELSEWHERE });
    await stack.slack.waitFor('chat.unfurl', at(posted.place));
    stack.slack.deleteUserMessage(posted.place.channel, posted.place.messageTs);

    stack.apizee.setTicketState(ticketId, 'inprogress');
    const refused = await stack.slack.waitFor('chat.unfurl', (call) => at(posted.place)(call) && call.response.ok === false, 8000);
    assert.equal(refused.response.error, 'message_not_found');
    await stack.slack.waitFor('chat.unfurl', (call) => call.args.unfurl_id === composer.place.unfurlId && unfurlJson(call, agentUrl).includes('In progress'), 8000);
    const rows = () => stack.app.database.db.selectFrom('link_unfurls').select(['channel_id', 'unfurl_id']).execute();
    await eventually('the deleted message’s unfurl is forgotten', async () => (await rows()).length === 1);
    assert.deepEqual(await rows(), [{ channel_id: null, unfurl_id: composer.place.unfurlId }]);

    stack.apizee.completeWithMedia(ticketId);
    await stack.slack.waitFor('chat.unfurl', (call) => call.args.unfurl_id === composer.place.unfurlId && unfurlJson(call, agentUrl).includes('Ended'), 10_000);
    assert.equal(unfurlCalls(stack).filter(at(posted.place)).length, 2, 'never tried again once Slack said it was gone');
  });
});
