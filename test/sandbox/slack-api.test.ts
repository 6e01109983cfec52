import assert from 'node:assert/strict';
import { webApi } from '@slack/bolt';
import { startFakeSlackApi, type FakeSlackApi } from '../../sandbox/slack-api.js';
import { silentSlackLogger } from '../helpers/silent-slack-logger.js';

const { WebClient, ErrorCode } = webApi;
type Client = InstanceType<typeof WebClient>;

// The real WebClient logs Slack's error details; the assertions below check them instead.
const clientOptions = (slackApiUrl: string) => ({ slackApiUrl, retryConfig: { retries: 0 }, logger: silentSlackLogger });

const CHANNEL = 'C0SUPPORT';
const card = (status: string) => [
  { type: 'header', text: { type: 'plain_text', text: 'Remote session' } },
  { type: 'section', block_id: 'status', text: { type: 'mrkdwn', text: `*Status:* ${status}` } },
  {
    type: 'actions',
    block_id: 'session_actions',
    elements: [
      { type: 'button', action_id: 'join', text: { type: 'plain_text', text: 'Join session' }, url: 'https://meet.example/abc' },
      { type: 'button', action_id: 'cancel', text: { type: 'plain_text', text: 'Cancel' }, value: 'rdv_1', style: 'danger' },
    ],
  },
  { type: 'context', elements: [{ type: 'mrkdwn', text: 'Started by <@U0AGENT>' }] },
];
const metadata = { event_type: 'rendezvous_session', event_payload: { session_id: 'rdv_1' } };

function sectionBlocks(count: number, text = 'hello') {
  return Array.from({ length: count }, () => ({ type: 'section', text: { type: 'mrkdwn', text } }));
}

async function slackError(promise: Promise<unknown>): Promise<{ code: string; error?: string; retryAfter?: number }> {
  try {
    await promise;
  } catch (error) {
    const { code, data, retryAfter } = error as { code: string; data?: { error: string }; retryAfter?: number };
    return { code, error: data?.error, retryAfter };
  }
  assert.fail('expected the Slack call to fail');
}

function postJson(url: string, body: object): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
}

