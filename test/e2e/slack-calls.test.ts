/**
 * Issue 12, first piece: an Apizee meeting shown as a Slack call when its starter asks (`call`
 * in the command, or the modal's checkbox), through signed requests against the Slack stand-in
 * and the Apizee sandbox. Without the option the meeting's room link never reaches the channel.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, type Rendezvous } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { ACTION, CALLBACK, INPUT } from '../../src/ui/ids.js';
import { SLACK_CALL_VALUE } from '../../src/ui/invite-modal.js';
import { sandboxEnvironment, startLocalStack, startSandboxes, type LocalStack, type Sandboxes } from '../../sandbox/local-stack.js';
import type { FakeSlackApi, FakeSlackCall } from '../../sandbox/slack-api.js';
import { SlackRequester } from '../../sandbox/slack-requests.js';
import { eventually } from '../helpers/eventually.js';

const CHANNEL = 'C0SUPPORT';
const AGENT = 'U0AGENT';

function threadReply(slack: FakeSlackApi, pattern: RegExp, timeoutMs = 8000) {
  return slack.waitFor('chat.postMessage', (call) => Boolean(call.args.thread_ts) && pattern.test(call.args.text ?? ''), timeoutMs);
}

/** The session id a card's buttons carry (its Refresh button's value). */
function sessionIdOnCard(slack: FakeSlackApi): string {
  // The card posted while creating has no buttons yet; its updates do.
  const actions = slack.calls
    .filter((call) => (call.method === 'chat.postMessage' || call.method === 'chat.update') && !call.args.thread_ts && /video meeting/.test(call.args.text ?? ''))
    .flatMap((call) => call.args.blocks ?? [])
    .find((block: { type: string }) => block.type === 'actions');
  const refresh = actions?.elements.find((element: { action_id: string }) => element.action_id === ACTION.refresh);
  assert.ok(refresh?.value, 'the card carries its session id');
  return refresh.value;
}

function callsApiCalls(slack: FakeSlackApi): FakeSlackCall[] {
  return slack.calls.filter((call) => call.method.startsWith('calls.'));
}

/** Every Slack call that carried one of these links, as `method` (`response_url` for answers to the starter). */
function callsCarrying(slack: FakeSlackApi, links: string[]): FakeSlackCall[] {
  return slack.calls.filter((call) => links.some((link) => JSON.stringify(call.args).includes(link)));
}

/** Only the starter ever sees the link privately: an ephemeral, or an ephemeral answer on the command's response_url. */
function privateToStarter(call: FakeSlackCall): boolean {
  if (call.method === 'chat.postEphemeral') return call.args.user === AGENT;
  if (call.method === 'response_url') return call.args.response_type !== 'in_channel';
  return false;
}

