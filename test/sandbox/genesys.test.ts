/**
 * Contract tests for the local Genesys sandbox, then the real GenesysClient and
 * GenesysNotifications (official CometD client) against it. Expected shapes come from the seed
 * (vendor-docs/001_43d505de253696e5.txt) and REFERENCE.md §2.
 */
import assert from 'node:assert/strict';
import { createLogger } from '../../src/logger.js';
import {
  GENESYS_SANDBOX_SMS_TOPIC,
  startGenesysSandbox,
  type GenesysSandbox,
  type GenesysSandboxOptions,
} from '../../sandbox/genesys.js';
import { VendorError } from '../../src/vendors/errors.js';
import { GenesysClient, type GenesysSettings } from '../../src/vendors/genesys/client.js';
import {
  GENESYS_SMS_TOPIC,
  GenesysNotifications,
  notificationsUrl,
  type GenesysOutcome,
} from '../../src/vendors/genesys/notifications.js';
import type { SmsNotification } from '../../src/vendors/genesys/schemas.js';
import { VendorHealth } from '../../src/vendors/health.js';
import { eventually } from '../helpers/eventually.js';

const SMS_SESSION = '0000Na9B26EF006E';
const BASIC = `Basic ${Buffer.from('agent1:secret').toString('base64')}`;
const CSRF_REFUSAL = 'Missing or invalid Csrf token';

/** Untyped JSON, for reading answers in assertions. */
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface CallOptions {
  auth?: string | null;
  cookie?: string;
  csrf?: string;
  json?: unknown;
}

interface CallResult {
  status: number;
  headers: Headers;
  body: Json;
  text: string;
}

async function call(sandbox: GenesysSandbox, method: string, path: string, options: CallOptions = {}): Promise<CallResult> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.auth !== null) headers.authorization = options.auth ?? BASIC;
  if (options.cookie) headers.cookie = options.cookie;
  if (options.csrf) headers['x-csrf-token'] = options.csrf;
  if (options.json !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(sandbox.url + path, {
    method,
    headers,
    body: options.json === undefined ? undefined : JSON.stringify(options.json),
  });
  const text = await response.text();
  let body: Json = {};
  try {
    body = JSON.parse(text) as Json;
  } catch {
    // Plain-text answers (the CSRF refusal) are read from `text`.
  }
  return { status: response.status, headers: response.headers, body, text };
}

/** GET /api/v2/me: the session cookie and the CSRF token to send back. */
async function signIn(sandbox: GenesysSandbox): Promise<{ cookie: string; csrf: string }> {
  const answer = await call(sandbox, 'GET', '/api/v2/me');
  const cookie = (answer.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  return { cookie, csrf: answer.headers.get('x-csrf-token') ?? '' };
}

async function operate(sandbox: GenesysSandbox, path: string, json: unknown): Promise<CallResult> {
  const { cookie, csrf } = await signIn(sandbox);
  return call(sandbox, 'POST', path, { cookie, csrf, json });
}

async function bayeux(sandbox: GenesysSandbox, messages: object[], options: { auth?: string | null; cookie?: string } = {}): Promise<Json[]> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.auth !== null) headers.authorization = options.auth ?? BASIC;
  if (options.cookie) headers.cookie = options.cookie;
  const response = await fetch(sandbox.notificationsUrl, { method: 'POST', headers, body: JSON.stringify(messages) });
  assert.equal(response.status, 200);
  return (await response.json()) as Json[];
}

async function handshake(sandbox: GenesysSandbox): Promise<string> {
  const [reply] = await bayeux(sandbox, [
    { id: '1', channel: '/meta/handshake', version: '1.0', supportedConnectionTypes: ['long-polling'] },
  ]);
  assert.equal(reply?.successful, true);
  return reply.clientId as string;
}

function settingsFor(sandbox: GenesysSandbox, overrides: Partial<GenesysSettings> = {}): GenesysSettings {
  return { apiUrl: sandbox.url, username: 'agent1', password: 'secret', smsPath: 'me/smssessions', timeoutMs: 2000, ...overrides };
}

