import assert from 'node:assert/strict';
import nock from 'nock';
import { createLogger } from '../../src/logger.js';
import {
  ConpeekClient,
  formatConpeekDate,
  parseConpeekDate,
  type ConpeekSettings,
} from '../../src/vendors/conpeek/client.js';
import { VendorHealth } from '../../src/vendors/health.js';
import { captureLogs } from '../helpers/log-capture.js';
import { vendorError } from '../helpers/vendor-error.js';

const BASE = 'https://conpeek.test';
// A CONPEEK_URL with a path prefix: it must be kept (curl concatenates; Python's urljoin would drop it).
const PREFIX = '/api/v1.3';
const KEY = 'ck_7f3a9e1b2c4d';
const SETTINGS: ConpeekSettings = { apiUrl: `${BASE}${PREFIX}`, apiKey: KEY, timeoutMs: 2000 };

// REFERENCE §3 [P:C2], Meets Create response example (with a full URL in place of "https://meets.kontakt...").
const SEED_MEET = {
  _id: '5d7ac98ef93d6428522729ab',
  _url: 'https://meets.kontakt.example/5d7ac98ef93d6428522729ab',
  start_date: '2025-01-20 11:00:00',
  end_date: '2025-01-20 11:30:00',
  title: 'Spotkanie',
};
const MEET_BODY = { from_date: '2025-01-20 11:00:00', project_target_identifier: 'PSKQMXUAZ' };
const NEW_MEET = { fromDate: new Date('2025-01-20T11:00:00Z'), project: 'PSKQMXUAZ' };
const INVITATION_PATH = `${PREFIX}/conference-bridge/5/room/11/invitation`;
const NEW_INVITATION = { bridgeId: 5, roomId: 11, name: 'Zaproszenie xyz.' };

function makeClient(settings: Partial<ConpeekSettings> = {}, logger = createLogger('silent')) {
  const health = new VendorHealth();
  const client = new ConpeekClient({ ...SETTINGS, ...settings }, { logger, health });
  return { client, health };
}

