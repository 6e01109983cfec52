import assert from 'node:assert/strict';
import nock from 'nock';
import { createLogger } from '../../src/logger.js';
import type { VendorErrorCode } from '../../src/vendors/errors.js';
import { GenesysClient, type GenesysSettings } from '../../src/vendors/genesys/client.js';
import { parseTarget } from '../../src/vendors/genesys/targets.js';
import { VendorHealth } from '../../src/vendors/health.js';
import { captureLogs } from '../helpers/log-capture.js';
import { vendorError } from '../helpers/vendor-error.js';

const BASE = 'http://genesys.test:8080';
const SETTINGS: GenesysSettings = {
  apiUrl: BASE,
  username: 'agent1',
  password: 'pa55-word',
  smsPath: 'me/smssessions',
  inviteParameter: 'target',
  outcomeTimeoutMs: 60_000,
  timeoutMs: 2000,
};
const BASIC = `Basic ${Buffer.from('agent1:pa55-word').toString('base64')}`;
const SMS_SESSION = '0000Na9B26EF006E';
const INVITE_PATH = `/api/v2/me/smssessions/${SMS_SESSION}`;
const TARGET = 'http://genesys.test:8080/api/v2/users/agent-2';
const USER = parseTarget(TARGET)!;
// A header name other than Genesys's usual one, to prove the client sends the one it is told.
const CSRF_NAME = 'X-Rdv-Csrf';

function makeClient(settings: Partial<GenesysSettings> = {}, logger = createLogger('silent')) {
  const health = new VendorHealth();
  const client = new GenesysClient({ ...SETTINGS, ...settings }, { logger, health });
  return { client, health };
}

/** `GET /api/v2/me` answering with a session cookie and a CSRF header name and token. */
function me(scope: nock.Scope, token: string, cookie = 'JSESSIONID=S1; Path=/; HttpOnly') {
  return scope
    .get('/api/v2/me')
    .matchHeader('authorization', BASIC)
    .reply(200, { statusCode: 0, user: { id: 'agent1' } }, { 'Set-Cookie': cookie, 'X-CSRF-HEADER': CSRF_NAME, 'X-CSRF-TOKEN': token });
}

const CSRF_403 = { statusCode: 3, statusMessage: 'Missing or invalid Csrf token' };