describe('Genesys sandbox (seed 001 + REFERENCE §2)', () => {
  const sandboxes: GenesysSandbox[] = [];
  const listeners: GenesysNotifications[] = [];

  async function start(options: GenesysSandboxOptions = {}): Promise<GenesysSandbox> {
    const sandbox = await startGenesysSandbox(options);
    sandboxes.push(sandbox);
    return sandbox;
  }

  afterEach(async () => {
    await Promise.all(listeners.splice(0).map((listener) => listener.stop()));
    await Promise.all(sandboxes.splice(0).map((sandbox) => sandbox.close()));
  });

  describe('REST', () => {
    it('refuses missing or wrong Basic credentials with 401 and statusCode 20', async () => {
      const sandbox = await start();
      for (const auth of [null, `Basic ${Buffer.from('agent1:nope').toString('base64')}`]) {
        const answer = await call(sandbox, 'GET', '/api/v2/me', { auth });
        assert.equal(answer.status, 401);
        assert.equal(answer.body.statusCode, 20);
        assert.equal(answer.headers.get('set-cookie'), null);
        assert.equal(answer.headers.get('x-csrf-token'), null);
      }
    });

    it('GET /api/v2/me sets JSESSIONID once and names the CSRF header and its token', async () => {
      const sandbox = await start();
      const first = await call(sandbox, 'GET', '/api/v2/me');
      assert.equal(first.status, 200);
      assert.equal(first.body.statusCode, 0);
      assert.match(first.headers.get('set-cookie') ?? '', /^JSESSIONID=[0-9A-F]{32}; Path=\/; HttpOnly$/);
      assert.equal(first.headers.get('x-csrf-header'), 'X-CSRF-TOKEN');
      const token = first.headers.get('x-csrf-token');
      assert.match(token ?? '', /^[0-9a-f-]{36}$/);

      const cookie = (first.headers.get('set-cookie') ?? '').split(';')[0];
      const second = await call(sandbox, 'GET', '/api/v2/me', { cookie });
      assert.equal(second.headers.get('set-cookie'), null, 'a known session gets no new cookie');
      assert.equal(second.headers.get('x-csrf-token'), token);
    });

    it('refuses a POST without the CSRF header, without the cookie, or with another token: 403 "Missing or invalid Csrf token"', async () => {
      const sandbox = await start();
      const { cookie, csrf } = await signIn(sandbox);
      const json = { operationName: 'Invite', targetUri: sandbox.targets[0] };
      const path = `/api/v2/me/smssessions/${SMS_SESSION}`;
      for (const options of [{ cookie }, { csrf }, { cookie, csrf: 'another-token' }]) {
        const answer = await call(sandbox, 'POST', path, { ...options, json });
        assert.equal(answer.status, 403);
        assert.equal(answer.text, CSRF_REFUSAL);
      }
      assert.equal(sandbox.operations.length, 0);
    });

    it('accepts both paths of the seed, acknowledging with increasing referenceIds from 35', async () => {
      const sandbox = await start();
      const [agent] = sandbox.targets;
      const table = await operate(sandbox, `/api/v2/me/smssessions/${SMS_SESSION}`, { operationName: 'Invite', targetUri: agent });
      const sample = await operate(sandbox, `/api/v2/smssessions/${SMS_SESSION}`, { operationName: 'Invite', targetPath: '/users/agent-2' });
      assert.equal(table.status, 200);
      assert.deepEqual(table.body, { statusCode: 0, referenceId: 35 });
      assert.deepEqual(sample.body, { statusCode: 0, referenceId: 36 });
      assert.deepEqual(sandbox.operations, [
        { referenceId: 35, operationName: 'Invite', smsSessionId: SMS_SESSION, path: `/api/v2/me/smssessions/${SMS_SESSION}`, targetUri: agent, targetPath: undefined },
        { referenceId: 36, operationName: 'Invite', smsSessionId: SMS_SESSION, path: `/api/v2/smssessions/${SMS_SESSION}`, targetUri: undefined, targetPath: '/users/agent-2' },
      ]);
    });

    it('answers an unknown SMS session with HTTP 200 and statusCode 6', async () => {
      const sandbox = await start();
      const answer = await operate(sandbox, '/api/v2/me/smssessions/NOPE', { operationName: 'Invite', targetUri: sandbox.targets[0] });
      assert.equal(answer.status, 200);
      assert.equal(answer.body.statusCode, 6);
      assert.equal(typeof answer.body.statusMessage, 'string');
      assert.equal(answer.body.referenceId, undefined);
    });

    it('answers statusCode 1 without targetUri or targetPath, and for the sample\'s userUri alone (the table rules)', async () => {
      const sandbox = await start();
      const path = `/api/v2/me/smssessions/${SMS_SESSION}`;
      const none = await operate(sandbox, path, { operationName: 'Invite' });
      const userUri = await operate(sandbox, path, { operationName: 'Invite', userUri: sandbox.targets[0] });
      const noUrl = await operate(sandbox, path, { operationName: 'SendUrl' });
      for (const answer of [none, userUri, noUrl]) {
        assert.equal(answer.status, 200);
        assert.equal(answer.body.statusCode, 1);
      }
      assert.equal(sandbox.operations.length, 0);
    });

    it('with csrf: false, accepts a POST that carries no CSRF header', async () => {
      const sandbox = await start({ csrf: false });
      const me = await call(sandbox, 'GET', '/api/v2/me');
      assert.equal(me.headers.get('x-csrf-header'), null);
      const answer = await call(sandbox, 'POST', `/api/v2/smssessions/${SMS_SESSION}`, {
        json: { operationName: 'SendUrl', url: 'https://meet.example/r/1' },
      });
      assert.deepEqual(answer.body, { statusCode: 0, referenceId: 35 });
    });

    it('expireSession(): the old cookie and token are refused afterwards', async () => {
      const sandbox = await start();
      const { cookie, csrf } = await signIn(sandbox);
      sandbox.expireSession();
      const answer = await call(sandbox, 'POST', `/api/v2/me/smssessions/${SMS_SESSION}`, {
        cookie,
        csrf,
        json: { operationName: 'Invite', targetUri: sandbox.targets[0] },
      });
      assert.equal(answer.status, 403);
      assert.match(answer.headers.get('set-cookie') ?? '', /^JSESSIONID=/);
      assert.notEqual((answer.headers.get('set-cookie') ?? '').split(';')[0], cookie);
    });

    it('faults: failNext answers before authentication, once; requests are logged without credentials', async () => {
      const sandbox = await start();
      sandbox.faults.failNext(/^\/api\/v2\/me$/, { status: 503 });
      assert.equal((await call(sandbox, 'GET', '/api/v2/me', { auth: null })).status, 503);
      assert.equal((await call(sandbox, 'GET', '/api/v2/me')).status, 200);
      assert.deepEqual(
        sandbox.requests.map((r) => [r.method, r.path, r.status, r.user]),
        [
          ['GET', '/api/v2/me', 503, undefined],
          ['GET', '/api/v2/me', 200, 'agent1'],
        ],
      );
      assert.ok(!JSON.stringify(sandbox.requests).includes('secret'));
    });
  });

  describe('CometD (Bayeux long-polling)', () => {
    it('offers long-polling only, and refuses a client that can only do WebSocket', async () => {
      const sandbox = await start();
      const [ok] = await bayeux(sandbox, [{ id: '1', channel: '/meta/handshake', version: '1.0', supportedConnectionTypes: ['websocket', 'long-polling'] }]);
      assert.equal(ok?.successful, true);
      assert.deepEqual(ok.supportedConnectionTypes, ['long-polling']);
      assert.match(ok.clientId, /^[0-9a-f]{24}$/);
      const [refused] = await bayeux(sandbox, [{ id: '2', channel: '/meta/handshake', version: '1.0', supportedConnectionTypes: ['websocket'] }]);
      assert.equal(refused?.successful, false);
      assert.equal(refused.error, '400::Only long-polling is supported');
      assert.equal(sandbox.cometdClients, 1);
    });

    it('requires Basic credentials or the session cookie to handshake', async () => {
      const sandbox = await start();
      const message = { id: '1', channel: '/meta/handshake', version: '1.0', supportedConnectionTypes: ['long-polling'] };
      const [anonymous] = await bayeux(sandbox, [message], { auth: null });
      assert.equal(anonymous?.successful, false);
      assert.equal(anonymous.error, '401::Authentication required');
      assert.deepEqual(anonymous.advice, { reconnect: 'none' });
      const { cookie } = await signIn(sandbox);
      const [withCookie] = await bayeux(sandbox, [message], { auth: null, cookie });
      assert.equal(withCookie?.successful, true);
    });

    it('answers an unknown client with 402 and advice to handshake again', async () => {
      const sandbox = await start();
      const [reply] = await bayeux(sandbox, [{ id: '3', channel: '/meta/connect', clientId: 'nobody', connectionType: 'long-polling' }]);
      assert.deepEqual(reply, {
        id: '3',
        channel: '/meta/connect',
        successful: false,
        error: '402::Unknown client',
        advice: { reconnect: 'handshake', interval: 0 },
      });
    });

    it('holds a long poll and releases it with the outcome on the SMS topic, shaped like the seed', async () => {
      const sandbox = await start({ outcomeDelayMs: 0 });
      const clientId = await handshake(sandbox);
      const [subscribed] = await bayeux(sandbox, [{ id: '2', channel: '/meta/subscribe', clientId, subscription: '/v2/me/smssessions' }]);
      assert.equal(subscribed?.successful, true);
      const poll = bayeux(sandbox, [{ id: '3', channel: '/meta/connect', clientId, connectionType: 'long-polling' }]);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const started = Date.now();
      await operate(sandbox, `/api/v2/me/smssessions/${SMS_SESSION}`, { operationName: 'Invite', targetUri: sandbox.targets[0] });
      const replies = await poll;
      assert.ok(Date.now() - started < 1000, 'the poll is released by the outcome, not by its timeout');
      assert.deepEqual(replies.map((r) => r.channel), [GENESYS_SANDBOX_SMS_TOPIC, GENESYS_SANDBOX_SMS_TOPIC, '/meta/connect']);
      const [delivered, log, connect] = replies;
      assert.equal(connect?.successful, true);
      assert.deepEqual(connect.advice, { reconnect: 'retry', interval: 0, timeout: 20_000 });
      const data = delivered?.data as Json;
      assert.equal(data.messageType, 'SMSsessionStateChangeMessage');
      assert.equal(data.notificationType, 'ParticipantsUpdated');
      assert.equal(data.referenceId, 35);
      assert.equal(data.smssession.id, SMS_SESSION);
      assert.equal(data.smssession.state, 'Chatting');
      assert.deepEqual(
        data.smssession.participants.map((p: Json) => [p.nickname, p.type]),
        [['TestName', 'Agent'], ['FirstL', 'Customer'], ['agent-2', 'Agent']],
      );
      assert.match(data.smssession.participants[2].participantId, /^[0-9A-F]{16}$/);
      assert.ok(data.smssession.capabilities.includes('Invite'));
      // The seed's "Second Notification": no referenceId there.
      assert.equal(log?.data.messageType, 'MessageLogUpdated');
      assert.equal(log.data.notificationType, 'NewMessages');
      assert.equal(log.data.referenceId, undefined);
      assert.equal(log.data.messages[0].type, 'ParticipantJoined');
      assert.equal(log.data.messages[0].from.nickname, 'agent-2');
    });

    it('refuses publishing from clients', async () => {
      const sandbox = await start();
      const clientId = await handshake(sandbox);
      const [reply] = await bayeux(sandbox, [{ id: '5', channel: GENESYS_SANDBOX_SMS_TOPIC, clientId, data: {} }]);
      assert.equal(reply?.successful, false);
      assert.equal(reply.error, '403::Publishing is not allowed');
    });
  });

  describe('end to end: GenesysClient + GenesysNotifications (official CometD client)', () => {
    const health = new VendorHealth();
    const logger = createLogger('silent');

    async function connect(sandbox: GenesysSandbox) {
      const client = new GenesysClient(settingsFor(sandbox), { logger, health });
      const notifications = new GenesysNotifications(settingsFor(sandbox), { logger, health, session: client });
      listeners.push(notifications);
      const received: SmsNotification[] = [];
      notifications.on('notification', (notification) => received.push(notification));
      await notifications.start();
      return { client, notifications, received };
    }

    function nextNotification(notifications: GenesysNotifications, referenceId: number): Promise<SmsNotification> {
      return new Promise((resolve) => {
        const listener = (notification: SmsNotification) => {
          if (notification.referenceId !== referenceId) return;
          notifications.off('notification', listener);
          resolve(notification);
        };
        notifications.on('notification', listener);
      });
    }

    it('pins the assumed names: topic /v2/me/smssessions, endpoint {apiUrl}/api/v2/notifications', () => {
      assert.equal(GENESYS_SMS_TOPIC, '/v2/me/smssessions');
      assert.equal(GENESYS_SANDBOX_SMS_TOPIC, GENESYS_SMS_TOPIC);
      assert.equal(notificationsUrl({ apiUrl: 'http://gws.example:8080/' }), 'http://gws.example:8080/api/v2/notifications');
      assert.equal(notificationsUrl({ apiUrl: 'http://gws.example', notificationsUrl: 'http://gws.example/genesys/cometd' }), 'http://gws.example/genesys/cometd');
    });

    it('Invite → referenceId → waitForOutcome gives participants_updated with the invited agent', async () => {
      const sandbox = await start();
      const { client, notifications } = await connect(sandbox);
      const { referenceId } = await client.invite({ smsSessionId: SMS_SESSION, targetUri: sandbox.targets[0]! });
      assert.equal(referenceId, 35);
      const outcome = await notifications.waitForOutcome(referenceId, 1500);
      assert.equal(outcome.kind, 'participants_updated');
      assert.ok(outcome.kind === 'participants_updated');
      assert.equal(outcome.smsSessionId, SMS_SESSION);
      assert.deepEqual(outcome.participants.map((p) => p.nickname), ['TestName', 'FirstL', 'agent-2']);
      assert.deepEqual(sandbox.operations.map((o) => [o.operationName, o.targetUri]), [['Invite', sandbox.targets[0]]]);
    });

    it('an unknown target → error outcome with Genesys\'s errorMessage for the same referenceId', async () => {
      const sandbox = await start({ outcomeDelayMs: 50 });
      const { client, notifications, received } = await connect(sandbox);
      const { referenceId } = await client.invite({ smsSessionId: SMS_SESSION, targetUri: `${sandbox.url}/api/v2/users/nobody` });
      const outcome = await notifications.waitForOutcome(referenceId, 1500);
      assert.deepEqual(outcome, { kind: 'error', message: 'Operation failed' });
      assert.deepEqual(received.map((n) => [n.messageType, n.referenceId]), [['SMSsessionStateChangeMessage', referenceId]]);
    });

    it('keeps an outcome that arrives before waitForOutcome is called', async () => {
      const sandbox = await start({ outcomeDelayMs: 0 });
      const { client, notifications } = await connect(sandbox);
      const { referenceId } = await client.invite({ smsSessionId: SMS_SESSION, targetUri: sandbox.targets[1]! });
      await nextNotification(notifications, referenceId);
      // 1 ms: only an outcome already buffered can beat this timeout.
      const outcome = await notifications.waitForOutcome(referenceId, 1);
      assert.equal(outcome.kind, 'participants_updated');
      assert.equal(await notifications.waitForOutcome(referenceId, 1).then((o) => o.kind), 'timeout', 'an outcome is handed out once');
    });

    it('SendUrl → messages_added with a PushUrl message carrying the link', async () => {
      const sandbox = await start({ outcomeDelayMs: 20 });
      const { client, notifications } = await connect(sandbox);
      const { referenceId } = await client.sendUrl({ smsSessionId: SMS_SESSION, url: 'https://meet.example/r/abc' });
      const outcome = await notifications.waitForOutcome(referenceId, 1500);
      assert.equal(outcome.kind, 'messages_added');
      assert.ok(outcome.kind === 'messages_added');
      assert.deepEqual(outcome.messages.map((m) => [m.type, m.text]), [['PushUrl', 'https://meet.example/r/abc']]);
    });

    it('waitForOutcome answers timeout when nothing comes', async () => {
      const sandbox = await start();
      const { notifications } = await connect(sandbox);
      const started = Date.now();
      assert.deepEqual(await notifications.waitForOutcome(999, 60), { kind: 'timeout' });
      assert.ok(Date.now() - started >= 55);
    });

    it('two listeners in one process, each on its own Genesys, get only their own notifications', async () => {
      const [one, two] = await Promise.all([start({ outcomeDelayMs: 20 }), start({ outcomeDelayMs: 20 })]);
      const a = await connect(one!);
      const b = await connect(two!);
      const [fromA, fromB] = await Promise.all([
        a.client.invite({ smsSessionId: SMS_SESSION, targetUri: one!.targets[0]! }),
        b.client.invite({ smsSessionId: SMS_SESSION, targetUri: `${two!.url}/api/v2/users/nobody` }),
      ]);
      // Both servers count from 35: only the right connection can tell the outcomes apart.
      assert.equal(fromA.referenceId, 35);
      assert.equal(fromB.referenceId, 35);
      const [outcomeA, outcomeB] = await Promise.all([a.notifications.waitForOutcome(35, 1500), b.notifications.waitForOutcome(35, 1500)]);
      assert.equal(outcomeA.kind, 'participants_updated');
      assert.deepEqual(outcomeB, { kind: 'error', message: 'Operation failed' });
      await eventually('A also got its ParticipantJoined log message', () => a.received.length === 2, 1000);
      assert.deepEqual(a.received.map((n) => n.messageType), ['SMSsessionStateChangeMessage', 'MessageLogUpdated']);
      assert.deepEqual(b.received.map((n) => n.messageType), ['SMSsessionStateChangeMessage']);
      // Each listener presented its own REST session (same host, different ports).
      for (const [sandbox, client] of [[one!, a.client], [two!, b.client]] as const) {
        const session = client.cookieHeader()?.replace('JSESSIONID=', '');
        const polls = sandbox.requests.filter((r) => r.path === '/api/v2/notifications' && r.sessionId !== undefined);
        assert.ok(polls.length >= 2);
        assert.deepEqual([...new Set(polls.map((r) => r.sessionId))], [session]);
      }
    });

    it('shares one HTTP session with the REST client: the handshake\'s cookie is the one the POSTs send', async () => {
      const sandbox = await start({ outcomeDelayMs: 0 });
      const { client, notifications } = await connect(sandbox);
      const [handshakeRequest] = sandbox.requests;
      assert.deepEqual(handshakeRequest?.channels, ['/meta/handshake']);
      assert.equal(handshakeRequest.sessionId, undefined, 'no session yet: Basic credentials open it');
      const { referenceId } = await client.invite({ smsSessionId: SMS_SESSION, targetUri: sandbox.targets[0]! });
      await notifications.waitForOutcome(referenceId, 1500);
      const sessions = new Set(sandbox.requests.slice(1).map((r) => r.sessionId));
      assert.deepEqual([...sessions], [client.cookieHeader()?.replace('JSESSIONID=', '')]);
    });

    it('re-handshakes and resubscribes after Genesys forgets the session, and still gets outcomes', async () => {
      const sandbox = await start({ outcomeDelayMs: 0 });
      const { client, notifications } = await connect(sandbox);
      await client.invite({ smsSessionId: SMS_SESSION, targetUri: sandbox.targets[0]! });
      sandbox.expireSession();
      assert.equal(sandbox.cometdClients, 0);
      await eventually('the listener handshook again', () => sandbox.cometdClients === 1, 1500);
      await eventually(
        'the listener subscribed again',
        () => sandbox.requests.filter((r) => r.channels?.includes('/meta/subscribe') && r.status === 200).length === 2,
        1500,
      );
      const { referenceId } = await client.invite({ smsSessionId: SMS_SESSION, targetUri: sandbox.targets[1]! });
      assert.equal(referenceId, 36);
      const outcome = await notifications.waitForOutcome(referenceId, 1500);
      assert.equal(outcome.kind, 'participants_updated');
    });

    it('ignores a notification that does not match its schema, and emits the next one', async () => {
      const sandbox = await start();
      const { notifications, received } = await connect(sandbox);
      sandbox.publish(GENESYS_SANDBOX_SMS_TOPIC, { messageType: 'SMSsessionStateChangeMessage', notificationType: 'Bogus', referenceId: 7 });
      sandbox.publish(GENESYS_SANDBOX_SMS_TOPIC, { messageType: 'SMSsessionStateChangeMessage', notificationType: 'Error', errorMessage: 'Nope', referenceId: 8 });
      assert.deepEqual(await notifications.waitForOutcome(8, 1500), { kind: 'error', message: 'Nope' });
      assert.deepEqual(received.map((n) => n.referenceId), [8]);
      assert.deepEqual(await notifications.waitForOutcome(7, 1), { kind: 'timeout' });
    });

    it('start() rejects with "unauthorized" when Genesys refuses the credentials', async () => {
      const sandbox = await start();
      const notifications = new GenesysNotifications(settingsFor(sandbox, { password: 'wrong' }), { logger, health });
      listeners.push(notifications);
      await assert.rejects(notifications.start(), (error: unknown) => error instanceof VendorError && error.code === 'unauthorized');
      assert.equal(sandbox.cometdClients, 0);
    });

    it('stop() disconnects at once: the server forgets the client and pending waits settle as timeouts', async () => {
      const sandbox = await start();
      const { notifications } = await connect(sandbox);
      assert.equal(sandbox.cometdClients, 1);
      const pending: Promise<GenesysOutcome> = notifications.waitForOutcome(999, 10_000);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const started = Date.now();
      await notifications.stop();
      assert.ok(Date.now() - started < 500, `stop() took ${Date.now() - started} ms`);
      assert.deepEqual(await pending, { kind: 'timeout' });
      assert.equal(sandbox.cometdClients, 0);
      assert.ok(sandbox.requests.some((r) => r.channels?.includes('/meta/disconnect') && r.status === 200));
      const requestsAfterStop = sandbox.requests.length;
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(sandbox.requests.length, requestsAfterStop, 'no poll after stop()');
    });

    describe('process-wide state: what CometD needs globally is there only while a listener runs', () => {
      /** The global scope's properties, `console`'s, and those of a `window` if there is one, by descriptor. */
      function globalState() {
        const window = (globalThis as { window?: unknown }).window;
        return {
          global: Object.getOwnPropertyDescriptors(globalThis),
          console: Object.getOwnPropertyDescriptors(globalThis.console),
          window: typeof window === 'object' && window !== null ? Object.getOwnPropertyDescriptors(window) : undefined,
        };
      }

      const processConsole = globalThis.console;

      /** Lets aborted requests' last callbacks run after stop(): one that needed a global would throw here. */
      const afterStop = () => new Promise((resolve) => setTimeout(resolve, 100));

      async function invite(sandbox: GenesysSandbox, listener: Awaited<ReturnType<typeof connect>>): Promise<GenesysOutcome> {
        const { referenceId } = await listener.client.invite({ smsSessionId: SMS_SESSION, targetUri: sandbox.targets[0]! });
        return listener.notifications.waitForOutcome(referenceId, 1500);
      }

      it('one listener: start() and stop() leave window, console.debug and every other global as they were', async () => {
        const before = globalState();
        const debug = processConsole.debug;
        const sandbox = await start({ outcomeDelayMs: 20 });
        const listener = await connect(sandbox);
        assert.equal('window' in globalThis, true, 'installed while running');
        assert.equal(processConsole.debug, debug, 'console.debug is never patched');
        assert.deepEqual(globalState().console, before.console);
        assert.equal((await invite(sandbox, listener)).kind, 'participants_updated');
        await listener.notifications.stop();
        await afterStop();
        assert.equal('window' in globalThis, false);
        assert.equal(processConsole.debug, debug);
        assert.deepEqual(globalState(), before);
      });

      it('two listeners: the globals stay until the last one stops, each works alone, then all is as before', async () => {
        const before = globalState();
        const [one, two] = await Promise.all([start({ outcomeDelayMs: 20 }), start({ outcomeDelayMs: 20 })]);
        const a = await connect(one!);
        const b = await connect(two!);
        const window = (globalThis as { window?: unknown }).window;

        await a.notifications.stop();
        await afterStop();
        assert.equal((globalThis as { window?: unknown }).window, window, 'B still needs the globals');
        assert.equal((await invite(two!, b)).kind, 'participants_updated', 'B works after A stopped');
        await eventually('B also got its ParticipantJoined log message', () => b.received.length === 2, 1000);
        assert.equal(a.received.length, 0, 'A heard nothing of B');

        // A starts again while B runs, and B stops first: A must keep working without B.
        await a.notifications.start();
        await b.notifications.stop();
        await afterStop();
        assert.equal((await invite(one!, a)).kind, 'participants_updated', 'A works after B stopped');
        await eventually('A also got its ParticipantJoined log message', () => a.received.length === 2, 1000);
        assert.deepEqual(a.received.map((n) => n.messageType), ['SMSsessionStateChangeMessage', 'MessageLogUpdated']);
        assert.equal(b.received.length, 2, 'B heard nothing after it stopped');

        await a.notifications.stop();
        await afterStop();
        assert.deepEqual(globalState(), before);
      });

      it('a window that was already there (a test DOM) keeps its own XMLHttpRequest afterwards', async () => {
        const scope = globalThis as { window?: unknown };
        class DomXMLHttpRequest {}
        const dom = { XMLHttpRequest: DomXMLHttpRequest, document: {} };
        scope.window = dom;
        try {
          const before = globalState();
          const sandbox = await start({ outcomeDelayMs: 20 });
          const listener = await connect(sandbox);
          assert.equal(scope.window, dom);
          assert.equal((await invite(sandbox, listener)).kind, 'participants_updated');
          await listener.notifications.stop();
          await afterStop();
          assert.equal(scope.window, dom);
          assert.equal(dom.XMLHttpRequest, DomXMLHttpRequest);
          assert.deepEqual(globalState(), before);
        } finally {
          delete scope.window;
        }
      });

      it('a start() that fails gives the globals back: the stop() after it waits for that', async () => {
        const before = globalState();
        const sandbox = await start();
        const notifications = new GenesysNotifications(settingsFor(sandbox, { password: 'wrong' }), { logger, health });
        listeners.push(notifications);
        await assert.rejects(notifications.start(), (error: unknown) => error instanceof VendorError && error.code === 'unauthorized');
        await notifications.stop();
        await afterStop();
        assert.deepEqual(globalState(), before);
      });
    });
  });
});
