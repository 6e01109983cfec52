/**
 * Contract tests for the local Imbee sandbox. Expected shapes come from the seed document
 * (vendor-docs/004_63ef09629be84b58.txt, "seed") and REFERENCE.md §5.
 */
import assert from 'node:assert/strict';
import { createLogger } from '../../src/logger.js';
import { startImbeeSandbox, type ImbeeSandbox, type ImbeeSandboxOptions } from '../../sandbox/imbee.js';
import { VendorHealth } from '../../src/vendors/health.js';
import { ImbeeClient, virtualUserFor } from '../../src/vendors/imbee/client.js';
import { closedAfterEach } from '../helpers/sandboxes.js';
import { vendorError } from '../helpers/vendor-error.js';

const AUTH = 'imbee-sandbox-auth';
const CORPORATE = 'imbee-sandbox-corporate-token';
const BOT = 'imbee-sandbox-bot';
const PHONE = '+33612345678';
const EMAIL = 'jane@example.com';
// Keys of the envelope and of the token body, in the seed example's order.
const ENVELOPE_KEYS = ['time', 'code', 'message', 'body'];
const TOKEN_KEYS = ['url', 'user_idsha', 'date_limit', 'max_retries', 'previously_created'];
const BASE_BODY = { virtual_user: 'user_identifier_sha', bot_idsha: BOT, mail: EMAIL };

/** Untyped JSON object, for reading answers in assertions. */
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface CallOptions {
  headers?: Record<string, string | null>;
  json?: unknown;
  rawBody?: string;
  method?: string;
  path?: string;
}