describe('ConpeekClient', () => {
  describe('dates', () => {
    it('formats from_date as YYYY-MM-DD HH:mm:ss in UTC, zero-padded', () => {
      assert.equal(formatConpeekDate(new Date('2025-01-20T11:00:00Z')), '2025-01-20 11:00:00');
      assert.equal(formatConpeekDate(new Date('2025-03-05T23:04:05.678+02:00')), '2025-03-05 21:04:05');
      assert.equal(formatConpeekDate(new Date('2024-12-31T23:59:59.999Z')), '2024-12-31 23:59:59');
    });

    it('reads Conpeek dates as UTC', () => {
      assert.equal(parseConpeekDate('2025-01-20 11:30:00').toISOString(), '2025-01-20T11:30:00.000Z');
    });
  });

  describe('createMeet', () => {
    it('posts the bare Meets Create body to the prefixed path with the raw key, and maps the answer', async () => {
      let headers: Record<string, unknown> = {};
      const scope = nock(BASE)
        .post(`${PREFIX}/meets/meet`, MEET_BODY)
        .reply(function () {
          headers = this.req.headers;
          return [200, SEED_MEET];
        });
      const { client } = makeClient();
      const meet = await client.createMeet(NEW_MEET);
      scope.done();
      assert.equal(headers.authorization, KEY, 'raw key, no "Bearer"');
      assert.equal(headers['content-type'], 'application/json');
      assert.deepEqual(meet, {
        id: '5d7ac98ef93d6428522729ab',
        url: 'https://meets.kontakt.example/5d7ac98ef93d6428522729ab',
        startDate: new Date('2025-01-20T11:00:00Z'),
        endDate: new Date('2025-01-20T11:30:00Z'),
        title: 'Spotkanie',
      });
    });

    it('keeps a trailing slash of CONPEEK_URL from doubling the separator', async () => {
      const scope = nock(BASE).post(`${PREFIX}/meets/meet`, MEET_BODY).reply(200, SEED_MEET);
      const { client } = makeClient({ apiUrl: `${BASE}${PREFIX}/` });
      await client.createMeet(NEW_MEET);
      scope.done();
    });

    it('also reads an answer wrapped in {data: …}', async () => {
      nock(BASE).post(`${PREFIX}/meets/meet`, MEET_BODY).reply(200, { data: SEED_MEET });
      const { client } = makeClient();
      assert.equal((await client.createMeet(NEW_MEET)).url, SEED_MEET._url);
    });

    it('maps 400 to "rejected" with the documented words', async () => {
      nock(BASE).post(`${PREFIX}/meets/meet`).reply(400, { message: 'Nie można wykonać takiej akcji' });
      const { client } = makeClient();
      const error = await vendorError(client.createMeet(NEW_MEET));
      assert.equal(error.code, 'rejected');
      assert.equal(error.status, 400);
      assert.equal(error.detail, 'Conpeek does not allow this action');
      assert.equal(error.retryable, false);
      assert.equal(error.message, 'conpeek createMeet failed: rejected (HTTP 400)');
    });

    it('does not retry a 500', async () => {
      const scope = nock(BASE).post(`${PREFIX}/meets/meet`).reply(500).post(`${PREFIX}/meets/meet`).reply(200, SEED_MEET);
      const { client } = makeClient();
      const error = await vendorError(client.createMeet(NEW_MEET));
      assert.equal(error.code, 'unavailable');
      assert.equal(error.status, 500);
      assert.equal(scope.pendingMocks().length, 1, 'the second POST was never sent');
    });

    it('does not retry a timeout', async () => {
      const scope = nock(BASE)
        .post(`${PREFIX}/meets/meet`)
        .delay(1500)
        .reply(200, SEED_MEET)
        .post(`${PREFIX}/meets/meet`)
        .reply(200, SEED_MEET);
      const { client } = makeClient({ timeoutMs: 300 });
      const error = await vendorError(client.createMeet(NEW_MEET));
      assert.equal(error.code, 'timeout');
      assert.equal(scope.pendingMocks().length, 1, 'the second POST was never sent');
    });

    it('refuses an answer without _url as "bad_response"', async () => {
      const malformed: Partial<typeof SEED_MEET> = { ...SEED_MEET };
      delete malformed._url;
      nock(BASE).post(`${PREFIX}/meets/meet`).reply(200, malformed);
      const { client } = makeClient();
      const error = await vendorError(client.createMeet(NEW_MEET));
      assert.equal(error.code, 'bad_response');
      assert.equal(error.status, 200);
    });
  });

  describe('inviteToRoom', () => {
    it('posts {data: {name}} with the raw key and returns the echoed name', async () => {
      let headers: Record<string, unknown> = {};
      const scope = nock(BASE)
        .post(INVITATION_PATH, { data: { name: 'Zaproszenie xyz.' } })
        .reply(function () {
          headers = this.req.headers;
          return [200, { data: { name: 'Zaproszenie xyz.' } }];
        });
      const { client } = makeClient();
      assert.deepEqual(await client.inviteToRoom(NEW_INVITATION), { name: 'Zaproszenie xyz.' });
      scope.done();
      assert.equal(headers.authorization, KEY);
      assert.equal(headers['content-type'], 'application/json');
    });

    it('takes a 200 whose echo has no name as done: the document lists no field of the answer', async () => {
      const scope = nock(BASE).post(INVITATION_PATH).reply(200, { data: { id: 7 } });
      const { client } = makeClient();
      assert.deepEqual(await client.inviteToRoom(NEW_INVITATION), { name: undefined });
      scope.done();
    });

    it('refuses a 200 without the {data: …} envelope as "bad_response"', async () => {
      nock(BASE).post(INVITATION_PATH).reply(200, { name: 'Zaproszenie xyz.' });
      const { client } = makeClient();
      const error = await vendorError(client.inviteToRoom(NEW_INVITATION));
      assert.equal(error.code, 'bad_response');
      assert.equal(error.status, 200);
    });

    it('maps 403 to "rejected": Conpeek does not allow this action', async () => {
      nock(BASE).post(INVITATION_PATH).reply(403);
      const { client } = makeClient();
      const error = await vendorError(client.inviteToRoom(NEW_INVITATION));
      assert.equal(error.code, 'rejected');
      assert.equal(error.status, 403);
      assert.equal(error.detail, 'Conpeek does not allow this action');
    });

    it('maps 404 to "not_found": the bridge or room is unknown', async () => {
      nock(BASE).post(`${PREFIX}/conference-bridge/5/room/99/invitation`).reply(404, { message: 'Nie znaleziono zasobu' });
      const { client } = makeClient();
      const error = await vendorError(client.inviteToRoom({ ...NEW_INVITATION, roomId: 99 }));
      assert.equal(error.code, 'not_found');
      assert.equal(error.status, 404);
      assert.equal(error.detail, 'Conpeek does not know this conference bridge or room');
    });

    it('maps 401 to "unauthorized"', async () => {
      nock(BASE).post(INVITATION_PATH).reply(401);
      const { client } = makeClient();
      const error = await vendorError(client.inviteToRoom(NEW_INVITATION));
      assert.equal(error.code, 'unauthorized');
      assert.equal(error.detail, 'Conpeek refused the API key');
    });

    it('does not retry a 503', async () => {
      const scope = nock(BASE).post(INVITATION_PATH).reply(503).post(INVITATION_PATH).reply(200, { data: { name: 'x' } });
      const { client } = makeClient();
      const error = await vendorError(client.inviteToRoom(NEW_INVITATION));
      assert.equal(error.code, 'unavailable');
      assert.equal(scope.pendingMocks().length, 1, 'the second POST was never sent');
    });

    it('refuses ids that are not integers without calling Conpeek', async () => {
      const scope = nock(BASE).post(/.*/).reply(200, { data: { name: 'x' } });
      const { client } = makeClient();
      const error = await vendorError(client.inviteToRoom({ ...NEW_INVITATION, roomId: 1.5 }));
      assert.equal(error.code, 'rejected');
      assert.equal(error.status, undefined);
      assert.equal(scope.isDone(), false, 'nothing was sent');
    });
  });

  describe('listMeetings', () => {
    const filter = [
      { property: 'status' as const, value: 'CLOSED' },
      { property: 'created_date' as const, value: '2025-01-01 00:00:00', operator: 'gte' as const },
    ];
    const meeting = { _id: 'm1', status: 'CLOSED', project_id: 3, created_date: '2025-01-02 10:00:00' };

    it('sends limit, offset and the filter as a JSON array, with the raw key', async () => {
      const scope = nock(BASE)
        .get(`${PREFIX}/meeting`)
        .query({ limit: '50', offset: '100', filter: JSON.stringify(filter) })
        .matchHeader('authorization', KEY)
        .reply(200, { data: [meeting] });
      const { client } = makeClient();
      assert.deepEqual(await client.listMeetings({ filter, limit: 50, offset: 100 }), [meeting]);
      scope.done();
    });

    it('sends no query parameter when none is given', async () => {
      const scope = nock(BASE)
        .get(`${PREFIX}/meeting`)
        .query((query) => Object.keys(query).length === 0)
        .reply(200, { data: [] });
      const { client } = makeClient();
      assert.deepEqual(await client.listMeetings({ filter: [] }), []);
      scope.done();
    });

    it('retries a 500 once', async () => {
      const scope = nock(BASE).get(`${PREFIX}/meeting`).reply(500).get(`${PREFIX}/meeting`).reply(200, { data: [meeting] });
      const { client } = makeClient();
      assert.deepEqual(await client.listMeetings(), [meeting]);
      scope.done();
    });

    it('retries a timeout once', async () => {
      const scope = nock(BASE)
        .get(`${PREFIX}/meeting`)
        .delay(1500)
        .reply(200, { data: [] })
        .get(`${PREFIX}/meeting`)
        .reply(200, { data: [meeting] });
      const { client } = makeClient({ timeoutMs: 300 });
      assert.deepEqual(await client.listMeetings(), [meeting]);
      scope.done();
    });

    it('fails as "unavailable" after a second 500: no third attempt', async () => {
      const scope = nock(BASE).get(`${PREFIX}/meeting`).times(2).reply(502).get(`${PREFIX}/meeting`).reply(200, { data: [] });
      const { client } = makeClient();
      const error = await vendorError(client.listMeetings());
      assert.equal(error.code, 'unavailable');
      assert.equal(error.status, 502);
      assert.equal(scope.pendingMocks().length, 1, 'no third attempt');
    });

    it('does not retry a 403', async () => {
      const scope = nock(BASE).get(`${PREFIX}/meeting`).reply(403).get(`${PREFIX}/meeting`).reply(200, { data: [] });
      const { client } = makeClient();
      const error = await vendorError(client.listMeetings());
      assert.equal(error.code, 'rejected');
      assert.equal(scope.pendingMocks().length, 1);
    });
  });

  describe('health', () => {
    it('records a success', async () => {
      nock(BASE).post(INVITATION_PATH).reply(200, { data: { name: 'x' } });
      const { client, health } = makeClient();
      await client.inviteToRoom(NEW_INVITATION);
      assert.deepEqual({ ...health.lastCall('conpeek'), at: undefined }, { operation: 'inviteToRoom', ok: true, at: undefined });
    });

    it('records a failure with its code', async () => {
      nock(BASE).post(INVITATION_PATH).reply(404);
      const { client, health } = makeClient();
      await vendorError(client.inviteToRoom(NEW_INVITATION));
      assert.deepEqual(
        { ...health.lastCall('conpeek'), at: undefined },
        { operation: 'inviteToRoom', ok: false, code: 'not_found', at: undefined },
      );
    });
  });

  it('never logs the API key or the invitee', async () => {
    const { logger, lines } = captureLogs();
    const name = 'Jane Doe jane@example.com';
    nock(BASE)
      .post(INVITATION_PATH)
      .reply(200, { data: { name } })
      .post(INVITATION_PATH)
      .reply(403, { message: name })
      .post(INVITATION_PATH)
      .reply(200, { other: name });
    const { client } = makeClient({}, logger);
    await client.inviteToRoom({ ...NEW_INVITATION, name });
    assert.equal((await vendorError(client.inviteToRoom({ ...NEW_INVITATION, name }))).code, 'rejected');
    assert.equal((await vendorError(client.inviteToRoom({ ...NEW_INVITATION, name }))).code, 'bad_response');
    assert.equal(lines.length, 4, "one line per call, plus the schema mismatch");
    for (const line of lines) {
      for (const secret of [KEY, 'Jane', 'jane@example.com']) assert.equal(line.includes(secret), false, `${secret} in ${line}`);
    }
  });
});

describe('ConpeekClient: the call’s own logger', () => {
  it('writes the call’s lines with the logger it is handed (the request’s correlation id), not the account’s', async () => {
    nock(BASE).post(`${PREFIX}/meets/meet`).reply(503);
    const account = captureLogs('info');
    const { client } = makeClient({}, account.logger);
    const request = captureLogs('info');
    await assert.rejects(client.createMeet(NEW_MEET, { logger: request.logger.child({ correlationId: 'req-conpeek-1' }) }));
    assert.deepEqual(account.lines, []);
    const failed = request.lines.map((line) => JSON.parse(line) as Record<string, unknown>).find((line) => line.msg === 'vendor call failed');
    assert.equal(failed?.correlationId, 'req-conpeek-1');
  });
});
