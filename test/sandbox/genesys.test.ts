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
import { GENESYS_SMS_TOPIC, GenesysNotifications, notificationsUrl } from '../../src/vendors/genesys/notifications.js';
import { parseTarget } from '../../src/vendors/genesys/targets.js';
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
  return {
    apiUrl: sandbox.url,
    username: 'agent1',
    password: 'secret',
    smsPath: 'me/smssessions',
    inviteParameter: 'target',
    outcomeTimeoutMs: 60_000,
    timeoutMs: 2000,
    ...overrides,
  };
}

/** A target as the grammar reads it (a URI, `agent:<id>`, a path). */
function target(written: string) {
  const parsed = parseTarget(written);
  if (!parsed) throw new Error(`not a target: ${written}`);
  return parsed;
}

/** The first notification heard so far, or within `ms`, that `matches`; 'nothing' when none came. */
async function heard(received: SmsNotification[], matches: (notification: SmsNotification) => boolean, ms = 1500): Promise<SmsNotification | 'nothing'> {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = received.find(matches);
    if (found) return found;
    if (Date.now() >= deadline) return 'nothing';
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const participantsUpdated = (notification: SmsNotification) =>
  notification.messageType === 'SMSsessionStateChangeMessage' && notification.notificationType === 'ParticipantsUpdated';

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
        { referenceId: 35, operationName: 'Invite', smsSessionId: SMS_SESSION, path: `/api/v2/me/smssessions/${SMS_SESSION}`, targetUri: agent },
        { referenceId: 36, operationName: 'Invite', smsSessionId: SMS_SESSION, path: `/api/v2/smssessions/${SMS_SESSION}`, targetPath: '/users/agent-2' },
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

    it('answers statusCode 1 without targetUri, targetPath or userUri, and SendUrl without url', async () => {
      const sandbox = await start();
      const path = `/api/v2/me/smssessions/${SMS_SESSION}`;
      const none = await operate(sandbox, path, { operationName: 'Invite' });
      const noUrl = await operate(sandbox, path, { operationName: 'SendUrl' });
      for (const answer of [none, noUrl]) {
        assert.equal(answer.status, 200);
        assert.equal(answer.body.statusCode, 1);
      }
      assert.equal(sandbox.operations.length, 0);
    });

    it('accepts the sample\'s userUri too (the seed contradicts its own table)', async () => {
      const sandbox = await start();
      const answer = await operate(sandbox, `/api/v2/smssessions/${SMS_SESSION}`, { operationName: 'Invite', userUri: sandbox.targets[0] });
      assert.deepEqual(answer.body, { statusCode: 0, referenceId: 35 });
      assert.deepEqual(sandbox.operations.map((o) => o.userUri), [sandbox.targets[0]]);
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
      // The seed's successful notifications carry no referenceId.
      assert.equal('referenceId' in data, false);
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
      assert.equal('referenceId' in log.data, false);
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

    async function connect(sandbox: GenesysSandbox, overrides: Partial<GenesysSettings> = {}) {
      const client = new GenesysClient(settingsFor(sandbox, overrides), { logger, health });
      const notifications = new GenesysNotifications(settingsFor(sandbox, overrides), { logger, health, session: client });
      listeners.push(notifications);
      const received: SmsNotification[] = [];
      notifications.on('notification', (notification) => received.push(notification));
      await notifications.start();
      return { client, notifications, received };
    }

    it('pins the assumed names: topic /v2/me/smssessions, endpoint {apiUrl}/api/v2/notifications', () => {
      assert.equal(GENESYS_SMS_TOPIC, '/v2/me/smssessions');
      assert.equal(GENESYS_SANDBOX_SMS_TOPIC, GENESYS_SMS_TOPIC);
      assert.equal(notificationsUrl({ apiUrl: 'http://gws.example:8080/' }), 'http://gws.example:8080/api/v2/notifications');
      assert.equal(notificationsUrl({ apiUrl: 'http://gws.example', notificationsUrl: 'http://gws.example/genesys/cometd' }), 'http://gws.example/genesys/cometd');
    });

    it('Invite → ParticipantsUpdated with the invited agent, then NewMessages: neither carries referenceId', async () => {
      const sandbox = await start();
      const { client, received } = await connect(sandbox);
      const { referenceId } = await client.invite({ smsSessionId: SMS_SESSION, target: target(sandbox.targets[0]!) });
      assert.equal(referenceId, 35);
      const first = await heard(received, participantsUpdated);
      assert.ok(first !== 'nothing' && first.messageType === 'SMSsessionStateChangeMessage');
      assert.equal(first.referenceId, undefined);
      assert.equal(first.smssession?.id, SMS_SESSION);
      assert.deepEqual(first.smssession?.participants.map((p) => p.nickname), ['TestName', 'FirstL', 'agent-2']);
      const second = await heard(received, (n) => n.messageType === 'MessageLogUpdated');
      assert.ok(second !== 'nothing' && second.messageType === 'MessageLogUpdated');
      assert.deepEqual(second.messages.map((m) => [m.type, m.from?.nickname]), [['ParticipantJoined', 'agent-2']]);
      assert.deepEqual(sandbox.operations.map((o) => [o.operationName, o.targetUri]), [['Invite', sandbox.targets[0]]]);
    });

    it('an unknown target → the Error notification with Genesys\'s errorMessage and the same referenceId', async () => {
      const sandbox = await start({ outcomeDelayMs: 50 });
      const { client, received } = await connect(sandbox);
      const { referenceId } = await client.invite({ smsSessionId: SMS_SESSION, target: target(`${sandbox.url}/api/v2/users/nobody`) });
      const error = await heard(received, (n) => n.messageType === 'SMSsessionStateChangeMessage' && n.notificationType === 'Error');
      assert.ok(error !== 'nothing' && error.messageType === 'SMSsessionStateChangeMessage');
      assert.equal(error.referenceId, referenceId);
      assert.equal(error.errorMessage, 'Operation failed');
      assert.equal(received.length, 1);
    });

    it('the sample\'s reading (userUri, /api/v2/smssessions/{id}) works as well as the table\'s targetPath', async () => {
      const sandbox = await start({ outcomeDelayMs: 0 });
      const sample = await connect(sandbox, { inviteParameter: 'userUri', smsPath: 'smssessions' });
      await sample.client.invite({ smsSessionId: SMS_SESSION, target: target('agent:agent-2') });
      await sample.client.invite({ smsSessionId: SMS_SESSION, target: target('queue:sms-overflow') });
      assert.deepEqual(
        sandbox.operations.map((o) => [o.path, o.userUri, o.targetPath]),
        [
          [`/api/v2/smssessions/${SMS_SESSION}`, `${sandbox.url}/api/v2/users/agent-2`, undefined],
          [`/api/v2/smssessions/${SMS_SESSION}`, `${sandbox.url}/api/v2/queues/sms-overflow`, undefined],
        ],
      );
      await eventually('both joined', () => sample.received.filter(participantsUpdated).length === 2, 1500);
    });

    it('SendUrl: statusCode 0 and no notification (the seed shows none); a failure is the Error with its referenceId', async () => {
      const sandbox = await start({ outcomeDelayMs: 20 });
      const { client, received } = await connect(sandbox);
      await client.sendUrl({ smsSessionId: SMS_SESSION, url: 'https://meet.example/r/abc' });
      assert.equal(await heard(received, () => true, 200), 'nothing');
      sandbox.failNextOperations();
      const { referenceId } = await client.sendUrl({ smsSessionId: SMS_SESSION, url: 'https://meet.example/r/def' });
      const error = await heard(received, () => true);
      assert.ok(error !== 'nothing' && error.messageType === 'SMSsessionStateChangeMessage');
      assert.deepEqual([error.notificationType, error.referenceId], ['Error', referenceId]);
    });

    it('two listeners in one process, each on its own Genesys, get only their own notifications', async () => {
      const [one, two] = await Promise.all([start({ outcomeDelayMs: 20 }), start({ outcomeDelayMs: 20 })]);
      const a = await connect(one!);
      const b = await connect(two!);
      const [fromA, fromB] = await Promise.all([
        a.client.invite({ smsSessionId: SMS_SESSION, target: target(one!.targets[0]!) }),
        b.client.invite({ smsSessionId: SMS_SESSION, target: target(`${two!.url}/api/v2/users/nobody`) }),
      ]);
      // Both servers count from 35: only the right connection can tell the outcomes apart.
      assert.equal(fromA.referenceId, 35);
      assert.equal(fromB.referenceId, 35);
      assert.notEqual(await heard(a.received, participantsUpdated), 'nothing');
      const errorB = await heard(b.received, () => true);
      assert.ok(errorB !== 'nothing' && errorB.messageType === 'SMSsessionStateChangeMessage');
      assert.deepEqual([errorB.notificationType, errorB.referenceId], ['Error', 35]);
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
      const { client, received } = await connect(sandbox);
      const [handshakeRequest] = sandbox.requests;
      assert.deepEqual(handshakeRequest?.channels, ['/meta/handshake']);
      assert.equal(handshakeRequest.sessionId, undefined, 'no session yet: Basic credentials open it');
      await client.invite({ smsSessionId: SMS_SESSION, target: target(sandbox.targets[0]!) });
      assert.notEqual(await heard(received, participantsUpdated), 'nothing');
      const sessions = new Set(sandbox.requests.slice(1).map((r) => r.sessionId));
      assert.deepEqual([...sessions], [client.cookieHeader()?.replace('JSESSIONID=', '')]);
    });

    it('re-handshakes and resubscribes after Genesys forgets the session, and still gets outcomes', async () => {
      const sandbox = await start({ outcomeDelayMs: 0 });
      const { client, received } = await connect(sandbox);
      await client.invite({ smsSessionId: SMS_SESSION, target: target(sandbox.targets[0]!) });
      await eventually('the first outcome', () => received.length === 2, 1500);
      sandbox.expireSession();
      assert.equal(sandbox.cometdClients, 0);
      await eventually('the listener handshook again', () => sandbox.cometdClients === 1, 1500);
      await eventually(
        'the listener subscribed again',
        () => sandbox.requests.filter((r) => r.channels?.includes('/meta/subscribe') && r.status === 200).length === 2,
        1500,
      );
      received.splice(0);
      const { referenceId } = await client.invite({ smsSessionId: SMS_SESSION, target: target(sandbox.targets[1]!) });
      assert.equal(referenceId, 36);
      const after = await heard(received, participantsUpdated);
      assert.ok(after !== 'nothing' && after.messageType === 'SMSsessionStateChangeMessage');
      assert.deepEqual(after.smssession?.participants.map((p) => p.nickname), ['TestName', 'FirstL', 'agent-2', 'sms-overflow']);
    });

    it('ignores a notification that does not match its schema, and emits the next one', async () => {
      const sandbox = await start();
      const { received } = await connect(sandbox);
      sandbox.publish(GENESYS_SANDBOX_SMS_TOPIC, { messageType: 'SMSsessionStateChangeMessage', notificationType: 'Bogus', referenceId: 7 });
      sandbox.publish(GENESYS_SANDBOX_SMS_TOPIC, { messageType: 'SMSsessionStateChangeMessage', notificationType: 'Error', errorMessage: 'Nope', referenceId: 8 });
      const error = await heard(received, () => true);
      assert.ok(error !== 'nothing' && error.messageType === 'SMSsessionStateChangeMessage');
      assert.deepEqual([error.notificationType, error.errorMessage, error.referenceId], ['Error', 'Nope', 8]);
      assert.deepEqual(received.map((n) => n.messageType === 'SMSsessionStateChangeMessage' && n.referenceId), [8]);
    });

    it('start() rejects with "unauthorized" when Genesys refuses the credentials', async () => {
      const sandbox = await start();
      const notifications = new GenesysNotifications(settingsFor(sandbox, { password: 'wrong' }), { logger, health });
      listeners.push(notifications);
      await assert.rejects(notifications.start(), (error: unknown) => error instanceof VendorError && error.code === 'unauthorized');
      assert.equal(sandbox.cometdClients, 0);
    });

    it('stop() disconnects at once: the server forgets the client', async () => {
      const sandbox = await start();
      const { notifications } = await connect(sandbox);
      assert.equal(sandbox.cometdClients, 1);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const started = Date.now();
      await notifications.stop();
      assert.ok(Date.now() - started < 500, `stop() took ${Date.now() - started} ms`);
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

      /** Invites, and says what the listener heard first about it. */
      async function invite(sandbox: GenesysSandbox, listener: Awaited<ReturnType<typeof connect>>): Promise<string> {
        await listener.client.invite({ smsSessionId: SMS_SESSION, target: target(sandbox.targets[0]!) });
        const first = await heard(listener.received, () => true);
        return first === 'nothing' ? first : first.notificationType;
      }

      it('one listener: start() and stop() leave window, console.debug and every other global as they were', async () => {
        const before = globalState();
        const debug = processConsole.debug;
        const sandbox = await start({ outcomeDelayMs: 20 });
        const listener = await connect(sandbox);
        assert.equal('window' in globalThis, true, 'installed while running');
        assert.equal(processConsole.debug, debug, 'console.debug is never patched');
        assert.deepEqual(globalState().console, before.console);
        assert.equal((await invite(sandbox, listener)), 'ParticipantsUpdated');
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
        assert.equal((await invite(two!, b)), 'ParticipantsUpdated', 'B works after A stopped');
        await eventually('B also got its ParticipantJoined log message', () => b.received.length === 2, 1000);
        assert.equal(a.received.length, 0, 'A heard nothing of B');

        // A starts again while B runs, and B stops first: A must keep working without B.
        await a.notifications.start();
        await b.notifications.stop();
        await afterStop();
        assert.equal((await invite(one!, a)), 'ParticipantsUpdated', 'A works after B stopped');
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
          assert.equal((await invite(sandbox, listener)), 'ParticipantsUpdated');
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
