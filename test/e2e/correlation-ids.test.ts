import assert from 'node:assert/strict';
import { startLocalStack, SANDBOX_GENESYS, type LocalStack } from '../../sandbox/local-stack.js';
import { ACTION } from '../../src/ui/ids.js';
import { captureLogLines, UUID, type LogLine } from '../helpers/log-capture.js';

const CHANNEL = 'C0SUPPORT';
const AGENT = 'U0AGENT';
const WEBHOOK_SECRET = 'corr-hook-secret-2718';
type Line = LogLine;

/**
 * Issue 10, "a correlation id on every log line of one request or tracking run": the real app
 * against the sandboxes, each vendor whose client logs made to fail once (a 5xx, so the client
 * writes its warn line), a Refresh click, a tracking pass and Apizee webhooks; then every line
 * written after start-up but Bolt's own carries an id, and the lines of one request share one.
 */
describe('e2e: a correlation id on every log line of one request or tracking run', function () {
  this.timeout(60_000);
  let stack: LocalStack;
  const captured = captureLogLines('debug');
  const { lines } = captured;
  /** Lines before this index were written during start-up. */
  let started = 0;

  before(async () => {
    // Tracking passes only when the test runs one, so that each line is known to be a request's or a pass's.
    stack = await startLocalStack({
      apizeeRatePerMinute: 60,
      logger: captured.logger,
      env: { APIZEE_WEBHOOK_SECRET: WEBHOOK_SECRET, TRACK_INTERVAL_SECONDS: '3600' },
    });
    assert.equal((await fetch(`${stack.appUrl}/healthz`)).status, 200);
    started = lines.length;
  });
  after(async () => {
    await stack?.close();
  });

  const since = (from: number) => lines.slice(from);
  const waitForLine = (what: string, match: (line: Line) => boolean, from = started, timeoutMs?: number) => captured.waitForLine(what, match, from, timeoutMs);
  const slash = async (text: string) => assert.equal((await stack.requester.slash(text, { userId: AGENT, channelId: CHANNEL })).status, 200);
  const webhook = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${stack.appUrl}/webhooks/apizee`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-webhook-secret': WEBHOOK_SECRET, ...headers }, body: JSON.stringify(body) });

  it('gives each failing vendor call the id of the request that asked for it, and all its session’s lines that id', async () => {
    stack.blitzz.faults.failNext(/\/invitation$/, { status: 503 });
    stack.conpeek.faults.failNext(/\/meets\/meet$/, { status: 503 });
    stack.imbee.faults.failNext(/\/token\/new$/, { status: 503 });
    stack.genesys.faults.failNext(new RegExp(`${SANDBOX_GENESYS.smsSession}$`), { status: 503 });
    await slash('+33 6 22 33 44 55 blitzz sms ref:CORR-B');
    await slash('+33 6 98 76 54 32 conpeek ref:CORR-C');
    await slash('jane.corr@example.com imbee ref:CORR-I');
    await slash(`genesys ${SANDBOX_GENESYS.smsSession} ${stack.genesys.targets[0]}`);
    for (const vendor of ['blitzz', 'conpeek', 'imbee', 'genesys']) {
      const failed = await waitForLine(`${vendor}'s failed call`, (line) => line.msg === 'vendor call failed' && line.vendor === vendor);
      assert.match(String(failed.correlationId), UUID, `${vendor}: ${JSON.stringify(failed)}`);
      const notCreated = await waitForLine(`${vendor}'s session not created`, (line) => line.msg === 'session not created' && line.vendor === vendor);
      assert.equal(notCreated.correlationId, failed.correlationId, `${vendor}: the call and the creation's end are one request's`);
      const ofSession = since(started).filter((line) => line.sessionId === notCreated.sessionId);
      assert.deepEqual(new Set(ofSession.map((line) => line.correlationId)), new Set([failed.correlationId]), `${vendor}: ${JSON.stringify(ofSession)}`);
    }
    const ids = ['blitzz', 'conpeek', 'imbee', 'genesys'].map((vendor) => lines.find((line) => line.msg === 'vendor call failed' && line.vendor === vendor)!.correlationId);
    assert.equal(new Set(ids).size, 4, 'four requests, four ids');
  });

  it('logs a successful creation with each vendor, a Refresh, a tracking pass and webhooks, each under one id', async () => {
    await slash('+33 6 12 34 56 78 apizee ref:CORR-A');
    await slash('+33 6 22 33 44 56 blitzz sms ref:CORR-B2');
    await slash('+33 6 98 76 54 33 conpeek ref:CORR-C2');
    await slash('john.corr@example.com imbee ref:CORR-I2');
    await slash(`genesys ${SANDBOX_GENESYS.smsSession} ${stack.genesys.targets[0]}`);
    for (const vendor of ['apizee', 'blitzz', 'conpeek', 'imbee', 'genesys']) {
      await waitForLine(`${vendor}'s session created`, (line) => line.msg === 'session created' && line.vendor === vendor);
    }
    const created = lines.find((line) => line.msg === 'session created' && line.vendor === 'apizee')!;
    const card = await stack.slack.waitFor('chat.update', (call) => JSON.stringify(call.args.blocks ?? []).includes(String(created.sessionId)), 10_000);

    // Refresh: the lookup at Apizee and everything after it, under the click's id.
    const beforeClick = lines.length;
    const click = await stack.requester.interaction(
      stack.requester.blockAction({ actionId: ACTION.refresh, value: String(created.sessionId), userId: AGENT, channelId: CHANNEL, messageTs: card.args.ts }),
    );
    assert.equal(click.status, 200);
    const lookup = await waitForLine('the Refresh lookup', (line) => line.msg === 'vendor call succeeded' && line.operation === 'listTickets', beforeClick);
    assert.match(String(lookup.correlationId), UUID);
    assert.notEqual(lookup.correlationId, created.correlationId, 'the click is a request of its own');

    // A click naming no session: its refusal is one of the click's lines too.
    const beforeRefusal = lines.length;
    await stack.requester.interaction(stack.requester.blockAction({ actionId: ACTION.refresh, value: 'not-a-session', userId: AGENT, channelId: CHANNEL, messageTs: card.args.ts }));
    const refusal = await waitForLine('the refusal', (line) => line.msg === 'refused: a button names no session Rendezvous keeps', beforeRefusal);
    assert.match(String(refusal.correlationId), UUID);

    // A webhook makes the ticket due (its lines under the webhook's id); the pass it starts looks,
    // its calls under an id of its own.
    const beforePass = lines.length;
    const [ticket] = [...stack.apizee.tickets.values()];
    const due = await webhook({ event: 'ticket.completed', data: { id: ticket!.id } }, { 'x-request-id': 'lb-req-0000-due' });
    assert.equal(((await due.json()) as { outcome?: string }).outcome, 'due');
    await stack.app.tracking.runOnce();
    await waitForLine('the pass after the webhook', (line) => line.msg === 'vendor call succeeded' && line.correlationId !== lookup.correlationId, beforePass);
    const passCalls = since(beforePass).filter((line) => line.msg === 'vendor call succeeded');
    assert.ok(passCalls.length >= 1, 'the pass called a vendor');
    for (const line of passCalls) {
      assert.match(String(line.correlationId), UUID);
      assert.ok(![lookup.correlationId, created.correlationId, 'lb-req-0000-due'].includes(line.correlationId), 'a pass is not a request');
    }

    // Webhooks: the caller's X-Request-Id when it is one, else a fresh id, given back in the answer.
    const beforeHooks = lines.length;
    const given = await webhook({ event: 'survey.answered' }, { 'x-request-id': 'lb-req-0001-abcd' });
    assert.equal(given.status, 200);
    assert.equal(given.headers.get('x-request-id'), 'lb-req-0001-abcd');
    const unusable = await webhook({ event: 'survey.answered' }, { 'x-request-id': 'not an id; {"x":1}' });
    assert.equal(unusable.status, 200);
    const fresh = unusable.headers.get('x-request-id') ?? '';
    assert.match(fresh, UUID);
    const ignored = since(beforeHooks).filter((line) => line.msg === 'webhook event ignored');
    assert.deepEqual(ignored.map((line) => line.correlationId), ['lb-req-0001-abcd', fresh]);
    assert.equal((await webhook({ event: 'ticket.completed', data: { id: 987654 } })).status, 200);
    await waitForLine('the unknown ticket', (line) => line.msg === 'webhook for a session Rendezvous does not follow', beforeHooks);

    // Let what the creations and the click started (thread replies, card updates) finish.
    await stack.app.tracking.runOnce();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const orphans = since(started).filter((line) => line.component !== 'bolt' && typeof line.correlationId !== 'string');
    assert.deepEqual(orphans, [], 'no line without a correlation id');
    assert.ok(since(started).length > 40, `${since(started).length} lines (a scan of nothing proves nothing)`);
  });
});