describe('fake Slack Web API', () => {
  let fake: FakeSlackApi;
  let client: Client;

  beforeEach(async () => {
    fake = await startFakeSlackApi({
      admins: ['U0ADMIN'],
      usergroups: { S0ONCALL: ['U0AGENT', 'U0ADMIN'] },
      channelsWithoutApp: ['G0PRIVATE'],
      hiddenConversations: ['G0SECRET', 'D0TWOPEOPLE'],
      users: { U0OWNER: { owner: true }, U0GUEST: { teamId: 'T0GUEST', admin: true } },
    });
    client = new WebClient('xoxb-test', clientOptions(`${fake.url}/api/`));
  });

  afterEach(() => fake.close());

  it('answers auth.test with the bot identity', async () => {
    const result = await client.auth.test();
    assert.equal(result.ok, true);
    assert.equal(result.team_id, 'T0001');
    assert.equal(result.user_id, 'U0BOT');
    assert.equal(result.bot_id, 'B0BOT');
    assert.equal(result.is_enterprise_install, false);
    assert.equal(fake.calls[0]?.token, 'xoxb-test');
  });

  it('posts, updates, threads and returns replies with metadata only on request', async () => {
    const posted = await client.chat.postMessage({ channel: CHANNEL, text: 'Remote session', blocks: card('waiting'), metadata });
    assert.equal(posted.channel, CHANNEL);
    assert.match(posted.ts ?? '', /^\d{10}\.\d{6}$/);
    assert.deepEqual(posted.message?.metadata, metadata);
    const rootTs = posted.ts as string;

    // Form-encoded JSON fields are decoded back to objects in the recorded call.
    const recorded = fake.callsTo('chat.postMessage')[0];
    assert.deepEqual(recorded?.args.blocks, card('waiting'));
    assert.deepEqual(recorded?.args.metadata, metadata);

    const updated = await client.chat.update({ channel: CHANNEL, ts: rootTs, text: 'Remote session', blocks: card('joined') });
    assert.equal(updated.ts, rootTs);

    const reply = await client.chat.postMessage({ channel: CHANNEL, thread_ts: rootTs, text: 'Customer joined', metadata });
    assert.ok(Number(reply.ts) > Number(rootTs), 'ts values increase');

    const thread = await client.conversations.replies({ channel: CHANNEL, ts: rootTs });
    assert.deepEqual(thread.messages?.map((message) => message.text), ['Remote session', 'Customer joined']);
    assert.equal(thread.messages?.[0]?.metadata, undefined);
    assert.equal(thread.messages?.[0]?.reply_count, 1);
    assert.equal(thread.messages?.[1]?.thread_ts, rootTs);

    const withMetadata = await client.conversations.replies({ channel: CHANNEL, ts: rootTs, include_all_metadata: true });
    assert.deepEqual(withMetadata.messages?.[0]?.metadata, metadata);
    assert.deepEqual(withMetadata.messages?.[1]?.metadata, metadata);

    const [root] = fake.messages(CHANNEL);
    assert.equal(root?.edited, true);
    assert.deepEqual(root?.blocks, card('joined'));
    assert.deepEqual(root?.replies.map((message) => message.text), ['Customer joined']);
    assert.deepEqual(fake.rejections, []);
  });

  it('refuses to update or thread under messages that do not exist', async () => {
    const update = client.chat.update({ channel: CHANNEL, ts: '1.000000', text: 'x' });
    assert.equal((await slackError(update)).error, 'message_not_found');
    const reply = client.chat.postMessage({ channel: CHANNEL, thread_ts: '1.000000', text: 'x' });
    assert.equal((await slackError(reply)).error, 'thread_not_found');
  });

  it('sends posts to a user id to the DM with that user', async () => {
    const posted = await client.chat.postMessage({ channel: 'U0AGENT', text: 'Your session starts soon' });
    assert.equal(posted.channel, 'D0AGENT');
    assert.equal(fake.messages('U0AGENT')[0]?.text, 'Your session starts soon');
    assert.equal(fake.messages('D0AGENT').length, 1);
  });

  it('fails posting to private channels the app is not in', async () => {
    assert.equal((await slackError(client.chat.postMessage({ channel: 'G0PRIVATE', text: 'x' }))).error, 'not_in_channel');
    assert.equal((await slackError(client.conversations.info({ channel: 'G0PRIVATE' }))).error, 'channel_not_found');
  });

  it('hides private channels and DMs the app is not in: channel_not_found everywhere', async () => {
    for (const channel of ['G0SECRET', 'D0TWOPEOPLE']) {
      assert.equal((await slackError(client.chat.postMessage({ channel, text: 'x' }))).error, 'channel_not_found');
      assert.equal((await slackError(client.chat.postEphemeral({ channel, user: 'U0AGENT', text: 'x' }))).error, 'channel_not_found');
      assert.equal((await slackError(client.conversations.info({ channel }))).error, 'channel_not_found');
    }
  });

  it('rejects a wrong or missing token with invalid_auth', async () => {
    const wrong = new WebClient('xoxb-wrong', clientOptions(fake.apiUrl));
    assert.equal((await slackError(wrong.chat.postMessage({ channel: CHANNEL, text: 'x' }))).error, 'invalid_auth');
    const anonymous = new WebClient(undefined, clientOptions(fake.apiUrl));
    assert.equal((await slackError(anonymous.auth.test())).error, 'invalid_auth');
    assert.equal(fake.messages(CHANNEL).length, 0);
  });

  it('answers invalid_arguments for missing arguments and unknown_method for unknown methods', async () => {
    const missing = await slackError(client.apiCall('chat.postMessage', { text: 'no channel' }));
    assert.equal(missing.error, 'invalid_arguments');
    assert.equal((await slackError(client.apiCall('chat.postMessage', { channel: CHANNEL }))).error, 'invalid_arguments');
    assert.equal((await slackError(client.apiCall('chat.teleport', {}))).error, 'unknown_method');
    assert.deepEqual(fake.calls[0]?.response.response_metadata, { messages: ['[ERROR] missing required field: channel'] });
  });

  it('rejects messages over the Block Kit limits, and records the rejections', async () => {
    await client.chat.postMessage({ channel: CHANNEL, text: 'fits', blocks: sectionBlocks(50, 'x'.repeat(3000)) });

    const tooMany = client.chat.postMessage({ channel: CHANNEL, text: 'x', blocks: sectionBlocks(51) });
    assert.equal((await slackError(tooMany)).error, 'invalid_blocks');
    const tooLong = client.chat.postMessage({ channel: CHANNEL, text: 'x', blocks: sectionBlocks(1, 'x'.repeat(3001)) });
    assert.equal((await slackError(tooLong)).error, 'invalid_blocks');
    const longLabel = card('waiting');
    longLabel[2] = {
      type: 'actions',
      elements: [{ type: 'button', action_id: 'a'.repeat(256), text: { type: 'plain_text', text: 'b'.repeat(76) } }],
    } as (typeof longLabel)[number];
    const badButton = client.chat.postMessage({ channel: CHANNEL, text: 'x', blocks: longLabel });
    assert.equal((await slackError(badButton)).error, 'invalid_blocks');

    assert.equal(fake.messages(CHANNEL).length, 1);
    assert.deepEqual(
      fake.rejections.map(({ method, error, problems }) => ({ method, error, problems })),
      [
        {
          method: 'chat.postMessage',
          error: 'invalid_blocks',
          problems: ['must have at most 50 items (got 51) [json-pointer:/blocks]'],
        },
        {
          method: 'chat.postMessage',
          error: 'invalid_blocks',
          problems: ['must be at most 3000 characters (got 3001) [json-pointer:/blocks/0/text/text]'],
        },
        {
          method: 'chat.postMessage',
          error: 'invalid_blocks',
          problems: [
            'must be at most 255 characters (got 256) [json-pointer:/blocks/2/elements/0/action_id]',
            'must be at most 75 characters (got 76) [json-pointer:/blocks/2/elements/0/text/text]',
          ],
        },
      ],
    );
  });

  it('rejects views over the limits with invalid_arguments', async () => {
    const view = {
      type: 'modal' as const,
      callback_id: 'schedule',
      title: { type: 'plain_text' as const, text: 'Schedule a remote session' },
      blocks: sectionBlocks(1),
    };
    const triggerId = fake.triggerId('U0AGENT');
    const error = await slackError(client.views.open({ trigger_id: triggerId, view }));
    assert.equal(error.error, 'invalid_arguments');
    assert.match(fake.rejections[0]?.problems[0] ?? '', /\/view\/title\/text/);

    const tooBig = { ...view, title: { type: 'plain_text' as const, text: 'Schedule' }, private_metadata: 'x'.repeat(3001) };
    assert.equal((await slackError(client.views.open({ trigger_id: triggerId, view: tooBig }))).error, 'invalid_arguments');
    assert.equal(fake.lastView(), undefined);
  });

  it('opens, updates (with hash checks) and publishes views', async () => {
    const view = {
      type: 'modal' as const,
      callback_id: 'schedule',
      title: { type: 'plain_text' as const, text: 'Schedule' },
      blocks: sectionBlocks(1),
    };
    const opened = await client.views.open({ trigger_id: fake.triggerId('U0AGENT'), view });
    const openedView = opened.view as { id: string; hash: string; callback_id: string };
    assert.match(openedView.id, /^V/);
    assert.equal(openedView.callback_id, 'schedule');
    assert.equal(fake.lastView('U0AGENT')?.id, openedView.id);

    const renamed = { ...view, callback_id: 'confirm' };
    const updated = await client.views.update({ view_id: openedView.id, hash: openedView.hash, view: renamed });
    assert.equal(updated.view?.id, openedView.id);
    assert.equal(fake.lastView(openedView.id)?.callback_id, 'confirm');
    const stale = client.views.update({ view_id: openedView.id, hash: openedView.hash, view });
    assert.equal((await slackError(stale)).error, 'hash_conflict');

    await client.views.publish({ user_id: 'U0ADMIN', view: { type: 'home', blocks: sectionBlocks(2) } });
    assert.equal(fake.lastView()?.type, 'home');
    assert.equal(fake.lastView('U0AGENT')?.callback_id, 'confirm');
  });

  it('describes users, admins and user groups', async () => {
    const admin = await client.users.info({ user: 'U0ADMIN' });
    assert.equal(admin.user?.is_admin, true);
    assert.equal(admin.user?.tz, 'Europe/Paris');
    assert.ok([3600, 7200].includes(admin.user?.tz_offset ?? 0));
    assert.equal((await client.users.info({ user: 'U0AGENT' })).user?.is_admin, false);
    assert.deepEqual((await client.usergroups.users.list({ usergroup: 'S0ONCALL' })).users, ['U0AGENT', 'U0ADMIN']);
    assert.equal((await slackError(client.usergroups.users.list({ usergroup: 'S0NONE' }))).error, 'no_such_subteam');
  });

  it('describes each user as configured: owners, and Slack Connect guests of another team', async () => {
    const owner = (await client.users.info({ user: 'U0OWNER' })).user;
    assert.deepEqual([owner?.team_id, owner?.is_admin, owner?.is_owner, owner?.is_primary_owner], ['T0001', false, true, false]);
    const guest = (await client.users.info({ user: 'U0GUEST' })).user;
    assert.deepEqual([guest?.team_id, guest?.is_admin, guest?.profile?.team], ['T0GUEST', true, 'T0GUEST']);
    fake.setUser('U0AGENT', { primaryOwner: true });
    assert.equal((await client.users.info({ user: 'U0AGENT' })).user?.is_primary_owner, true);
    fake.setUsergroup('S0ONCALL', ['U0OWNER']);
    assert.deepEqual((await client.usergroups.users.list({ usergroup: 'S0ONCALL' })).users, ['U0OWNER']);
  });

  it('fails the next calls on demand, including Slack-style rate limiting', async () => {
    fake.failNext('chat.postMessage', 'ratelimited', { status: 429, retryAfter: 7 });
    const limited = new WebClient('xoxb-test', { ...clientOptions(fake.apiUrl), rejectRateLimitedCalls: true });
    const error = await slackError(limited.chat.postMessage({ channel: CHANNEL, text: 'x' }));
    assert.equal(error.code, ErrorCode.RateLimitedError);
    assert.equal(error.retryAfter, 7);
    assert.equal(fake.calls[0]?.status, 429);
    assert.deepEqual(fake.calls[0]?.response, { ok: false, error: 'ratelimited' });

    fake.failNext('chat.update', 'channel_not_found', { times: 2 });
    const posted = await limited.chat.postMessage({ channel: CHANNEL, text: 'x' });
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const failed = await slackError(limited.chat.update({ channel: CHANNEL, ts: posted.ts as string, text: 'y' }));
      assert.equal(failed.error, 'channel_not_found');
    }
    await limited.chat.update({ channel: CHANNEL, ts: posted.ts as string, text: 'y' });
    assert.equal(fake.messages(CHANNEL)[0]?.text, 'y');
  });

  it('waitFor resolves for past and later calls, and times out listing recent calls', async () => {
    await client.chat.postMessage({ channel: CHANNEL, text: 'first' });
    assert.equal((await fake.waitFor('chat.postMessage')).args.text, 'first');

    const later = fake.waitFor('chat.postMessage', (call) => call.args.text === 'second');
    setTimeout(() => void client.chat.postMessage({ channel: CHANNEL, text: 'second' }), 20);
    assert.equal((await later).args.text, 'second');

    await assert.rejects(fake.waitFor('chat.update', undefined, 50), (error: Error) => {
      assert.match(error.message, /Timed out after 50ms waiting for a chat\.update call/);
      assert.match(error.message, /chat\.postMessage → ok {2}channel=C0SUPPORT text="second"/);
      return true;
    });
  });

  it('handles response_url posts: ephemeral, in_channel, replace_original, and the five-use limit', async () => {
    const posted = await client.chat.postMessage({ channel: CHANNEL, text: 'card', blocks: card('waiting') });
    const url = fake.responseUrl('cmd1', { channelId: CHANNEL, userId: 'U0AGENT', messageTs: posted.ts as string });
    assert.equal(url, `${fake.url}/response/cmd1`);

    assert.equal((await postJson(url, { text: 'Only you can see this' })).status, 200);
    assert.equal((await postJson(url, { response_type: 'in_channel', text: 'Everyone sees this' })).status, 200);
    assert.equal((await postJson(url, { replace_original: true, blocks: card('joined') })).status, 200);
    const invalid = await postJson(url, { blocks: sectionBlocks(51) });
    assert.equal(invalid.status, 400);
    assert.equal(((await invalid.json()) as { error: string }).error, 'invalid_blocks');
    assert.equal((await postJson(url, { text: 'fifth' })).status, 200);
    assert.equal((await postJson(url, { text: 'sixth' })).status, 404);

    assert.deepEqual(fake.ephemerals('U0AGENT').map((ephemeral) => ephemeral.text), ['Only you can see this', 'fifth']);
    assert.deepEqual(fake.messages(CHANNEL).map((message) => message.text), ['card', 'Everyone sees this']);
    assert.deepEqual(fake.messages(CHANNEL)[0]?.blocks, card('joined'));
    assert.equal(fake.callsTo('response_url').length, 6);
    assert.equal(fake.callsTo('response_url')[0]?.args.text, 'Only you can see this');
    assert.equal(fake.rejections.length, 1);
  });

  it('renders a transcript of a card, its thread and ephemeral messages', async () => {
    const posted = await client.chat.postMessage({ channel: CHANNEL, text: 'Remote session', blocks: card('waiting') });
    const ts = posted.ts as string;
    await client.chat.postEphemeral({ channel: CHANNEL, user: 'U0AGENT', text: 'Session created.' });
    await client.chat.postMessage({ channel: CHANNEL, thread_ts: ts, text: 'SMS sent to the customer' });
    await client.chat.postMessage({ channel: CHANNEL, thread_ts: ts, text: 'Customer joined\nfrom a mobile phone' });
    await client.chat.update({ channel: CHANNEL, ts, text: 'Remote session', blocks: card('joined') });

    assert.equal(
      fake.transcript(CHANNEL),
      [
        'Remote session (edited)',
        '*Status:* joined',
        '[Join session] (https://meet.example/abc)  [Cancel]',
        'Started by <@U0AGENT>',
        '  ↳ SMS sent to the customer',
        '  ↳ Customer joined',
        '    from a mobile phone',
        '',
        '(only visible to you) Session created.',
      ].join('\n'),
    );
    assert.match(fake.transcript(), /^── #support \(C0SUPPORT\) ──\nRemote session \(edited\)/);
  });
});

