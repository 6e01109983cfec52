/**
 * `kill -9` of a replica (a real child process) during creation (acked, Apizee asked but not
 * answered yet), during tracking and in the middle of a thread reply (Slack carried it out, the
 * answer never came back), then a replica started again on the same database: nothing lost,
 * nothing created or posted twice.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sandboxEnvironment, startSandboxes } from '../../sandbox/local-stack.js';
import { SlackRequester } from '../../sandbox/slack-requests.js';
import { startReplica, type Replica } from '../../test/helpers/replica.js';
import { Campaign, FAST_ENV, onBothDatabases, until, type Drill, type DrillContext, type DrillResult } from './harness.js';

const SESSIONS = 8;

interface Fleet {
  campaign: Campaign;
  replicas: Replica[];
  sandboxes: Awaited<ReturnType<typeof startSandboxes>>;
  start(): Promise<Replica>;
}

async function fleet(ctx: DrillContext, count: number, extraEnv: Record<string, string> = {}): Promise<Fleet> {
  const sandboxes = await startSandboxes({ apizeeRatePerMinute: 600 });
  ctx.defer(() => sandboxes.close());
  let databaseEnv = await ctx.databaseEnv();
  if (!databaseEnv.DATABASE_URL) {
    // Replicas share one SQLite file, as the replica test does.
    const dir = mkdtempSync(join(tmpdir(), 'rdv-drill-'));
    ctx.defer(() => rmSync(dir, { recursive: true, force: true }));
    databaseEnv = { DATABASE_URL: `file:${join(dir, 'rendezvous.db')}` };
  }
  const signingSecret = randomBytes(16).toString('hex');
  const env = {
    ...sandboxEnvironment(sandboxes, { vendors: ['apizee'], apizeeRatePerMinute: 600 }),
    ...FAST_ENV,
    ...databaseEnv,
    SLACK_SIGNING_SECRET: signingSecret,
    ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    ...extraEnv,
  };
  const replicas: Replica[] = [];
  ctx.defer(() => Promise.all(replicas.map((replica) => replica.stop())));
  const alive = () => replicas.filter((replica) => replica.process.exitCode === null && replica.process.signalCode === null);
  const requesters = () => alive().map((replica) => new SlackRequester({ appUrl: replica.url, signingSecret, fakeSlack: sandboxes.slack }));
  const start = async () => {
    const replica = await startReplica(env);
    replicas.push(replica);
    return replica;
  };
  for (let i = 0; i < count; i++) await start();
  return { campaign: new Campaign(sandboxes, requesters), replicas, sandboxes, start };
}

/** Apizee holds its answers to `POST /tickets` (and to ticket lists) this long: it made the ticket, it has not said so. */
const APIZEE_SLOW_MS = 5000;
/** Acked just before the kill, their cards held up by a Slack 429: no card, no vendor call yet. */
const LATE_SESSIONS = 2;

/**
 * One replica, Apizee answering slowly: sessions acked (row and creation job written before the
 * ack) and asked of Apizee, which made the tickets but has not answered, and a few more acked but
 * not yet carded; the replica is killed -9 and a new one started on the same database. Once the
 * dead one's leases run out, it must adopt each ticket by its reference (never POST again), card
 * and create the rest, and take every session through its life: one card, one ticket, one
 * "invited" reply each.
 */
async function killedDuringCreation(ctx: DrillContext): Promise<DrillResult> {
  // The app waits for slow Apizee rather than timing out: the kill, not a timeout, interrupts the calls.
  const { campaign, replicas, sandboxes, start } = await fleet(ctx, 1, { APIZEE_TIMEOUT_SECONDS: '15' });
  const tickets = /^\/api\/tickets$/;
  sandboxes.apizee.faults.setDelay(tickets, APIZEE_SLOW_MS);
  const ticketPosts = () => sandboxes.apizee.requests.filter((request) => request.method === 'POST' && tickets.test(request.path)).length;
  await campaign.create(SESSIONS);
  if (!(await until(() => ticketPosts() >= SESSIONS, 10_000, 10))) throw new Error(`only ${ticketPosts()} of ${SESSIONS} POST /tickets reached Apizee`);
  sandboxes.slack.failNext('chat.postMessage', 'ratelimited', { status: 429, retryAfter: 30 });
  await campaign.create(LATE_SESSIONS);
  const from = Date.now();
  await replicas[0]!.crash();
  const answered = sandboxes.slack.callsTo('chat.postMessage').filter((call) => /sent the invitation/.test(call.args.text ?? '')).length;
  if (answered > 0 || campaign.started.length !== SESSIONS + LATE_SESSIONS) {
    throw new Error(`not killed mid-creation: ${answered} sessions already invited, ${campaign.started.length} acked`);
  }
  await start();
  await campaign.waitComplete(60_000);
  sandboxes.apizee.faults.setDelay(tickets, 0);
  const result = await campaign.account(from, await campaign.live(), 2500);
  // Every acked creation must end with its ticket (a session settled as failed would count as done above).
  const missing = campaign.started.filter((started) => campaign.ticketsOf(started.ref).length === 0);
  return {
    ...result,
    lost: result.lost + missing.length,
    details: [...(result.details ?? []), ...missing.map((started) => `${started.ref}: no Apizee ticket`)],
  };
}

/** Two replicas; one killed once guests start joining; a new one started on the same database. */
async function killedDuringTracking(ctx: DrillContext): Promise<DrillResult> {
  const { campaign, replicas, sandboxes, start } = await fleet(ctx, 2);
  await campaign.create(SESSIONS);
  await campaign.waitComplete(20_000);
  campaign.join();
  const joined = () => sandboxes.slack.callsTo('chat.postMessage').filter((call) => /guest joined/.test(call.args.text ?? '')).length;
  await until(() => joined() > 0, 10_000, 10);
  const from = Date.now();
  await replicas[0]!.crash();
  await start();
  await campaign.waitComplete(30_000);
  campaign.end();
  return campaign.account(from, await campaign.waitComplete(30_000), 2500);
}

/** One replica, killed while Slack holds the answer to a thread reply it already posted; restarted. */
async function killedDuringOutboxSend(ctx: DrillContext): Promise<DrillResult> {
  const { campaign, replicas, sandboxes, start } = await fleet(ctx, 1);
  await campaign.create(SESSIONS);
  await campaign.waitComplete(20_000);
  const before = sandboxes.slack.calls.length;
  sandboxes.slack.loseAnswerNext('chat.postMessage', { mode: 'hang' });
  campaign.join();
  await until(() => sandboxes.slack.calls.slice(before).some((call) => call.method === 'chat.postMessage' && /guest joined/.test(call.args.text ?? '')), 10_000, 5);
  const from = Date.now();
  await replicas[0]!.crash();
  await start();
  await campaign.waitComplete(30_000);
  campaign.end();
  return campaign.account(from, await campaign.waitComplete(30_000), 2500);
}

export const crashDrills: Drill[] = [
  ...onBothDatabases('kill -9 during creation (Apizee not answered yet), restarted', killedDuringCreation),
  ...onBothDatabases('kill -9 of a replica during tracking, restarted', killedDuringTracking),
  ...onBothDatabases('kill -9 during a thread reply (answer held), restarted', killedDuringOutboxSend),
];
