import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger, scrub } from '../src/logger.js';

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
  ];
  for (const [input, output] of cases) {
    it(`scrubs ${JSON.stringify(input)}`, () => {
      assert.equal(scrub(input), output);
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

  it('redacts top-level secrets', () => {
    logger().info({ password: 'hunter2', token: 'apz-token-123', secret: 's3cr3t' }, 'top');
    const entry = entries()[0]!;
    assert.deepEqual([entry.password, entry.token, entry.secret], ['[redacted]', '[redacted]', '[redacted]']);
  });
});
