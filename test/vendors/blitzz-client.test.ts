import assert from 'node:assert/strict';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import nock from 'nock';
import { createLogger } from '../../src/logger.js';
import {
  BLITZZ_INVITATION_TYPES,
  BlitzzClient,
  blitzzIsoCode,
  blitzzMobileNo,
  blitzzQueryString,
  type BlitzzInvitation,
  type BlitzzSettings,
} from '../../src/vendors/blitzz/client.js';
import { VendorHealth } from '../../src/vendors/health.js';
import { captureLogs } from '../helpers/log-capture.js';
import { vendorError } from '../helpers/vendor-error.js';

const BASE = 'https://blitzz.test';
const SETTINGS: BlitzzSettings = {
  apiUrl: 'https://blitzz.test',
  secretKey: 'sk-0f3c9b',
  username: 'agent@example.com',
  password: 'pw-7d1e',
  timeoutMs: 2000,
};
const LOGIN_BODY = { SecretKey: 'sk-0f3c9b', UserName: 'agent@example.com', Password: 'pw-7d1e' };
const TOKEN = 'tok-5be2a1';
const INVITATION_PATH = '/api/session/123456789/invitation';
const DENIED = 'Access is denied. User is unauthorized.';
const T0 = Date.parse('2025-03-10T09:00:00.000Z');
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

const SMS_FR: BlitzzInvitation = { sessionId: '123456789', delivery: 'sms', phoneE164: '+33612345678', message: 'Your technician is ready' };

/** A settable clock, so token expiry and login back-off are driven by the test. */
function clock(start = T0) {
  let now = start;
  return { now: () => now, set: (at: number) => (now = at), advance: (ms: number) => (now += ms) };
}

function makeClient(options: { settings?: Partial<BlitzzSettings>; now?: () => number; logger?: ReturnType<typeof createLogger> } = {}) {
  const health = new VendorHealth();
  const client = new BlitzzClient(
    { ...SETTINGS, ...options.settings },
    { logger: options.logger ?? createLogger('silent'), health, now: options.now },
  );
  return { client, health };
}

function login(scope = nock(BASE), token = TOKEN) {
  return scope.post('/api/login', LOGIN_BODY).reply(200, { UserToken: token, RefreshToken: 'r-1', LoginId: 7, DomainId: 3 });
}

/** Counts logins and records each invitation's token header and body. */
function recorder(invitationStatus = 200) {
  const seen = { logins: 0, invitations: [] as Array<{ token: string | undefined; body: unknown }> };
  nock(BASE)
    .post('/api/login')
    .times(20)
    .reply((_uri, body) => {
      seen.logins += 1;
      assert.deepEqual(body, LOGIN_BODY);
      return [200, { UserToken: `tok-${seen.logins}` }];
    })
    .post(INVITATION_PATH)
    .times(20)
    .reply(function (_uri, body) {
      const header = this.req.headers.usertoken;
      seen.invitations.push({ token: Array.isArray(header) ? header[0] : header, body });
      return [invitationStatus, invitationStatus === 200 ? body : { Message: 'nope' }];
    });
  return seen;
}