async function quietFor(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

describe('e2e: Apizee meetings as Slack calls', function () {
  this.timeout(40_000);
  let stack: LocalStack;

  beforeEach(async () => {
    stack = await startLocalStack({ apizeeRatePerMinute: 240, vendors: ['apizee', 'conpeek'], env: { TRACK_INTERVAL_SECONDS: '0.25' } });
  });
  afterEach(async () => {
    await stack.close();
    assert.deepEqual(stack.slack.rejections, []);
  });

  it('registers the meeting with calls.add, shows it on the card, follows it with calls.update and ends it with its duration', async () => {
    await stack.requester.slash('meet jane@example.com, +33612345678 apizee call "Site survey"', { userId: AGENT, channelId: CHANNEL });
    const added = await stack.slack.waitFor('calls.add', undefined, 8000);
    const [conference] = [...stack.apizee.conferences.values()];
    assert.ok(conference);
    const sessionId = sessionIdOnCard(stack.slack);
    assert.equal(added.args.external_unique_id, sessionId);
    assert.equal(added.args.join_url, conference.url);
    assert.equal(added.args.created_by, AGENT);
    // A meeting takes no ref:, so its reference is the one Rendezvous made (RDV-…), shown on the card.
    const reference: string = added.args.external_display_id;
    assert.match(reference, /^RDV-[A-Z2-7]{8}$/);
    assert.ok(stack.slack.callsTo('chat.postMessage').some((call) => (call.args.text ?? '').includes(reference)));
    assert.equal(added.args.title, `Apizee video meeting · ${reference} · Scheduled, waiting for participants`);
    assert.ok(Number.isInteger(Number(added.args.date_start)) && Math.abs(Number(added.args.date_start) - Date.now() / 1000) < 60);
    const callId: string = added.response.call.id;
    assert.match(callId, /^R/);

    // The card carries the call block with Slack's call id (the stand-in refuses unknown ids).
    const withCall = await stack.slack.waitFor(
      'chat.update',
      (call) => (call.args.blocks ?? []).some((block: { type: string; call_id?: string }) => block.type === 'call' && block.call_id === callId),
      8000,
    );
    assert.equal(withCall.args.channel, CHANNEL);

    // Tracking learns the meeting started: the call's title follows, once.
    stack.apizee.setConferenceStatus(conference.id, 'ongoing');
    const updated = await stack.slack.waitFor('calls.update', undefined, 8000);
    assert.equal(updated.args.id, callId);
    assert.equal(updated.args.title, `Apizee video meeting · ${reference} · In progress`);
    await threadReply(stack.slack, /meeting started/);

    stack.apizee.setConferenceStatus(conference.id, 'ended');
    const ended = await stack.slack.waitFor('calls.end', undefined, 8000);
    assert.equal(ended.args.id, callId);
    const duration = Number(ended.args.duration);
    assert.ok(Number.isInteger(duration) && duration >= 0 && duration < 30, `duration ${ended.args.duration}`);
    assert.equal(stack.slack.callsApi.get(callId)?.duration, duration);

    // Several tracking passes later: one add, one update (nothing else changed), one end.
    await quietFor(1500);
    const methods = callsApiCalls(stack.slack).map((call) => call.method);
    assert.deepEqual(methods, ['calls.add', 'calls.update', 'calls.end']);
    // The link reached Slack only as the call's join_url, and privately to the starter.
    const carrying = callsCarrying(stack.slack, [conference.url, conference.shortUrl]);
    assert.ok(carrying.every((call) => call.method === 'calls.add' || privateToStarter(call)), carrying.map((call) => call.method).join(','));
  });

  it('ends the call when the starter cancels the meeting, with no duration since it never started', async () => {
    await stack.requester.slash('meet jane@example.com apizee call "Cancelled survey"', { userId: AGENT, channelId: CHANNEL });
    const added = await stack.slack.waitFor('calls.add', undefined, 8000);
    const callId: string = added.response.call.id;
    await stack.slack.waitFor('chat.update', (call) => (call.args.blocks ?? []).some((block: { call_id?: string }) => block.call_id === callId), 8000);
    const card = stack.slack.callsTo('chat.postMessage').find((call) => !call.args.thread_ts)!;
    const cardTs: string = card.response.ts;
    await stack.requester.interaction(stack.requester.blockAction({ actionId: ACTION.cancel, value: sessionIdOnCard(stack.slack), userId: AGENT, channelId: CHANNEL, messageTs: cardTs }));
    const ended = await stack.slack.waitFor('calls.end', undefined, 8000);
    assert.equal(ended.args.id, callId);
    assert.equal(ended.args.duration, undefined);
    await quietFor(800);
    assert.deepEqual(callsApiCalls(stack.slack).map((call) => call.method), ['calls.add', 'calls.end']);
  });

  it('never puts the room link of a meeting without the option in the channel, and makes no calls.* call', async () => {
    await stack.requester.slash('meet jane@example.com, +33612345678 "Quiet survey"', { userId: AGENT, channelId: CHANNEL });
    await threadReply(stack.slack, /Apizee invited 2 participants/);
    const [conference] = [...stack.apizee.conferences.values()];
    assert.ok(conference);
    stack.apizee.setConferenceStatus(conference.id, 'ongoing');
    await threadReply(stack.slack, /meeting started/);
    stack.apizee.setConferenceStatus(conference.id, 'ended');
    await threadReply(stack.slack, /session ended after/);
    await quietFor(1000);

    assert.deepEqual(callsApiCalls(stack.slack), []);
    const carrying = callsCarrying(stack.slack, [conference.url, conference.shortUrl]);
    assert.ok(carrying.length > 0, 'the starter got the room link privately');
    assert.ok(carrying.every(privateToStarter), carrying.map((call) => `${call.method} ${JSON.stringify(call.args).slice(0, 120)}`).join('\n'));
    // The card has no call block and no button carrying the link.
    for (const call of stack.slack.calls.filter((item) => item.method === 'chat.postMessage' || item.method === 'chat.update')) {
      assert.ok(!(call.args.blocks ?? []).some((block: { type: string }) => block.type === 'call'));
    }
  });

  it('refuses `call` where it does not apply, in plain words', async () => {
    const oneToOne = await stack.requester.slash('+33612345678 call', { userId: AGENT, channelId: CHANNEL });
    assert.match(oneToOne.body.text, /`call` shows a meeting as a Slack call: use it with `meet`/);
    const conpeek = await stack.requester.slash('meet jane@example.com conpeek call', { userId: AGENT, channelId: CHANNEL });
    assert.match(conpeek.body.text, /Conpeek meetings cannot be shown as a Slack call/);
    await quietFor(500);
    assert.equal(stack.apizee.conferences.size, 0);
    assert.equal(stack.conpeek.requests.length, 0);
    assert.deepEqual(callsApiCalls(stack.slack), []);
  });

  it('offers the option in the modal for Apizee meetings only, and honours it when ticked', async () => {
    await stack.requester.slash('', { userId: AGENT, channelId: CHANNEL });
    const open = await stack.slack.waitFor('views.open');
    const choose = async (actionId: string, block: string, value: string, view: { id: string; hash: string; private_metadata: string }) => {
      const response = await stack.requester.interaction({
        type: 'block_actions',
        team: { id: 'T0001', domain: 'sandbox' },
        user: { id: AGENT, username: 'agent', team_id: 'T0001' },
        api_app_id: 'A0RENDEZVOUS',
        trigger_id: 'trigger',
        container: { type: 'view', view_id: view.id },
        view: { ...view, type: 'modal', callback_id: CALLBACK.inviteModal, state: { values: {} } },
        actions: [{ type: 'static_select', action_id: actionId, block_id: block, selected_option: { value }, action_ts: '1' }],
      });
      assert.equal(response.status, 200);
      return stack.slack.waitFor('views.update', (call) => call.args.view_id === view.id && call.args.view.private_metadata.includes(`"vendor":"${value === 'meeting' ? 'apizee' : value}"`));
    };
    const ids = (blocks: Array<{ block_id: string }>) => blocks.map((block) => block.block_id);
    assert.ok(!ids(open.args.view.blocks).includes(INPUT.slackCall.block), 'not on a one-to-one ticket');
    const meeting = await choose(ACTION.kindSelect, INPUT.kind.block, 'meeting', open.response.view);
    const option = meeting.args.view.blocks.find((block: { block_id: string }) => block.block_id === INPUT.slackCall.block);
    assert.ok(option, 'offered on an Apizee meeting');
    assert.equal(option.element.options[0].text.text, 'Show as a Slack call in this channel');
    assert.match(option.element.options[0].description.text, /Anyone in the channel can then join/);
    assert.equal(option.optional, true);
    // Conpeek room invitations carry no shared room link: not offered.
    const conpeek = await choose(ACTION.vendorSelect, INPUT.vendor.block, 'conpeek', meeting.response.view);
    assert.ok(!ids(conpeek.args.view.blocks).includes(INPUT.slackCall.block), ids(conpeek.args.view.blocks).join(','));

    const submitted = await stack.requester.interaction(
      stack.requester.viewSubmission({
        callbackId: CALLBACK.inviteModal,
        privateMetadata: JSON.stringify({ vendor: 'apizee', meeting: true }),
        values: {
          [INPUT.participants.block]: { [INPUT.participants.action]: { type: 'plain_text_input', value: 'jane@example.com' } },
          [INPUT.meetingName.block]: { [INPUT.meetingName.action]: { type: 'plain_text_input', value: 'Boiler check' } },
          [INPUT.slackCall.block]: { [INPUT.slackCall.action]: { type: 'checkboxes', selected_options: [{ value: SLACK_CALL_VALUE }] } },
          [INPUT.conversation.block]: { [INPUT.conversation.action]: { type: 'conversations_select', selected_conversation: CHANNEL } },
        },
      }),
    );
    assert.equal(submitted.status, 200);
    const added = await stack.slack.waitFor('calls.add', undefined, 8000);
    const [conference] = [...stack.apizee.conferences.values()];
    assert.equal(added.args.join_url, conference?.url);
  });

  it('waits as Slack asks when calls.add answers 429, and registers the call once', async () => {
    stack.slack.failNext('calls.add', 'ratelimited', { status: 429, retryAfter: 1 });
    await stack.requester.slash('meet jane@example.com apizee call', { userId: AGENT, channelId: CHANNEL });
    const refused = await stack.slack.waitFor('calls.add', (call) => call.status === 429, 8000);
    const added = await stack.slack.waitFor('calls.add', (call) => call.status === 200, 8000);
    assert.ok(added.at - refused.at >= 900, `retried ${added.at - refused.at} ms after the 429 (Retry-After: 1 s)`);
    await stack.slack.waitFor('chat.update', (call) => (call.args.blocks ?? []).some((block: { type: string }) => block.type === 'call'), 8000);
    await quietFor(1000);
    assert.equal(stack.slack.callsTo('calls.add').filter((call) => call.status === 200).length, 1);
    assert.equal(stack.slack.callsApi.all().length, 1);
  });

  it('never sends calls.add again after its answer was lost, and says so in the thread', async () => {
    stack.slack.loseAnswerNext('calls.add', { mode: 'reset' });
    await stack.requester.slash('meet jane@example.com apizee call', { userId: AGENT, channelId: CHANNEL });
    await threadReply(stack.slack, /not shown as a Slack call: Slack did not confirm/);
    await quietFor(1500);
    assert.equal(stack.slack.callsTo('calls.add').length, 1, 'calls.add went out once');
    // The call Slack registered before the answer was lost is never shown on the card.
    assert.ok(!stack.slack.calls.some((call) => call.method === 'chat.update' && (call.args.blocks ?? []).some((block: { type: string }) => block.type === 'call')));
  });
});

describe('e2e: a Slack call survives a restart between calls.add and calls.end', function () {
  this.timeout(40_000);
  let sandboxes: Sandboxes;
  let dataDir: string;
  const apps: Rendezvous[] = [];
  const signingSecret = randomBytes(16).toString('hex');
  const encryptionKey = randomBytes(32).toString('base64');

  afterEach(async () => {
    for (const app of apps.splice(0)) await app.stop();
    await sandboxes.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function startApp(): Promise<{ app: Rendezvous; url: string }> {
    const config = loadConfig({
      ...sandboxEnvironment(sandboxes, { vendors: ['apizee'], apizeeRatePerMinute: 240 }),
      SLACK_SIGNING_SECRET: signingSecret,
      ENCRYPTION_KEY: encryptionKey,
      PORT: '0',
      DATABASE_URL: `file:${join(dataDir, 'rendezvous.db')}`,
      TRACK_INTERVAL_SECONDS: '0.25',
    });
    const app = createApp(config, { logger: createLogger('silent') });
    apps.push(app);
    const { port } = await app.start();
    return { app, url: `http://127.0.0.1:${port}` };
  }

  it('a new app instance on the same database ends the call the first one registered', async () => {
    sandboxes = await startSandboxes({ apizeeRatePerMinute: 240 });
    dataDir = mkdtempSync(join(tmpdir(), 'rendezvous-calls-'));
    const first = await startApp();
    const requester = new SlackRequester({ appUrl: first.url, signingSecret, fakeSlack: sandboxes.slack });
    await requester.slash('meet jane@example.com apizee call', { userId: AGENT, channelId: CHANNEL });
    const added = await sandboxes.slack.waitFor('calls.add', undefined, 8000);
    const callId: string = added.response.call.id;
    await sandboxes.slack.waitFor('chat.update', (call) => (call.args.blocks ?? []).some((block: { type: string; call_id?: string }) => block.call_id === callId), 8000);
    await first.app.stop();
    apps.splice(apps.indexOf(first.app), 1);

    const [conference] = [...sandboxes.apizee.conferences.values()];
    assert.ok(conference);
    sandboxes.apizee.setConferenceStatus(conference.id, 'ongoing');
    await startApp();
    await sandboxes.slack.waitFor('calls.update', (call) => call.args.id === callId && /In progress/.test(call.args.title), 8000);
    sandboxes.apizee.setConferenceStatus(conference.id, 'ended');
    const ended = await sandboxes.slack.waitFor('calls.end', undefined, 8000);
    assert.equal(ended.args.id, callId);
    assert.ok(Number.isInteger(Number(ended.args.duration)));
    await eventually('the call is over in Slack', () => sandboxes.slack.callsApi.get(callId)?.date_end !== undefined);
    assert.equal(sandboxes.slack.callsTo('calls.add').length, 1);
  });
});
