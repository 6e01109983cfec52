import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { startLocalStack, type LocalStack } from '../../sandbox/local-stack.js';
import { createLogger } from '../../src/logger.js';

const CHANNEL = 'C0SUPPORT';
const PRIVATE = 'C0PRIVATE';
const AGENT = 'U0AGENT';

/** Every sample of one metric in a Prometheus text exposition: labels → value. */
function samples(text: string, name: string): Array<{ labels: Record<string, string>; value: number }> {
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .map((line) => {
      const match = /^[^{ ]+(?:\{(.*)\})? (\S+)$/.exec(line)!;
      const labels = Object.fromEntries([...(match[1] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map(([, key, value]) => [key!, value!]));
      return { labels, value: Number(match[2]) };
    });
}

const sum = (list: Array<{ value: number }>) => list.reduce((total, { value }) => total + value, 0);

describe('e2e: GET /metrics and GET /readyz on the running app', function () {
  this.timeout(40_000);
  let stack: LocalStack;
  const lines: Array<Record<string, unknown>> = [];

  before(async () => {
    const capture = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    stack = await startLocalStack({ apizeeRatePerMinute: 60, slack: { channelsWithoutApp: [PRIVATE] }, logger: createLogger('info', capture) });
  });
  after(async () => {
    await stack.close();
  });

  it('shows ack latency, vendor calls, budget waits, sessions, tracking lag, outbox and Slack API errors from real traffic', async () => {
    const first = await stack.requester.slash('+33 6 12 34 56 78 apizee ref:CASE-1 "Bring the router"', { userId: AGENT, channelId: CHANNEL });
    assert.equal(first.status, 200);
    await stack.slack.waitFor('chat.postMessage', (call) => Boolean(call.args.thread_ts) && /sent the invitation/.test(call.args.text), 10_000);
    // A channel the app is not in: Slack refuses the card.
    const second = await stack.requester.slash('+33 6 12 34 56 79 apizee ref:CASE-2', { userId: AGENT, channelId: PRIVATE });
    assert.equal(second.status, 200);
    await stack.slack.waitFor('chat.postMessage', (call) => call.args.channel === PRIVATE && call.response.error === 'not_in_channel', 10_000);

    // Both creations settled (the refused card fails the second), tracking stopped, and one
    // session a minute overdue: the lag shows it.
    const { db } = stack.app.database;
    const deadline = Date.now() + 10_000;
    while ((await db.selectFrom('sessions').select('id').where('status', '=', 'creating').execute()).length > 0) {
      assert.ok(Date.now() < deadline, 'a creation never settled');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await stack.app.tracking.stop();
    const sessionRows = await db.selectFrom('sessions').select(['id', 'vendor', 'status', 'channel_id']).execute();
    const tracked = sessionRows.find((row) => row.channel_id === CHANNEL)!;
    await db.updateTable('sessions').set({ next_check_at: new Date(Date.now() - 60_000).toISOString(), tracking: 1 }).where('id', '=', tracked.id).execute();

    const response = await fetch(`${stack.appUrl}/metrics`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain/);
    const text = await response.text();

    const acks = samples(text, 'rendezvous_slack_ack_seconds_count');
    assert.equal(sum(acks.filter(({ labels }) => labels.kind === 'command')), 2, 'both commands acked and timed');
    const fastAcks = samples(text, 'rendezvous_slack_ack_seconds_bucket').find(({ labels }) => labels.kind === 'command' && labels.le === '3');
    assert.equal(fastAcks?.value, 2, 'within Slack’s 3 s');

    const apizeeCalls = samples(text, 'rendezvous_vendor_calls_total').filter(({ labels }) => labels.vendor === 'apizee');
    assert.ok(apizeeCalls.some(({ labels, value }) => labels.outcome === 'ok' && value >= 1), text);
    const timed = samples(text, 'rendezvous_vendor_call_seconds_count').filter(({ labels }) => labels.vendor === 'apizee');
    assert.equal(sum(timed), sum(apizeeCalls), 'every counted call is timed');

    assert.ok(sum(samples(text, 'rendezvous_budget_wait_seconds_count').filter(({ labels }) => labels.vendor === 'apizee')) >= 2, 'each creation took a budget slot');
    assert.match(text, /# TYPE rendezvous_vendor_rate_limited_total counter/);

    // Sessions by vendor and status: what the database holds.
    const expected = new Map<string, number>();
    for (const row of sessionRows) expected.set(`${row.vendor}/${row.status}`, (expected.get(`${row.vendor}/${row.status}`) ?? 0) + 1);
    const shown = new Map(samples(text, 'rendezvous_sessions').map(({ labels, value }) => [`${labels.vendor}/${labels.status}`, value]));
    assert.deepEqual(shown, expected);
    assert.equal(sum([...shown.values()].map((value) => ({ value }))), 2);

    const lag = samples(text, 'rendezvous_tracking_lag_seconds').find(({ labels }) => labels.vendor === 'apizee');
    assert.ok(lag && lag.value >= 60 && lag.value < 120, `tracking lag ${lag?.value}`);

    const depth = samples(text, 'rendezvous_outbox_depth')[0];
    const unposted = await db.selectFrom('milestones').select('id').where('posted_ts', 'is', null).execute();
    assert.equal(depth?.value, unposted.length);
    assert.ok(Number.isFinite(samples(text, 'rendezvous_outbox_oldest_age_seconds')[0]?.value));
    assert.match(text, /# TYPE rendezvous_outbox_dead_letters gauge/);

    const refused = samples(text, 'rendezvous_slack_api_errors_total').find(({ labels }) => labels.method === 'chat.postMessage' && labels.error === 'not_in_channel');
    assert.ok(refused && refused.value >= 1, text);
  });

  it('answers /readyz 200 with the database reachable and the migrations applied', async () => {
    const response = await fetch(`${stack.appUrl}/readyz`);
    assert.equal(response.status, 200);
    const body = (await response.json()) as { status: string; database: { reachable: boolean }; migrations: { current: boolean; applied: string } };
    assert.equal(body.status, 'ready');
    assert.equal(body.database.reachable, true);
    assert.equal(body.migrations.current, true);
    assert.match(body.migrations.applied, /^\d{4}-\d{2}-\d{2}-/);
  });

  it('puts one correlation id on every log line of a request, and another on those of a tracking pass', async () => {
    const created = lines.find((line) => line.msg === 'session created')!;
    const requestId = created.correlationId;
    assert.match(String(requestId), /^[0-9a-f-]{36}$/);
    const ofRequest = lines.filter((line) => line.correlationId === requestId).map((line) => line.msg);
    assert.ok(ofRequest.includes('vendor call succeeded'), `the creation's vendor call logs under the request's id: ${ofRequest.join(', ')}`);
    const refused = lines.find((line) => line.msg === 'session card not posted')!;
    assert.match(String(refused.correlationId), /^[0-9a-f-]{36}$/);
    assert.notEqual(refused.correlationId, requestId, 'the second command has an id of its own');

    // The overdue session is looked at by the next pass.
    const before = lines.length;
    await stack.app.tracking.runOnce();
    const passLines = lines.slice(before).filter((line) => line.msg === 'vendor call succeeded');
    assert.ok(passLines.length >= 1, 'the pass called Apizee');
    for (const line of passLines) {
      assert.match(String(line.correlationId), /^[0-9a-f-]{36}$/);
      assert.ok(![requestId, refused.correlationId].includes(line.correlationId));
    }
    // Start-up (migrations, the key check, listening) belongs to no request or pass.
    const listening = lines.findIndex((line) => line.msg === 'Rendezvous is listening');
    const orphans = lines.slice(listening + 1).filter((line) => !line.correlationId);
    assert.equal(orphans.length, 0, `no line without an id: ${JSON.stringify(orphans)}`);
  });

  it('gives two creations in flight two ids: each creation job logs under its own request’s id', async () => {
    const before = lines.length;
    const answers = await Promise.all([
      stack.requester.slash('+33 6 12 34 56 70 apizee ref:CASE-3', { userId: AGENT, channelId: CHANNEL }),
      stack.requester.slash('+33 6 12 34 56 71 apizee ref:CASE-4', { userId: AGENT, channelId: CHANNEL }),
    ]);
    assert.deepEqual(answers.map((answer) => answer.status), [200, 200]);
    const created = () => lines.slice(before).filter((line) => line.msg === 'session created');
    const deadline = Date.now() + 10_000;
    while (created().length < 2) {
      assert.ok(Date.now() < deadline, 'both creations logged');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const ids = created().map((line) => String(line.correlationId));
    for (const id of ids) assert.match(id, /^[0-9a-f-]{36}$/);
    assert.notEqual(ids[0], ids[1], 'each creation has the id of its own request');
    // Each creation's vendor call logs under that creation's id, whichever request woke the runner.
    const calls = lines.slice(before).filter((line) => line.msg === 'vendor call succeeded' && line.operation === 'createTicket');
    assert.deepEqual(new Set(calls.map((line) => String(line.correlationId))), new Set(ids));
  });
});
