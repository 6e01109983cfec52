import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { boltLogger, createLogger, scrub } from '../src/logger.js';

describe('scrub', () => {
  const cases: Array<[string, string]> = [
    ['token xoxb-1234-5678-AbCdEf', 'token xox…[redacted]'],
    ['app xapp-1-A0123-4567-abcdef', 'app xapp-…[redacted]'],
    ['Authorization: Bearer eyJhbGciOi.eyJzdWIi.sig-_x', 'Authorization: Bearer [redacted]'],
    ['POST /token?grant_type=password&password=hunter2&x=1', 'POST /token?grant_type=password&password=[redacted]&x=1'],
    ['https://cloud.apizee.com?access_token=eyJ0eXAi.abc', 'https://cloud.apizee.com?access_token=[redacted]'],
    ['mail to jane.doe+rdv@example.co.uk now', 'mail to [email] now'],
    ['call +33612345678 now', 'call [phone] now'],
    ['call +33 6 12 34 56 78 now', 'call [phone] now'],
    ['call +1 415-555-2671', 'call [phone]'],
    ['call +33612345678: no answer', 'call [phone]: no answer'],
    ['national 06 12 34 56 78 or 06.12.34.56.78 or 06-12-34-56-78', 'national [phone] or [phone] or [phone]'],
    ['US (415) 555-2671 or 415.555.2671 or 4155552671', 'US [phone] or [phone] or [phone]'],
    ['bare national 0612345678.', 'bare national [phone].'],
    ["Blitzz's MobileNo 612345678 and 33612345678", "Blitzz's MobileNo [phone] and [phone]"],
    ['in a URL ?phone=%2B33612345678&x=1', 'in a URL ?phone=[phone]&x=1'],
    ['encoded jane%40example.com', 'encoded [email]'],
    ['Authorization: Bearer xoxb-1-2-abc', 'Authorization: Bearer [redacted]'],
    ['user token xoxp-12-34-ab', 'user token xox…[redacted]'],
    ['POST /webhooks/apizee?secret=XYZ-42', 'POST /webhooks/apizee?secret=[redacted]'],
    ['https://x.test/a?token=abc&key=k1&api_key=k2&client_secret=s&password=p&page=2', 'https://x.test/a?token=[redacted]&key=[redacted]&api_key=[redacted]&client_secret=[redacted]&password=[redacted]&page=2'],
    ['https://bob:hunter2@db.test:5432/app', 'https://[redacted]@db.test:5432/app'],
    // The Web API client's debug line of oauth.v2.access: the app's client secret and the code.
    [
      'http request body: {"code":"4724469134.4644010092847.232b4e6d","client_id":"1234.5678","client_secret":"3ee7bd5c"}',
      'http request body: {"code":"[redacted]","client_id":"1234.5678","client_secret":"[redacted]"}',
    ],
    ['redirect ?code=4724469134.4644010092847.232b4e6d&state=s', 'redirect ?code=[redacted]&state=s'],
    ['{"grant_type":"refresh_token","refresh_token" : "opaque-value","apiKey":"k"}', '{"grant_type":"refresh_token","refresh_token" : "[redacted]","apiKey":"[redacted]"}'],
    ['{"ok":false,"error":"invalid_code","code":"slack_webapi_platform_error","status":401}', '{"ok":false,"error":"invalid_code","code":"slack_webapi_platform_error","status":401}'],
  ];
  for (const [input, output] of cases) {
    it(`scrubs ${JSON.stringify(input)}`, () => {
      assert.equal(scrub(input), output);
    });
  }

  // What the old phone pattern rewrote ("sessionId":"d[phone]bbe-4192-…"): ids and times stay whole.
  const intact = [
    '"sessionId":"d1234567-8bbe-4192-a456-426614174000"',
    '12345678-1234-1234-1234-123456789012',
    '123e4567-e89b-12d3-a456-426614174000',
    'U0123456789 C0SUPPORT T0001 W012345678 B0BOT A0RENDEZVOUS',
    '2026-12-02T08:31:14.123Z',
    '2026-12-02 08:31:14',
    '"time":1700000000123',
    'epoch 1700000000 and ms 1700000000123',
    '"ts":"1700000000.123456" thread 1700000001.000200',
    'listening on 127.0.0.1:3000, peer 192.168.1.10',
    'ticket 82070, referenceId 1234567, took 1234 ms',
  ];
  for (const text of intact) {
    it(`leaves ${JSON.stringify(text)} intact`, () => {
      assert.equal(scrub(text), text);
    });
  }

  it('keeps ordinary text and short numbers', () => {
    assert.equal(scrub('vendor call took 1234 ms, ticket 82070'), 'vendor call took 1234 ms, ticket 82070');
  });
});

