import assert from 'node:assert/strict';
import { startLocalStack, type LocalStack } from '../../sandbox/local-stack.js';

describe('e2e: Apizee webhooks', function () {
  this.timeout(20_000);
  let stack: LocalStack;
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${stack.appUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });

  beforeEach(async () => {
    // Polling every 30 s: only the webhook can make the thread move within the test.
    stack = await startLocalStack({ apizeeRatePerMinute: 60, vendors: ['apizee'], env: { APIZEE_WEBHOOK_SECRET: 'hook-secret', TRACK_INTERVAL_SECONDS: '30' } });
  });
  afterEach(async () => {
    await stack.close();
  });

  it('makes the ticket due at once, so its thread moves within seconds', async () => {
    await stack.requester.slash('+33612345678 ref:HOOK-1');
    await stack.slack.waitFor('chat.postMessage', (call) => /sent the invitation/.test(call.args.text ?? ''));
    const [ticket] = [...stack.apizee.tickets.values()];
    stack.apizee.setTicketState(ticket!.id, 'inprogress');
    const started = Date.now();
    const response = await post('/webhooks/apizee?secret=hook-secret', { event: 'ticket.sessionStarted', data: { id: ticket!.id } });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { ok: true, outcome: 'due' });
    await stack.slack.waitFor('chat.postMessage', (call) => /guest joined/.test(call.args.text ?? ''), 5000);
    assert.ok(Date.now() - started < 5000);
  });

  it('accepts the secret in a header, ignores unknown events and unknown tickets', async () => {
    const ignored = await post('/webhooks/apizee', { event: 'survey.answered' }, { 'x-webhook-secret': 'hook-secret' });
    assert.deepEqual(await ignored.json(), { ok: true, outcome: 'ignored' });
    const unknown = await post('/webhooks/apizee', { event: 'ticket.completed', ticket: { id: 999999 } }, { 'x-webhook-secret': 'hook-secret' });
    assert.deepEqual(await unknown.json(), { ok: true, outcome: 'unknown_session' });
  });

  it('refuses a wrong or missing secret and a body that is not JSON', async () => {
    assert.equal((await post('/webhooks/apizee?secret=wrong', { event: 'ticket.completed' })).status, 401);
    assert.equal((await post('/webhooks/apizee', { event: 'ticket.completed' })).status, 401);
    assert.equal((await post('/webhooks/apizee?secret=hook-secret', 'not json')).status, 400);
    assert.equal((await post('/webhooks/apizee?secret=hook-secret', [1, 2])).status, 400);
  });
});
