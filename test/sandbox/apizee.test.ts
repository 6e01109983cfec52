/**
 * Contract tests for the local Apizee sandbox. Expected shapes come from the seed document
 * (vendor-docs/003_01ba85c3200b1726.txt, "seed") and REFERENCE.md §4.
 */
import assert from 'node:assert/strict';
import { startApizeeSandbox, type ApizeeSandbox, type ApizeeSandboxOptions } from '../../sandbox/apizee.js';
import { closedAfterEach } from '../helpers/sandboxes.js';

// Keys of the seed's POST /tickets response example (with scope=sso).
const SEED_CREATED_TICKET_KEYS = [
  'id', 'state', 'reference', 'created', 'modified', 'start_time', 'end_time', 'subject', 'type', 'description',
  'agent', 'requestor_url', 'requestor', 'information_page_url', 'service_key', 'agent_url', 'sso_url', 'status',
  'name', 'button_id',
];
// Keys of an item in the seed's GET /tickets response example (geoloc present there).
const SEED_LIST_ITEM_KEYS = [
  'id', 'state', 'reference', 'created', 'modified', 'start_time', 'end_time', 'subject', 'type', 'description',
  'agent', 'requestor_url', 'requestor', 'information_page_url', 'geoloc', 'service_key',
];
// Keys of the seed's geolocated media (the photo); the video has the same minus `location`.
const SEED_MEDIA_KEYS = ['id', 'title', 'type', 'hash', 'description', 'source_type', 'location', 'url'];
const SEED_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$/;

const AGENT = { username: 'agent@example.com', password: 'secret' };
const RATE_LIMIT_BODY = { error: 'You have reached the maximum number of attempts. Please try again later.' };

interface CallOptions {
  token?: string;
  query?: Record<string, string>;
  form?: Record<string, string>;
  signal?: AbortSignal;
}

interface CallResult {
  status: number;
  headers: Headers;
  body: unknown;
}

/** Untyped JSON object, for reading answers in assertions. */
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function sortedKeys(value: unknown): string[] {
  return Object.keys(value as object).sort();
}

function decodeJwtPayload(jwt: string): Json {
  const payload = jwt.split('.')[1];
  assert.ok(payload, 'JWT has a payload segment');
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Json;
}

