/**
 * Issue 9, "never a 429 from the budget": a burst of signed `/rendezvous` Apizee creations sent
 * at once, against the Apizee sandbox enforcing the documented 10 requests in any 60 s by arrival,
 * with requests taking a random time to reach its limiter (`latencyMs`). Once with the app in this
 * process (the local stack, SQLite ledger), once with two replicas sharing PostgreSQL (child
 * processes, the database ledger); each waits until every session is created and its invitation
 * is in its thread, then a little longer for tracking, and counts the sandbox's 429 answers.
 *
 * The login and twelve creations are thirteen requests: the last three wait about a minute for
 * a slot, so each run takes a little over a minute. Runnable alone:
 *     npx tsx scripts/bench/burst.ts
 * BURST_CREATIONS (12), BURST_LATENCY_MS=min-max (50-1500) and BURST_SETUPS ("one app,two replicas") vary it.
 */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { ApizeeLatency } from '../../sandbox/apizee.js';
import { sandboxEnvironment, startLocalStack, startSandboxes, type Sandboxes } from '../../sandbox/local-stack.js';
import { SlackRequester } from '../../sandbox/slack-requests.js';
import { freshPostgresDatabase, stopSharedPostgres } from '../../test/helpers/databases.js';
import { startReplica, type Replica } from '../../test/helpers/replica.js';
import { count } from '../../test/helpers/replica-scenario.js';
import { maxInWindow, sleep, waitUntil } from './stats.js';

const RATE_PER_MINUTE = 10;
/** How long a run may take before it is called failed: the last creations wait about a minute. */
const CREATION_TIMEOUT_MS = 4 * 60_000;
/** Tracking goes on after the burst; a 429 it drew would count too. */
const AFTERWARDS_MS = 5000;

export interface BurstRun {
  setup: string;
  /** Undefined when it ran; else why not. */
  problem?: string;
  creations: number;
  created: number;
  invited: number;
  /** Apizee requests the app sent (login, creations, tracking). */
  apizeeRequests: number;
  rateLimited: number;
  /** Most requests the sandbox accepted in any 60 s. */
  maxPer60s: number;
  /** From the first command to the last ticket created. */
  lastCreatedAfterS: number;
  seconds: number;
}

export interface BurstResults {
  ratePerMinute: number;
  latencyMs: ApizeeLatency;
  runs: BurstRun[];
}

export async function benchBurst(options: {
  creations: number;
  latencyMs: ApizeeLatency;
  /** Which setups to run (default both). */
  setups?: ReadonlyArray<'one app' | 'two replicas'>;
  log?: (line: string) => void;
}): Promise<BurstResults> {
  const log = options.log ?? (() => undefined);
  const setups = options.setups ?? ['one app', 'two replicas'];
  const runs: BurstRun[] = [];
  for (const setup of setups) {
    const run = setup === 'one app' ? await burstOnOneApp(options) : await burstOnTwoReplicas(options);
    log(`  ${run.setup}: ${describeRun(run)}`);
    runs.push(run);
  }
  return { ratePerMinute: RATE_PER_MINUTE, latencyMs: options.latencyMs, runs };
}

export function describeRun(run: BurstRun): string {
  if (run.problem) return `not completed: ${run.problem}`;
  return (
    `${run.created}/${run.creations} created (last after ${run.lastCreatedAfterS.toFixed(0)} s), ` +
    `${run.rateLimited} Apizee 429s, ${run.apizeeRequests} Apizee requests, at most ${run.maxPer60s} in any 60 s`
  );
}

async function burstOnOneApp(options: { creations: number; latencyMs: ApizeeLatency }): Promise<BurstRun> {
  const started = Date.now();
  const stack = await startLocalStack({
    vendors: ['apizee'],
    apizeeRatePerMinute: RATE_PER_MINUTE,
    apizeeLatencyMs: options.latencyMs,
    env: { TRACK_INTERVAL_SECONDS: '1' },
  });
  try {
    return await sendBurst('one app, in process (SQLite ledger)', stack, [stack.requester], options.creations, started);
  } finally {
    await stack.close();
  }
}

