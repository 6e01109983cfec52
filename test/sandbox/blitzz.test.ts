/**
 * Contract tests for the local Blitzz sandbox. Expected behaviour comes from the seed document
 * (vendor-docs/000_db6e986492be341e.txt, "seed") and REFERENCE.md §1.
 */
import assert from 'node:assert/strict';
import { createLogger } from '../../src/logger.js';
import { startBlitzzSandbox, type BlitzzSandbox, type BlitzzSandboxOptions } from '../../sandbox/blitzz.js';
import { BlitzzClient } from '../../src/vendors/blitzz/client.js';
import { VendorError } from '../../src/vendors/errors.js';
import { VendorHealth } from '../../src/vendors/health.js';
import { closedAfterEach } from '../helpers/sandboxes.js';

const ACCOUNT = { secretKey: 'sk-sandbox', username: 'agent@example.com', password: 'secret' };
const LOGIN = { SecretKey: ACCOUNT.secretKey, UserName: ACCOUNT.username, Password: ACCOUNT.password };
const WRONG_LOGIN = { ...LOGIN, Password: 'wrong' };
const SESSION = '123456789';
const INVITATION = `/api/session/${SESSION}/invitation`;
const DENIED = 'Access is denied. User is unauthorized.';
const SMS = { InvitationType: 1, IsoCode: 'FR', MobileNo: '612345678', Message: 'Hello' };
const T0 = Date.parse('2025-03-10T09:00:00.000Z');
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

interface CallResult {
  status: number;
  body: unknown;
}

