import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, LogLevel, isValidSlackRequest, verifySlackRequest, type Logger } from '@slack/bolt';
import { startFakeSlackApi, type FakeSlackApi } from '../../sandbox/slack-api.js';
import { SlackRequester, signRequest } from '../../sandbox/slack-requests.js';

const SIGNING_SECRET = 'test-signing-secret';
const CHANNEL = 'C0SUPPORT';

const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  setLevel: () => {},
  getLevel: () => LogLevel.ERROR,
  setName: () => {},
};

function verificationHeaders(headers: Record<string, string | string[] | undefined>) {
  return {
    'x-slack-signature': String(headers['x-slack-signature']),
    'x-slack-request-timestamp': Number(headers['x-slack-request-timestamp']),
  };
}

interface CapturedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A bare HTTP server standing in for the app, to look at exactly what the requester sends. */
async function startCapture(): Promise<{ url: string; requests: CapturedRequest[]; close: () => Promise<void> }> {
  const requests: CapturedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      requests.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"response_action":"clear"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('signed Slack requests', () => {
  describe('signRequest', () => {
    const body = 'token=x&team_id=T0001&text=%2B33612345678';

    it('produces headers that Bolt verifies', () => {
      const headers = signRequest(SIGNING_SECRET, body);
      assert.match(headers['X-Slack-Signature'], /^v0=[0-9a-f]{64}$/);
      assert.doesNotThrow(() =>
        verifySlackRequest({
          signingSecret: SIGNING_SECRET,
          body,
          headers: {
            'x-slack-signature': headers['X-Slack-Signature'],
            'x-slack-request-timestamp': Number(headers['X-Slack-Request-Timestamp']),
          },
        }),
      );
    });

    it('does not verify for a tampered body, another secret or a stale timestamp', () => {
      const signed = (timestamp?: number) => {
        const headers = signRequest(SIGNING_SECRET, body, timestamp);
        return {
          'x-slack-signature': headers['X-Slack-Signature'],
          'x-slack-request-timestamp': Number(headers['X-Slack-Request-Timestamp']),
        };
      };
      assert.throws(
        () => verifySlackRequest({ signingSecret: SIGNING_SECRET, body: `${body}0`, headers: signed() }),
        /signature mismatch/,
      );
      assert.equal(isValidSlackRequest({ signingSecret: 'other-secret', body, headers: signed() }), false);
      const tenMinutesAgo = Math.floor(Date.now() / 1000) - 600;
      assert.equal(isValidSlackRequest({ signingSecret: SIGNING_SECRET, body, headers: signed(tenMinutesAgo) }), false);
    });
  });

  describe('SlackRequester payloads', () => {
    let fake: FakeSlackApi;
    let capture: Awaited<ReturnType<typeof startCapture>>;
    let requester: SlackRequester;

    beforeEach(async () => {
      fake = await startFakeSlackApi();
      capture = await startCapture();
      requester = new SlackRequester({ appUrl: capture.url, signingSecret: SIGNING_SECRET, teamId: 'T0001', fakeSlack: fake });
    });

    afterEach(async () => {
      await capture.close();
      await fake.close();
    });

    it('sends a signed, form-encoded slash command with every field Slack sends, in order', async () => {
      const response = await requester.slash('+33 6 12 34 56 78 sms');
      assert.equal(response.status, 200);
      assert.deepEqual(response.body, { response_action: 'clear' });
      assert.ok(response.ms >= 0);

      const [request] = capture.requests;
      assert.ok(request);
      assert.equal(request.path, '/slack/events');
      assert.equal(request.headers['content-type'], 'application/x-www-form-urlencoded');
      const verification = { signingSecret: SIGNING_SECRET, body: request.body, headers: verificationHeaders(request.headers) };
      assert.ok(isValidSlackRequest(verification));

      const form = new URLSearchParams(request.body);
      assert.deepEqual(
        [...form.keys()],
        [
          'token', 'team_id', 'team_domain', 'channel_id', 'channel_name', 'user_id', 'user_name',
          'command', 'text', 'api_app_id', 'is_enterprise_install', 'response_url', 'trigger_id',
        ],
      );
      assert.equal(form.get('command'), '/rendezvous');
      assert.equal(form.get('text'), '+33 6 12 34 56 78 sms');
      assert.equal(form.get('user_id'), 'U0AGENT');
      assert.equal(form.get('channel_id'), CHANNEL);
      assert.equal(form.get('channel_name'), 'support');
      assert.equal(form.get('is_enterprise_install'), 'false');
      assert.match(form.get('response_url') ?? '', new RegExp(`^${fake.url}/response/`));
      assert.match(form.get('trigger_id') ?? '', /^\d+\.\d+\.[0-9a-f]+$/);
    });

    it('sends link_shared in Slack’s shape, for links the fake now knows in that message or composer', async () => {
      const url = 'https://cloud.apizee.example/entrypoint/223/tickets/82071';
      const { response, place } = await requester.linkShared({ urls: [url], channelId: 'C0FIELD', userId: 'U0COLLEAGUE' });
      assert.equal(response.status, 200);
      const envelope = JSON.parse(capture.requests[0]!.body);
      assert.equal(envelope.type, 'event_callback');
      assert.equal(envelope.team_id, 'T0001');
      assert.deepEqual(envelope.event, {
        type: 'link_shared',
        channel: 'C0FIELD',
        is_bot_user_member: true,
        user: 'U0COLLEAGUE',
        message_ts: place.messageTs,
        unfurl_id: place.unfurlId,
        source: 'conversations_history',
        links: [{ domain: 'cloud.apizee.example', url }],
        event_ts: place.messageTs,
      });
      assert.equal(fake.message('C0FIELD', place.messageTs)?.user, 'U0COLLEAGUE');
      const composer = await requester.linkShared({ urls: [url], source: 'composer' });
      const event = JSON.parse(capture.requests[1]!.body).event;
      assert.equal(event.channel, 'COMPOSER');
      assert.equal(event.source, 'composer');
      assert.equal(event.unfurl_id, composer.place.unfurlId);
      assert.ok(event.message_ts.startsWith(composer.place.unfurlId));
    });

    it('builds a block_actions payload from the message on the fake', async () => {
      const posted = await fetch(`${fake.apiUrl}chat.postMessage`, {
        method: 'POST',
        headers: { Authorization: 'Bearer xoxb-test', 'Content-Type': 'application/json; charset=utf-8' },
        body: JSON.stringify({
          channel: CHANNEL,
          text: 'card',
          blocks: [
            {
              type: 'actions',
              block_id: 'session_actions',
              elements: [{ type: 'button', action_id: 'cancel', value: 'rdv_1', text: { type: 'plain_text', text: 'Cancel' } }],
            },
          ],
        }),
      });
      const { ts } = (await posted.json()) as { ts: string };

      const payload = requester.blockAction({
        actionId: 'cancel',
        value: 'rdv_1',
        userId: 'U0AGENT',
        channelId: CHANNEL,
        messageTs: ts,
      });
      assert.equal(payload.type, 'block_actions');
      assert.deepEqual(payload.user, { id: 'U0AGENT', username: 'agent', name: 'agent', team_id: 'T0001' });
      assert.deepEqual(payload.container, { type: 'message', message_ts: ts, channel_id: CHANNEL, is_ephemeral: false });
      assert.equal(payload.message.ts, ts);
      assert.equal(payload.message.blocks[0].block_id, 'session_actions');
      assert.equal(payload.actions[0].block_id, 'session_actions');
      assert.deepEqual(payload.actions[0].text, { type: 'plain_text', text: 'Cancel' });
      assert.equal(payload.actions[0].value, 'rdv_1');

      await requester.interaction(payload);
      const form = new URLSearchParams(capture.requests[0]?.body);
      assert.deepEqual(JSON.parse(form.get('payload') ?? ''), payload);
    });

    it('plays a click from another workspace, or by a Slack Connect user of another team', () => {
      const connect = requester.blockAction({ actionId: 'cancel', value: 'rdv_1', userId: 'U0GUEST', channelId: CHANNEL, messageTs: '1.000100', origin: { userTeamId: 'T0GUEST' } });
      assert.deepEqual(connect.team, { id: 'T0001', domain: 'rendezvous-sandbox' });
      assert.equal(connect.user.team_id, 'T0GUEST');
      assert.equal(connect.enterprise, null);
      const elsewhere = requester.blockAction({ actionId: 'cancel', value: 'rdv_1', channelId: CHANNEL, messageTs: '1.000100', origin: { teamId: 'T0OTHER', enterpriseId: 'E0GRID' } });
      assert.deepEqual(elsewhere.team, { id: 'T0OTHER', domain: 't0other', enterprise_id: 'E0GRID' });
      assert.deepEqual(elsewhere.enterprise, { id: 'E0GRID', name: 'E0GRID' });
      assert.equal(elsewhere.user.team_id, 'T0OTHER');
      const submitted = requester.viewSubmission({ callbackId: 'never_opened', origin: { teamId: 'T0OTHER' } });
      assert.deepEqual(submitted.team, { id: 'T0OTHER', domain: 't0other' });
      assert.equal(submitted.view.app_installed_team_id, 'T0OTHER');
      assert.equal(submitted.user.team_id, 'T0OTHER');
    });

    it('builds a view_submission payload from the view the fake opened', async () => {
      const triggerId = fake.triggerId('U0AGENT');
      await fetch(`${fake.apiUrl}views.open`, {
        method: 'POST',
        headers: { Authorization: 'Bearer xoxb-test', 'Content-Type': 'application/json; charset=utf-8' },
        body: JSON.stringify({
          trigger_id: triggerId,
          view: {
            type: 'modal',
            callback_id: 'schedule',
            private_metadata: '{"channel":"C0SUPPORT"}',
            title: { type: 'plain_text', text: 'Schedule' },
            submit: { type: 'plain_text', text: 'Send' },
            blocks: [
              {
                type: 'input',
                block_id: 'phone',
                label: { type: 'plain_text', text: 'Phone' },
                element: { type: 'plain_text_input', action_id: 'value' },
              },
            ],
          },
        }),
      });
      const opened = fake.lastView('U0AGENT');
      const values = { phone: { value: { type: 'plain_text_input', value: '+33612345678' } } };
      const payload = requester.viewSubmission({
        callbackId: 'schedule',
        values,
        userId: 'U0AGENT',
        responseUrls: [{ blockId: 'channel', actionId: 'pick', channelId: CHANNEL }],
      });
      assert.equal(payload.type, 'view_submission');
      assert.equal(payload.view.id, opened?.id);
      assert.equal(payload.view.hash, opened?.hash);
      assert.equal(payload.view.private_metadata, '{"channel":"C0SUPPORT"}');
      assert.deepEqual(payload.view.state, { values });
      assert.equal(payload.view.blocks[0].block_id, 'phone');
      assert.equal(payload.response_urls[0].channel_id, CHANNEL);
      assert.match(payload.response_urls[0].response_url, new RegExp(`^${fake.url}/response/`));
    });

    it('sends raw bodies and headers untouched', async () => {
      await requester.raw('not=signed', { 'Content-Type': 'application/x-www-form-urlencoded' });
      const [request] = capture.requests;
      assert.equal(request?.body, 'not=signed');
      assert.equal(request?.headers['x-slack-signature'], undefined);
    });

    it('sends a signed JSON event_callback envelope, with the retry headers only on a retry', async () => {
      const event = { type: 'app_home_opened', user: 'U0AGENT', channel: 'D0AGENT', tab: 'home', event_ts: '1700000000.000100' };
      await requester.event(event, { eventId: 'Ev0TEST0001' });
      await requester.event(event, { eventId: 'Ev0TEST0001', retryNum: 2 });
      await requester.event(event);
      const [first, retry, fresh] = capture.requests;
      assert.ok(first && retry && fresh);
      assert.equal(first.headers['content-type'], 'application/json');
      assert.ok(isValidSlackRequest({ signingSecret: SIGNING_SECRET, body: first.body, headers: verificationHeaders(first.headers) }));
      assert.ok(isValidSlackRequest({ signingSecret: SIGNING_SECRET, body: retry.body, headers: verificationHeaders(retry.headers) }));
      const envelope = JSON.parse(first.body);
      assert.equal(envelope.type, 'event_callback');
      assert.equal(envelope.token, 'legacy-verification-token');
      assert.equal(envelope.team_id, 'T0001');
      assert.equal(envelope.api_app_id, fake.appId);
      assert.deepEqual(envelope.event, event);
      assert.equal(envelope.event_id, 'Ev0TEST0001');
      assert.ok(Math.abs(envelope.event_time - Date.now() / 1000) < 60);
      assert.deepEqual(envelope.authorizations, [
        { enterprise_id: null, team_id: 'T0001', user_id: fake.botUserId, is_bot: true, is_enterprise_install: false },
      ]);
      assert.equal(first.headers['x-slack-retry-num'], undefined);
      assert.equal(retry.headers['x-slack-retry-num'], '2');
      assert.equal(retry.headers['x-slack-retry-reason'], 'http_timeout');
      assert.equal(JSON.parse(retry.body).event_id, 'Ev0TEST0001');
      assert.match(JSON.parse(fresh.body).event_id, /^Ev[0-9A-Z]{10}$/);
      assert.notEqual(JSON.parse(fresh.body).event_id, 'Ev0TEST0001');
    });
  });

  describe('against a real Bolt app', () => {
    let fake: FakeSlackApi;
    let app: App;
    let requester: SlackRequester;

    beforeEach(async () => {
      fake = await startFakeSlackApi();
      app = new App({
        token: 'xoxb-test',
        signingSecret: SIGNING_SECRET,
        logger: silentLogger,
        clientOptions: { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } },
      });
      app.command('/rendezvous', async ({ ack, respond, client, command }) => {
        await ack();
        await respond({ text: `Inviting ${command.text}…` });
        await client.chat.postMessage({
          channel: command.channel_id,
          text: 'Remote session',
          blocks: [
            { type: 'section', text: { type: 'mrkdwn', text: `*Remote session* with ${command.text}` } },
            {
              type: 'actions',
              block_id: 'session',
              elements: [{ type: 'button', action_id: 'cancel', value: 'rdv_1', text: { type: 'plain_text', text: 'Cancel' } }],
            },
          ],
        });
      });
      app.action('cancel', async ({ ack, body, client }) => {
        await ack();
        const action = body as { channel?: { id: string }; message?: { ts: string } };
        await client.chat.update({
          channel: action.channel?.id ?? '',
          ts: action.message?.ts ?? '',
          text: 'Session cancelled',
          blocks: [],
        });
      });
      const server = (await app.start(0)) as Server;
      const { port } = server.address() as AddressInfo;
      requester = new SlackRequester({ appUrl: `http://127.0.0.1:${port}`, signingSecret: SIGNING_SECRET, fakeSlack: fake });
    });

    afterEach(async () => {
      await app.stop();
      await fake.close();
    });

    it('runs a slash command and a button click through Bolt and into the fake', async () => {
      const response = await requester.slash('+33612345678');
      assert.equal(response.status, 200);
      const post = await fake.waitFor('chat.postMessage');
      await fake.waitFor('response_url');

      const click = await requester.interaction(
        requester.blockAction({ actionId: 'cancel', channelId: CHANNEL, messageTs: post.response.ts as string }),
      );
      assert.equal(click.status, 200);
      await fake.waitFor('chat.update');

      assert.equal(
        fake.transcript(CHANNEL),
        '(only visible to you) Inviting +33612345678…\n\nSession cancelled (edited)',
      );
      assert.deepEqual(fake.rejections, []);
    });

    it('delivers an event to Bolt, which sees the retry number', async () => {
      const seen: Array<{ user: string; eventId: string; retryNum?: number }> = [];
      app.event('app_home_opened', async ({ event, body, context }) => {
        seen.push({ user: event.user, eventId: body.event_id, retryNum: context.retryNum });
      });
      const event = { type: 'app_home_opened', user: 'U0AGENT', channel: 'D0AGENT', tab: 'home', event_ts: '1700000000.000100' };
      assert.equal((await requester.event(event, { eventId: 'Ev0TEST0002' })).status, 200);
      assert.equal((await requester.event(event, { eventId: 'Ev0TEST0002', retryNum: 1 })).status, 200);
      const deadline = Date.now() + 2000;
      while (seen.length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      assert.deepEqual(seen, [
        { user: 'U0AGENT', eventId: 'Ev0TEST0002', retryNum: undefined },
        { user: 'U0AGENT', eventId: 'Ev0TEST0002', retryNum: 1 },
      ]);
    });

    it('refuses unsigned or tampered requests', async () => {
      const unsigned = await requester.raw('command=%2Frendezvous&text=x', { 'Content-Type': 'application/x-www-form-urlencoded' });
      assert.equal(unsigned.status, 401);
      const headers = signRequest(SIGNING_SECRET, 'command=%2Frendezvous&text=x');
      const tampered = await requester.raw('command=%2Frendezvous&text=y', {
        'Content-Type': 'application/x-www-form-urlencoded',
        ...headers,
      });
      assert.equal(tampered.status, 401);
      assert.equal(fake.callsTo('chat.postMessage').length, 0);
    });
  });
});