async function burstOnTwoReplicas(options: { creations: number; latencyMs: ApizeeLatency }): Promise<BurstRun> {
  const started = Date.now();
  const setup = 'two replicas on PostgreSQL (database ledger)';
  const database = await freshPostgresDatabase();
  if (!database) return emptyRun(setup, options.creations, started, 'no PostgreSQL server binary on this machine');
  const sandboxes = await startSandboxes({ apizeeRatePerMinute: RATE_PER_MINUTE, apizeeLatencyMs: options.latencyMs });
  const replicas: Replica[] = [];
  try {
    const signingSecret = randomBytes(16).toString('hex');
    const env = {
      ...sandboxEnvironment(sandboxes, { vendors: ['apizee'], apizeeRatePerMinute: RATE_PER_MINUTE }),
      SLACK_SIGNING_SECRET: signingSecret,
      ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      DATABASE_URL: database.url,
      TRACK_INTERVAL_SECONDS: '1',
    };
    replicas.push(...(await Promise.all([startReplica(env), startReplica(env)])));
    const requesters = replicas.map((replica) => new SlackRequester({ appUrl: replica.url, signingSecret, fakeSlack: sandboxes.slack }));
    return await sendBurst(setup, sandboxes, requesters, options.creations, started);
  } catch (error) {
    return emptyRun(setup, options.creations, started, error instanceof Error ? error.message.split('\n')[0]! : String(error));
  } finally {
    await Promise.all(replicas.map((replica) => replica.stop()));
    await sandboxes.close();
    await database.drop();
    await stopSharedPostgres();
  }
}

/** Sends every creation at once (spread over `requesters` in turn), waits for them, counts. */
async function sendBurst(
  setup: string,
  sandboxes: Pick<Sandboxes, 'apizee' | 'slack'>,
  requesters: SlackRequester[],
  creations: number,
  started: number,
): Promise<BurstRun> {
  const sentAt = Date.now();
  const acks = await Promise.all(
    Array.from({ length: creations }, (_, i) =>
      requesters[i % requesters.length]!.slash(`+3361234${String(5000 + i)} ref:BURST-${i}`, { channelId: `C0BURST${i % 4}`, userId: 'U0AGENT' }),
    ),
  );
  const refused = acks.filter((ack) => ack.status !== 200).length;
  let problem = refused > 0 ? `${refused} commands not acked with 200` : undefined;
  const done = await waitUntil(
    () => sandboxes.apizee.tickets.size >= creations && count(sandboxes as Sandboxes, 'invited') >= creations,
    CREATION_TIMEOUT_MS,
    100,
  );
  if (!done) problem ??= `not every session was created within ${CREATION_TIMEOUT_MS / 60_000} minutes`;
  await sleep(AFTERWARDS_MS);
  const tickets = [...sandboxes.apizee.tickets.values()];
  const accepted = sandboxes.apizee.requests.filter((request) => request.status !== 429).map((request) => request.at.getTime());
  return {
    setup,
    problem,
    creations,
    created: tickets.length,
    invited: count(sandboxes as Sandboxes, 'invited'),
    apizeeRequests: sandboxes.apizee.requests.length,
    rateLimited: sandboxes.apizee.rateLimitedCount,
    maxPer60s: maxInWindow(accepted, 60_000),
    lastCreatedAfterS: tickets.length > 0 ? (Math.max(...tickets.map((ticket) => ticket.created.getTime())) - sentAt) / 1000 : Number.NaN,
    seconds: (Date.now() - started) / 1000,
  };
}

function emptyRun(setup: string, creations: number, started: number, problem: string): BurstRun {
  return {
    setup,
    problem,
    creations,
    created: 0,
    invited: 0,
    apizeeRequests: 0,
    rateLimited: 0,
    maxPer60s: 0,
    lastCreatedAfterS: Number.NaN,
    seconds: (Date.now() - started) / 1000,
  };
}

/** `min-max` in ms, e.g. `50-1500`. */
function latencyFrom(text: string | undefined): ApizeeLatency | undefined {
  const match = /^(\d+)-(\d+)$/.exec(text ?? '');
  return match ? { min: Number(match[1]), max: Number(match[2]) } : undefined;
}

/** Random time to reach Apizee's limiter: up to 1.5 s, more than the budget's 1 s margin. */
export const BURST_LATENCY_MS: ApizeeLatency = { min: 50, max: 1500 };

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const creations = Number(process.env.BURST_CREATIONS ?? 12);
  const latencyMs = latencyFrom(process.env.BURST_LATENCY_MS) ?? BURST_LATENCY_MS;
  console.log(`${creations} Apizee creations at once, sandbox at ${RATE_PER_MINUTE} a minute, latency ${latencyMs.min}–${latencyMs.max} ms`);
  const setups = process.env.BURST_SETUPS?.split(',').map((setup) => setup.trim()) as Array<'one app' | 'two replicas'> | undefined;
  const results = await benchBurst({ creations, latencyMs, setups, log: console.log });
  const failed = results.runs.some((run) => run.problem || run.rateLimited > 0);
  process.exit(failed ? 1 : 0);
}