describe('Apizee sandbox (seed 003 + REFERENCE §4)', () => {
  const start = closedAfterEach((options: ApizeeSandboxOptions = {}) => startApizeeSandbox(options));

  /** A sandbox whose limiter stays out of the way, for tests about other behaviour. */
  function startRoomy(options: ApizeeSandboxOptions = {}): Promise<ApizeeSandbox> {
    return start({ ratePerMinute: 1000, ...options });
  }

  async function call(sandbox: ApizeeSandbox, method: string, path: string, options: CallOptions = {}): Promise<CallResult> {
    const url = new URL(sandbox.url + path);
    for (const [key, value] of Object.entries(options.query ?? {})) url.searchParams.set(key, value);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | undefined;
    if (options.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(options.form).toString();
    }
    const response = await fetch(url, { method, headers, body, signal: options.signal });
    const text = await response.text();
    const isJson = (response.headers.get('content-type') ?? '').startsWith('application/json');
    return { status: response.status, headers: response.headers, body: isJson ? JSON.parse(text) : text };
  }

  async function getToken(sandbox: ApizeeSandbox, credentials = AGENT): Promise<string> {
    const result = await call(sandbox, 'POST', '/token', { query: { grant_type: 'password', ...credentials } });
    assert.equal(result.status, 200, `token request failed: ${JSON.stringify(result.body)}`);
    return (result.body as Json).access_token as string;
  }

  function createTicket(sandbox: ApizeeSandbox, token: string, query: Record<string, string>): Promise<CallResult> {
    return call(sandbox, 'POST', '/tickets', { token, query: { agent: AGENT.username, ...query } });
  }

  describe('authentication', () => {
    it('issues a token for credentials in the query string, usable as a bearer', async () => {
      const sandbox = await startRoomy();
      const result = await call(sandbox, 'POST', '/token', { query: { grant_type: 'password', ...AGENT } });
      assert.equal(result.status, 200);
      assert.match(result.headers.get('content-type') ?? '', /^application\/json/);
      const body = result.body as Json;
      assert.deepEqual(sortedKeys(body), ['access_token', 'created_at', 'expires_in']);
      assert.equal(body.expires_in, 86400);
      assert.equal(typeof body.access_token, 'string');

      const list = await call(sandbox, 'GET', '/tickets', { token: body.access_token, query: { limit: '10' } });
      assert.equal(list.status, 200);
      assert.equal(sandbox.requests.at(0)?.query.password, '***', 'the password is not kept in the request log');
    });

    it('issues a token for credentials in a form-encoded body', async () => {
      const sandbox = await startRoomy();
      const result = await call(sandbox, 'POST', '/token', { form: { grant_type: 'password', ...AGENT } });
      assert.equal(result.status, 200);
      const list = await call(sandbox, 'GET', '/tickets', { token: (result.body as Json).access_token });
      assert.equal(list.status, 200);
    });

    it('refuses a wrong password or unknown user with 401 invalid_grant', async () => {
      const sandbox = await startRoomy();
      for (const credentials of [{ ...AGENT, password: 'wrong' }, { username: 'nobody@example.com', password: 'secret' }]) {
        const result = await call(sandbox, 'POST', '/token', { query: { grant_type: 'password', ...credentials } });
        assert.equal(result.status, 401);
        assert.equal((result.body as Json).error, 'invalid_grant');
        assert.equal((result.body as Json).access_token, undefined);
      }
    });

    it('answers 401 Unauthenticated. without a bearer or with an unknown one', async () => {
      const sandbox = await startRoomy();
      for (const token of [undefined, 'not-a-token']) {
        const result = await call(sandbox, 'GET', '/tickets', { token });
        assert.equal(result.status, 401);
        assert.deepEqual(result.body, { error: 'Unauthenticated.' });
      }
      assert.equal(sandbox.tickets.size, 0);
    });

    it('answers 401 once tokens are expired, by expireTokens() or after 24 h', async () => {
      let clock = Date.UTC(2024, 0, 1);
      const sandbox = await startRoomy({ now: () => clock });
      const first = await getToken(sandbox);
      assert.equal((await call(sandbox, 'GET', '/tickets', { token: first })).status, 200);

      sandbox.expireTokens();
      const afterExpiry = await call(sandbox, 'GET', '/tickets', { token: first });
      assert.equal(afterExpiry.status, 401);
      assert.deepEqual(afterExpiry.body, { error: 'Unauthenticated.' });

      const second = await getToken(sandbox);
      clock += 86_400_000 - 1;
      assert.equal((await call(sandbox, 'GET', '/tickets', { token: second })).status, 200);
      clock += 1;
      assert.equal((await call(sandbox, 'GET', '/tickets', { token: second })).status, 401);
    });
  });

  describe('POST /tickets', () => {
    it('answers with exactly the seed example field set when scope=sso', async () => {
      const sandbox = await startRoomy();
      const token = await getToken(sandbox);
      const result = await createTicket(sandbox, token, { phone: '+33662682193', invite: '1', reference: '1234', scope: 'sso' });
      assert.equal(result.status, 200);
      const ticket = result.body as Json;
      assert.deepEqual(sortedKeys(ticket), [...SEED_CREATED_TICKET_KEYS].sort());

      assert.equal(typeof ticket.id, 'number');
      assert.equal(ticket.state, 'invited');
      assert.equal(ticket.status, 'invited');
      assert.equal(ticket.reference, '1234');
      assert.equal(ticket.type, '');
      assert.equal(ticket.subject, null);
      assert.equal(ticket.description, null);
      assert.equal(ticket.name, null);
      assert.equal(ticket.button_id, 223);
      assert.equal(ticket.agent, AGENT.username);
      assert.deepEqual(ticket.requestor, { phone: '+33662682193' });
      for (const field of ['created', 'modified', 'start_time', 'end_time']) assert.match(ticket[field], SEED_DATE);
      assert.equal(Date.parse(ticket.end_time) - Date.parse(ticket.start_time), 30 * 60_000);
      assert.match(ticket.requestor_url, /^https:\/\/diag\.apizee\.example\?convId=[0-9a-f-]{36}&pwd=\d{6}$/);
      assert.equal(ticket.agent_url, 'https://cloud.apizee.example');
      assert.match(ticket.service_key, /^[0-9a-f]{32}$/);

      const ssoMatch = /^https:\/\/cloud\.apizee\.example\?access_token=([\w-]+\.[\w-]+\.[\w-]+)$/.exec(ticket.sso_url);
      assert.ok(ssoMatch?.[1], `sso_url looks like the seed's: ${ticket.sso_url}`);
      const claims = decodeJwtPayload(ssoMatch[1]);
      assert.equal(claims.exp - claims.iat, 300);

      assert.equal(sandbox.tickets.get(ticket.id)?.state, 'invited');
    });

    it('leaves sso_url out without scope=sso and starts as new without invite', async () => {
      const sandbox = await startRoomy();
      const token = await getToken(sandbox);
      const result = await createTicket(sandbox, token, { email: 'guest@example.org' });
      assert.equal(result.status, 200);
      const ticket = result.body as Json;
      assert.deepEqual(sortedKeys(ticket), SEED_CREATED_TICKET_KEYS.filter((k) => k !== 'sso_url').sort());
      assert.equal(ticket.state, 'new');
      assert.equal(ticket.status, 'new');
      assert.equal(ticket.reference, null);
      // The document shows `requestor: {phone}` only, so an e-mail is not echoed (no undocumented key).
      assert.deepEqual(ticket.requestor, {});
    });

    it('accepts invite=true/TRUE and parameters in a form body', async () => {
      const sandbox = await startRoomy();
      const token = await getToken(sandbox);
      for (const invite of ['true', 'TRUE']) {
        const result = await createTicket(sandbox, token, { phone: '+33612345678', invite });
        assert.equal((result.body as Json).state, 'invited');
      }
      const viaForm = await call(sandbox, 'POST', '/tickets', {
        token,
        form: { agent: AGENT.username, email: 'guest@example.org', subject: 'Boiler', description: 'Leak' },
      });
      assert.equal(viaForm.status, 200);
      assert.equal((viaForm.body as Json).subject, 'Boiler');
      assert.equal((viaForm.body as Json).description, 'Leak');
    });

    it('answers 400 with the v2 error body without email and phone, or with a non-international phone', async () => {
      const sandbox = await startRoomy();
      const token = await getToken(sandbox);
      const missing = await createTicket(sandbox, token, { invite: '1' });
      assert.equal(missing.status, 400);
      assert.deepEqual(missing.body, { code: 10, message: 'The email or phone field is required.', details: 'Parameter phone' });

      for (const phone of ['0662682193', '+33 6 62 68 21 93', '33662682193']) {
        const result = await createTicket(sandbox, token, { phone });
        assert.equal(result.status, 400, phone);
        assert.equal((result.body as Json).details, 'Parameter phone');
      }
      const noAgent = await call(sandbox, 'POST', '/tickets', { token, query: { phone: '+33662682193' } });
      assert.equal(noAgent.status, 400);
      assert.equal((noAgent.body as Json).details, 'Parameter agent');
      assert.equal(sandbox.tickets.size, 0);
    });
  });

  describe('GET /tickets', () => {
    async function seedThreeTickets() {
      let clock = Date.UTC(2024, 0, 1, 9);
      const sandbox = await startRoomy({ now: () => clock });
      const token = await getToken(sandbox);
      const ids: number[] = [];
      for (const reference of ['case-A', 'case-B', 'case-A']) {
        clock += 1000;
        ids.push(((await createTicket(sandbox, token, { phone: '+33612345678', reference })).body as Json).id as number);
      }
      return { sandbox, token, ids };
    }

    it('lists newest first with total counted before the limit', async () => {
      const { sandbox, token, ids } = await seedThreeTickets();
      const all = await call(sandbox, 'GET', '/tickets', { token, query: { orderby: 'date', order: 'desc', limit: '10' } });
      assert.equal(all.status, 200);
      const body = all.body as Json;
      assert.deepEqual(sortedKeys(body), ['data', 'total']);
      assert.equal(body.total, 3);
      assert.deepEqual(body.data.map((t: Json) => t.id), [...ids].reverse());

      const limited = await call(sandbox, 'GET', '/tickets', { token, query: { orderby: 'date', order: 'desc', limit: '2' } });
      assert.equal((limited.body as Json).total, 3);
      assert.deepEqual((limited.body as Json).data.map((t: Json) => t.id), [ids[2], ids[1]]);

      const paged = await call(sandbox, 'GET', '/tickets', { token, query: { limit: '2', offset: '2' } });
      assert.deepEqual((paged.body as Json).data.map((t: Json) => t.id), [ids[0]]);
    });

    it('filters by reference', async () => {
      const { sandbox, token, ids } = await seedThreeTickets();
      const result = await call(sandbox, 'GET', '/tickets', { token, query: { orderby: 'date', order: 'desc', limit: '10', reference: 'case-A' } });
      assert.equal((result.body as Json).total, 2);
      assert.deepEqual((result.body as Json).data.map((t: Json) => t.id), [ids[2], ids[0]]);

      const none = await call(sandbox, 'GET', '/tickets', { token, query: { reference: 'case-Z' } });
      assert.deepEqual(none.body, { total: 0, data: [] });
    });

    it('lists items with the seed list field set, geoloc only once known', async () => {
      const { sandbox, token, ids } = await seedThreeTickets();
      sandbox.completeWithMedia(ids[0]!);
      const result = await call(sandbox, 'GET', '/tickets', { token, query: { limit: '10' } });
      const [newest, , oldest] = (result.body as Json).data as Json[];
      assert.deepEqual(sortedKeys(newest), SEED_LIST_ITEM_KEYS.filter((k) => k !== 'geoloc').sort());
      assert.deepEqual(sortedKeys(oldest), [...SEED_LIST_ITEM_KEYS].sort());
      assert.deepEqual(oldest!.geoloc, { lat: 48.7703337, lng: -3.5149756 });
      assert.equal(oldest!.state, 'done');
    });

    it('answers 400 for a limit that is not an integer from 1 to 100', async () => {
      const { sandbox, token } = await seedThreeTickets();
      for (const limit of ['0', '101', 'abc', '2.5', '-1']) {
        const result = await call(sandbox, 'GET', '/tickets', { token, query: { limit } });
        assert.equal(result.status, 400, `limit=${limit}`);
        assert.equal((result.body as Json).code, 10);
        assert.equal((result.body as Json).details, 'Parameter limit');
      }
      assert.equal((await call(sandbox, 'GET', '/tickets', { token, query: { limit: '100' } })).status, 200);
    });
  });

  describe('GET /enterprises/{enterpriseId}/tickets/{id}/medias', () => {
    it('lists the media in the seed shape, the photo with location {lat, lon}', async () => {
      const sandbox = await startRoomy();
      const token = await getToken(sandbox);
      const id = (await createTicket(sandbox, token, { phone: '+33612345678', invite: '1' })).body as Json;
      sandbox.completeWithMedia(id.id);

      const result = await call(sandbox, 'GET', `/enterprises/1/tickets/${id.id}/medias`, { token });
      assert.equal(result.status, 200);
      const body = result.body as Json;
      assert.deepEqual(sortedKeys(body), ['count', 'limit', 'medias', 'offset']);
      assert.equal(body.limit, 10);
      assert.equal(body.offset, 0);
      assert.equal(body.count, 2);
      const [video, photo] = body.medias as Json[];
      assert.deepEqual(sortedKeys(photo), [...SEED_MEDIA_KEYS].sort());
      assert.deepEqual(sortedKeys(video), SEED_MEDIA_KEYS.filter((k) => k !== 'location').sort());
      assert.equal(video!.type, 'video/mp4');
      assert.equal(photo!.type, 'image/jpeg');
      assert.deepEqual(photo!.location, { lat: 48.7703337, lon: -3.5149756 });
      assert.equal(photo!.source_type, 'unknown');
      assert.equal(photo!.description, null);
      assert.equal(photo!.url, `https://cloud.apizee.example/media/showVideo/1/hash/${photo!.hash}`);
    });

    it('answers 404 for an unknown ticket and 403 for another enterprise', async () => {
      const sandbox = await startRoomy({
        accounts: [
          { ...AGENT, enterpriseId: 1 },
          { username: 'other@example.com', password: 'pw', enterpriseId: 2 },
        ],
      });
      const token = await getToken(sandbox);
      const ticket = (await createTicket(sandbox, token, { phone: '+33612345678' })).body as Json;

      const unknown = await call(sandbox, 'GET', '/enterprises/1/tickets/999999/medias', { token });
      assert.equal(unknown.status, 404);
      assert.deepEqual(unknown.body, { error: 'Not found' });

      const foreign = await call(sandbox, 'GET', `/enterprises/2/tickets/${ticket.id}/medias`, { token });
      assert.equal(foreign.status, 403);

      const otherToken = await getToken(sandbox, { username: 'other@example.com', password: 'pw' });
      const notTheirs = await call(sandbox, 'GET', `/enterprises/2/tickets/${ticket.id}/medias`, { token: otherToken });
      assert.equal(notTheirs.status, 404);
    });
  });

  describe('routing', () => {
    it('answers 404 for an unknown path and 405 for a wrong method', async () => {
      const sandbox = await startRoomy();
      const token = await getToken(sandbox);
      const unknown = await call(sandbox, 'GET', '/nothing-here', { token });
      assert.equal(unknown.status, 404);
      assert.deepEqual(unknown.body, { error: 'Not found' });

      const wrongMethod = await call(sandbox, 'DELETE', '/tickets', { token });
      assert.equal(wrongMethod.status, 405);
      assert.equal(wrongMethod.headers.get('allow'), 'POST, GET');
      assert.equal((await call(sandbox, 'GET', '/token')).status, 405);
    });
  });

  describe('rate limit (REFERENCE §4: 10 requests per minute per user)', () => {
    it('refuses the 11th request inside 60 s with 429 and X-RateLimit-Reset, and allows it once a slot frees', async () => {
      const t0 = Date.UTC(2024, 0, 1, 12);
      let clock = t0;
      const sandbox = await start({ now: () => clock });

      // Request 1 (token) at t0, requests 2..10 one second apart.
      const token = await getToken(sandbox);
      for (let i = 2; i <= 10; i++) {
        clock = t0 + (i - 1) * 1000;
        const ok = await call(sandbox, 'GET', '/tickets', { token });
        assert.equal(ok.status, 200, `request ${i}`);
        assert.equal(ok.headers.get('x-ratelimit-limit'), '10');
        assert.equal(ok.headers.get('x-ratelimit-remaining'), String(10 - i));
      }

      clock = t0 + 10_000;
      const refused = await call(sandbox, 'GET', '/tickets', { token });
      assert.equal(refused.status, 429);
      assert.deepEqual(refused.body, RATE_LIMIT_BODY);
      assert.equal(refused.headers.get('x-ratelimit-reset'), '50');
      assert.equal(refused.headers.get('x-ratelimit-remaining'), '0');
      assert.equal(sandbox.rateLimitedCount, 1);

      // Strict sliding window: 1 ms before the first request leaves the window, still refused.
      clock = t0 + 59_999;
      const stillRefused = await call(sandbox, 'GET', '/tickets', { token });
      assert.equal(stillRefused.status, 429);
      assert.equal(stillRefused.headers.get('x-ratelimit-reset'), '1');

      // 60 s after the first request its slot frees; refusals did not take any slot.
      clock = t0 + 60_000;
      assert.equal((await call(sandbox, 'GET', '/tickets', { token })).status, 200);
      assert.equal((await call(sandbox, 'GET', '/tickets', { token })).status, 429);
      assert.equal(sandbox.rateLimitedCount, 3);
      assert.deepEqual(
        sandbox.requests.map((r) => r.status),
        [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 429, 429, 200, 429],
      );
      assert.ok(sandbox.requests.every((r) => r.account === AGENT.username));
    });

    it('counts token requests, bad ones included, and keeps one window per account', async () => {
      const clock = Date.UTC(2024, 0, 1, 12);
      const sandbox = await start({
        now: () => clock,
        accounts: [
          { ...AGENT, enterpriseId: 1 },
          { username: 'other@example.com', password: 'pw', enterpriseId: 2 },
        ],
      });
      for (let i = 0; i < 9; i++) await getToken(sandbox);
      const badPassword = await call(sandbox, 'POST', '/token', { query: { grant_type: 'password', ...AGENT, password: 'x' } });
      assert.equal(badPassword.status, 401);
      const eleventh = await call(sandbox, 'POST', '/token', { query: { grant_type: 'password', ...AGENT } });
      assert.equal(eleventh.status, 429);
      assert.deepEqual(eleventh.body, RATE_LIMIT_BODY);

      const other = await getToken(sandbox, { username: 'other@example.com', password: 'pw' });
      assert.equal((await call(sandbox, 'GET', '/tickets', { token: other })).status, 200);
    });

    it('setRatePerMinute raises the limit', async () => {
      const sandbox = await start({ now: () => Date.UTC(2024, 0, 1) });
      const token = await getToken(sandbox);
      for (let i = 0; i < 9; i++) assert.equal((await call(sandbox, 'GET', '/tickets', { token })).status, 200);
      assert.equal((await call(sandbox, 'GET', '/tickets', { token })).status, 429);

      sandbox.setRatePerMinute(20);
      for (let i = 0; i < 10; i++) {
        const result = await call(sandbox, 'GET', '/tickets', { token });
        assert.equal(result.status, 200, `request ${11 + i} under a limit of 20`);
        assert.equal(result.headers.get('x-ratelimit-limit'), '20');
      }
      assert.equal((await call(sandbox, 'GET', '/tickets', { token })).status, 429);
    });
  });

  describe('fault injection', () => {
    it('failNext answers the given status the given number of times, then recovers', async () => {
      const sandbox = await startRoomy();
      const token = await getToken(sandbox);
      sandbox.faults.failNext(/\/tickets$/, { status: 503, times: 2 });
      sandbox.faults.failNext(/\/medias$/, { status: 500, body: { error: 'boom' } });

      for (let i = 0; i < 2; i++) {
        const failed = await createTicket(sandbox, token, { phone: '+33612345678' });
        assert.equal(failed.status, 503);
        assert.deepEqual(failed.body, { error: 'Service Unavailable' });
      }
      assert.equal(sandbox.tickets.size, 0, 'a faulted request is not processed');
      assert.equal((await createTicket(sandbox, token, { phone: '+33612345678' })).status, 200);

      const custom = await call(sandbox, 'GET', '/enterprises/1/tickets/1/medias', { token });
      assert.equal(custom.status, 500);
      assert.deepEqual(custom.body, { error: 'boom' });
      assert.deepEqual(
        sandbox.requests.map((r) => `${r.method} ${r.path} ${r.status}`),
        ['POST /api/token 200', 'POST /api/tickets 503', 'POST /api/tickets 503', 'POST /api/tickets 200', 'GET /api/enterprises/1/tickets/1/medias 500'],
      );
    });

    it('failNext with delayMs answers late', async () => {
      const sandbox = await startRoomy();
      const token = await getToken(sandbox);
      sandbox.faults.failNext(/\/tickets$/, { status: 502, delayMs: 300 });
      const started = Date.now();
      const result = await call(sandbox, 'GET', '/tickets', { token });
      assert.equal(result.status, 502);
      assert.ok(Date.now() - started >= 290, `answered after ${Date.now() - started} ms`);
    });

    it('setDelay holds answers so a client times out, and 0 removes it', async () => {
      const sandbox = await startRoomy();
      const token = await getToken(sandbox);
      sandbox.faults.setDelay(/\/tickets$/, 10_000);

      const started = Date.now();
      await assert.rejects(
        call(sandbox, 'POST', '/tickets', { token, query: { agent: AGENT.username, phone: '+33612345678' }, signal: AbortSignal.timeout(200) }),
        (error: Error) => error.name === 'TimeoutError',
      );
      assert.ok(Date.now() - started < 5000);
      assert.equal(sandbox.tickets.size, 1, 'the delayed request was processed; only its answer is late');

      assert.equal((await call(sandbox, 'POST', '/token', { query: { grant_type: 'password', ...AGENT } })).status, 200, 'other paths unaffected');
      sandbox.faults.setDelay(/\/tickets$/, 0);
      assert.equal((await call(sandbox, 'GET', '/tickets', { token, signal: AbortSignal.timeout(2000) })).status, 200);
    });

    it('close() returns while an answer is still delayed', async () => {
      const sandbox = await start();
      const token = await getToken(sandbox);
      sandbox.faults.setDelay(/\/tickets$/, 10_000);
      const pending = call(sandbox, 'GET', '/tickets', { token }).then(
        () => 'answered',
        () => 'connection closed',
      );
      await new Promise((resolve) => setTimeout(resolve, 100));
      const started = Date.now();
      await sandbox.close();
      assert.ok(Date.now() - started < 1000);
      assert.equal(await pending, 'connection closed');
    });
  });

  describe('ticket life cycle (REFERENCE §4 "States")', () => {
    it('follows allowed transitions, stamps modified/end_time, and rejects done → invited', async () => {
      const sandbox = await startRoomy();
      const token = await getToken(sandbox);
      const { id } = (await createTicket(sandbox, token, { phone: '+33612345678', invite: '1' })).body as Json;

      const started = new Date('2030-01-01T10:00:00Z');
      const finished = new Date('2030-01-01T10:12:00Z');
      sandbox.setTicketState(id, 'inprogress', started);
      assert.equal(sandbox.tickets.get(id)?.modified.getTime(), started.getTime());
      sandbox.setTicketState(id, 'done', finished);
      assert.equal(sandbox.tickets.get(id)?.endTime.getTime(), finished.getTime());

      assert.throws(() => sandbox.setTicketState(id, 'invited'), /cannot go from done to invited/);
      assert.equal(sandbox.tickets.get(id)?.state, 'done');

      const listed = await call(sandbox, 'GET', '/tickets', { token });
      const item = ((listed.body as Json).data as Json[])[0]!;
      assert.equal(item.state, 'done');
      assert.equal(item.end_time, '2030-01-01T10:12:00+00:00');
      assert.equal(item.modified, '2030-01-01T10:12:00+00:00');

      sandbox.setTicketState(id, 'closed');
      assert.throws(() => sandbox.setTicketState(id, 'done'));
      assert.throws(() => sandbox.setTicketState(424242, 'open'), /no ticket 424242/);
    });

    it('treats side exits as final', async () => {
      const sandbox = await startRoomy();
      const token = await getToken(sandbox);
      const { id } = (await createTicket(sandbox, token, { email: 'guest@example.org', invite: '1' })).body as Json;
      assert.throws(() => sandbox.setTicketState(id, 'rejected'), /invited to rejected/);
      sandbox.setTicketState(id, 'declined');
      assert.throws(() => sandbox.setTicketState(id, 'inprogress'));
    });
  });
});
