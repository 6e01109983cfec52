import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sandboxEnvironment, startSandboxes, type Sandboxes } from '../../sandbox/local-stack.js';
import { signRequest } from '../../sandbox/slack-requests.js';
import { startReplica, type Replica } from '../helpers/replica.js';

const CHANNEL = 'C0SUPPORT';
const AGENT = 'U0AGENT';

/**
 * A signed slash command whose body is sent in two halves: the app has the request (headers and
 * half the body) but cannot answer it until `finish()` sends the rest.
 */
function heldCommand(appUrl: string, sandboxes: Sandboxes, signingSecret: string, text: string) {
  const body = new URLSearchParams({
    token: 'legacy-verification-token',
    team_id: sandboxes.slack.teamId,
    team_domain: sandboxes.slack.teamDomain,
    channel_id: CHANNEL,
    channel_name: 'support',
    user_id: AGENT,
    user_name: 'agent',
    command: '/rendezvous',
    text,
    api_app_id: sandboxes.slack.appId,
    is_enterprise_install: 'false',
    response_url: sandboxes.slack.responseUrl(undefined, { channelId: CHANNEL, userId: AGENT }),
    trigger_id: sandboxes.slack.triggerId(AGENT),
  }).toString();
  const half = Math.floor(body.length / 2);
  const req = request(new URL('/slack/events', appUrl), {
    method: 'POST',
    agent: false,
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body), ...signRequest(signingSecret, body) },
  });
  const answered = new Promise<{ status: number; text: string }>((resolve, reject) => {
    req.on('response', (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, text }));
    });
    req.on('error', reject);
  });
  req.write(body.slice(0, half));
  return {
    answered,
    finish: () => req.end(body.slice(half)),
  };
}

/** A new request after the signal: 503, or no connection at all once the server has closed. */
async function refusedOrUnavailable(url: string, init?: RequestInit): Promise<string> {
  try {
    const response = await fetch(url, init);
    return `HTTP ${response.status}`;
  } catch (error) {
    return (error as { cause?: { code?: string } }).cause?.code ?? String(error);
  }
}

const exitOf = (replica: Replica) =>
  new Promise<{ code: number | null; at: number }>((resolve) => replica.process.once('exit', (code) => resolve({ code, at: Date.now() })));

