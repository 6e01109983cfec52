import assert from 'node:assert/strict';
import nock from 'nock';
import type { ApizeeSettings } from '../../src/vendors/apizee/client.js';
import { createLogger } from '../../src/logger.js';
import { ApizeeClient } from '../../src/vendors/apizee/client.js';
import { VendorHealth } from '../../src/vendors/health.js';
import { RateBudget } from '../../src/vendors/rate-budget.js';
import { APIZEE_BASE as BASE, APIZEE_LOGIN_QUERY as LOGIN_QUERY, APIZEE_SETTINGS as SETTINGS, apizeeLogin } from '../helpers/apizee-client.js';
import { captureLogs } from '../helpers/log-capture.js';
import { vendorError } from '../helpers/vendor-error.js';

const TOKEN = 'tok-4f9a0c2e7b1d';

// Seed 003, POST /tickets response example (scope=sso), verbatim.
const SEED_CREATED_TICKET = {
  id: 82070,
  state: 'invited',
  reference: '1234',
  created: '2023-07-12T15:48:11+00:00',
  modified: '2023-07-12T15:48:12+00:00',
  start_time: '2023-07-12T15:48:12+00:00',
  end_time: '2023-07-12T16:18:12+00:00',
  subject: null,
  type: '',
  description: null,
  agent: 'arnaud.vallee@apizee.com',
  requestor_url: 'https://diag.apizee.com?convId=88a2c81a-2b5a-496f-8546-0d7bdde8&pwd=798042',
  requestor: { phone: '+33662682193' },
  information_page_url: 'https://apz.fr/d6Nx453elx',
  service_key: '115f89503138416a242f40fb7d7f338e',
  agent_url: 'https://cloud.apizee.com',
  sso_url:
    'https://cloud.apizee.com?access_token=eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJjbG91ZC5hcGl6ZWUuY29tIiwiaWF0IjoxNjg5MTc2ODkyLCJzdWIiOiJ1c2VyOkFNTjM0cWFrbXJCbUpXcG8iLCJzc28iOnRydWUsImV4cCI6MTY4OTE3NzE5Mn0.L4_xNKE4JdyStmGcJQJqkMeRtDjvnZky9p-cqk9pEEE',
  status: 'invited',
  name: null,
  button_id: 223,
};

// Seed 003, GET /enterprises/1/tickets/663614/medias response example, verbatim.
const SEED_MEDIAS = {
  limit: 10,
  offset: 0,
  medias: [
    {
      id: 1973404,
      title: 'ysExSVPf-2552-477',
      type: 'video/mp4',
      hash: '4b6c0600-b2fc-11ed-afc2-a9d424af1014',
      description: null,
      source_type: 'unknown',
      url: 'https://cloud.apizee.com/media/showVideo/1/hash/4b6c0600-b2fc-11ed-afc2-a9d424af1014',
    },
    {
      id: 1973403,
      title: 'diag_snapshot_1677103206155',
      type: 'image/jpeg',
      hash: '445f0780-b2fc-11ed-89d4-09e76cc8a403',
      description: null,
      source_type: 'unknown',
      location: { lat: 48.7703337, lon: -3.5149756 },
      url: 'https://cloud.apizee.com/media/showVideo/1/hash/445f0780-b2fc-11ed-89d4-09e76cc8a403',
    },
  ],
  count: 2,
};

const TICKET_QUERY = {
  agent: 'agent@example.com',
  invite: '1',
  reference: 'CASE-42',
  scope: 'sso',
  phone: '+33612345678',
};
const NEW_TICKET = { phone: '+33612345678', agent: 'agent@example.com', reference: 'CASE-42' };

function makeClient(settings: Partial<ApizeeSettings> = {}, deps: { logger?: ReturnType<typeof createLogger>; budget?: RateBudget } = {}) {
  const health = new VendorHealth();
  const client = new ApizeeClient({ ...SETTINGS, ...settings }, { logger: deps.logger ?? createLogger('silent'), health, budget: deps.budget });
  return { client, health };
}

function login(scope = nock(BASE)) {
  return apizeeLogin(TOKEN, scope);
}

