import assert from 'node:assert/strict';
import { startLocalStack, type LocalStack } from '../../sandbox/local-stack.js';
import type { FakeSlackCall, SlackArgs } from '../../sandbox/slack-api.js';
import { ACTION, CALLBACK } from '../../src/ui/ids.js';

const STARTER = 'U0AGENT';
const COLLEAGUE = 'U0OTHER';
const ADMIN = 'U0ADMIN';
const MASKED = '+33 6•• •• •• 78';

function homeOpened(user: string, tab = 'home'): SlackArgs {
  return { type: 'app_home_opened', user, channel: `D0${user.slice(2)}`, tab, event_ts: (Date.now() / 1000).toFixed(6) };
}

const publishedFor = (user: string) => (call: FakeSlackCall) => call.args.user_id === user;

describe('e2e: the App Home', function () {
  this.timeout(20_000);
  let stack: LocalStack;
  let cardTs: string;

  beforeEach(async () => {
    stack = await startLocalStack({ apizeeRatePerMinute: 60, env: { TRACK_INTERVAL_SECONDS: '30' }, slack: { admins: [ADMIN] } });
    await stack.requester.slash('+33612345678 ref:CASE-7', { userId: STARTER, channelId: 'C0SUPPORT' });
    await stack.slack.waitFor('chat.update', (call) => JSON.stringify(call.args.blocks).includes('Customer link'));
    cardTs = stack.slack.callsTo('chat.postMessage').find((call) => !call.args.thread_ts)!.response.ts;
  });
  afterEach(async () => {
    await stack.close();
  });

  it('publishes the starter’s session, with the card’s permalink, on app_home_opened', async () => {
    const response = await stack.requester.event(homeOpened(STARTER), { eventId: 'Ev0HOME0001' });
    assert.equal(response.status, 200);
    const publish = await stack.slack.waitFor('views.publish', publishedFor(STARTER));
    assert.equal(publish.response.ok, true, JSON.stringify(publish.response));
    assert.deepEqual(stack.slack.rejections, []);
    assert.equal(publish.args.view.type, 'home');
    const json = JSON.stringify(publish.args.view.blocks);
    const permalink = `https://${stack.slack.teamDomain}.slack.com/archives/C0SUPPORT/p${cardTs.replace('.', '')}`;
    assert.ok(json.includes('`CASE-7`'), json);
    assert.ok(json.includes('Apizee video assistance'), json);
    assert.ok(json.includes(MASKED), json);
    assert.ok(json.includes(`<${permalink}|open the card>`), json);
    assert.ok(json.includes(ACTION.homeStartSession), json);
    assert.match(json, /\*Apizee\* — ✅ last call worked/);
    assert.ok(!json.includes('612345678'), 'no contact in clear');
    assert.ok(!json.includes('*Vendors*'), 'not an admin');
    assert.equal(stack.slack.lastView(STARTER)?.type, 'home');
  });

  it('ignores a retry of the same event, and the messages tab', async () => {
    await stack.requester.event(homeOpened(STARTER), { eventId: 'Ev0HOME0002' });
    await stack.slack.waitFor('views.publish', publishedFor(STARTER));
    const retry = await stack.requester.event(homeOpened(STARTER), { eventId: 'Ev0HOME0002', retryNum: 1 });
    assert.equal(retry.status, 200, 'a retry is still acknowledged');
    await stack.requester.event(homeOpened(STARTER, 'messages'), { eventId: 'Ev0HOME0003' });
    // A fresh event afterwards: once its publish is in, the retry and the messages tab had their chance.
    await stack.requester.event(homeOpened(STARTER), { eventId: 'Ev0HOME0004' });
    await stack.slack.waitFor('views.publish', () => stack.slack.callsTo('views.publish').length >= 2);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(stack.slack.callsTo('views.publish').length, 2, stack.slack.callsTo('views.publish').map((call) => call.args.user_id).join(','));
  });

  it('shows each user only their own sessions, and admins the configuration', async () => {
    await stack.requester.event(homeOpened(COLLEAGUE));
    const colleague = JSON.stringify((await stack.slack.waitFor('views.publish', publishedFor(COLLEAGUE))).args.view.blocks);
    assert.ok(!colleague.includes('CASE-7'), colleague);
    assert.match(colleague, /Nothing in progress/);
    assert.ok(!colleague.includes('*Vendors*'), colleague);

    await stack.requester.event(homeOpened(ADMIN));
    const admin = JSON.stringify((await stack.slack.waitFor('views.publish', publishedFor(ADMIN))).args.view.blocks);
    assert.match(admin, /\*Vendors\* \(only admins see this\)/);
    assert.match(admin, /\*Apizee\* — the default account/);
    assert.ok(!admin.includes('sandbox-secret'), 'no credential shown');
    assert.deepEqual(stack.slack.rejections, []);
  });

  /** The Home tab's "Start a remote session" button, clicked by the starter. */
  const homeStartClick = (home: SlackArgs) =>
    stack.requester.viewButton({ view: home, userId: STARTER, actionId: ACTION.homeStartSession, blockId: 'home_actions', text: 'Start a remote session', style: 'primary' });

  it('opens the invite modal from the Home button', async () => {
    await stack.requester.event(homeOpened(STARTER));
    await stack.slack.waitFor('views.publish', publishedFor(STARTER));
    const home = stack.slack.lastView(STARTER)!;
    const click = homeStartClick(home);
    const response = await stack.requester.interaction(click);
    assert.equal(response.status, 200);
    const open = await stack.slack.waitFor('views.open');
    assert.equal(open.response.ok, true, JSON.stringify(open.response));
    assert.equal(open.args.trigger_id, click.trigger_id);
    assert.equal(open.args.view.callback_id, CALLBACK.inviteModal);
    assert.equal(stack.slack.lastView(STARTER)?.callback_id, CALLBACK.inviteModal);
    assert.deepEqual(stack.slack.rejections, []);
  });

  it('says by direct message to try again when Slack throttles views.open past the Home button’s trigger', async () => {
    await stack.requester.event(homeOpened(STARTER));
    await stack.slack.waitFor('views.publish', publishedFor(STARTER));
    stack.slack.failNext('views.open', 'ratelimited', { status: 429, retryAfter: 5 });
    const response = await stack.requester.interaction(homeStartClick(stack.slack.lastView(STARTER)!));
    assert.equal(response.status, 200);
    const told = await stack.slack.waitFor('chat.postMessage', (call) => call.args.channel === STARTER);
    assert.match(String(told.args.text), /did not let Rendezvous open the invite form in time\. Click "Start a remote session" again/);
  });
});
