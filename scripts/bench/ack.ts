/**
 * Benchmark 1: ack latency of signed `/rendezvous` commands over keep-alive connections, measured
 * from outside, for Rendezvous (the compiled app, `node dist/main.js`, SQLite) and a bare Bolt app
 * on the same receiver (bare-bolt.mjs) doing the same Slack work, each alone in a child process of
 * its own, in the same run, against the same fake Slack API and the same Apizee sandbox (behind a
 * proxy that answers each ticket creation after a fixed delay, 5 s by default).
 *
 * Three paths:
 *  - help:   ack with the usage text;
 *  - modal:  ack, then views.open with the invite modal (9 inputs);
 *  - create: ack with the "creating" line, then the session card is posted, and updated once Apizee
 *            answered (Rendezvous also writes its rows and posts the first thread reply).
 * The baseline's texts, modal and cards are the ones Rendezvous produced in the same run
 * (fixtures.ts).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApizeeSandbox, type ApizeeSandbox } from '../../sandbox/apizee.js';
import { SANDBOX_APIZEE_ACCOUNT } from '../../sandbox/local-stack.js';
import { startFakeSlackApi, type FakeSlackApi, type FakeSlackCall } from '../../sandbox/slack-api.js';
import { APP_MAIN_COMPILED, BARE_BOLT_MAIN, freePort, procCpuSeconds, spawnApp, type ChildApp } from './child.js';
import { startDelayProxy, type DelayProxy } from './delay-proxy.js';
import { captureFixtures, type FixtureSummary } from './fixtures.js';
import { runLoadInWorker, type LoadResult } from './load.js';
import { slashCommands } from './slash.js';
import { percentile, sleep, waitUntil } from './stats.js';

export const ACK_DEADLINE_MS = 3000;
const RAISED_LIMIT = 100_000;

export type Scenario = 'help' | 'modal' | 'create';
export type AckApp = 'bare Bolt' | 'Rendezvous';

export const SCENARIOS: Record<Scenario, { text: string; label: string }> = {
  help: { text: 'help', label: 'help (ack with text)' },
  modal: { text: '', label: 'modal (ack + views.open)' },
  create: { text: '+33612345678', label: 'create (ack + card posted, updated after Apizee)' },
};
const APPS: readonly AckApp[] = ['bare Bolt', 'Rendezvous'];
const CHANNEL_PREFIX: Record<AckApp, string> = { 'bare Bolt': 'C0BARE', Rendezvous: 'C0RDV' };

export interface AckLevel {
  concurrency: number;
  requests: number;
}

export interface AckRound {
  scenario: Scenario;
  app: AckApp;
  concurrency: number;
  /** Which repetition of this scenario and level (0-based). */
  repeat: number;
  planned: number;
  result: LoadResult;
  p50: number;
  p99: number;
  max: number;
  overDeadline: number;
  non200: number;
  /** CPU time of the app's process per command, over the round and its settling. */
  cpuMsPerCommand: number;
  /** Slack Web API calls the fake received during the round and its settling, by method. */
  slackCalls: Record<string, number>;
}

/** An app's figures at one scenario and level: the median over the repetitions of each round's percentile. */
export interface AckFigure {
  p50: number;
  p99: number;
  /** Each repetition's p99, in order. */
  p99s: number[];
}

export interface AckComparison {
  scenario: Scenario;
  concurrency: number;
  bare: AckFigure;
  rendezvous: AckFigure;
  p50Ratio: number;
  p99Ratio: number;
}

export interface AckResults {
  rounds: AckRound[];
  comparisons: AckComparison[];
  fixtures: FixtureSummary;
  vendorDelayMs: number;
  warmup: number;
  repeats: number;
  channels: number;
  /** Tickets the Apizee sandbox created (capture, warm-ups and rounds). */
  ticketsCreated: number;
}

export interface AckOptions {
  levels: AckLevel[];
  scenarios?: Scenario[];
  timeBoundMs: number;
  warmup: number;
  /** Rounds per app, scenario and level (the apps take turns, alternating who goes first); figures are medians over them. */
  repeats?: number;
  channels: number;
  /** How long Apizee takes to answer a ticket creation (the baseline waits as long before its update). */
  vendorDelayMs?: number;
  log: (line: string) => void;
  /** Extra node arguments for the Rendezvous child (e.g. `--cpu-prof`). */
  appNodeArgs?: string[];
}