/** Untyped JSON object, for reading answers in assertions. */
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function clock(start = T0) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('Blitzz sandbox (seed 000 + REFERENCE §1)', () => {
  const start = closedAfterEach((options: BlitzzSandboxOptions = {}) => startBlitzzSandbox({ accounts: [ACCOUNT], ...options }));

  async function call(sandbox: BlitzzSandbox, method: string, path: string, options: { token?: string; body?: unknown; raw?: string } = {}): Promise<CallResult> {
    const headers: Record<string, string> = { accept: 'application/json', 'content-type': 'application/json' };
    if (options.token) headers.UserToken = options.token;
    const body = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
    const response = await fetch(sandbox.url + path, { method, headers, body });
    const text = await response.text();
    const isJson = (response.headers.get('content-type') ?? '').startsWith('application/json');
    return { status: response.status, body: isJson ? (JSON.parse(text) as unknown) : text };
  }

  async function tokenFor(sandbox: BlitzzSandbox): Promise<string> {
    const answer = await call(sandbox, 'POST', '/api/login', { body: LOGIN });
    assert.equal(answer.status, 200);
    return (answer.body as Json).UserToken as string;
  }

  describe('login', () => {
    it('answers the documented fields for good credentials', async () => {
      const sandbox = await start();
      const answer = await call(sandbox, 'POST', '/api/login', { body: LOGIN });
      assert.equal(answer.status, 200);
      const body = answer.body as Json;
      assert.equal(typeof body.UserToken, 'string');
      assert.ok(body.UserToken.length > 0);
      // Exactly the fields REFERENCE §1 names: the document prints no login answer, so nothing else is made up.
      assert.deepEqual(Object.keys(body).sort(), ['CountryCode', 'DomainId', 'DomainName', 'LoginId', 'PhoneNo', 'RefreshToken', 'RoleCode', 'UserId', 'UserToken']);
      assert.ok(Number.isInteger(body.LoginId));
      assert.ok(Number.isInteger(body.DomainId));
    });

    it('refuses a wrong password, secret key or user name with 401', async () => {
      const sandbox = await start();
      for (const body of [WRONG_LOGIN, { ...LOGIN, SecretKey: 'other' }, { ...LOGIN, UserName: 'nobody@example.com' }]) {
        const answer = await call(sandbox, 'POST', '/api/login', { body });
        assert.equal(answer.status, 401);
        assert.deepEqual(answer.body, { Message: 'Invalid SecretKey, UserName or Password.' });
      }
    });

    it('refuses a body without Password with 400, without counting a failure', async () => {
      const sandbox = await start();
      const partial = { SecretKey: LOGIN.SecretKey, UserName: LOGIN.UserName };
      for (let i = 0; i < 6; i++) {
        assert.deepEqual(await call(sandbox, 'POST', '/api/login', { body: partial }), { status: 400, body: { Message: 'Password is required.' } });
      }
      assert.equal(sandbox.lockedUntil(ACCOUNT.username), undefined);
    });

    it('locks the account for 10 minutes after 5 failed logins, even for good credentials', async () => {
      const time = clock();
      const sandbox = await start({ now: time.now });
      for (let i = 0; i < 4; i++) assert.equal((await call(sandbox, 'POST', '/api/login', { body: WRONG_LOGIN })).status, 401);
      assert.equal(sandbox.lockedUntil(ACCOUNT.username), undefined);
      assert.equal((await call(sandbox, 'POST', '/api/login', { body: WRONG_LOGIN })).status, 401);
      assert.equal(sandbox.lockedUntil(ACCOUNT.username), T0 + 10 * MINUTE);

      time.advance(9 * MINUTE);
      const locked = await call(sandbox, 'POST', '/api/login', { body: LOGIN });
      assert.deepEqual(locked, {
        status: 401,
        body: { Message: 'The account is locked after 5 failed login attempts. Try again in 1 minute(s).' },
      });

      time.advance(MINUTE);
      assert.equal(sandbox.lockedUntil(ACCOUNT.username), undefined);
      assert.equal((await call(sandbox, 'POST', '/api/login', { body: LOGIN })).status, 200);
    });

    it('starts the count again after a successful login', async () => {
      const sandbox = await start();
      for (let i = 0; i < 4; i++) await call(sandbox, 'POST', '/api/login', { body: WRONG_LOGIN });
      assert.equal((await call(sandbox, 'POST', '/api/login', { body: LOGIN })).status, 200);
      for (let i = 0; i < 4; i++) await call(sandbox, 'POST', '/api/login', { body: WRONG_LOGIN });
      assert.equal(sandbox.lockedUntil(ACCOUNT.username), undefined);
      assert.equal((await call(sandbox, 'POST', '/api/login', { body: LOGIN })).status, 200);
    });
  });

  describe('token', () => {
    it('refuses a missing or unknown UserToken with 401 and the documented text', async () => {
      const sandbox = await start();
      assert.deepEqual(await call(sandbox, 'POST', INVITATION, { body: SMS }), { status: 401, body: DENIED });
      assert.deepEqual(await call(sandbox, 'POST', INVITATION, { body: SMS, token: 'made-up' }), { status: 401, body: DENIED });
      assert.equal(sandbox.invitations.length, 0);
    });

    it('expires 2 hours after the last request, not after the login', async () => {
      const time = clock();
      const sandbox = await start({ now: time.now });
      const token = await tokenFor(sandbox);
      time.advance(HOUR + 59 * MINUTE);
      assert.equal((await call(sandbox, 'POST', INVITATION, { body: SMS, token })).status, 200);
      time.advance(HOUR + 59 * MINUTE);
      assert.equal((await call(sandbox, 'POST', INVITATION, { body: SMS, token })).status, 200);
      time.advance(2 * HOUR);
      assert.deepEqual(await call(sandbox, 'POST', INVITATION, { body: SMS, token }), { status: 401, body: DENIED });
    });

    it('expireTokens() invalidates every token', async () => {
      const sandbox = await start();
      const token = await tokenFor(sandbox);
      sandbox.expireTokens();
      assert.equal((await call(sandbox, 'POST', INVITATION, { body: SMS, token })).status, 401);
    });
  });

  describe('invitation', () => {
    it('accepts an SMS invitation, echoes every documented field and records it', async () => {
      const time = clock();
      const sandbox = await start({ now: time.now });
      const token = await tokenFor(sandbox);
      const answer = await call(sandbox, 'POST', INVITATION, { body: { ...SMS, QueryStringParameter: '?m=0&c=1&o=0&s=3' }, token });
      assert.deepEqual(answer, {
        status: 200,
        body: { InvitationType: 1, IsoCode: 'FR', MobileNo: '612345678', EmailAddress: null, Message: 'Hello', QueryStringParameter: '?m=0&c=1&o=0&s=3' },
      });
      assert.deepEqual(sandbox.invitations, [
        { sessionId: SESSION, body: { ...SMS, QueryStringParameter: '?m=0&c=1&o=0&s=3' }, at: new Date(T0) },
      ]);
    });

    it('accepts IsoCode "UK" and "GB" alike, and e-mail and WhatsApp invitations', async () => {
      const sandbox = await start();
      const token = await tokenFor(sandbox);
      const bodies = [
        { ...SMS, IsoCode: 'UK', MobileNo: '7911123456' },
        { ...SMS, IsoCode: 'GB', MobileNo: '7911123456' },
        { InvitationType: 3, EmailAddress: 'jane@example.com', IsoCode: null, MobileNo: null },
        { InvitationType: 2, IsoCode: 'IN', MobileNo: '9876543210' },
      ];
      for (const body of bodies) assert.equal((await call(sandbox, 'POST', INVITATION, { body, token })).status, 200, JSON.stringify(body));
      assert.equal(sandbox.invitations.length, 4);
    });

    it('accepts InvitationType 4 to 6 too: the schema lists 1-6 with maximum 5, the prose 1-3, and every reading is accepted', async () => {
      const sandbox = await start();
      const token = await tokenFor(sandbox);
      const bodies = [{ ...SMS, InvitationType: 4 }, { InvitationType: 5, EmailAddress: 'jane@example.com' }, { InvitationType: 6 }];
      for (const body of bodies) assert.equal((await call(sandbox, 'POST', INVITATION, { body, token })).status, 200, JSON.stringify(body));
      assert.deepEqual(
        sandbox.invitations.map((invitation) => invitation.body.InvitationType),
        [4, 5, 6],
      );
    });

    const refusals: Array<[string, unknown, string]> = [
      ['an unknown property', { ...SMS, Channel: 'sms' }, "The property 'Channel' is not allowed (additionalProperties: false)."],
      ['a differently cased property', { ...SMS, mobileNo: '612345678' }, "The property 'mobileNo' is not allowed (additionalProperties: false)."],
      ['no InvitationType', { IsoCode: 'FR', MobileNo: '612345678' }, 'InvitationType is required.'],
      ['InvitationType as a string', { ...SMS, InvitationType: '1' }, 'InvitationType must be an integer.'],
      ['InvitationType 1.5', { ...SMS, InvitationType: 1.5 }, 'InvitationType must be an integer.'],
      ['InvitationType {} (the seed example)', { ...SMS, InvitationType: {} }, 'InvitationType must be an integer.'],
      ['InvitationType 0', { ...SMS, InvitationType: 0 }, 'InvitationType must be 1 (SMS), 2 (WhatsApp), 3 (Email), or 4 to 6 (listed by the schema).'],
      ['InvitationType 7', { ...SMS, InvitationType: 7 }, 'InvitationType must be 1 (SMS), 2 (WhatsApp), 3 (Email), or 4 to 6 (listed by the schema).'],
      ['InvitationType 4 with a malformed MobileNo', { ...SMS, InvitationType: 4, MobileNo: '06-12-AB' }, 'MobileNo must be digits (a national number, or + and an international one).'],
      ['IsoCode as a number', { ...SMS, IsoCode: 33 }, 'IsoCode must be a string or null.'],
      ['MobileNo as a number', { ...SMS, MobileNo: 612345678 }, 'MobileNo must be a string or null.'],
      ['a 101-character Message', { ...SMS, Message: 'x'.repeat(101) }, 'Message must be at most 100 characters.'],
      ['a 256-character EmailAddress', { InvitationType: 3, EmailAddress: `${'a'.repeat(244)}@example.com` }, 'EmailAddress must be at most 255 characters.'],
      ['a malformed EmailAddress', { InvitationType: 3, EmailAddress: 'jane@' }, 'EmailAddress is not a valid e-mail address.'],
      ['an SMS without MobileNo', { InvitationType: 1, IsoCode: 'FR' }, 'MobileNo is required for an SMS invitation (InvitationType 1).'],
      ['an SMS without IsoCode', { InvitationType: 1, MobileNo: '612345678' }, 'IsoCode is required for an SMS invitation (InvitationType 1).'],
      ['a WhatsApp without MobileNo', { InvitationType: 2, IsoCode: 'FR', MobileNo: null }, 'MobileNo is required for a WhatsApp invitation (InvitationType 2).'],
      ['a WhatsApp without IsoCode', { InvitationType: 2, MobileNo: '612345678' }, 'IsoCode is required for a WhatsApp invitation (InvitationType 2).'],
      ['an e-mail without EmailAddress', { InvitationType: 3, MobileNo: '612345678', IsoCode: 'FR' }, 'EmailAddress is required for an e-mail invitation (InvitationType 3).'],
      ['a MobileNo with letters', { ...SMS, MobileNo: '06-12-AB' }, 'MobileNo must be digits (a national number, or + and an international one).'],
      ['a three-letter IsoCode', { ...SMS, IsoCode: 'FRA' }, 'IsoCode must be a two-letter country code such as US, UK or IN.'],
      ['a QueryStringParameter without "?"', { ...SMS, QueryStringParameter: 'm=0' }, 'QueryStringParameter must look like "?m=0&c=1&o=0&s=3" (m 0–1, c 0–2, o 0–1, s 1–4).'],
      ['a QueryStringParameter with c=3', { ...SMS, QueryStringParameter: '?c=3' }, 'QueryStringParameter must look like "?m=0&c=1&o=0&s=3" (m 0–1, c 0–2, o 0–1, s 1–4).'],
      ['an array body', [SMS], 'The request body must be a JSON object.'],
    ];
    for (const [name, body, text] of refusals) {
      it(`refuses ${name} with 400 naming the field`, async () => {
        const sandbox = await start();
        const token = await tokenFor(sandbox);
        assert.deepEqual(await call(sandbox, 'POST', INVITATION, { body, token }), { status: 400, body: { Message: text } });
        assert.equal(sandbox.invitations.length, 0);
      });
    }

    it('accepts the boundaries: a 100-character Message and a 255-character EmailAddress', async () => {
      const sandbox = await start();
      const token = await tokenFor(sandbox);
      assert.equal((await call(sandbox, 'POST', INVITATION, { body: { ...SMS, Message: 'x'.repeat(100) }, token })).status, 200);
      // JSON Schema's maxLength counts characters (code points), not UTF-16 units.
      assert.equal((await call(sandbox, 'POST', INVITATION, { body: { ...SMS, Message: '😀'.repeat(100) }, token })).status, 200);
      assert.equal((await call(sandbox, 'POST', INVITATION, { body: { ...SMS, Message: '😀'.repeat(101) }, token })).status, 400);
      const email = `${'a'.repeat(243)}@example.com`;
      assert.equal(email.length, 255);
      assert.equal((await call(sandbox, 'POST', INVITATION, { body: { InvitationType: 3, EmailAddress: email }, token })).status, 200);
    });

    it('accepts a JSON body sent without Content-Type, which the seed marks optional', async () => {
      const sandbox = await start();
      const token = await tokenFor(sandbox);
      // Bytes, not a string: fetch would label a string body text/plain.
      const response = await fetch(sandbox.url + INVITATION, { method: 'POST', headers: { UserToken: token }, body: new TextEncoder().encode(JSON.stringify(SMS)) });
      assert.equal(response.status, 200);
      assert.deepEqual(
        sandbox.invitations.map((invitation) => invitation.body),
        [SMS],
      );
    });

    it('refuses a body that is not JSON with 400', async () => {
      const sandbox = await start();
      const token = await tokenFor(sandbox);
      assert.deepEqual(await call(sandbox, 'POST', INVITATION, { raw: '{"InvitationType":', token }), {
        status: 400,
        body: { Message: 'The request body must be JSON.' },
      });
    });

    it('answers 404 for an unknown session', async () => {
      const sandbox = await start();
      const token = await tokenFor(sandbox);
      assert.deepEqual(await call(sandbox, 'POST', '/api/session/999999999/invitation', { body: SMS, token }), {
        status: 404,
        body: { Message: "Session '999999999' was not found." },
      });
      assert.equal(sandbox.invitations.length, 0);
    });

    it('knows the sessions it is given', async () => {
      const sandbox = await start({ sessions: ['111222333'] });
      const token = await tokenFor(sandbox);
      assert.equal((await call(sandbox, 'POST', '/api/session/111222333/invitation', { body: SMS, token })).status, 200);
      assert.equal((await call(sandbox, 'POST', INVITATION, { body: SMS, token })).status, 404);
    });
  });

  describe('routing and the request log', () => {
    it('answers 404 for an unknown path and 405 for a wrong method', async () => {
      const sandbox = await start();
      assert.equal((await call(sandbox, 'POST', '/api/sessions')).status, 404);
      assert.equal((await call(sandbox, 'GET', '/api/login')).status, 405);
    });

    it('logs every request with its status, redacting Password and SecretKey', async () => {
      const time = clock();
      const sandbox = await start({ now: time.now });
      await call(sandbox, 'POST', '/api/login', { body: WRONG_LOGIN });
      await call(sandbox, 'POST', INVITATION, { body: SMS });
      assert.deepEqual(sandbox.requests, [
        { method: 'POST', path: '/api/login', body: { SecretKey: '***', UserName: ACCOUNT.username, Password: '***' }, status: 401, at: new Date(T0) },
        { method: 'POST', path: INVITATION, body: SMS, status: 401, at: new Date(T0) },
      ]);
    });
  });

  describe('faults', () => {
    it('failNext answers the given status and body `times` times, then the API answers again', async () => {
      const sandbox = await start();
      const token = await tokenFor(sandbox);
      sandbox.faults.failNext(/\/invitation$/, { status: 503, body: { Message: 'Service Unavailable' }, times: 2 });
      assert.deepEqual(await call(sandbox, 'POST', INVITATION, { body: SMS, token }), { status: 503, body: { Message: 'Service Unavailable' } });
      assert.equal((await call(sandbox, 'POST', INVITATION, { body: SMS, token })).status, 503);
      assert.equal((await call(sandbox, 'POST', INVITATION, { body: SMS, token })).status, 200);
      assert.equal(sandbox.invitations.length, 1);
    });

    it('failNext defaults to the reason phrase and only hits matching paths', async () => {
      const sandbox = await start();
      sandbox.faults.failNext(/\/invitation$/, { status: 500 });
      assert.equal((await call(sandbox, 'POST', '/api/login', { body: LOGIN })).status, 200);
      assert.deepEqual(await call(sandbox, 'POST', INVITATION, { body: SMS }), { status: 500, body: { Message: 'Internal Server Error' } });
    });

    it('setDelay holds the answer, and clear() removes faults and delays', async () => {
      const sandbox = await start();
      sandbox.faults.setDelay(/\/login$/, 300);
      let started = Date.now();
      await tokenFor(sandbox);
      assert.ok(Date.now() - started >= 280, `answered after ${Date.now() - started} ms`);

      sandbox.faults.failNext(/\/login$/, { status: 500, delayMs: 10 });
      sandbox.faults.clear();
      started = Date.now();
      await tokenFor(sandbox);
      assert.ok(Date.now() - started < 250, `answered after ${Date.now() - started} ms`);
    });
  });

  describe('with the real BlitzzClient', () => {
    function clientFor(sandbox: BlitzzSandbox, password = ACCOUNT.password) {
      const health = new VendorHealth();
      const client = new BlitzzClient(
        { apiUrl: sandbox.url, secretKey: ACCOUNT.secretKey, username: ACCOUNT.username, password, timeoutMs: 2000, media: { m: 1, c: 2 } },
        { logger: createLogger('silent'), health },
      );
      return { client, health };
    }

    it('sends SMS and e-mail invitations the sandbox accepts, and logs in again after the token expires', async () => {
      const sandbox = await start();
      const { client, health } = clientFor(sandbox);
      await client.sendInvitation({ sessionId: SESSION, delivery: 'sms', phoneE164: '+447911123456', message: 'Your engineer is ready' });
      sandbox.expireTokens();
      await client.sendInvitation({ sessionId: SESSION, delivery: 'email', email: 'jane@example.com' });
      assert.deepEqual(
        sandbox.invitations.map((i) => i.body),
        [
          { InvitationType: 1, IsoCode: 'UK', MobileNo: '7911123456', Message: 'Your engineer is ready', QueryStringParameter: '?m=1&c=2' },
          { InvitationType: 3, EmailAddress: 'jane@example.com', QueryStringParameter: '?m=1&c=2' },
        ],
      );
      assert.deepEqual(
        sandbox.requests.map((r) => [r.path, r.status]),
        [
          ['/api/login', 200],
          [INVITATION, 200],
          [INVITATION, 401],
          ['/api/login', 200],
          [INVITATION, 200],
        ],
      );
      assert.equal(health.lastCall('blitzz')?.ok, true);
    });

    it('maps an unknown session to "not_found"', async () => {
      const sandbox = await start();
      const { client } = clientFor(sandbox);
      await assert.rejects(
        client.sendInvitation({ sessionId: '000000000', delivery: 'sms', phoneE164: '+33612345678' }),
        (error: unknown) => error instanceof VendorError && error.code === 'not_found' && error.status === 404,
      );
    });

    it('never reaches the lockout with a wrong password: one login, then it waits', async () => {
      const sandbox = await start();
      const { client } = clientFor(sandbox, 'wrong');
      for (let i = 0; i < 6; i++) {
        await assert.rejects(
          client.sendInvitation({ sessionId: SESSION, delivery: 'sms', phoneE164: '+33612345678' }),
          (error: unknown) => error instanceof VendorError && error.code === 'unauthorized',
        );
      }
      assert.equal(sandbox.requests.length, 1);
      assert.equal(sandbox.lockedUntil(ACCOUNT.username), undefined);
    });
  });
});