describe('ApizeeClient', () => {
  describe('createTicket', () => {
    it('logs in with the credentials in the query, then posts the ticket with a bearer token', async () => {
      const scope = login()
        .post('/api/tickets')
        .query(TICKET_QUERY)
        .matchHeader('authorization', `Bearer ${TOKEN}`)
        .reply(200, SEED_CREATED_TICKET);
      const { client } = makeClient();
      const ticket = await client.createTicket(NEW_TICKET);
      scope.done();
      assert.equal(ticket.id, 82070);
      assert.equal(ticket.state, 'invited');
      assert.equal(ticket.requestor_url, SEED_CREATED_TICKET.requestor_url);
      assert.equal(ticket.agent_url, 'https://cloud.apizee.com');
      assert.equal(ticket.sso_url, SEED_CREATED_TICKET.sso_url);
      assert.equal(ticket.button_id, 223);
    });

    it('sends email instead of phone, and the description when given', async () => {
      const scope = login()
        .post('/api/tickets')
        .query({
          agent: 'agent@example.com',
          invite: '1',
          reference: 'CASE-42',
          scope: 'sso',
          email: 'jane@example.com',
          description: 'Boiler & pipes',
        })
        .reply(200, SEED_CREATED_TICKET);
      const { client } = makeClient();
      await client.createTicket({ email: 'jane@example.com', agent: 'agent@example.com', reference: 'CASE-42', description: 'Boiler & pipes' });
      scope.done();
    });

    it('caches the token: two calls, one login', async () => {
      const scope = login().post('/api/tickets').query(true).times(2).reply(200, SEED_CREATED_TICKET);
      const { client } = makeClient();
      await client.createTicket(NEW_TICKET);
      await client.createTicket(NEW_TICKET);
      scope.done();
    });

    it('shares one login between concurrent calls', async () => {
      const scope = login().post('/api/tickets').query(true).times(2).reply(200, SEED_CREATED_TICKET);
      const { client } = makeClient();
      await Promise.all([client.createTicket(NEW_TICKET), client.createTicket(NEW_TICKET)]);
      scope.done();
    });

    it('logs in again once after a 401, then succeeds', async () => {
      const scope = nock(BASE)
        .post('/api/token')
        .query(LOGIN_QUERY)
        .reply(200, { access_token: 'old-token', expires_in: 86_400 })
        .post('/api/tickets')
        .query(true)
        .matchHeader('authorization', 'Bearer old-token')
        .reply(401, { error: 'invalid_token' })
        .post('/api/token')
        .query(LOGIN_QUERY)
        .reply(200, { access_token: TOKEN, expires_in: 86_400 })
        .post('/api/tickets')
        .query(true)
        .matchHeader('authorization', `Bearer ${TOKEN}`)
        .reply(200, SEED_CREATED_TICKET);
      const { client } = makeClient();
      const ticket = await client.createTicket(NEW_TICKET);
      scope.done();
      assert.equal(ticket.id, 82070);
    });

    it('gives up with "unauthorized" after a second 401: exactly two logins', async () => {
      let logins = 0;
      let posts = 0;
      nock(BASE)
        .post('/api/token')
        .query(LOGIN_QUERY)
        .times(5)
        .reply(() => {
          logins += 1;
          return [200, { access_token: TOKEN, expires_in: 86_400 }];
        })
        .post('/api/tickets')
        .query(true)
        .times(5)
        .reply(() => {
          posts += 1;
          return [401, { error: 'invalid_token' }];
        });
      const { client } = makeClient();
      const error = await vendorError(client.createTicket(NEW_TICKET));
      assert.equal(error.code, 'unauthorized');
      assert.equal(error.status, 401);
      assert.equal(logins, 2);
      assert.equal(posts, 2);
    });

    it('does not retry a 500 on POST /tickets', async () => {
      const scope = login()
        .post('/api/tickets')
        .query(true)
        .reply(500, { error: 'boom' })
        .post('/api/tickets')
        .query(true)
        .reply(200, SEED_CREATED_TICKET);
      const { client } = makeClient();
      const error = await vendorError(client.createTicket(NEW_TICKET));
      assert.equal(error.code, 'unavailable');
      assert.equal(error.status, 500);
      assert.equal(scope.pendingMocks().length, 1, 'the second POST was never sent');
    });

    it('pauses the budget on a 429 with X-RateLimit-Reset and sends the request again after the reset', async () => {
      const pauses: number[] = [];
      class SpyBudget extends RateBudget {
        availableWhenPaused?: number;
        override pauseUntil(epochMs: number): void {
          super.pauseUntil(epochMs);
          pauses.push(epochMs);
          this.availableWhenPaused = this.available();
        }
      }
      const budget = new SpyBudget(10);
      let resentAt = 0;
      const scope = login()
        .post('/api/tickets')
        .query(true)
        .reply(429, { error: 'You have reached the maximum number of attempts. Please try again later.' }, { 'X-RateLimit-Reset': '1' })
        .post('/api/tickets')
        .query(true)
        .reply(() => {
          resentAt = Date.now();
          return [200, SEED_CREATED_TICKET];
        });
      const { client } = makeClient({}, { budget });
      const before = Date.now();
      const ticket = await client.createTicket(NEW_TICKET);
      scope.done();
      budget.stop();
      assert.equal(ticket.id, 82070);
      assert.equal(pauses.length, 1);
      const pausedUntil = pauses[0]!;
      assert.ok(pausedUntil >= before + 1000 && pausedUntil <= Date.now() + 1000, `paused until ${pausedUntil - before} ms`);
      assert.equal(budget.availableWhenPaused, 0);
      assert.equal(client.budget, budget);
      assert.ok(resentAt >= pausedUntil, `resent ${pausedUntil - resentAt} ms before the reset`);
    });

    it('times out as "timeout"', async () => {
      const scope = login().post('/api/tickets').query(true).delay(3000).reply(200, SEED_CREATED_TICKET);
      const { client } = makeClient({ timeoutMs: 500 });
      const error = await vendorError(client.createTicket(NEW_TICKET));
      assert.equal(error.code, 'timeout');
      assert.equal(scope.isDone(), true);
    });

    it('refuses an answer without requestor_url as "bad_response"', async () => {
      const { requestor_url: _omitted, ...malformed } = SEED_CREATED_TICKET;
      login().post('/api/tickets').query(true).reply(200, malformed);
      const { client } = makeClient();
      const error = await vendorError(client.createTicket(NEW_TICKET));
      assert.equal(error.code, 'bad_response');
      assert.equal(error.status, 200);
    });
  });

  describe('listTickets', () => {
    it('asks for the newest tickets first, at most 100', async () => {
      const scope = login()
        .get('/api/tickets')
        .query({ orderby: 'date', order: 'desc', limit: '100' })
        .matchHeader('authorization', `Bearer ${TOKEN}`)
        .reply(200, { total: 0, data: [] });
      const { client } = makeClient();
      assert.deepEqual(await client.listTickets({ limit: 100 }, 'interactive'), { total: 0, data: [], skipped: [] });
      scope.done();
    });

    it('skips a row it cannot read, logs why without its contents, and keeps the others', async () => {
      const { id, state, reference, created, modified, start_time, end_time, agent, requestor_url } = SEED_CREATED_TICKET;
      const readable = { id, state, reference, created, modified, start_time, end_time, agent, requestor_url };
      // A ticket another integration made: an undocumented state, a numeric reference, no requestor_url.
      const odd = { ...readable, id: 99, state: 'archived', reference: 4242, requestor_url: undefined, requestor: { phone: '+33662682193' } };
      const scope = login().get('/api/tickets').query(true).reply(200, { total: 2, data: [odd, readable] });
      const { logger, lines } = captureLogs();
      const { client } = makeClient({}, { logger });
      const list = await client.listTickets({ limit: 100 }, 'interactive');
      assert.deepEqual(list.data.map((ticket) => ticket.id), [82070]);
      assert.equal(list.skipped.length, 1);
      assert.match(list.skipped[0]!, /^state: /);
      const warning = lines.map((line) => JSON.parse(line)).find((line) => line.msg === 'list rows skipped: not readable');
      assert.equal(warning?.skipped, 1);
      assert.doesNotMatch(lines.join('\n'), /662682193|archived|4242/);
      scope.done();
    });

    it('caps the limit at 100 and adds the reference', async () => {
      const scope = login()
        .get('/api/tickets')
        .query({ orderby: 'date', order: 'desc', limit: '100', reference: 'CASE-42' })
        .reply(200, { total: 0, data: [] });
      const { client } = makeClient();
      await client.listTickets({ limit: 500, reference: 'CASE-42' }, 'interactive');
      scope.done();
    });

    it('runs in the background once a token is cached', async () => {
      const scope = login()
        .post('/api/tickets')
        .query(true)
        .reply(200, SEED_CREATED_TICKET)
        .get('/api/tickets')
        .query(true)
        .reply(200, { total: 0, data: [] });
      const { client } = makeClient();
      await client.createTicket(NEW_TICKET);
      assert.deepEqual(await client.listTickets({ limit: 100 }), { total: 0, data: [], skipped: [] });
      scope.done();
    });

    // A cold client's login queues like an interactive call, so it does not use up the
    // background slot that the list call needs.
    it('logs in and lists in one background call on a cold client', async () => {
      const scope = login().get('/api/tickets').query(true).reply(200, { total: 0, data: [] });
      const { client } = makeClient();
      assert.deepEqual(await client.listTickets({ limit: 100 }), { total: 0, data: [], skipped: [] });
      scope.done();
    });

    it('does not retry a background 500: the next tracking pass will', async () => {
      const scope = login().get('/api/tickets').query(true).reply(500);
      const { client, health } = makeClient();
      const error = await vendorError(client.listTickets({ limit: 10 }));
      assert.equal(error.code, 'unavailable');
      assert.equal(health.lastCall('apizee')?.code, 'unavailable');
      scope.done();
    });

    it('retries a 500 once', async () => {
      const scope = login()
        .get('/api/tickets')
        .query(true)
        .reply(500)
        .get('/api/tickets')
        .query(true)
        .reply(200, { total: 0, data: [] });
      const { client } = makeClient();
      assert.deepEqual(await client.listTickets({ limit: 10 }, 'interactive'), { total: 0, data: [], skipped: [] });
      scope.done();
    });

    it('fails as "unavailable" after a second 500', async () => {
      const scope = login().get('/api/tickets').query(true).times(2).reply(500).get('/api/tickets').query(true).reply(200, { total: 0, data: [] });
      const { client } = makeClient();
      const error = await vendorError(client.listTickets({ limit: 10 }, 'interactive'));
      assert.equal(error.code, 'unavailable');
      assert.equal(scope.pendingMocks().length, 1, 'no third attempt');
    });
  });

  describe('listTicketMedias', () => {
    it('reads the seed example from the enterprise ticket path', async () => {
      const scope = login()
        .get('/api/enterprises/1/tickets/663614/medias')
        .query({ limit: '100' })
        .matchHeader('authorization', `Bearer ${TOKEN}`)
        .reply(200, SEED_MEDIAS);
      const { client } = makeClient();
      const answer = await client.listTicketMedias('663614', 'interactive');
      scope.done();
      assert.equal(answer.count, 2);
      assert.deepEqual(
        answer.medias.map((media) => [media.id, media.type, media.location]),
        [
          [1973404, 'video/mp4', undefined],
          [1973403, 'image/jpeg', { lat: 48.7703337, lon: -3.5149756 }],
        ],
      );
      assert.equal(answer.medias[1]!.url, 'https://cloud.apizee.com/media/showVideo/1/hash/445f0780-b2fc-11ed-89d4-09e76cc8a403');
    });
  });

  it('builds the agent room URL from agent_url, button_id and id', () => {
    assert.equal(
      ApizeeClient.agentRoomUrl({ agent_url: 'https://cloud.apizee.com', button_id: 223, id: 82070 }),
      'https://cloud.apizee.com/entrypoint/223/tickets/82070',
    );
    assert.equal(
      ApizeeClient.agentRoomUrl({ agent_url: 'https://cloud.apizee.com/', button_id: 223, id: 82070 }),
      'https://cloud.apizee.com/entrypoint/223/tickets/82070',
    );
  });

  describe('health', () => {
    it('records a success', async () => {
      login().post('/api/tickets').query(true).reply(200, SEED_CREATED_TICKET);
      const { client, health } = makeClient();
      await client.createTicket(NEW_TICKET);
      const last = health.lastCall('apizee');
      assert.deepEqual({ ...last, at: undefined }, { operation: 'createTicket', ok: true, at: undefined });
    });

    it('records a failure with its code', async () => {
      login().post('/api/tickets').query(true).reply(503);
      const { client, health } = makeClient();
      await vendorError(client.createTicket(NEW_TICKET));
      const last = health.lastCall('apizee');
      assert.deepEqual({ ...last, at: undefined }, { operation: 'createTicket', ok: false, code: 'unavailable', at: undefined });
    });
  });

  describe('logs', () => {
    it('never contain the password, the token or the phone', async () => {
      const { logger, lines } = captureLogs();
      const password = 'Pa55-word-9f3e';
      nock(BASE)
        .post('/api/token')
        .query({ ...LOGIN_QUERY, password })
        .reply(200, { access_token: TOKEN, expires_in: 86_400 })
        .post('/api/tickets')
        .query(true)
        .reply(200, SEED_CREATED_TICKET)
        .post('/api/tickets')
        .query(true)
        .reply(400, { message: 'invalid phone +33612345678' })
        .post('/api/tickets')
        .query(true)
        .reply(200, { ...SEED_CREATED_TICKET, requestor_url: 'not a url +33612345678' });
      const { client } = makeClient({ password }, { logger });
      await client.createTicket(NEW_TICKET);
      assert.equal((await vendorError(client.createTicket(NEW_TICKET))).code, 'rejected');
      assert.equal((await vendorError(client.createTicket(NEW_TICKET))).code, 'bad_response');
      assert.ok(lines.length >= 3, `only ${lines.length} lines logged`);
      for (const line of lines) {
        for (const secret of [password, TOKEN, '+33612345678', '33612345678']) {
          assert.equal(line.includes(secret), false, `${secret} in ${line}`);
        }
      }
    });
  });
});
