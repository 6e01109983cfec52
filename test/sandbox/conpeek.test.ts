/**
 * Contract tests for the local Conpeek sandbox. Expected shapes come from the seed document
 * (vendor-docs/002_c0ffa5f80d17222d.txt, "seed", the room invitation) and REFERENCE.md §3
 * (Meets Create [P:C2], Read Meetings [P:C3]).
 */
import assert from 'node:assert/strict';
import { createLogger } from '../../src/logger.js';
import { SANDBOX_REASON_HEADER, startConpeekSandbox, type ConpeekSandbox, type ConpeekSandboxOptions } from '../../sandbox/conpeek.js';
import { ConpeekClient } from '../../src/vendors/conpeek/client.js';
import { VendorHealth } from '../../src/vendors/health.js';
import { closedAfterEach } from '../helpers/sandboxes.js';
import { vendorError } from '../helpers/vendor-error.js';

const KEY = 'conpeek-sandbox-key';
const NOT_ALLOWED = 'Nie można wykonać takiej akcji';
const NOT_FOUND = 'Nie znaleziono zasobu';
// Keys of the Meets Create response example [P:C2].
const MEET_KEYS = ['_id', '_url', 'end_date', 'start_date', 'title'];
const MEET_BODY = { from_date: '2025-01-20 11:00:00', project_target_identifier: 'PSKQMXUAZ' };

/** Untyped JSON object, for reading answers in assertions. */
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface CallOptions {
  authorization?: string | null;
  json?: unknown;
  rawBody?: string;
  contentType?: string;
  query?: Record<string, string>;
}