describe('BlitzzClient', () => {
  describe('sendInvitation: request shape', () => {
    it('logs in with the JSON credentials, then posts an SMS invitation with the UserToken header', async () => {
      let sent: unknown;
      const scope = login()
        .post(INVITATION_PATH)
        .matchHeader('usertoken', TOKEN)
        .matchHeader('content-type', /^application\/json/)
        .reply(200, (_uri, body) => {
          sent = body;
          return body;
        });
      const time = clock();
      const { client } = makeClient({ now: time.now });
      const answer = await client.sendInvitation(SMS_FR);
      scope.done();
      assert.deepEqual(sent, { InvitationType: 1, IsoCode: 'FR', MobileNo: '612345678', Message: 'Your technician is ready' });
      assert.deepEqual(answer, { sentAt: '2025-03-10T09:00:00.000Z' });
    });

    it('sends a UK number with IsoCode "UK" and its national number', async () => {
      const seen = recorder();
      const { client } = makeClient();
      await client.sendInvitation({ sessionId: '123456789', delivery: 'sms', phoneE164: '+447911123456' });
      assert.deepEqual(seen.invitations[0]?.body, { InvitationType: 1, IsoCode: 'UK', MobileNo: '7911123456' });
    });

    it('sends an e-mail invitation as type 3 with EmailAddress only, even when a phone is known', async () => {
      const seen = recorder();
      const { client } = makeClient();
      await client.sendInvitation({ sessionId: '123456789', delivery: 'email', email: 'jane@example.com', phoneE164: '+33612345678', message: 'Hello' });
      assert.deepEqual(seen.invitations[0]?.body, { InvitationType: 3, EmailAddress: 'jane@example.com', Message: 'Hello' });
    });

    it('sends a WhatsApp invitation as type 2 without Message (its text is fixed by Blitzz)', async () => {
      const seen = recorder();
      const { client } = makeClient();
      await client.sendInvitation({ ...SMS_FR, delivery: 'whatsapp', message: 'x'.repeat(150) });
      assert.deepEqual(seen.invitations[0]?.body, { InvitationType: 2, IsoCode: 'FR', MobileNo: '612345678' });
    });

    it('adds QueryStringParameter from the media settings, leaving unset options out', async () => {
      const seen = recorder();
      const { client } = makeClient({ settings: { media: { m: 0, s: 3 } } });
      await client.sendInvitation({ ...SMS_FR, message: undefined });
      assert.deepEqual(seen.invitations[0]?.body, { InvitationType: 1, IsoCode: 'FR', MobileNo: '612345678', QueryStringParameter: '?m=0&s=3' });
    });

    it('sends the InvitationType its setting gives the channel (BLITZZ_INVITATION_TYPES), the prose numbering by default', async () => {
      const seen = recorder();
      const { client } = makeClient({ settings: { invitationTypes: { sms: 5, whatsapp: 4, email: 6 } } });
      await client.sendInvitation({ ...SMS_FR, message: undefined });
      await client.sendInvitation({ ...SMS_FR, delivery: 'whatsapp', message: undefined });
      await client.sendInvitation({ sessionId: '123456789', delivery: 'email', email: 'jane@example.com' });
      await makeClient().client.sendInvitation({ sessionId: '123456789', delivery: 'email', email: 'jane@example.com' });
      assert.deepEqual(
        seen.invitations.map((invitation) => (invitation.body as { InvitationType: number }).InvitationType),
        [5, 4, 6, 3],
      );
    });

    it('URL-encodes the session id', async () => {
      const scope = login().post('/api/session/a%2Fb%20c/invitation').reply(200);
      const { client } = makeClient();
      await client.sendInvitation({ ...SMS_FR, sessionId: 'a/b c' });
      scope.done();
    });

    it('accepts an empty or non-JSON 200 answer as success', async () => {
      const scope = login().post(INVITATION_PATH).reply(200, '').post(INVITATION_PATH).reply(200, 'OK', { 'content-type': 'text/plain' });
      const { client } = makeClient();
      await client.sendInvitation(SMS_FR);
      await client.sendInvitation(SMS_FR);
      scope.done();
    });
  });

  describe('sendInvitation: refused before any request', () => {
    // nock has no interceptor in these tests and the network is disabled: a request would fail as 'unavailable'.
    it('refuses a 101-character message as "rejected" with a clear detail', async () => {
      const { client, health } = makeClient();
      const error = await vendorError(client.sendInvitation({ ...SMS_FR, message: 'x'.repeat(101) }));
      assert.equal(error.code, 'rejected');
      assert.equal(error.status, undefined);
      assert.equal(error.detail, 'The message is 101 characters long; Blitzz allows at most 100.');
      assert.equal(health.lastCall('blitzz'), undefined, 'no vendor call was made, so none is recorded');
    });

    it('sends a 100-character message', async () => {
      const seen = recorder();
      const { client } = makeClient();
      await client.sendInvitation({ ...SMS_FR, message: 'x'.repeat(100) });
      assert.equal((seen.invitations[0]?.body as { Message: string }).Message.length, 100);
    });

    it('counts the message in characters, as the seed\'s JSON schema does: 100 emoji are sent, 101 are refused', async () => {
      const seen = recorder();
      const { client } = makeClient();
      await client.sendInvitation({ ...SMS_FR, message: '😀'.repeat(100) });
      assert.equal([...(seen.invitations[0]?.body as { Message: string }).Message].length, 100);
      const error = await vendorError(makeClient().client.sendInvitation({ ...SMS_FR, message: '😀'.repeat(101) }));
      assert.equal(error.detail, 'The message is 101 characters long; Blitzz allows at most 100.');
    });

    const refusals: Array<[string, BlitzzInvitation, string]> = [
      ['an SMS without a phone', { sessionId: '123456789', delivery: 'sms', email: 'jane@example.com' }, 'An SMS or WhatsApp invitation needs a phone number.'],
      ['an e-mail without an address', { sessionId: '123456789', delivery: 'email', phoneE164: '+33612345678' }, 'An e-mail invitation needs an e-mail address.'],
      ['an invalid phone number', { ...SMS_FR, phoneE164: '+3361234' }, 'The phone number is not a valid international number.'],
      ['a number without +', { ...SMS_FR, phoneE164: '33612345678' }, 'The phone number is not a valid international number.'],
      ['an invalid e-mail', { sessionId: '123456789', delivery: 'email', email: 'jane@' }, 'Invalid EmailAddress: Invalid email address.'],
      ['an empty session id', { ...SMS_FR, sessionId: ' ' }, 'A Blitzz session code is required.'],
    ];
    for (const [name, input, detail] of refusals) {
      it(`refuses ${name}`, async () => {
        const { client } = makeClient();
        const error = await vendorError(client.sendInvitation(input));
        assert.equal(error.code, 'rejected');
        assert.equal(error.detail, detail);
      });
    }
  });

  describe('token', () => {
    it('reuses the token: two invitations, one login', async () => {
      const seen = recorder();
      const { client } = makeClient();
      await client.sendInvitation(SMS_FR);
      await client.sendInvitation(SMS_FR);
      assert.equal(seen.logins, 1);
      assert.deepEqual(
        seen.invitations.map((i) => i.token),
        ['tok-1', 'tok-1'],
      );
    });

    it('shares one login between concurrent calls', async () => {
      const seen = recorder();
      const { client } = makeClient();
      await Promise.all([client.sendInvitation(SMS_FR), client.sendInvitation(SMS_FR)]);
      assert.equal(seen.logins, 1);
    });

    it('slides the 2-hour expiry: 1 h 59 min after the last call keeps the token, 2 h 1 min logs in first', async () => {
      const seen = recorder();
      const time = clock();
      const { client } = makeClient({ now: time.now });
      await client.sendInvitation(SMS_FR);
      time.advance(HOUR + 59 * MINUTE);
      await client.sendInvitation(SMS_FR);
      // 3 h 58 min after the login: only a sliding expiry still accepts the token.
      time.advance(HOUR + 59 * MINUTE);
      await client.sendInvitation(SMS_FR);
      assert.equal(seen.logins, 1);
      time.advance(2 * HOUR + MINUTE);
      await client.sendInvitation(SMS_FR);
      assert.equal(seen.logins, 2);
      assert.deepEqual(
        seen.invitations.map((i) => i.token),
        ['tok-1', 'tok-1', 'tok-1', 'tok-2'],
      );
    });

    it('does not slide the expiry on a failed call', async () => {
      const time = clock();
      let logins = 0;
      nock(BASE)
        .post('/api/login')
        .times(2)
        .reply(() => [200, { UserToken: `tok-${++logins}` }])
        .post(INVITATION_PATH)
        .reply(200)
        .post(INVITATION_PATH)
        .reply(400, { Message: 'bad' })
        .post(INVITATION_PATH)
        .matchHeader('usertoken', 'tok-2')
        .reply(200);
      const { client } = makeClient({ now: time.now });
      await client.sendInvitation(SMS_FR);
      time.advance(HOUR);
      await vendorError(client.sendInvitation(SMS_FR));
      time.advance(HOUR + MINUTE);
      await client.sendInvitation(SMS_FR);
      assert.equal(logins, 2);
    });

    it('logs in again once after a 401, then succeeds with the new token', async () => {
      const scope = login(nock(BASE), 'old-token')
        .post(INVITATION_PATH)
        .matchHeader('usertoken', 'old-token')
        .reply(401, DENIED, { 'content-type': 'text/plain' })
        .post('/api/login', LOGIN_BODY)
        .reply(200, { UserToken: TOKEN })
        .post(INVITATION_PATH)
        .matchHeader('usertoken', TOKEN)
        .reply(200, {});
      const { client } = makeClient();
      await client.sendInvitation(SMS_FR);
      scope.done();
    });

    it('treats the documented "Access is denied" text as unauthorized whatever the status', async () => {
      const scope = login(nock(BASE), 'old-token')
        .post(INVITATION_PATH)
        .reply(403, { Message: DENIED })
        .post('/api/login', LOGIN_BODY)
        .reply(200, { UserToken: TOKEN })
        .post(INVITATION_PATH)
        .matchHeader('usertoken', TOKEN)
        .reply(200, {});
      const { client } = makeClient();
      await client.sendInvitation(SMS_FR);
      scope.done();
    });

    it('gives up with "unauthorized" after a second 401: exactly two logins', async () => {
      const seen = recorder(401);
      const { client } = makeClient();
      const error = await vendorError(client.sendInvitation(SMS_FR));
      assert.equal(error.code, 'unauthorized');
      assert.equal(error.status, 401);
      assert.equal(seen.logins, 2);
      assert.equal(seen.invitations.length, 2);
    });
  });

  describe('failed logins', () => {
    it('fails fast after a failed login, without a request, for 60 s', async () => {
      const time = clock();
      let logins = 0;
      nock(BASE)
        .post('/api/login')
        .times(5)
        .reply(() => {
          logins += 1;
          return logins === 1 ? [401, { Message: 'Invalid credentials' }] : [200, { UserToken: TOKEN }];
        })
        .post(INVITATION_PATH)
        .reply(200);
      const { client } = makeClient({ now: time.now });

      const first = await vendorError(client.sendInvitation(SMS_FR));
      assert.equal(first.code, 'unauthorized');
      assert.equal(first.status, 401);

      time.advance(10_000);
      const second = await vendorError(client.sendInvitation(SMS_FR));
      assert.equal(second.code, 'unauthorized');
      assert.equal(second.status, undefined);
      assert.equal(second.retryAfterMs, 50_000);
      assert.equal(logins, 1, 'the second attempt sent no request');

      time.advance(50_000);
      await client.sendInvitation(SMS_FR);
      assert.equal(logins, 2);
    });

    it('counts a login answer without UserToken as a failure ("bad_response")', async () => {
      const time = clock();
      const scope = nock(BASE).post('/api/login').reply(200, { RefreshToken: 'r' });
      const { client } = makeClient({ now: time.now });
      const error = await vendorError(client.sendInvitation(SMS_FR));
      assert.equal(error.code, 'bad_response');
      scope.done();
      const next = await vendorError(client.sendInvitation(SMS_FR));
      assert.equal(next.code, 'unauthorized');
      assert.equal(next.retryAfterMs, 60_000);
    });
  });

  describe('errors', () => {
    it('does not resend the invitation after a 500', async () => {
      const scope = login().post(INVITATION_PATH).reply(500, { Message: 'An error has occurred.' }).post(INVITATION_PATH).reply(200);
      const { client } = makeClient();
      const error = await vendorError(client.sendInvitation(SMS_FR));
      assert.equal(error.code, 'unavailable');
      assert.equal(error.status, 500);
      assert.equal(scope.pendingMocks().length, 1, 'the second POST was never sent');
    });

    it('maps 404 to "not_found"', async () => {
      login().post(INVITATION_PATH).reply(404, { Message: "Session '123456789' was not found." });
      const { client } = makeClient();
      const error = await vendorError(client.sendInvitation(SMS_FR));
      assert.equal(error.code, 'not_found');
      assert.equal(error.status, 404);
    });

    it('maps another 4xx to "rejected" with the body\'s Message, scrubbed of contacts', async () => {
      login().post(INVITATION_PATH).reply(400, { Message: 'MobileNo 612345678 is not reachable' });
      const { client } = makeClient();
      const error = await vendorError(client.sendInvitation(SMS_FR));
      assert.equal(error.code, 'rejected');
      assert.equal(error.status, 400);
      assert.equal(error.detail, 'MobileNo [phone] is not reachable');
    });

    it('reads a plain-text error body as the detail', async () => {
      login().post(INVITATION_PATH).reply(422, 'Invalid IsoCode', { 'content-type': 'text/plain' });
      const { client } = makeClient();
      const error = await vendorError(client.sendInvitation(SMS_FR));
      assert.equal(error.code, 'rejected');
      assert.equal(error.detail, 'Invalid IsoCode');
    });

    it('honours Retry-After on a 429: no request leaves before it', async () => {
      const time = clock();
      const scope = login().post(INVITATION_PATH).reply(429, { Message: 'Too many requests' }, { 'Retry-After': '30' });
      const { client } = makeClient({ now: time.now });
      const error = await vendorError(client.sendInvitation(SMS_FR));
      assert.equal(error.code, 'rate_limited');
      assert.equal(error.retryAfterMs, 30_000);
      scope.done();

      time.advance(10_000);
      const early = await vendorError(client.sendInvitation(SMS_FR));
      assert.equal(early.code, 'rate_limited');
      assert.equal(early.retryAfterMs, 20_000);

      time.advance(20_000);
      const after = nock(BASE).post(INVITATION_PATH).reply(200);
      await client.sendInvitation(SMS_FR);
      after.done();
    });

    it('times out as "timeout"', async () => {
      login().post(INVITATION_PATH).delay(3000).reply(200);
      const { client } = makeClient({ settings: { timeoutMs: 300 } });
      const error = await vendorError(client.sendInvitation(SMS_FR));
      assert.equal(error.code, 'timeout');
    });
  });

  describe('health', () => {
    it('records a success', async () => {
      login().post(INVITATION_PATH).reply(200);
      const { client, health } = makeClient();
      await client.sendInvitation(SMS_FR);
      assert.deepEqual({ ...health.lastCall('blitzz'), at: undefined }, { operation: 'sendInvitation', ok: true, at: undefined });
    });

    it('records a failure with its code', async () => {
      login().post(INVITATION_PATH).reply(503);
      const { client, health } = makeClient();
      await vendorError(client.sendInvitation(SMS_FR));
      assert.deepEqual(
        { ...health.lastCall('blitzz'), at: undefined },
        { operation: 'sendInvitation', ok: false, code: 'unavailable', at: undefined },
      );
    });

    it('records a failed login', async () => {
      nock(BASE).post('/api/login').reply(401, { Message: 'Invalid credentials' });
      const { client, health } = makeClient();
      await vendorError(client.sendInvitation(SMS_FR));
      assert.deepEqual({ ...health.lastCall('blitzz'), at: undefined }, { operation: 'login', ok: false, code: 'unauthorized', at: undefined });
    });
  });

  it('never logs the password, secret key, token, phone number or e-mail', async () => {
    const { logger, lines } = captureLogs();
    const time = clock();
    login()
      .post(INVITATION_PATH)
      .reply(400, { Message: 'jane@example.com +33612345678 refused' })
      .post(INVITATION_PATH)
      .reply(401, DENIED)
      .post('/api/login')
      .reply(401, { Message: 'Invalid credentials' });
    const { client } = makeClient({ logger, now: time.now });
    await vendorError(client.sendInvitation(SMS_FR));
    await vendorError(client.sendInvitation({ sessionId: '123456789', delivery: 'email', email: 'jane@example.com' }));
    await vendorError(client.sendInvitation(SMS_FR));
    const log = lines.join('');
    assert.equal(lines.length, 5, 'login, the 400, the 401, the failed login, the skipped login');
    for (const secret of ['pw-7d1e', 'sk-0f3c9b', TOKEN, '612345678', '+33612345678', 'jane@example.com']) {
      assert.ok(!log.includes(secret), `log contains ${secret}`);
    }
  });

  describe('mappings', () => {
    it('blitzzIsoCode writes the United Kingdom "UK", as the documents do', () => {
      assert.equal(blitzzIsoCode('GB'), 'UK');
      assert.equal(blitzzIsoCode('GG'), 'UK');
      assert.equal(blitzzIsoCode('JE'), 'UK');
      assert.equal(blitzzIsoCode('IM'), 'UK');
      assert.equal(blitzzIsoCode('FR'), 'FR');
      assert.equal(blitzzIsoCode('US'), 'US');
      assert.equal(blitzzIsoCode('IN'), 'IN');
    });

    it('blitzzMobileNo is the national number without the trunk 0', () => {
      assert.equal(blitzzMobileNo(parsePhoneNumberFromString('+33612345678')!), '612345678');
      assert.equal(blitzzMobileNo(parsePhoneNumberFromString('+442079460000')!), '2079460000');
      assert.equal(blitzzMobileNo(parsePhoneNumberFromString('+12125550123')!), '2125550123');
    });

    it('blitzzQueryString keeps the documented order and leading "?"', () => {
      assert.equal(blitzzQueryString({ m: 0, c: 1, o: 0, s: 3 }), '?m=0&c=1&o=0&s=3');
      assert.equal(blitzzQueryString({ c: 2 }), '?c=2');
      assert.equal(blitzzQueryString({}), undefined);
      assert.equal(blitzzQueryString(undefined), undefined);
    });

    it('BLITZZ_INVITATION_TYPES follows the seed: 1 SMS, 2 WhatsApp, 3 e-mail', () => {
      assert.deepEqual(BLITZZ_INVITATION_TYPES, { sms: 1, whatsapp: 2, email: 3 });
    });
  });
});

describe('BlitzzClient: the call’s own logger', () => {
  it('writes the call’s lines, its login’s included, with the logger it is handed, not the account’s', async () => {
    login();
    nock(BASE).post(INVITATION_PATH).reply(503, 'busy');
    const account = captureLogs('info');
    const { client } = makeClient({ logger: account.logger });
    const request = captureLogs('info');
    await assert.rejects(client.sendInvitation(SMS_FR, { logger: request.logger.child({ correlationId: 'req-blitzz-1' }) }));
    assert.deepEqual(account.lines, []);
    const lines = request.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.deepEqual(lines.map((line) => [line.operation, line.msg, line.correlationId]), [
      ['login', 'vendor call succeeded', 'req-blitzz-1'],
      ['sendInvitation', 'vendor call failed', 'req-blitzz-1'],
    ]);
  });
});