describe('Imbee sandbox (seed 004 + REFERENCE §5)', () => {
  const clock = Date.parse('2025-01-10T08:00:00Z');
  const start = closedAfterEach((options: ImbeeSandboxOptions = {}) => startImbeeSandbox({ now: () => clock, ...options }));

  async function call(sandbox: ImbeeSandbox, options: CallOptions = {}) {
    const headers: Record<string, string> = {};
    const wanted = { authorization: AUTH, 'x-woos-key': CORPORATE, 'content-type': 'application/json', ...options.headers };
    for (const [name, value] of Object.entries(wanted)) if (value !== null) headers[name] = value;
    const body = options.rawBody ?? JSON.stringify(options.json ?? BASE_BODY);
    const response = await fetch(`${sandbox.url}${options.path ?? '/token/new'}`, { method: options.method ?? 'POST', headers, body });
    return { status: response.status, body: (await response.json()) as Json };
  }

  /** Asserts an HTTP 200 answer with envelope code 1 and this message. */
  async function refused(sandbox: ImbeeSandbox, options: CallOptions, message: string): Promise<void> {
    const answer = await call(sandbox, options);
    assert.equal(answer.status, 200);
    assert.deepEqual({ code: answer.body.code, message: answer.body.message, body: answer.body.body }, { code: 1, message, body: null });
    assert.equal(sandbox.tokens.length, 0);
  }

  describe('POST /token/new', () => {
    it('answers the seed example shape and records the link', async () => {
      const sandbox = await start();
      const answer = await call(sandbox, { json: { ...BASE_BODY, celullar: PHONE, max_retries: 3, date_limit: '2025-02-01' } });
      assert.equal(answer.status, 200);
      assert.deepEqual(Object.keys(answer.body), ENVELOPE_KEYS);
      assert.equal(answer.body.code, 0);
      assert.equal(answer.body.message, 'Ok');
      assert.equal(typeof answer.body.time, 'number');
      assert.deepEqual(Object.keys(answer.body.body), TOKEN_KEYS);
      const token = sandbox.tokens[0]!;
      assert.deepEqual(answer.body.body, {
        url: `https://webchat.imbee.example/?token=${token.token}`,
        user_idsha: token.userIdsha,
        date_limit: '2025-02-01',
        max_retries: 3,
        previously_created: false,
      });
      assert.match(token.token, /^[0-9a-f]{32}$/);
      assert.match(token.userIdsha, /^[0-9a-f]{40}$/);
      assert.deepEqual(
        { virtualUser: token.virtualUser, mail: token.mail, celullar: token.celullar, requestCount: token.requestCount },
        { virtualUser: 'user_identifier_sha', mail: EMAIL, celullar: PHONE, requestCount: 1 },
      );
    });

    it('defaults to a week from today and 10 uses', async () => {
      const sandbox = await start();
      const answer = await call(sandbox);
      assert.equal(answer.body.body.date_limit, '2025-01-17');
      assert.equal(answer.body.body.max_retries, 10);
    });

    it('gives the same virtual user the same link again, with previously_created', async () => {
      const sandbox = await start();
      const first = await call(sandbox, { json: { ...BASE_BODY, max_retries: 3 } });
      const second = await call(sandbox, { json: { ...BASE_BODY, max_retries: 9, celullar: PHONE } });
      assert.equal(second.body.body.url, first.body.body.url);
      assert.equal(second.body.body.previously_created, true);
      assert.equal(second.body.body.max_retries, 3, 'the existing link keeps its limits');
      assert.equal(sandbox.tokens.length, 1);
      assert.equal(sandbox.tokens[0]!.requestCount, 2);
      const other = await call(sandbox, { json: { ...BASE_BODY, virtual_user: 'someone-else' } });
      assert.notEqual(other.body.body.url, first.body.body.url);
      assert.equal(other.body.body.previously_created, false);
    });

    it("accepts the params list's virutal_user as well as the curl's virtual_user (the seed says both)", async () => {
      const sandbox = await start();
      const answer = await call(sandbox, { json: { virutal_user: 'listed-spelling', bot_idsha: BOT, mail: EMAIL } });
      assert.equal(answer.body.code, 0);
      assert.equal(sandbox.tokens[0]!.virtualUser, 'listed-spelling');
    });

    it('accepts a phone alone', async () => {
      const sandbox = await start();
      const answer = await call(sandbox, { json: { virtual_user: 'u', bot_idsha: BOT, celullar: PHONE } });
      assert.equal(answer.body.code, 0);
    });

    for (const [label, headers] of [
      ['a wrong Authorization', { authorization: 'nope' }],
      ['a "Bearer" Authorization', { authorization: `Bearer ${AUTH}` }],
      ['no Authorization', { authorization: null }],
      ['a wrong X-WOOS-KEY', { 'x-woos-key': 'nope' }],
      ['no X-WOOS-KEY', { 'x-woos-key': null }],
    ] as const) {
      it(`answers HTTP 200 with code 1 "Unauthorized" to ${label}`, async () => {
        const sandbox = await start();
        await refused(sandbox, { headers }, 'Unauthorized');
        assert.equal(sandbox.requests[0]!.authorized, false);
      });
    }

    it('uses the configured credentials and bot', async () => {
      const sandbox = await start({ auth: 'a2', corporateToken: 'c2', botIdsha: 'b2' });
      await refused(sandbox, {}, 'Unauthorized');
      const headers = { authorization: 'a2', 'x-woos-key': 'c2' };
      await refused(sandbox, { headers }, 'Unknown bot_idsha');
      assert.equal((await call(sandbox, { headers, json: { ...BASE_BODY, bot_idsha: 'b2' } })).body.code, 0);
    });

    for (const [label, options, message] of [
      ['a body that is not JSON', { rawBody: 'virtual_user=u' }, 'The body is not valid JSON'],
      ['a form content type', { headers: { 'content-type': 'application/x-www-form-urlencoded' } }, 'Content-Type must be application/json'],
      ['no virtual_user', { json: { bot_idsha: BOT, mail: EMAIL } }, 'virtual_user can not be null or empty'],
      ['an empty virtual_user', { json: { ...BASE_BODY, virtual_user: '' } }, 'virtual_user can not be null or empty'],
      ['another bot', { json: { ...BASE_BODY, bot_idsha: 'other' } }, 'Unknown bot_idsha'],
      ['neither mail nor celullar', { json: { virtual_user: 'u', bot_idsha: BOT } }, 'mail or celullar is required'],
      ['the correctly spelled "cellular" only', { json: { virtual_user: 'u', bot_idsha: BOT, cellular: PHONE } }, 'mail or celullar is required'],
      ['a bad mail', { json: { ...BASE_BODY, mail: 'jane' } }, 'mail is not a valid address'],
      ['a national number', { json: { virtual_user: 'u', bot_idsha: BOT, celullar: '0612345678' } }, 'celullar must be an international number'],
      ['max_retries as a string', { json: { ...BASE_BODY, max_retries: '10' } }, 'max_retries must be a positive integer'],
      ['max_retries 1.5', { json: { ...BASE_BODY, max_retries: 1.5 } }, 'max_retries must be a positive integer'],
      ['date_limit 31/12/2025', { json: { ...BASE_BODY, date_limit: '31/12/2025' } }, 'date_limit must be a date with format YYYY-MM-DD'],
      ['date_limit 2025-02-30', { json: { ...BASE_BODY, date_limit: '2025-02-30' } }, 'date_limit must be a date with format YYYY-MM-DD'],
    ] as const) {
      it(`refuses ${label} with code 1`, async () => {
        const sandbox = await start();
        await refused(sandbox, options, message);
      });
    }

    it('answers 404 to an unknown path and 405 to a GET, in the envelope', async () => {
      const sandbox = await start();
      const unknown = await call(sandbox, { path: '/token/old' });
      assert.deepEqual([unknown.status, unknown.body.code], [404, 1]);
      const response = await fetch(`${sandbox.url}/token/new`, { headers: { authorization: AUTH, 'x-woos-key': CORPORATE } });
      assert.equal(response.status, 405);
      assert.equal(response.headers.get('allow'), 'POST');
    });
  });

  describe('POST /third_parties/user/new and POST /chat/create', () => {
    const USER_BODY = { uniqueIdSha: 'user_identifier_sha', platform: 'web', deviceName: 'd', hardwareId: 'h', osVersion: 'o' };

    async function newUser(sandbox: ImbeeSandbox, uniqueIdSha: string): Promise<Json> {
      return (await call(sandbox, { path: '/third_parties/user/new', json: { ...USER_BODY, uniqueIdSha } })).body;
    }

    it('registers a user once: the same uniqueIdSha gets the same user with previously_registered', async () => {
      const sandbox = await start();
      const first = await newUser(sandbox, 'u1');
      const again = await newUser(sandbox, 'u1');
      assert.deepEqual(Object.keys(first.body), ['virtualUser', 'pass', 'apikey', 'previously_registered']);
      assert.equal(first.body.previously_registered, false);
      assert.deepEqual(again.body, { ...first.body, previously_registered: true });
      assert.equal(sandbox.users.length, 1);
    });

    it('refuses a user without uniqueIdSha with code 1', async () => {
      const sandbox = await start();
      const answer = await call(sandbox, { path: '/third_parties/user/new', json: { platform: 'web' } });
      assert.deepEqual([answer.body.code, answer.body.message], [1, 'uniqueIdSha can not be null or empty']);
    });

    it("opens a chat with the user's apikey, the creator as admin, and gives it back with previously_created", async () => {
      const sandbox = await start();
      const [first, second] = [(await newUser(sandbox, 'u1')).body, (await newUser(sandbox, 'u2')).body];
      const open = () =>
        call(sandbox, { path: '/chat/create', headers: { 'x-woos-key': first.apikey }, json: { type: 'chat', contacts: [{ idsha: second.virtualUser }] } });
      const created = (await open()).body;
      assert.deepEqual(created.body.contacts, [
        { idsha: first.virtualUser, isadmin: 1 },
        { idsha: second.virtualUser, isadmin: 0 },
      ]);
      assert.equal(created.body.previously_created, false);
      const again = (await open()).body;
      assert.deepEqual([again.body.conversationId, again.body.previously_created], [created.body.conversationId, true]);
      assert.equal(sandbox.chats.length, 1);
    });

    for (const [label, json, message] of [
      ['an unknown contact', { type: 'chat', contacts: [{ idsha: 'nobody' }] }, 'Unknown contact'],
      ['no contacts', { type: 'chat', contacts: [] }, 'contacts can not be null or empty'],
      ['another type', { type: 'group', contacts: [{ idsha: 'x' }] }, 'type must be chat'],
    ] as const) {
      it(`refuses a chat with ${label}`, async () => {
        const sandbox = await start();
        const user = (await newUser(sandbox, 'u1')).body;
        const answer = await call(sandbox, { path: '/chat/create', headers: { 'x-woos-key': user.apikey }, json });
        assert.deepEqual([answer.body.code, answer.body.message], [1, message]);
        assert.equal(sandbox.chats.length, 0);
      });
    }
  });

  describe('plumbing', () => {
    it('logs each request with its envelope code, never the keys', async () => {
      const sandbox = await start();
      await call(sandbox);
      await call(sandbox, { headers: { authorization: 'nope' } });
      assert.deepEqual(
        sandbox.requests.map((r) => ({ method: r.method, path: r.path, authorized: r.authorized, status: r.status, code: r.code })),
        [
          { method: 'POST', path: '/token/new', authorized: true, status: 200, code: 0 },
          { method: 'POST', path: '/token/new', authorized: false, status: 200, code: 1 },
        ],
      );
      assert.deepEqual(sandbox.requests[0]!.body, BASE_BODY);
      const logged = JSON.stringify(sandbox.requests);
      assert.equal(logged.includes(AUTH) || logged.includes(CORPORATE), false);
    });

    it('fails the next matching requests with an envelope, then answers normally', async () => {
      const sandbox = await start();
      sandbox.faults.failNext(/^\/token\/new$/, { status: 502 });
      const failed = await call(sandbox);
      assert.deepEqual([failed.status, failed.body.code, failed.body.message], [502, 1, 'Bad Gateway']);
      assert.equal((await call(sandbox)).body.code, 0);
    });

    it('delays answers, and clear() removes delays and faults', async () => {
      const sandbox = await start();
      sandbox.faults.setDelay(/token/, 300);
      let started = Date.now();
      await call(sandbox);
      assert.ok(Date.now() - started >= 290, 'delayed');
      sandbox.faults.failNext(/token/, { status: 500 });
      sandbox.faults.clear();
      started = Date.now();
      assert.equal((await call(sandbox)).body.code, 0);
      assert.ok(Date.now() - started < 290, 'not delayed');
    });
  });

  describe('with the real ImbeeClient', () => {
    function clientFor(sandbox: ImbeeSandbox, overrides: { auth?: string } = {}) {
      const health = new VendorHealth();
      const settings = { apiUrl: sandbox.url, auth: AUTH, corporateToken: CORPORATE, botIdsha: BOT, timeoutMs: 2000, ...overrides };
      return { client: new ImbeeClient(settings, { logger: createLogger('silent'), health }), health };
    }

    it('gets a link, then the same link again for the same person', async () => {
      const sandbox = await start();
      const { client } = clientFor(sandbox);
      const virtualUser = virtualUserFor(PHONE, 'test-salt');
      const first = await client.createWebToken({ virtualUser, cellular: PHONE, maxRetries: 5, dateLimit: '2025-01-31' });
      assert.deepEqual(first, {
        url: sandbox.tokens[0]!.url,
        userIdsha: sandbox.tokens[0]!.userIdsha,
        dateLimit: '2025-01-31',
        maxRetries: 5,
        previouslyCreated: false,
      });
      assert.deepEqual(sandbox.requests[0]!.body, { virtual_user: virtualUser, bot_idsha: BOT, celullar: PHONE, max_retries: 5, date_limit: '2025-01-31' });
      const again = await client.createWebToken({ virtualUser: virtualUserFor(PHONE, 'test-salt'), mail: EMAIL });
      assert.equal(again.url, first.url);
      assert.equal(again.previouslyCreated, true);
    });

    it('turns the sandbox\'s code 1 under HTTP 200 into "rejected"', async () => {
      const sandbox = await start();
      const { client, health } = clientFor(sandbox, { auth: 'wrong' });
      const error = await vendorError(client.createWebToken({ virtualUser: 'u', mail: EMAIL }));
      assert.deepEqual([error.code, error.status, error.detail], ['rejected', 200, 'Unauthorized (code 1)']);
      assert.equal(health.lastCall('imbee')?.code, 'rejected');
    });

    it('never sends the POST twice', async () => {
      const sandbox = await start();
      const { client } = clientFor(sandbox);
      sandbox.faults.failNext(/token/, { status: 503 });
      assert.equal((await vendorError(client.createWebToken({ virtualUser: 'u', mail: EMAIL }))).code, 'unavailable');
      assert.equal(sandbox.requests.length, 1);
      assert.equal(sandbox.tokens.length, 0);
    });
  });
});