describe('Conpeek sandbox (seed 002 + REFERENCE §3)', () => {
  let clock = Date.parse('2025-01-10T08:00:00Z');
  const start = closedAfterEach((options: ConpeekSandboxOptions = {}) => startConpeekSandbox({ now: () => clock, ...options }));

  async function call(sandbox: ConpeekSandbox, method: string, path: string, options: CallOptions = {}) {
    const url = new URL(sandbox.url + path);
    for (const [key, value] of Object.entries(options.query ?? {})) url.searchParams.set(key, value);
    const headers: Record<string, string> = {};
    if (options.authorization !== null) headers.authorization = options.authorization ?? KEY;
    let body: string | undefined = options.rawBody;
    if (options.json !== undefined) body = JSON.stringify(options.json);
    if (body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
    const response = await fetch(url, { method, headers, body });
    const isJson = (response.headers.get('content-type') ?? '').startsWith('application/json');
    return {
      status: response.status,
      // Errors are the documented words as text (no error body is documented); answers are JSON.
      body: (isJson ? await response.json() : await response.text()) as Json,
      reason: response.headers.get(SANDBOX_REASON_HEADER),
    };
  }

  describe('authentication', () => {
    it('accepts the raw key', async () => {
      const sandbox = await start();
      assert.equal((await call(sandbox, 'GET', '/meeting')).status, 200);
      assert.equal(sandbox.requests[0]!.authorized, true);
    });

    for (const [label, authorization] of [
      ['a "Bearer" key', `Bearer ${KEY}`],
      ['a wrong key', 'other-key'],
      ['no key', null],
    ] as const) {
      it(`answers 401 to ${label}`, async () => {
        const sandbox = await start();
        const answer = await call(sandbox, 'POST', '/conference-bridge/5/room/11/invitation', { authorization, json: { data: { name: 'x' } } });
        assert.equal(answer.status, 401);
        assert.equal(sandbox.invitations.length, 0);
        assert.equal(sandbox.requests[0]!.authorized, false);
      });
    }

    it('uses the configured key', async () => {
      const sandbox = await start({ apiKey: 'k2' });
      assert.equal((await call(sandbox, 'GET', '/meeting')).status, 401);
      assert.equal((await call(sandbox, 'GET', '/meeting', { authorization: 'k2' })).status, 200);
    });
  });

  describe('POST /conference-bridge/{b}/room/{r}/invitation', () => {
    it('echoes {data: {name}} and records the invitation', async () => {
      const sandbox = await start();
      const answer = await call(sandbox, 'POST', '/conference-bridge/5/room/11/invitation', { json: { data: { name: 'Zaproszenie xyz.' } } });
      assert.deepEqual(answer, { status: 200, body: { data: { name: 'Zaproszenie xyz.' } }, reason: null });
      assert.deepEqual(
        sandbox.invitations.map(({ bridgeId, roomId, name, at }) => ({ bridgeId, roomId, name, at: at.getTime() })),
        [{ bridgeId: 5, roomId: 11, name: 'Zaproszenie xyz.', at: clock }],
      );
    });

    it('refuses a body without the data envelope with 403, the status seed 002 gives "not allowed"', async () => {
      const sandbox = await start();
      const answer = await call(sandbox, 'POST', '/conference-bridge/5/room/11/invitation', { json: { name: 'x' } });
      assert.equal(answer.status, 403);
      assert.equal(answer.body, NOT_ALLOWED, 'the words alone, as text');
      assert.equal(sandbox.invitations.length, 0);
    });

    for (const data of [{}, { name: '' }, { name: 5 }]) {
      it(`refuses data ${JSON.stringify(data)} with 403`, async () => {
        const sandbox = await start();
        const answer = await call(sandbox, 'POST', '/conference-bridge/5/room/11/invitation', { json: { data } });
        assert.equal(answer.status, 403);
        assert.equal(answer.reason, 'data.name is required');
      });
    }

    it('refuses a body that is not JSON with 403', async () => {
      const sandbox = await start();
      const answer = await call(sandbox, 'POST', '/conference-bridge/5/room/11/invitation', {
        rawBody: 'data[name]=x',
        contentType: 'application/x-www-form-urlencoded',
      });
      assert.equal(answer.status, 403);
      assert.equal(answer.reason, 'Content-Type must be application/json');
    });

    for (const path of ['/conference-bridge/6/room/11/invitation', '/conference-bridge/5/room/12/invitation', '/conference-bridge/x/room/11/invitation']) {
      it(`answers 404 for ${path}, before reading the body`, async () => {
        const sandbox = await start();
        const answer = await call(sandbox, 'POST', path, { json: { nothing: true } });
        assert.equal(answer.status, 404);
        assert.equal(answer.body, NOT_FOUND);
      });
    }

    it('knows the configured bridges and rooms', async () => {
      const sandbox = await start({ bridges: { 7: [1, 2] } });
      assert.equal((await call(sandbox, 'POST', '/conference-bridge/7/room/2/invitation', { json: { data: { name: 'x' } } })).status, 200);
      assert.equal((await call(sandbox, 'POST', '/conference-bridge/5/room/11/invitation', { json: { data: { name: 'x' } } })).status, 404);
    });
  });

  describe('POST /meets/meet', () => {
    it('answers the bare example shape: 24-hex _id, a link, end = start + 30 min', async () => {
      const sandbox = await start();
      const answer = await call(sandbox, 'POST', '/meets/meet', { json: MEET_BODY });
      assert.equal(answer.status, 200);
      assert.deepEqual(Object.keys(answer.body).sort(), MEET_KEYS);
      assert.match(answer.body._id, /^[0-9a-f]{24}$/);
      assert.equal(answer.body._url, `https://meets.conpeek.example/${answer.body._id}`);
      assert.equal(answer.body.start_date, '2025-01-20 11:00:00');
      assert.equal(answer.body.end_date, '2025-01-20 11:30:00');
      assert.equal(answer.body.title, 'Spotkanie');
      const stored = sandbox.meets.get(answer.body._id);
      assert.equal(stored?.projectIdentifier, 'PSKQMXUAZ');
      assert.equal(stored?.projectId, 1);
    });

    it('refuses an unknown project with 400, the status Meets Create gives "not allowed"', async () => {
      const sandbox = await start();
      const answer = await call(sandbox, 'POST', '/meets/meet', { json: { ...MEET_BODY, project_target_identifier: 'NOPE' } });
      assert.equal(answer.status, 400);
      assert.equal(answer.body, NOT_ALLOWED);
      assert.equal(sandbox.meets.size, 0);
    });

    for (const fromDate of ['2025-01-20T11:00:00Z', '2025-01-20 11:00', '2025-02-30 11:00:00', 1737370800]) {
      it(`refuses from_date ${JSON.stringify(fromDate)} with 400`, async () => {
        const sandbox = await start();
        const answer = await call(sandbox, 'POST', '/meets/meet', { json: { ...MEET_BODY, from_date: fromDate } });
        assert.equal(answer.status, 400);
      });
    }

    it('refuses a body wrapped in {data: …} (the page shows it bare)', async () => {
      const sandbox = await start();
      const answer = await call(sandbox, 'POST', '/meets/meet', { json: { data: MEET_BODY } });
      assert.equal(answer.status, 400);
      assert.equal(answer.reason, 'from_date is required');
    });

    it('answers 405 to a GET', async () => {
      const sandbox = await start();
      assert.equal((await call(sandbox, 'GET', '/meets/meet')).status, 405);
    });
  });

  describe('GET /meeting', () => {
    async function withMeets(): Promise<{ sandbox: ConpeekSandbox; ids: string[] }> {
      const sandbox = await start({ projects: ['PSKQMXUAZ', 'OTHER'] });
      const ids: string[] = [];
      for (const [created, project] of [
        ['2025-01-10T08:00:00Z', 'PSKQMXUAZ'],
        ['2025-01-11T08:00:00Z', 'OTHER'],
        ['2025-01-12T08:00:00Z', 'PSKQMXUAZ'],
      ] as const) {
        clock = Date.parse(created);
        ids.push((await call(sandbox, 'POST', '/meets/meet', { json: { ...MEET_BODY, project_target_identifier: project } })).body._id);
      }
      return { sandbox, ids };
    }

    async function list(sandbox: ConpeekSandbox, query: Record<string, string>): Promise<unknown> {
      const answer = await call(sandbox, 'GET', '/meeting', { query });
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      return answer.body.data.map((meeting: Json) => meeting._id);
    }

    it('lists every meet in {data: [...]} with the filterable fields', async () => {
      const { sandbox, ids } = await withMeets();
      const answer = await call(sandbox, 'GET', '/meeting');
      assert.equal(answer.body.data.length, 3);
      assert.deepEqual(answer.body.data[0], {
        _id: ids[0],
        _url: `https://meets.conpeek.example/${ids[0]}`,
        title: 'Spotkanie',
        status: 'OPEN',
        contact_id: null,
        crm_id: null,
        ticket_id: null,
        tenant_user_id: null,
        project_id: 1,
        startDate: '2025-01-20 11:00:00',
        endDate: '2025-01-20 11:30:00',
        created_date: '2025-01-10 08:00:00',
      });
    });

    it('filters by status and project_id', async () => {
      const { sandbox, ids } = await withMeets();
      sandbox.setMeetingStatus(ids[2]!, 'CLOSED');
      assert.deepEqual(await list(sandbox, { filter: JSON.stringify([{ property: 'status', value: 'CLOSED' }]) }), [ids[2]]);
      assert.deepEqual(await list(sandbox, { filter: JSON.stringify([{ property: 'project_id', value: 1 }]) }), [ids[0], ids[2]]);
      assert.deepEqual(
        await list(sandbox, { filter: JSON.stringify([{ property: 'project_id', value: 1 }, { property: 'status', value: 'OPEN' }]) }),
        [ids[0]],
      );
    });

    for (const [operator, expected] of [
      ['gt', [2]],
      ['gte', [1, 2]],
      ['lt', [0]],
      ['lte', [0, 1]],
      [undefined, [1]],
    ] as const) {
      it(`filters created_date with operator ${operator ?? '(none: equality)'}`, async () => {
        const { sandbox, ids } = await withMeets();
        const filter = [{ property: 'created_date', value: '2025-01-11 08:00:00', ...(operator ? { operator } : {}) }];
        assert.deepEqual(await list(sandbox, { filter: JSON.stringify(filter) }), expected.map((i) => ids[i]));
      });
    }

    it('pages with limit and offset', async () => {
      const { sandbox, ids } = await withMeets();
      assert.deepEqual(await list(sandbox, { limit: '1', offset: '1' }), [ids[1]]);
    });

    for (const [label, filter] of [
      ['not JSON', '[{'],
      ['not an array', '{"property":"status","value":"OPEN"}'],
      ['without a value', '[{"property":"status"}]'],
      ['an unknown property', '[{"property":"colour","value":"red"}]'],
      ['an operator on status', '[{"property":"status","value":"OPEN","operator":"gt"}]'],
      ['an unknown operator', '[{"property":"created_date","value":"2025-01-11 08:00:00","operator":"ne"}]'],
      ['a date that is not one', '[{"property":"created_date","value":"yesterday","operator":"gt"}]'],
    ] as const) {
      it(`refuses a filter ${label} with 403, the status [P:C3] gives "not allowed"`, async () => {
        const sandbox = await start();
        assert.equal((await call(sandbox, 'GET', '/meeting', { query: { filter } })).status, 403);
      });
    }
  });

  describe('plumbing', () => {
    it('serves the API under /api only', async () => {
      const sandbox = await start();
      const response = await fetch(sandbox.url.replace(/\/api$/, '/meeting'), { headers: { authorization: KEY } });
      assert.equal(response.status, 404);
    });

    it('logs each request without the key', async () => {
      const sandbox = await start();
      await call(sandbox, 'POST', '/conference-bridge/5/room/11/invitation', { json: { data: { name: 'x' } } });
      assert.equal(sandbox.requests.length, 1);
      const entry = sandbox.requests[0]!;
      assert.deepEqual(
        { method: entry.method, path: entry.path, body: entry.body, authorized: entry.authorized, status: entry.status },
        { method: 'POST', path: '/api/conference-bridge/5/room/11/invitation', body: { data: { name: 'x' } }, authorized: true, status: 200 },
      );
      assert.equal(JSON.stringify(sandbox.requests).includes(KEY), false);
    });

    it('fails the next matching requests, then answers normally', async () => {
      const sandbox = await start();
      sandbox.faults.failNext(/\/meeting$/, { status: 503, times: 2 });
      assert.equal((await call(sandbox, 'GET', '/meeting')).status, 503);
      assert.equal((await call(sandbox, 'GET', '/meeting', { authorization: null })).status, 503, 'before authentication');
      assert.equal((await call(sandbox, 'GET', '/meeting')).status, 200);
    });

    it('delays answers, and clear() removes delays and faults', async () => {
      const sandbox = await start();
      sandbox.faults.setDelay(/\/meeting$/, 300);
      let started = Date.now();
      await call(sandbox, 'GET', '/meeting');
      assert.ok(Date.now() - started >= 290, 'delayed');
      sandbox.faults.failNext(/\/meeting$/, { status: 500 });
      sandbox.faults.clear();
      started = Date.now();
      assert.equal((await call(sandbox, 'GET', '/meeting')).status, 200);
      assert.ok(Date.now() - started < 290, 'not delayed');
    });
  });

  describe('with the real ConpeekClient', () => {
    function clientFor(sandbox: ConpeekSandbox, apiKey = KEY) {
      const health = new VendorHealth();
      return new ConpeekClient({ apiUrl: sandbox.url, apiKey, timeoutMs: 2000 }, { logger: createLogger('silent'), health });
    }

    it('creates a meet, invites to a room and finds the meet again', async () => {
      const sandbox = await start();
      const client = clientFor(sandbox);
      clock = Date.parse('2025-01-15T09:00:00Z');
      const meet = await client.createMeet({ fromDate: new Date('2025-01-20T11:00:00Z'), project: 'PSKQMXUAZ' });
      assert.equal(meet.url, sandbox.meets.get(meet.id)?.url);
      assert.equal(meet.endDate.getTime() - meet.startDate.getTime(), 30 * 60_000);
      assert.deepEqual(await client.inviteToRoom({ bridgeId: 5, roomId: 11, name: 'Zaproszenie xyz.' }), { name: 'Zaproszenie xyz.' });
      assert.equal(sandbox.invitations.length, 1);
      const found = await client.listMeetings({ filter: [{ property: 'created_date', value: '2025-01-15 09:00:00', operator: 'gte' }], limit: 10 });
      assert.deepEqual(found.map((meeting) => meeting._id), [meet.id]);
    });

    it('gets "not_found" for an unknown room, "unauthorized" for a wrong key, "rejected" for an unknown project', async () => {
      const sandbox = await start();
      const unknownRoom = await vendorError(clientFor(sandbox).inviteToRoom({ bridgeId: 5, roomId: 12, name: 'x' }));
      assert.equal(unknownRoom.code, 'not_found');
      const wrongKey = await vendorError(clientFor(sandbox, 'nope').listMeetings());
      assert.equal(wrongKey.code, 'unauthorized');
      const unknownProject = await vendorError(clientFor(sandbox).createMeet({ fromDate: new Date(), project: 'NOPE' }));
      assert.equal(unknownProject.code, 'rejected');
      assert.equal(unknownProject.detail, 'Conpeek does not allow this action');
    });

    it('retries a failed GET once but never a POST', async () => {
      const sandbox = await start();
      const client = clientFor(sandbox);
      sandbox.faults.failNext(/\/meeting$/, { status: 503 });
      assert.deepEqual(await client.listMeetings(), []);
      sandbox.faults.failNext(/\/invitation$/, { status: 503 });
      assert.equal((await vendorError(client.inviteToRoom({ bridgeId: 5, roomId: 11, name: 'x' }))).code, 'unavailable');
      assert.deepEqual(
        sandbox.requests.map((r) => `${r.method} ${r.status}`),
        ['GET 503', 'GET 200', 'POST 503'],
      );
    });
  });
});