describe('fake Slack Web API: trigger ids expire like Slack’s', () => {
  it('refuses views.open and views.push with expired_trigger_id once triggerTtlMs has passed', async () => {
    const fake = await startFakeSlackApi({ triggerTtlMs: 150 });
    try {
      const client = new WebClient('xoxb-test', clientOptions(fake.apiUrl));
      const view = { type: 'modal' as const, callback_id: 'invite', title: { type: 'plain_text' as const, text: 'Invite' }, blocks: sectionBlocks(1) };
      const fresh = fake.triggerId('U0AGENT');
      const stale = fake.triggerId('U0AGENT');
      await client.views.open({ trigger_id: fresh, view });
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal((await slackError(client.views.open({ trigger_id: stale, view }))).error, 'expired_trigger_id');
      assert.equal((await slackError(client.views.push({ trigger_id: stale, view }))).error, 'expired_trigger_id');
      assert.equal(fake.callsTo('views.open').filter((call) => call.response.ok).length, 1);
    } finally {
      await fake.close();
    }
  });
});

describe('fake Slack Web API: link unfurls (chat.unfurl)', () => {
  const LINK = 'https://cloud.apizee.example/entrypoint/223/tickets/82071';
  const preview = { blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*Status* 🟢 In progress' } }] };
  let fake: FakeSlackApi;
  let client: Client;

  beforeEach(async () => {
    fake = await startFakeSlackApi({ hiddenConversations: ['G0SECRET'] });
    client = new WebClient('xoxb-test', clientOptions(`${fake.url}/api/`));
  });
  afterEach(() => fake.close());

  it('unfurls links shared in a message, by channel and ts; a second call replaces the attachment', async () => {
    const place = fake.shareLinks({ channel: CHANNEL, user: 'U0AGENT', urls: [LINK] });
    assert.equal(place.source, 'conversations_history');
    assert.equal(fake.message(CHANNEL, place.messageTs)?.user, 'U0AGENT', 'the user’s message is in the channel');
    await client.chat.unfurl({ channel: CHANNEL, ts: place.messageTs, unfurls: { [LINK]: preview } });
    const ended = { blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*Status* ✅ Ended' } }] };
    await client.chat.unfurl({ channel: CHANNEL, ts: place.messageTs, unfurls: { [LINK]: ended } });
    assert.deepEqual(fake.unfurlsOf({ channel: CHANNEL, ts: place.messageTs }), { [LINK]: ended });
    assert.equal(fake.callsTo('chat.unfurl').length, 2);
    assert.deepEqual(fake.callsTo('chat.unfurl')[0]!.args.unfurls, { [LINK]: preview }, 'recorded decoded');
  });

  it('unfurls links in the composer by unfurl_id and source', async () => {
    const place = fake.shareLinks({ channel: CHANNEL, user: 'U0AGENT', urls: [LINK], source: 'composer' });
    assert.equal(place.channel, 'COMPOSER');
    await client.chat.unfurl({ unfurl_id: place.unfurlId, source: 'composer', unfurls: { [LINK]: preview } });
    assert.deepEqual(fake.unfurlsOf({ unfurlId: place.unfurlId }), { [LINK]: preview });
    assert.equal((await slackError(client.chat.unfurl({ unfurl_id: place.unfurlId, source: 'conversations_history', unfurls: { [LINK]: preview } }))).error, 'invalid_arguments');
  });

  it('asks for channel and ts together, or unfurl_id and source together, and unfurls', async () => {
    const place = fake.shareLinks({ channel: CHANNEL, user: 'U0AGENT', urls: [LINK] });
    const error = async (args: Record<string, unknown>) => (await slackError(client.apiCall('chat.unfurl', args))).error;
    assert.equal(await error({ channel: CHANNEL, unfurls: { [LINK]: preview } }), 'invalid_arguments');
    assert.equal(await error({ ts: place.messageTs, unfurls: { [LINK]: preview } }), 'invalid_arguments');
    assert.equal(await error({ unfurl_id: place.unfurlId, unfurls: { [LINK]: preview } }), 'invalid_arguments');
    assert.equal(await error({ unfurls: { [LINK]: preview } }), 'invalid_arguments');
    assert.equal(await error({ channel: CHANNEL, ts: place.messageTs }), 'invalid_arguments');
    assert.equal(await error({ channel: CHANNEL, ts: place.messageTs, unfurls: [preview] }), 'invalid_arguments');
    assert.deepEqual(fake.rejections.at(-1)?.problems, ['unfurls must be a JSON object of URL to attachment [json-pointer:/unfurls]']);
  });

  it('refuses a URL the message does not carry, a message that is gone, and blocks over the limits', async () => {
    const place = fake.shareLinks({ channel: CHANNEL, user: 'U0AGENT', urls: [LINK] });
    const unfurl = (unfurls: Record<string, unknown>, where = { channel: CHANNEL, ts: place.messageTs }) => slackError(client.apiCall('chat.unfurl', { ...where, unfurls }));
    assert.equal((await unfurl({ 'https://diag.apizee.example?convId=1&pwd=2': preview })).error, 'cannot_unfurl_url');
    const tooLong = { blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'x'.repeat(3001) } }] };
    assert.equal((await unfurl({ [LINK]: tooLong })).error, 'invalid_blocks');
    assert.match(fake.rejections.at(-1)!.problems[0]!, /json-pointer:\/unfurls\/https:\/\/cloud\.apizee\.example.*\/blocks\/0\/text/);
    assert.equal((await unfurl({ [LINK]: preview }, { channel: CHANNEL, ts: '1700000099.000100' })).error, 'message_not_found');
    assert.equal((await unfurl({ [LINK]: preview }, { channel: 'G0SECRET', ts: place.messageTs })).error, 'channel_not_found');
    const posted = await client.chat.postMessage({ channel: CHANNEL, text: 'no links here' });
    assert.equal((await unfurl({ [LINK]: preview }, { channel: CHANNEL, ts: posted.ts! })).error, 'cannot_unfurl_message');
    fake.deleteUserMessage(CHANNEL, place.messageTs);
    assert.equal((await unfurl({ [LINK]: preview })).error, 'message_not_found');
    assert.deepEqual(fake.unfurlsOf({ channel: CHANNEL, ts: place.messageTs }), {}, 'nothing was attached');
  });
});
