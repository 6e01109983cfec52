import assert from 'node:assert/strict';
import nock from 'nock';
import { createLogger } from '../../src/logger.js';
import { VendorHealth } from '../../src/vendors/health.js';
import { ImbeeClient, virtualUserFor, type ImbeeSettings } from '../../src/vendors/imbee/client.js';
import { captureLogs } from '../helpers/log-capture.js';
import { vendorError } from '../helpers/vendor-error.js';

const BASE = 'https://imbee.test';
const SETTINGS: ImbeeSettings = {
  apiUrl: BASE,
  auth: 'myAuth-5e1c',
  corporateToken: 'myCorporateToken-9b7d',
  botIdsha: 'bot_identifier',
  timeoutMs: 2000,
};
const PHONE = '+33612345678';
const EMAIL = 'jane@example.com';
const VIRTUAL_USER = 'user_identifier_sha';

// Seed 004, POST /token/new response example (with a real URL in place of "url_with_token").
const SEED_TOKEN_BODY = {
  url: 'https://webchat.imbee.example/?token=4d2f0c',
  user_idsha: 'idsha_value',
  date_limit: '2000-01-01',
  max_retries: 10,
  previously_created: false,
};
const ok = (body: unknown) => ({ time: 0.00019, code: 0, message: 'Ok', body });

function makeClient(settings: Partial<ImbeeSettings> = {}, logger = createLogger('silent')) {
  const health = new VendorHealth();
  const client = new ImbeeClient({ ...SETTINGS, ...settings }, { logger, health });
  return { client, health };
}