describe('GenesysClient', () => {
  describe('invite', () => {
    it('gets the CSRF header first, then posts Invite with Basic auth, the session cookie and the named header', async () => {
      const scope = me(nock(BASE), 'tok-1')
        .post(INVITE_PATH, { operationName: 'Invite', targetUri: TARGET })
        .matchHeader('authorization', BASIC)
        .matchHeader('cookie', 'JSESSIONID=S1')
        .matchHeader(CSRF_NAME, 'tok-1')
        .matchHeader('content-type', /application\/json/)
        .reply(200, { statusCode: 0, referenceId: 35 });
      const { client, health } = makeClient();
      const answer = await client.invite({ smsSessionId: SMS_SESSION, target: USER });
      scope.done();
      assert.deepEqual(answer, { referenceId: 35 });
      assert.equal(health.lastCall('genesys')?.ok, true);
      assert.equal(health.lastCall('genesys')?.operation, 'invite');
    });

    it('sends exactly operationName and targetUri for a URI by default (the parameter table), never userUri', async () => {
      let body: unknown;
      const scope = me(nock(BASE), 'tok-1')
        .post(INVITE_PATH, (received) => {
          body = received;
          return true;
        })
        .reply(200, { statusCode: 0, referenceId: 35 });
      const { client } = makeClient();
      await client.invite({ smsSessionId: SMS_SESSION, target: USER });
      scope.done();
      assert.deepEqual(Object.keys(body as object), ['operationName', 'targetUri']);
      assert.deepEqual(body, { operationName: 'Invite', targetUri: TARGET });
    });

    it('posts to /api/v2/smssessions/{id} when smsPath is "smssessions" (the seed\'s sample)', async () => {
      const scope = me(nock(BASE), 'tok-1')
        .post(`/api/v2/smssessions/${SMS_SESSION}`, { operationName: 'Invite', targetUri: TARGET })
        .reply(200, { statusCode: 0, referenceId: 36 });
      const { client } = makeClient({ smsPath: 'smssessions' });
      assert.deepEqual(await client.invite({ smsSessionId: SMS_SESSION, target: USER }), { referenceId: 36 });
      scope.done();
    });

    it('escapes the session id in the path', async () => {
      const scope = me(nock(BASE), 'tok-1').post('/api/v2/me/smssessions/a%2Fb').reply(200, { statusCode: 0, referenceId: 1 });
      const { client } = makeClient();
      await client.invite({ smsSessionId: 'a/b', target: USER });
      scope.done();
    });

    it('gets the CSRF token once for several calls, and keeps the cookie Genesys last set', async () => {
      const scope = me(nock(BASE), 'tok-1')
        .post(INVITE_PATH)
        .matchHeader('cookie', 'JSESSIONID=S1')
        .reply(200, { statusCode: 0, referenceId: 35 }, { 'Set-Cookie': 'JSESSIONID=S2; Path=/' })
        .post(INVITE_PATH)
        .matchHeader('cookie', 'JSESSIONID=S2')
        .matchHeader(CSRF_NAME, 'tok-1')
        .reply(200, { statusCode: 0, referenceId: 36 });
      const { client } = makeClient();
      await client.invite({ smsSessionId: SMS_SESSION, target: USER });
      assert.deepEqual(await client.invite({ smsSessionId: SMS_SESSION, target: USER }), { referenceId: 36 });
      scope.done();
      assert.equal(client.cookieHeader(), 'JSESSIONID=S2');
    });

    it('shares one CSRF GET between concurrent calls', async () => {
      const scope = me(nock(BASE), 'tok-1').post(INVITE_PATH).times(2).reply(200, { statusCode: 0, referenceId: 35 });
      const { client } = makeClient();
      await Promise.all([
        client.invite({ smsSessionId: SMS_SESSION, target: USER }),
        client.invite({ smsSessionId: SMS_SESSION, target: USER }),
      ]);
      scope.done();
    });

    it('after a 403 "Missing or invalid Csrf token", gets a fresh token once and resends', async () => {
      const scope = me(nock(BASE), 'tok-1')
        .post(INVITE_PATH)
        .matchHeader(CSRF_NAME, 'tok-1')
        .reply(403, CSRF_403);
      me(scope, 'tok-2', 'JSESSIONID=S3; Path=/')
        .post(INVITE_PATH, { operationName: 'Invite', targetUri: TARGET })
        .matchHeader(CSRF_NAME, 'tok-2')
        .matchHeader('cookie', 'JSESSIONID=S3')
        .reply(200, { statusCode: 0, referenceId: 37 });
      const { client } = makeClient();
      assert.deepEqual(await client.invite({ smsSessionId: SMS_SESSION, target: USER }), { referenceId: 37 });
      scope.done();
    });

    it('gives up after a second CSRF refusal: two GETs, two POSTs, a "rejected" 403', async () => {
      let gets = 0;
      let posts = 0;
      nock(BASE)
        .get('/api/v2/me')
        .times(5)
        .reply(() => {
          gets += 1;
          return [200, { statusCode: 0 }, { 'X-CSRF-HEADER': CSRF_NAME, 'X-CSRF-TOKEN': `tok-${gets}` }];
        })
        .post(INVITE_PATH)
        .times(5)
        .reply(() => {
          posts += 1;
          return [403, 'Missing or invalid Csrf token'];
        });
      const { client, health } = makeClient();
      const error = await vendorError(client.invite({ smsSessionId: SMS_SESSION, target: USER }));
      assert.equal(gets, 2);
      assert.equal(posts, 2);
      assert.equal(error.code, 'rejected');
      assert.equal(error.status, 403);
      assert.equal(error.detail, 'Missing or invalid Csrf token');
      assert.equal(health.lastCall('genesys')?.code, 'rejected');
    });

    it('does not resend after a 403 that is not about CSRF', async () => {
      let posts = 0;
      me(nock(BASE), 'tok-1')
        .post(INVITE_PATH)
        .times(3)
        .reply(() => {
          posts += 1;
          return [403, { statusCode: 5, statusMessage: 'Forbidden' }];
        });
      const { client } = makeClient();
      const error = await vendorError(client.invite({ smsSessionId: SMS_SESSION, target: USER }));
      assert.equal(posts, 1);
      assert.equal(error.code, 'rejected');
      assert.equal(error.status, 403);
    });

    it('sends no CSRF header when the server sends none (CSRF disabled)', async () => {
      const scope = nock(BASE, { badheaders: ['x-csrf-token', CSRF_NAME.toLowerCase()] })
        .get('/api/v2/me')
        .reply(200, { statusCode: 0 })
        .post(INVITE_PATH)
        .matchHeader('authorization', BASIC)
        .reply(200, { statusCode: 0, referenceId: 40 });
      const { client } = makeClient();
      assert.deepEqual(await client.invite({ smsSessionId: SMS_SESSION, target: USER }), { referenceId: 40 });
      scope.done();
    });

    it('never retries a POST that failed in transport', async () => {
      // Were the POST sent again, the second interceptor would answer it with success.
      const scope = me(nock(BASE), 'tok-1')
        .post(INVITE_PATH)
        .replyWithError('socket hang up')
        .post(INVITE_PATH)
        .reply(200, { statusCode: 0, referenceId: 99 });
      const { client } = makeClient();
      const error = await vendorError(client.invite({ smsSessionId: SMS_SESSION, target: USER }));
      assert.equal(error.code, 'unavailable');
      assert.equal(scope.pendingMocks().length, 1);
    });

    it('never retries a POST answered with a 5xx', async () => {
      let posts = 0;
      me(nock(BASE), 'tok-1')
        .post(INVITE_PATH)
        .times(3)
        .reply(() => {
          posts += 1;
          return [502, 'Bad Gateway'];
        });
      const { client } = makeClient();
      const error = await vendorError(client.invite({ smsSessionId: SMS_SESSION, target: USER }));
      assert.equal(posts, 1);
      assert.equal(error.code, 'unavailable');
      assert.equal(error.status, 502);
    });

    it('answers "unauthorized" when the GET is refused with 401, without posting', async () => {
      let posts = 0;
      nock(BASE)
        .get('/api/v2/me')
        .reply(401, { statusCode: 20, statusMessage: 'Not authenticated' })
        .post(INVITE_PATH)
        .reply(() => {
          posts += 1;
          return [200, { statusCode: 0, referenceId: 1 }];
        });
      const { client, health } = makeClient();
      const error = await vendorError(client.invite({ smsSessionId: SMS_SESSION, target: USER }));
      assert.equal(error.code, 'unauthorized');
      assert.equal(error.status, 401);
      assert.equal(posts, 0);
      assert.equal(health.lastCall('genesys')?.code, 'unauthorized');
    });

    it('answers "unauthorized" for statusCode 20 in a 200 GET', async () => {
      nock(BASE).get('/api/v2/me').reply(200, { statusCode: 20, statusMessage: 'Not authenticated' });
      const { client } = makeClient();
      const error = await vendorError(client.invite({ smsSessionId: SMS_SESSION, target: USER }));
      assert.equal(error.code, 'unauthorized');
    });

    it('retries the idempotent GET once after a 503', async () => {
      const scope = nock(BASE).get('/api/v2/me').reply(503, 'busy');
      me(scope, 'tok-1').post(INVITE_PATH).reply(200, { statusCode: 0, referenceId: 41 });
      const { client } = makeClient();
      assert.deepEqual(await client.invite({ smsSessionId: SMS_SESSION, target: USER }), { referenceId: 41 });
      scope.done();
    });

    it('calls an acknowledgement without referenceId a bad response', async () => {
      me(nock(BASE), 'tok-1').post(INVITE_PATH).reply(200, { statusCode: 0 });
      const { client } = makeClient();
      const error = await vendorError(client.invite({ smsSessionId: SMS_SESSION, target: USER }));
      assert.equal(error.code, 'bad_response');
    });

    it('sends a path target (agent:<id>, queue:<id>, /users/<id>) as targetPath, alone', async () => {
      const bodies: unknown[] = [];
      const scope = me(nock(BASE), 'tok-1')
        .post(INVITE_PATH, (received) => bodies.push(received) > 0)
        .times(3)
        .reply(200, { statusCode: 0, referenceId: 35 });
      const { client } = makeClient();
      for (const written of ['agent:agent-2', 'queue:sms-overflow', '/users/agent-3']) {
        await client.invite({ smsSessionId: SMS_SESSION, target: parseTarget(written)! });
      }
      scope.done();
      assert.deepEqual(bodies, [
        { operationName: 'Invite', targetPath: '/users/agent-2' },
        { operationName: 'Invite', targetPath: '/queues/sms-overflow' },
        { operationName: 'Invite', targetPath: '/users/agent-3' },
      ]);
    });

    it('with inviteParameter "userUri" (the sample\'s reading) sends userUri, a path made a URI under the deployment', async () => {
      const bodies: unknown[] = [];
      const scope = me(nock(BASE), 'tok-1')
        .post(INVITE_PATH, (received) => bodies.push(received) > 0)
        .times(2)
        .reply(200, { statusCode: 0, referenceId: 35 });
      const { client } = makeClient({ inviteParameter: 'userUri' });
      await client.invite({ smsSessionId: SMS_SESSION, target: USER });
      await client.invite({ smsSessionId: SMS_SESSION, target: parseTarget('queue:sms-overflow')! });
      scope.done();
      assert.deepEqual(bodies, [
        { operationName: 'Invite', userUri: TARGET },
        { operationName: 'Invite', userUri: `${BASE}/api/v2/queues/sms-overflow` },
      ]);
    });
  });

  describe('statusCode in the acknowledgement (REFERENCE §2)', () => {
    // Written out here, not read from the client's table, so a change to that table fails a test.
    const CASES: Array<[number, VendorErrorCode, string]> = [
      [1, 'rejected', 'A required parameter is missing.'],
      [2, 'rejected', 'The SMS session is not in a state that allows this.'],
      [3, 'rejected', 'Genesys forbids this operation.'],
      [4, 'unavailable', 'Genesys had an internal error.'],
      [5, 'rejected', 'The Genesys user has no permission for this.'],
      [6, 'not_found', 'Genesys does not know this SMS session.'],
      [7, 'rejected', 'Genesys did only part of it.'],
      [8, 'rejected', 'Genesys refused a password, a value or a resource.'],
      [19, 'rejected', 'Genesys refused a password, a value or a resource.'],
      [20, 'unauthorized', 'Genesys says Rendezvous is not signed in.'],
      [42, 'rejected', 'Genesys answered with status code 42.'],
    ];

    for (const [statusCode, code, detail] of CASES) {
      it(`statusCode ${statusCode} → ${code}, never retried`, async () => {
        let posts = 0;
        me(nock(BASE), 'tok-1')
          .post(INVITE_PATH)
          .times(2)
          .reply(() => {
            posts += 1;
            return [200, { statusCode, statusMessage: 'whatever Genesys says' }];
          });
        const { client, health } = makeClient();
        const error = await vendorError(client.invite({ smsSessionId: SMS_SESSION, target: USER }));
        assert.equal(error.vendor, 'genesys');
        assert.equal(error.operation, 'invite');
        assert.equal(error.code, code);
        assert.equal(error.detail, detail);
        assert.equal(error.status, 200);
        assert.equal(error.retryable, false);
        assert.equal(posts, 1);
        assert.equal(health.lastCall('genesys')?.code, code);
      });
    }

    it('forgets the session after statusCode 20: the next call gets a new cookie and token', async () => {
      const scope = me(nock(BASE), 'tok-1')
        .post(INVITE_PATH)
        .reply(200, { statusCode: 20 })
        .get('/api/v2/me')
        .matchHeader('cookie', (value) => value === undefined)
        .reply(200, { statusCode: 0 }, { 'Set-Cookie': 'JSESSIONID=S9', 'X-CSRF-HEADER': CSRF_NAME, 'X-CSRF-TOKEN': 'tok-9' })
        .post(INVITE_PATH)
        .matchHeader(CSRF_NAME, 'tok-9')
        .matchHeader('cookie', 'JSESSIONID=S9')
        .reply(200, { statusCode: 0, referenceId: 50 });
      const { client } = makeClient();
      assert.equal((await vendorError(client.invite({ smsSessionId: SMS_SESSION, target: USER }))).code, 'unauthorized');
      assert.deepEqual(await client.invite({ smsSessionId: SMS_SESSION, target: USER }), { referenceId: 50 });
      scope.done();
    });
  });

  describe('sendUrl', () => {
    it('posts exactly {operationName: "SendUrl", url}', async () => {
      let body: unknown;
      const scope = me(nock(BASE), 'tok-1')
        .post(INVITE_PATH, (received) => {
          body = received;
          return true;
        })
        .matchHeader(CSRF_NAME, 'tok-1')
        .reply(200, { statusCode: 0, referenceId: 60 });
      const { client, health } = makeClient();
      const answer = await client.sendUrl({ smsSessionId: SMS_SESSION, url: 'https://meet.example/r/abc' });
      scope.done();
      assert.deepEqual(answer, { referenceId: 60 });
      assert.deepEqual(body, { operationName: 'SendUrl', url: 'https://meet.example/r/abc' });
      assert.deepEqual(Object.keys(body as object), ['operationName', 'url']);
      assert.equal(health.lastCall('genesys')?.operation, 'sendUrl');
    });

    it('maps statusCode 6 to not_found', async () => {
      me(nock(BASE), 'tok-1').post(INVITE_PATH).reply(200, { statusCode: 6, statusMessage: 'Not found' });
      const { client } = makeClient();
      const error = await vendorError(client.sendUrl({ smsSessionId: SMS_SESSION, url: 'https://meet.example/r/abc' }));
      assert.equal(error.code, 'not_found');
      assert.equal(error.operation, 'sendUrl');
      assert.equal(error.detail, 'Genesys does not know this SMS session.');
    });
  });

  it('never logs the password, the Basic credentials, the session cookie or the CSRF token', async () => {
    const { logger, lines } = captureLogs();
    me(nock(BASE), 'tok-secret-1', 'JSESSIONID=SESSIONSECRET; Path=/')
      .post(INVITE_PATH)
      .reply(200, { statusCode: 0, referenceId: 35 })
      .post(INVITE_PATH)
      .reply(200, { statusCode: 4, statusMessage: 'internal error for +33612345678' });
    const { client } = makeClient({}, logger);
    await client.invite({ smsSessionId: SMS_SESSION, target: USER });
    await vendorError(client.invite({ smsSessionId: SMS_SESSION, target: USER }));
    const text = lines.join('');
    assert.ok(lines.length >= 2, 'the calls were logged');
    for (const secret of ['pa55-word', BASIC.slice(6), 'SESSIONSECRET', 'tok-secret-1', '612345678']) {
      assert.ok(!text.includes(secret), `log contains ${secret}`);
    }
  });
});

describe('GenesysClient: the call’s own logger', () => {
  it('writes the call’s lines, Genesys’s refusal included, with the logger it is handed, not the account’s', async () => {
    const scope = nock(BASE);
    me(scope, 'csrf-1');
    scope.post(INVITE_PATH).reply(200, { statusCode: 7, statusMessage: 'Invalid target' });
    const account = captureLogs('info');
    const { client } = makeClient({}, account.logger);
    const request = captureLogs('info');
    await assert.rejects(client.invite({ smsSessionId: SMS_SESSION, target: USER }, { logger: request.logger.child({ correlationId: 'req-genesys-1' }) }));
    assert.deepEqual(account.lines, []);
    const lines = request.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.deepEqual(lines.map((line) => [line.msg, line.correlationId]), [
      ['Genesys refused the operation', 'req-genesys-1'],
      ['vendor call failed', 'req-genesys-1'],
    ]);
  });
});
