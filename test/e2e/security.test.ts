import assert from 'node:assert/strict';
import { startLocalStack, type LocalStack } from '../../sandbox/local-stack.js';
import { signRequest } from '../../sandbox/slack-requests.js';

const commandBody = new URLSearchParams({
  command: '/rendezvous',
  text: '+33612345678',
  team_id: 'T0001',
  user_id: 'U0AGENT',
  channel_id: 'C0SUPPORT',
  trigger_id: 'x',
  response_url: 'http://127.0.0.1:9/unused',
}).toString();

describe('e2e: request authenticity and limits', function () {
  this.timeout(20_000);
  let stack: LocalStack;

  before(async () => {
    stack = await startLocalStack();
  });
  after(async () => {
    await stack.close();
  });

  function assertNothingDone() {
    assert.equal(stack.slack.calls.filter((call) => call.method !== 'auth.test').length, 0);
    assert.equal(stack.apizee.requests.length, 0);
  }

  it('rejects a bad signature', async () => {
    const headers = signRequest('not-the-secret', commandBody);
    const response = await stack.requester.raw(commandBody, { ...headers, 'content-type': 'application/x-www-form-urlencoded' });
    assert.equal(response.status, 401);
    assertNothingDone();
  });

  it('rejects a stale timestamp, even correctly signed', async () => {
    const sixMinutesAgo = Math.floor(Date.now() / 1000) - 6 * 60;
    const headers = signRequest(stack.signingSecret, commandBody, sixMinutesAgo);
    const response = await stack.requester.raw(commandBody, { ...headers, 'content-type': 'application/x-www-form-urlencoded' });
    assert.equal(response.status, 401);
    assertNothingDone();
  });

  it('rejects missing signature headers', async () => {
    const response = await stack.requester.raw(commandBody, { 'content-type': 'application/x-www-form-urlencoded' });
    assert.equal(response.status, 401);
    assertNothingDone();
  });

  it('refuses a body over 1 MB', async () => {
    const big = `${commandBody}&padding=${'x'.repeat(1024 * 1024)}`;
    const headers = signRequest(stack.signingSecret, big);
    const response = await stack.requester.raw(big, { ...headers, 'content-type': 'application/x-www-form-urlencoded' });
    assert.equal(response.status, 413);
    assertNothingDone();
  });

  it('serves /healthz with database and vendor status, without probing the vendor', async () => {
    const response = await fetch(`${stack.appUrl}/healthz`);
    assert.equal(response.status, 200);
    const body = (await response.json()) as { database: { ok: boolean }; vendors: { apizee: unknown } };
    assert.equal(body.database.ok, true);
    assert.deepEqual(body.vendors.apizee, { configured: true, lastCall: null });
    assertNothingDone();
  });
});