describe('ImbeeClient', () => {
  describe('createWebToken', () => {
    it('sends the seed curl: raw Authorization, X-WOOS-KEY, JSON, keys virtual_user and celullar', async () => {
      let headers: Record<string, unknown> = {};
      let body: unknown;
      const scope = nock(BASE)
        .post('/token/new')
        .reply(function (_uri, requestBody) {
          headers = this.req.headers;
          body = requestBody;
          return [200, ok(SEED_TOKEN_BODY)];
        });
      const { client } = makeClient();
      await client.createWebToken({ virtualUser: VIRTUAL_USER, mail: EMAIL, cellular: PHONE, maxRetries: 10, dateLimit: '2018-12-31' });
      scope.done();
      assert.equal(headers.authorization, 'myAuth-5e1c');
      assert.equal(headers['x-woos-key'], 'myCorporateToken-9b7d');
      assert.equal(headers['content-type'], 'application/json');
      // Exact keys, in the curl's order: the misspelled `celullar` is the API's own key.
      assert.deepEqual(Object.keys(body as object), ['virtual_user', 'bot_idsha', 'mail', 'celullar', 'max_retries', 'date_limit']);
      assert.deepEqual(body, {
        virtual_user: VIRTUAL_USER,
        bot_idsha: 'bot_identifier',
        mail: EMAIL,
        celullar: PHONE,
        max_retries: 10,
        date_limit: '2018-12-31',
      });
    });

    it('leaves out what is not given, so Imbee applies its defaults', async () => {
      const scope = nock(BASE)
        .post('/token/new', (body) => JSON.stringify(body) === JSON.stringify({ virtual_user: VIRTUAL_USER, bot_idsha: 'bot_identifier', celullar: PHONE }))
        .reply(200, ok(SEED_TOKEN_BODY));
      const { client } = makeClient();
      await client.createWebToken({ virtualUser: VIRTUAL_USER, cellular: PHONE });
      scope.done();
    });

    it('returns the link and its limits', async () => {
      nock(BASE).post('/token/new').reply(200, ok(SEED_TOKEN_BODY));
      const { client } = makeClient();
      assert.deepEqual(await client.createWebToken({ virtualUser: VIRTUAL_USER, mail: EMAIL }), {
        url: 'https://webchat.imbee.example/?token=4d2f0c',
        userIdsha: 'idsha_value',
        dateLimit: '2000-01-01',
        maxRetries: 10,
        previouslyCreated: false,
      });
    });

    it('surfaces previously_created: true as a success', async () => {
      nock(BASE).post('/token/new').reply(200, ok({ ...SEED_TOKEN_BODY, previously_created: true }));
      const { client, health } = makeClient();
      const token = await client.createWebToken({ virtualUser: VIRTUAL_USER, mail: EMAIL });
      assert.equal(token.previouslyCreated, true);
      assert.equal(token.url, SEED_TOKEN_BODY.url);
      assert.equal(health.lastCall('imbee')?.ok, true);
    });

    it('treats code 1 under HTTP 200 as "rejected", with the scrubbed message as detail', async () => {
      nock(BASE).post('/token/new').reply(200, { time: 0.0002, code: 1, message: `Invalid celullar ${PHONE}`, body: null });
      const { client, health } = makeClient();
      const error = await vendorError(client.createWebToken({ virtualUser: VIRTUAL_USER, cellular: PHONE }));
      assert.equal(error.code, 'rejected');
      assert.equal(error.status, 200);
      assert.equal(error.detail, 'Invalid celullar [phone] (code 1)');
      assert.equal(error.retryable, false);
      assert.deepEqual({ ...health.lastCall('imbee'), at: undefined }, { operation: 'createWebToken', ok: false, code: 'rejected', at: undefined });
    });

    it('treats a service-specific code (not 0, not 1) as "rejected" too', async () => {
      nock(BASE).post('/token/new').reply(200, { time: 0, code: 7, message: '', body: {} });
      const { client } = makeClient();
      const error = await vendorError(client.createWebToken({ virtualUser: VIRTUAL_USER, mail: EMAIL }));
      assert.equal(error.code, 'rejected');
      assert.equal(error.detail, 'code 7');
    });

    it('refuses a success without a url as "bad_response"', async () => {
      const malformed: Partial<typeof SEED_TOKEN_BODY> = { ...SEED_TOKEN_BODY };
      delete malformed.url;
      nock(BASE).post('/token/new').reply(200, ok(malformed));
      const { client } = makeClient();
      const error = await vendorError(client.createWebToken({ virtualUser: VIRTUAL_USER, mail: EMAIL }));
      assert.equal(error.code, 'bad_response');
    });

    it('maps an HTTP error by its status and never retries the POST', async () => {
      const scope = nock(BASE).post('/token/new').reply(503, 'Service Unavailable').post('/token/new').reply(200, ok(SEED_TOKEN_BODY));
      const { client } = makeClient();
      const error = await vendorError(client.createWebToken({ virtualUser: VIRTUAL_USER, mail: EMAIL }));
      assert.equal(error.code, 'unavailable');
      assert.equal(error.status, 503);
      assert.equal(scope.pendingMocks().length, 1, 'the second POST was never sent');
    });

    it('never retries a timeout', async () => {
      const scope = nock(BASE).post('/token/new').delay(1500).reply(200, ok(SEED_TOKEN_BODY)).post('/token/new').reply(200, ok(SEED_TOKEN_BODY));
      const { client } = makeClient({ timeoutMs: 300 });
      const error = await vendorError(client.createWebToken({ virtualUser: VIRTUAL_USER, mail: EMAIL }));
      assert.equal(error.code, 'timeout');
      assert.equal(scope.pendingMocks().length, 1);
    });

    for (const [label, input, detail] of [
      ['neither mail nor celullar', { virtualUser: VIRTUAL_USER }, 'an e-mail address or a mobile number is needed to send the link'],
      ['an empty virtual user', { virtualUser: ' ', mail: EMAIL }, 'the virtual user cannot be empty'],
      ['a number without +', { virtualUser: VIRTUAL_USER, cellular: '0612345678' }, 'the mobile number must be in international form (+ and digits)'],
      ['a date that is not YYYY-MM-DD', { virtualUser: VIRTUAL_USER, mail: EMAIL, dateLimit: '31/12/2018' }, 'the expiry date must be a real date written YYYY-MM-DD'],
      ['a date that does not exist', { virtualUser: VIRTUAL_USER, mail: EMAIL, dateLimit: '2018-02-30' }, 'the expiry date must be a real date written YYYY-MM-DD'],
      ['zero uses', { virtualUser: VIRTUAL_USER, mail: EMAIL, maxRetries: 0 }, 'the number of uses must be a positive whole number'],
    ] as const) {
      it(`refuses ${label} before any call, and leaves health alone`, async () => {
        const scope = nock(BASE).post('/token/new').reply(200, ok(SEED_TOKEN_BODY));
        const { client, health } = makeClient();
        const error = await vendorError(client.createWebToken(input));
        assert.equal(error.code, 'rejected');
        assert.equal(error.detail, detail);
        assert.equal(error.status, undefined);
        assert.equal(scope.isDone(), false, 'nothing was sent');
        assert.equal(health.lastCall('imbee'), undefined);
      });
    }

    it('keeps a path prefix of the base URL', async () => {
      const scope = nock(BASE).post('/v1/token/new').reply(200, ok(SEED_TOKEN_BODY));
      const { client } = makeClient({ apiUrl: `${BASE}/v1/` });
      await client.createWebToken({ virtualUser: VIRTUAL_USER, mail: EMAIL });
      scope.done();
    });
  });

  describe('virtualUserFor', () => {
    it('is HMAC-SHA256 hex: stable for a person, different per salt, and free of the contact', () => {
      const first = virtualUserFor(PHONE, 'salt-a');
      assert.match(first, /^[0-9a-f]{64}$/);
      assert.equal(virtualUserFor(PHONE, 'salt-a'), first);
      assert.notEqual(virtualUserFor(PHONE, 'salt-b'), first);
      assert.notEqual(virtualUserFor('+33612345679', 'salt-a'), first);
      assert.equal(first.includes('33612345678'), false);
      assert.equal(virtualUserFor(EMAIL, 'salt-a').includes('jane'), false);
    });

    it('pins the value: HMAC-SHA256(salt, trimmed lower-cased contact), so links survive a restart', () => {
      // Computed independently: createHmac('sha256', 'salt-a').update(…).digest('hex').
      assert.equal(virtualUserFor(PHONE, 'salt-a'), '2fdce1bdfab91d3b87b2f7c4b7d384c01106bebbb0d102c466b23b1cd202cc9c');
      assert.equal(virtualUserFor(' Jane@Example.com ', 'salt-a'), '7197a3e4cdde9002c12d3c2ad54a1b73e2133781bee7a4ba183c3d25783d2321');
    });

    it('refuses an empty salt', () => {
      assert.throws(() => virtualUserFor(PHONE, ''), /non-empty salt/);
    });
  });

  it('never logs the keys, the phone or the e-mail', async () => {
    const { logger, lines } = captureLogs();
    nock(BASE)
      .post('/token/new')
      .reply(200, ok(SEED_TOKEN_BODY))
      .post('/token/new')
      .reply(200, { time: 0, code: 1, message: `bad ${EMAIL} ${PHONE}`, body: null })
      .post('/token/new')
      .reply(500, { time: 0, code: 1, message: `bad ${EMAIL}`, body: null });
    const { client } = makeClient({}, logger);
    const input = { virtualUser: VIRTUAL_USER, mail: EMAIL, cellular: PHONE };
    await client.createWebToken(input);
    assert.equal((await vendorError(client.createWebToken(input))).code, 'rejected');
    assert.equal((await vendorError(client.createWebToken(input))).code, 'unavailable');
    assert.equal(lines.length, 3);
    for (const line of lines) {
      for (const secret of [SETTINGS.auth, SETTINGS.corporateToken, PHONE, '33612345678', EMAIL, 'jane']) {
        assert.equal(line.includes(secret), false, `${secret} in ${line}`);
      }
    }
  });
});

describe('ImbeeClient: the call’s own logger', () => {
  it('writes the call’s lines with the logger it is handed (the request’s correlation id), not the account’s', async () => {
    nock(BASE).post('/token/new').reply(503, 'busy');
    const account = captureLogs('info');
    const { client } = makeClient({}, account.logger);
    const request = captureLogs('info');
    await assert.rejects(client.createWebToken({ virtualUser: VIRTUAL_USER, mail: EMAIL }, { logger: request.logger.child({ correlationId: 'req-imbee-1' }) }));
    assert.deepEqual(account.lines, []);
    const failed = request.lines.map((line) => JSON.parse(line) as Record<string, unknown>).find((line) => line.msg === 'vendor call failed');
    assert.equal(failed?.correlationId, 'req-imbee-1');
  });
});