async function logged(replica: Replica, pattern: RegExp, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!replica.logs.some((line) => pattern.test(line))) {
    assert.ok(Date.now() < deadline, `no log line ${pattern}:\n${replica.logs.slice(-20).join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('e2e: graceful shutdown of the real process', function () {
  this.timeout(90_000);
  let sandboxes: Sandboxes;
  let dataDir: string;
  const replicas: Replica[] = [];
  const signingSecret = randomBytes(16).toString('hex');

  before(async () => {
    sandboxes = await startSandboxes({ apizeeRatePerMinute: 60 });
    dataDir = mkdtempSync(join(tmpdir(), 'rendezvous-shutdown-'));
  });
  after(async () => {
    await Promise.all(replicas.map((replica) => replica.crash()));
    await sandboxes.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  // One key per database, so that a restart on it reads what the first process sealed.
  const keys = new Map<string, string>();
  async function start(name: string, shutdownSeconds: number): Promise<Replica> {
    if (!keys.has(name)) keys.set(name, randomBytes(32).toString('base64'));
    const replica = await startReplica({
      ...sandboxEnvironment(sandboxes, { vendors: ['apizee'], apizeeRatePerMinute: 60 }),
      SLACK_SIGNING_SECRET: signingSecret,
      ENCRYPTION_KEY: keys.get(name)!,
      DATABASE_URL: `file:${join(dataDir, `${name}.db`)}`,
      TRACK_INTERVAL_SECONDS: '1',
      SHUTDOWN_TIMEOUT_SECONDS: String(shutdownSeconds),
    });
    replicas.push(replica);
    return replica;
  }

  it('on SIGTERM answers the request in flight, finishes its creation, refuses new requests with 503, and exits 0 within the deadline', async () => {
    const replica = await start('sigterm', 10);
    const held = heldCommand(replica.url, sandboxes, signingSecret, '+33 6 12 34 56 78 apizee ref:CASE-77');
    // The app has the request's headers and half its body.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const exited = exitOf(replica);
    const signalledAt = Date.now();
    replica.process.kill('SIGTERM');
    await logged(replica, /Rendezvous is stopping/);

    const signed = (body: string) => ({ method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded', ...signRequest(signingSecret, body) } });
    assert.equal(await refusedOrUnavailable(`${replica.url}/slack/events`, signed('command=%2Frendezvous&text=help')), 'HTTP 503');
    assert.equal(await refusedOrUnavailable(`${replica.url}/readyz`), 'HTTP 503');
    assert.equal(await refusedOrUnavailable(`${replica.url}/healthz`), 'HTTP 200', 'still alive (liveness) while stopping');

    held.finish();
    const answer = await held.answered;
    assert.equal(answer.status, 200);
    assert.match(answer.text, /Creating the Apizee session/);

    const { code, at } = await exited;
    assert.equal(code, 0, replica.logs.slice(-20).join('\n'));
    assert.ok(at - signalledAt < 10_000 + 2000, `exited ${at - signalledAt} ms after SIGTERM`);
    // The creation acked just before the exit ran to its end: Apizee has the ticket, Slack the card.
    assert.ok([...sandboxes.apizee.tickets.values()].some((ticket) => ticket.reference === 'CASE-77'));
    assert.ok(sandboxes.slack.callsTo('chat.postMessage').some((call) => call.args.channel === CHANNEL && !call.args.thread_ts && JSON.stringify(call.args.blocks).includes('CASE-77')));
    assert.ok(replica.logs.some((line) => /Rendezvous stopped/.test(line)));
    assert.match(await refusedOrUnavailable(`${replica.url}/healthz`), /ECONNREFUSED/);
  });

  it('under load loses no acked creation: what the deadline cut short is finished by the next start, each exactly once', async () => {
    const first = await start('load', 2);
    const ref = (n: number) => `LOAD-${String(n).padStart(2, '0')}`;
    const send = async (url: string, n: number): Promise<'acked' | 'refused'> => {
      const body = new URLSearchParams({
        team_id: sandboxes.slack.teamId,
        channel_id: CHANNEL,
        user_id: AGENT,
        command: '/rendezvous',
        text: `+33 6 12 34 56 ${String(n).padStart(2, '0')} apizee ref:${ref(n)}`,
        api_app_id: sandboxes.slack.appId,
        response_url: sandboxes.slack.responseUrl(undefined, { channelId: CHANNEL, userId: AGENT }),
        trigger_id: sandboxes.slack.triggerId(AGENT),
      }).toString();
      try {
        const response = await fetch(`${url}/slack/events`, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded', ...signRequest(signingSecret, body) } });
        const text = await response.text();
        if (response.status === 200) {
          assert.match(text, /Creating the Apizee session/);
          return 'acked';
        }
        assert.equal(response.status, 503, text);
        return 'refused';
      } catch {
        return 'refused'; // the server had closed: Slack retries, nothing was acked
      }
    };
    const exited = exitOf(first);
    // Four lanes keep commands in flight; the signal lands after the fourth ack, while others are on the way.
    const outcomes: Array<'acked' | 'refused'> = [];
    let next = 0;
    let signalled = false;
    const lane = async () => {
      while (next < 20) {
        const n = next++;
        outcomes[n] = await send(first.url, n);
        if (!signalled && outcomes.filter((o) => o === 'acked').length >= 4) {
          signalled = true;
          first.process.kill('SIGTERM');
        }
      }
    };
    await Promise.all([lane(), lane(), lane(), lane()]);
    assert.equal((await exited).code, 0, first.logs.slice(-20).join('\n'));
    const acked = outcomes.flatMap((outcome, n) => (outcome === 'acked' ? [ref(n)] : []));
    const refused = outcomes.flatMap((outcome, n) => (outcome === 'refused' ? [ref(n)] : []));
    assert.ok(acked.length > 0, 'some commands were acked before the signal');
    assert.ok(refused.length > 0, 'the commands sent while stopping were refused');

    const ticketsFor = (reference: string) => [...sandboxes.apizee.tickets.values()].filter((ticket) => ticket.reference === reference).length;
    const cardsFor = (reference: string) =>
      sandboxes.slack.callsTo('chat.postMessage').filter((call) => call.args.channel === CHANNEL && !call.args.thread_ts && JSON.stringify(call.args.blocks).includes(reference)).length;
    // The next start, on the same database, finishes whatever the 2 s deadline cut short.
    await start('load', 10);
    const deadline = Date.now() + 45_000;
    while (!acked.every((reference) => ticketsFor(reference) === 1 && cardsFor(reference) === 1)) {
      assert.ok(Date.now() < deadline, `not every acked creation finished: ${acked.filter((r) => ticketsFor(r) !== 1 || cardsFor(r) !== 1).join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (const reference of acked) assert.deepEqual([reference, ticketsFor(reference), cardsFor(reference)], [reference, 1, 1], 'each acked creation exactly once');
    for (const reference of refused) assert.deepEqual([reference, ticketsFor(reference), cardsFor(reference)], [reference, 0, 0], 'nothing for a refused command');
  });

  it('exits 0 at the deadline when a request is still held, saying what was cut short', async () => {
    const replica = await start('deadline', 2);
    const held = heldCommand(replica.url, sandboxes, signingSecret, 'help');
    held.answered.catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const exited = exitOf(replica);
    const signalledAt = Date.now();
    replica.process.kill('SIGTERM');
    const { code, at } = await exited;
    assert.equal(code, 0, replica.logs.slice(-20).join('\n'));
    assert.ok(at - signalledAt >= 2000, 'it waited for the request until the deadline');
    assert.ok(at - signalledAt < 2000 + 3000, `exited ${at - signalledAt} ms after SIGTERM`);
    const warning = replica.logs.find((line) => /shutdown deadline reached/.test(line));
    assert.ok(warning);
    assert.match(warning, /"requestsAnswered":false/);
  });

  it('a second signal exits at once, without waiting for the deadline', async () => {
    const replica = await start('second-signal', 30);
    // Never finished: the shutdown would wait the whole 30 s for it.
    const held = heldCommand(replica.url, sandboxes, signingSecret, 'help');
    held.answered.catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const exited = exitOf(replica);
    replica.process.kill('SIGINT');
    await logged(replica, /Rendezvous is stopping/);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(replica.process.exitCode, null, 'the first signal waits for the request in flight');
    const secondAt = Date.now();
    replica.process.kill('SIGINT');
    const { code, at } = await exited;
    assert.equal(code, 130);
    assert.ok(at - secondAt < 2000, `exited ${at - secondAt} ms after the second signal`);
  });
});