export async function benchAck(options: AckOptions): Promise<AckResults> {
  const vendorDelayMs = options.vendorDelayMs ?? 5000;
  const repeats = options.repeats ?? 1;
  const profiling = options.appNodeArgs?.includes('--cpu-prof') ?? false;
  const scenarios = options.scenarios ?? (['help', 'modal', 'create'] as Scenario[]);
  const dir = mkdtempSync(join(tmpdir(), 'rendezvous-bench-ack-'));
  const proxy = await startDelayProxy({
    match: (method, path) => method === 'POST' && /\/tickets$/.test(path),
    minMs: vendorDelayMs,
    maxMs: vendorDelayMs,
  });
  let apizee: ApizeeSandbox | undefined;
  let slack: FakeSlackApi | undefined;
  let rendezvous: ChildApp | undefined;
  let bare: ChildApp | undefined;
  try {
    apizee = await startApizeeSandbox({ ratePerMinute: RAISED_LIMIT, accounts: [SANDBOX_APIZEE_ACCOUNT] });
    slack = await startFakeSlackApi();
    const s = slack;
    proxy.setTarget(new URL(apizee.url).origin);
    const signingSecret = randomBytes(16).toString('hex');
    let generation = 0;
    const startRendezvous = () => spawnRendezvous(dir, generation++, s, signingSecret, proxy, options.appNodeArgs);

    rendezvous = await startRendezvous();
    options.log('  capturing what Rendezvous answers and sends on each path (one create waits for Apizee) …');
    const captured = await captureFixtures(s, signingSecret, rendezvous.url, SCENARIOS.create.text);
    const fixturesPath = join(dir, 'fixtures.json');
    writeFileSync(fixturesPath, JSON.stringify(captured.fixtures));
    const f = captured.summary;
    options.log(
      `  help text ${f.helpChars} chars; modal ${f.modalInputs} inputs in ${f.modalBlocks} blocks (${f.modalBytes} bytes); ` +
        `card ${f.cardBytes} bytes, updated card ${f.updatedBytes} bytes; one create made ${describeCalls(f.createCalls)}`,
    );
    bare = await spawnBare(dir, s, signingSecret, fixturesPath, vendorDelayMs);

    const child = (app: AckApp) => (app === 'bare Bolt' ? bare! : rendezvous!);
    const load = (app: AckApp, scenario: Scenario, count: number, concurrency: number) =>
      runLoadInWorker({
        url: `${child(app).url}/slack/events`,
        requests: slashCommands(s, signingSecret, SCENARIOS[scenario].text, count, options.channels, CHANNEL_PREFIX[app]),
        concurrency,
        timeBoundMs: options.timeBoundMs,
      });
    const since = (from: number, method: string, app?: AckApp) =>
      s.calls.slice(from).filter((call) => call.method === method && (app === undefined || String(call.args.channel ?? '').startsWith(CHANNEL_PREFIX[app]))).length;
    /** Waits for the work each app does after its acks (views opened; the baseline's card updates). */
    const settle = async (app: AckApp, scenario: Scenario, acked: number, from: number) => {
      if (scenario === 'modal') await waitUntil(() => since(from, 'views.open') >= acked, 10_000, 20);
      else if (scenario === 'create' && app === 'bare Bolt') await waitUntil(() => since(from, 'chat.update', app) >= acked, vendorDelayMs + 10_000, 50);
      // Rendezvous works creations off 16 at a time; its backlog is dropped with its process.
      else if (scenario === 'create') await sleep(1000);
    };
    const warm = async (app: AckApp, scenario: Scenario) => {
      const from = s.calls.length;
      if (scenario !== 'create') {
        const result = await load(app, scenario, options.warmup, 10);
        return settle(app, scenario, result.sent, from);
      }
      // As many creates as the other paths get, so that both apps start each round as warm. Apizee
      // answers Rendezvous's at once meanwhile: its backlog is worked off before the round, as the
      // baseline's updates are (they wait for the same 5 s only in the rounds).
      if (app === 'Rendezvous') proxy.setDelay(0, 0);
      try {
        const result = await load(app, scenario, options.warmup, 10);
        const drained = await waitUntil(() => since(from, 'chat.update', app) >= result.sent, vendorDelayMs + 120_000, 50);
        if (!drained) options.log(`  ${app}: create warm-up not worked off within ${vendorDelayMs / 1000 + 120} s`);
        // Rendezvous answers through the response_url and posts the first thread reply after the update.
        await sleep(1000);
      } finally {
        proxy.setDelay(vendorDelayMs, vendorDelayMs);
      }
    };
    const restartRendezvous = async () => {
      await kill(rendezvous!, profiling);
      rendezvous = await startRendezvous();
      for (const scenario of ['help', 'modal', 'create'] as const) await warm('Rendezvous', scenario);
    };

    const rounds: AckRound[] = [];
    let rendezvousBusy = false;
    for (const scenario of scenarios) {
      options.log(`  ${scenario}: warm-up (${options.warmup} commands to each app)`);
      for (const app of APPS) {
        if (app === 'Rendezvous' && rendezvousBusy) {
          await restartRendezvous();
          rendezvousBusy = false;
        }
        await warm(app, scenario);
      }
      for (const level of options.levels) {
        for (let repeat = 0; repeat < repeats; repeat++) {
          for (const app of repeat % 2 === 0 ? APPS : [...APPS].reverse()) {
            if (app === 'Rendezvous' && rendezvousBusy) {
              await restartRendezvous();
              rendezvousBusy = false;
            }
            const pid = child(app).pid;
            const from = s.calls.length;
            const cpuBefore = procCpuSeconds(pid);
            const result = await load(app, scenario, level.requests, level.concurrency);
            await settle(app, scenario, result.sent - (result.statuses.error ?? 0), from);
            const cpuMsPerCommand = ((procCpuSeconds(pid) - cpuBefore) * 1000) / result.sent;
            const round = summarise(scenario, app, level, repeat, result, cpuMsPerCommand, tally(s.calls.slice(from)));
            rounds.push(round);
            options.log(
              `  ${scenario.padEnd(6)} ${app.padEnd(10)} ${String(level.concurrency).padStart(2)} conns${repeats > 1 ? ` #${repeat + 1}` : ''}: ${result.sent} sent in ${(result.wallMs / 1000).toFixed(1)} s, ` +
                `p50 ${round.p50.toFixed(2)} ms, p99 ${round.p99.toFixed(2)} ms, max ${round.max.toFixed(1)} ms, over 3 s ${round.overDeadline}, non-200 ${round.non200}, ` +
                `CPU ${cpuMsPerCommand.toFixed(2)} ms/command; Slack: ${describeCalls(round.slackCalls)}`,
            );
            if (scenario === 'create' && app === 'Rendezvous') {
              // Its backlog (cards still to post, Apizee answers to wait for) would compete with the next round.
              await kill(rendezvous!, profiling);
              rendezvousBusy = true;
            }
          }
        }
      }
    }

    const comparisons: AckComparison[] = [];
    for (const scenario of scenarios) {
      for (const level of options.levels) {
        const figure = (app: AckApp): AckFigure => {
          const mine = rounds.filter((r) => r.scenario === scenario && r.app === app && r.concurrency === level.concurrency);
          return { p50: median(mine.map((r) => r.p50)), p99: median(mine.map((r) => r.p99)), p99s: mine.map((r) => r.p99) };
        };
        const a = figure('bare Bolt');
        const b = figure('Rendezvous');
        comparisons.push({ scenario, concurrency: level.concurrency, bare: a, rendezvous: b, p50Ratio: b.p50 / a.p50, p99Ratio: b.p99 / a.p99 });
      }
    }
    return {
      rounds,
      comparisons,
      fixtures: captured.summary,
      vendorDelayMs,
      warmup: options.warmup,
      repeats,
      channels: options.channels,
      ticketsCreated: apizee.requests.filter((r) => r.method === 'POST' && r.path === '/api/tickets' && r.status === 200).length,
    };
  } finally {
    if (rendezvous) await kill(rendezvous);
    await bare?.stop();
    await slack?.close().catch(() => undefined);
    await apizee?.close().catch(() => undefined);
    await proxy.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Kills the child at once; `graceful` sends SIGTERM instead, so that a `--cpu-prof` child writes its profile. */
export async function kill(child: ChildApp, graceful = false): Promise<void> {
  if (!child.exited) child.process.kill(graceful ? 'SIGTERM' : 'SIGKILL');
  await child.stop();
}

export function describeCalls(calls: Record<string, number>): string {
  const entries = Object.entries(calls);
  return entries.length === 0 ? 'no calls' : entries.map(([method, n]) => `${method} ×${n}`).join(', ');
}

function tally(calls: readonly FakeSlackCall[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const call of calls) {
    const key = call.method === 'chat.postMessage' && call.args.thread_ts ? 'chat.postMessage (thread)' : call.method;
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

export async function spawnBare(dir: string, slack: FakeSlackApi, signingSecret: string, fixturesPath: string, vendorDelayMs: number): Promise<ChildApp> {
  const port = await freePort();
  return spawnApp({
    entry: BARE_BOLT_MAIN,
    cwd: dir,
    port,
    logPath: join(dir, 'bare.log'),
    healthPath: '/healthz',
    env: {
      SLACK_SIGNING_SECRET: signingSecret,
      SLACK_API_URL: slack.apiUrl,
      PORT: String(port),
      BARE_FIXTURES: fixturesPath,
      BARE_VENDOR_DELAY_MS: String(vendorDelayMs),
    },
  });
}

/** The environment of `node dist/main.js` with only Apizee configured, production logging, its own SQLite file. */
export function rendezvousEnv(options: { slackApiUrl: string; signingSecret: string; port: number; databaseFile: string; apizeeApiUrl: string }): Record<string, string> {
  return {
    SLACK_SIGNING_SECRET: options.signingSecret,
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_API_URL: options.slackApiUrl,
    PORT: String(options.port),
    DATABASE_URL: `file:${options.databaseFile}`,
    ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    LOG_LEVEL: 'info',
    TRACK_INTERVAL_SECONDS: '30',
    APIZEE_API_URL: options.apizeeApiUrl,
    APIZEE_USERNAME: SANDBOX_APIZEE_ACCOUNT.username,
    APIZEE_PASSWORD: SANDBOX_APIZEE_ACCOUNT.password,
    APIZEE_ENTERPRISE_ID: String(SANDBOX_APIZEE_ACCOUNT.enterpriseId),
    APIZEE_AGENT: 'agent@example.com',
    APIZEE_RATE_LIMIT_PER_MINUTE: String(RAISED_LIMIT),
  };
}

export async function spawnRendezvous(dir: string, generation: number, slack: FakeSlackApi, signingSecret: string, proxy: DelayProxy, nodeArgs?: string[]): Promise<ChildApp> {
  const port = await freePort();
  return spawnApp({
    entry: APP_MAIN_COMPILED,
    cwd: dir,
    port,
    logPath: join(dir, `app-${generation}.log`),
    healthPath: '/healthz',
    nodeArgs,
    env: rendezvousEnv({ slackApiUrl: slack.apiUrl, signingSecret, port, databaseFile: join(dir, `rendezvous-${generation}.db`), apizeeApiUrl: `${proxy.url}/api` }),
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function summarise(scenario: Scenario, app: AckApp, level: AckLevel, repeat: number, result: LoadResult, cpuMsPerCommand: number, slackCalls: Record<string, number>): AckRound {
  const non200 = Object.entries(result.statuses)
    .filter(([status]) => status !== '200')
    .reduce((sum, [, n]) => sum + n, 0);
  return {
    scenario,
    app,
    concurrency: level.concurrency,
    repeat,
    planned: level.requests,
    result,
    p50: percentile(result.latenciesMs, 50),
    p99: percentile(result.latenciesMs, 99),
    max: Math.max(...result.latenciesMs),
    // A command that got no answer at all is as late as one answered after the deadline.
    overDeadline: result.latenciesMs.filter((latency) => latency > ACK_DEADLINE_MS).length + (result.statuses.error ?? 0),
    non200,
    cpuMsPerCommand,
    slackCalls,
  };
}