describe('createLogger', () => {
  let lines: string[];
  const logger = () =>
    createLogger(
      'info',
      new Writable({
        write(chunk, _encoding, done) {
          lines.push(String(chunk));
          done();
        },
      }),
    );
  const entries = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);

  beforeEach(() => {
    lines = [];
  });

  it('writes JSON lines with level and message', () => {
    logger().info({ vendor: 'apizee', durationMs: 12 }, 'vendor call succeeded');
    assert.equal(lines.length, 1);
    assert.ok(lines[0]!.endsWith('\n'));
    const { time, ...rest } = entries()[0]!;
    assert.equal(typeof time, 'number');
    assert.deepEqual(rest, { level: 30, vendor: 'apizee', durationMs: 12, msg: 'vendor call succeeded' });
  });

  it('drops lines below its level', () => {
    logger().debug('hidden');
    assert.equal(lines.length, 0);
  });

  it('gives Bolt a logger that writes its lines scrubbed, and does not even format those below the level', () => {
    const bolt = boltLogger(logger());
    let formatted = 0;
    const costly = { toJSON: () => (formatted += 1) };
    bolt.debug('http request body:', costly);
    assert.equal(formatted, 0, 'a debug line at level info is never built');
    assert.equal(lines.length, 0);
    bolt.warn('retrying for', 'someone@example.com', costly);
    assert.equal(formatted, 1);
    const [line] = entries();
    assert.equal(line!.component, 'bolt');
    assert.equal(line!.level, 40);
    assert.doesNotMatch(String(line!.msg), /someone@example\.com/);
  });

  it('redacts a phone field by its name', () => {
    logger().info({ phone: '+33612345678' }, 'sent');
    assert.equal(entries()[0]!.phone, '[redacted]');
    assert.equal(lines[0]!.includes('612345678'), false);
  });

  it('redacts nested secrets and contacts', () => {
    logger().info({ session: { phone: '+33612345678', email: 'jane@example.com', token: 'abc' }, headers: { authorization: 'x' } }, 'nested');
    const entry = entries()[0]!;
    assert.deepEqual(entry.session, { phone: '[redacted]', email: '[redacted]', token: '[redacted]' });
    assert.deepEqual(entry.headers, { authorization: '[redacted]' });
  });

  it('scrubs an e-mail in a message and in a format argument', () => {
    logger().info('mail sent to jane@example.com');
    logger().info('mail sent to %s', 'jane@example.com');
    assert.deepEqual(
      entries().map((entry) => entry.msg),
      ['mail sent to [email]', 'mail sent to [email]'],
    );
  });

  it('scrubs an error message', () => {
    logger().warn({ err: new Error('Apizee said: bad number +33612345678') }, 'failed');
    assert.equal((entries()[0]!.err as { message: string }).message, 'Apizee said: bad number [phone]');
    assert.equal(lines[0]!.includes('612345678'), false);
  });

  it('keeps the class of a logged error', () => {
    logger().warn({ err: new TypeError('boom') }, 'failed');
    assert.equal((entries()[0]!.err as { type: string }).type, 'TypeError');
  });

  it('redacts vendor URLs that carry a token, API keys and the webhook secret by their names, nested too', () => {
    logger().info(
      {
        ticket: { customer_url: 'https://c/1', requestor_url: 'https://r/2', sso_url: 'https://s/3' },
        token: { url_with_token: 'https://i/4' },
        vendor: { settings: { apiKey: 'k1', api_key: 'k2' } },
        headers: { 'X-Webhook-Secret': 'XYZ', cookie: 'c' },
      },
      'nested',
    );
    for (const value of ['https://c/1', 'https://r/2', 'https://s/3', 'https://i/4', 'k1', 'k2', 'XYZ']) {
      assert.equal(lines[0]!.includes(value), false, value);
    }
  });

  it("scrubs and redacts a child logger's bindings", () => {
    logger().child({ url: '/webhooks/apizee?secret=XYZ', customer_url: 'https://c/1' }).child({ who: 'jane@example.com' }).info('bound');
    const entry = entries()[0]!;
    assert.deepEqual([entry.url, entry.customer_url, entry.who], ['/webhooks/apizee?secret=[redacted]', '[redacted]', '[email]']);
  });

  it('puts a correlation id bound by child() on every line, a grandchild’s and an error’s included, and still scrubs other bindings', () => {
    const request = logger().child({ correlationId: 'd1234567-8bbe-4192-a456-426614174000' });
    request.info('one');
    request.child({ who: 'jane@example.com' }).warn({ err: new Error('boom') }, 'two');
    const [one, two] = entries();
    assert.equal(one!.correlationId, 'd1234567-8bbe-4192-a456-426614174000');
    assert.equal(two!.correlationId, 'd1234567-8bbe-4192-a456-426614174000');
    assert.equal(two!.who, '[email]');
    assert.equal(request.bindings().correlationId, 'd1234567-8bbe-4192-a456-426614174000');
    // Anything else than an id of letters, digits and dashes goes through pino's own child, scrubbed.
    logger().child({ correlationId: 'call +33 6 12 34 56 78' }).info('three');
    assert.doesNotMatch(String(entries().at(-1)!.correlationId), /12 34 56 78/);
  });

  it('keeps ids and timestamps in fields', () => {
    const fields = { sessionId: 'd1234567-8bbe-4192-a456-426614174000', user: 'U0AGENT', ts: '1700000000.123456', at: '2026-12-02T08:31:14.123Z', atMs: 1700000000123 };
    logger().info(fields, 'ids');
    const { sessionId, user, ts, at, atMs } = entries()[0]!;
    assert.deepEqual({ sessionId, user, ts, at, atMs }, fields);
  });

  it('redacts top-level secrets', () => {
    logger().info({ password: 'hunter2', token: 'apz-token-123', secret: 's3cr3t' }, 'top');
    const entry = entries()[0]!;
    assert.deepEqual([entry.password, entry.token, entry.secret], ['[redacted]', '[redacted]', '[redacted]']);
  });
});
