/**
 * Benchmark 1: how fast slash commands are acknowledged while Apizee takes 2–10 s to create each
 * ticket, for a bare Bolt app and for Rendezvous, on the same machine in the same run.
 *
 * Two pairings, each against the same fake Slack and the same Apizee sandbox (behind a proxy that
 * holds each ticket creation 2–10 s):
 *  - in-process: Rendezvous as `startLocalStack` runs it (sharing its process with the sandboxes
 *    and the fake Slack) against a bare Bolt app in that same process;
 *  - own process: each app alone in a child process (`node --import tsx`), as it would be deployed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import type { App } from '@slack/bolt';
import { SANDBOX_APIZEE_ACCOUNT, startLocalStack, type LocalStack } from '../../sandbox/local-stack.js';
import { bareBoltApp } from './bare-bolt.js';
import { APP_MAIN, freePort, procCpuSeconds, spawnApp, type ChildApp } from './child.js';
import { startDelayProxy, type DelayProxy } from './delay-proxy.js';
import { runLoadInWorker, type LoadResult } from './load.js';
import { slashCommands } from './slash.js';
import { percentile, waitUntil } from './stats.js';

export const ACK_DEADLINE_MS = 3000;
const RAISED_LIMIT = 100_000;
const TEXT = '+33612345678';

export type AckMode = 'in-process' | 'own process';
export type AckApp = 'bare Bolt' | 'Rendezvous';

export interface AckLevel {
  concurrency: number;
  requests: number;
}

export interface AckRound {
  mode: AckMode;
  app: AckApp;
  concurrency: number;
  planned: number;
  result: LoadResult;
  p50: number;
  p99: number;
  max: number;
  overDeadline: number;
  non200: number;
  /** CPU time of the app's process per command (own process only; NaN in-process). */
  cpuMsPerCommand: number;
}

export interface AckComparison {
  mode: AckMode;
  concurrency: number;
  bare: AckRound;
  rendezvous: AckRound;
  p50Ratio: number;
  p99Ratio: number;
}

export interface AckResults {
  rounds: AckRound[];
  comparisons: AckComparison[];
  /** Ticket creations the sandbox answered during the measured Rendezvous rounds and their drains. */
  ticketsCreated: number;
  heldDelays: { count: number; minMs: number; maxMs: number };
  /** TCP connections the apps opened to Apizee (through the proxy). */
  apizeeConnections: number;
  channels: number;
}

export interface AckOptions {
  levels: AckLevel[];
  timeBoundMs: number;
  warmup: number;
  channels: number;
  log: (line: string) => void;
  /** Which pairings to run (default both). */
  modes?: AckMode[];
  /** Extra node arguments for the child Rendezvous (e.g. `--cpu-prof` when investigating). */
  appNodeArgs?: string[];
}

export async function benchAck(options: AckOptions): Promise<AckResults> {
  const dir = mkdtempSync(join(tmpdir(), 'rendezvous-bench-ack-'));
  const proxy = await startDelayProxy({
    match: (method, path) => method === 'POST' && /\/tickets$/.test(path),
    minMs: 2000,
    maxMs: 10_000,
  });
  let stack: LocalStack | undefined;
  let bare: App | undefined;
  const children: ChildApp[] = [];
  try {
    stack = await startLocalStack({
      apizeeRatePerMinute: RAISED_LIMIT,
      // Production's tracking interval: this part measures the interactive path, not polling.
      env: { APIZEE_API_URL: `${proxy.url}/api`, TRACK_INTERVAL_SECONDS: '30' },
    });
    const s = stack;
    proxy.setTarget(new URL(s.apizee.url).origin);
    const prepare = (count: number) => slashCommands(s.slack, s.signingSecret, TEXT, count, options.channels);
    const ticketsBefore = countCreated(s);
    const delaysBefore = proxy.delays.length;
    const rounds: AckRound[] = [];

    /** Measures both apps of one pairing; `pids` (own process only) give their CPU time per command. */
    const measure = async (mode: AckMode, bareUrl: string, appUrl: string, pids?: Record<AckApp, number>) => {
      options.log(`  ${mode}: warm-up, ${options.warmup} commands to each app`);
      await runLoadInWorker({ url: bareUrl, requests: prepare(options.warmup), concurrency: 10, timeBoundMs: options.timeBoundMs });
      await runLoadInWorker({ url: appUrl, requests: prepare(options.warmup), concurrency: 10, timeBoundMs: options.timeBoundMs });
      await drain(proxy);
      for (const level of options.levels) {
        for (const [app, url] of [['bare Bolt', bareUrl], ['Rendezvous', appUrl]] as const) {
          const cpuBefore = pids ? procCpuSeconds(pids[app]) : Number.NaN;
          const result = await runLoadInWorker({ url, requests: prepare(level.requests), concurrency: level.concurrency, timeBoundMs: options.timeBoundMs });
          // Rendezvous finishes each session once Apizee answers: its CPU time counts until then.
          if (app === 'Rendezvous') await drain(proxy);
          const cpuMsPerCommand = ((procCpuSeconds(pids?.[app] ?? 0) - cpuBefore) * 1000) / result.sent;
          const round = summarise(mode, app, level, result, cpuMsPerCommand);
          rounds.push(round);
          options.log(
            `  ${mode.padEnd(11)} ${app.padEnd(10)} ${String(level.concurrency).padStart(2)} conns: ${result.sent} sent in ${(result.wallMs / 1000).toFixed(1)} s, ` +
              `p50 ${round.p50.toFixed(2)} ms, p99 ${round.p99.toFixed(2)} ms, max ${round.max.toFixed(1)} ms, over 3 s ${round.overDeadline}, non-200 ${round.non200}` +
              (Number.isFinite(cpuMsPerCommand) ? `, CPU ${cpuMsPerCommand.toFixed(2)} ms/command` : ''),
          );
        }
      }
    };

    const modes = options.modes ?? ['in-process', 'own process'];
    if (modes.includes('in-process')) {
      // Rendezvous from startLocalStack; a bare Bolt app in the same process.
      bare = bareBoltApp(s.signingSecret, s.slack.apiUrl);
      const bareServer = (await bare.start({ port: 0, host: '127.0.0.1' })) as Server;
      await measure('in-process', `http://127.0.0.1:${(bareServer.address() as AddressInfo).port}/slack/events`, `${s.appUrl}/slack/events`);
      await bare.stop();
      bare = undefined;
    }
    if (modes.includes('own process')) {
      // Each app alone in a child process; the sandboxes, fake Slack and load generator here.
      const bareChild = await spawnBareBolt(dir, s);
      children.push(bareChild);
      const appChild = await spawnRendezvous(dir, s, proxy, options.appNodeArgs);
      children.push(appChild);
      await measure('own process', `${bareChild.url}/slack/events`, `${appChild.url}/slack/events`, {
        'bare Bolt': bareChild.pid,
        Rendezvous: appChild.pid,
      });
    }

    const comparisons: AckComparison[] = [];
    for (const mode of modes) {
      for (const level of options.levels) {
        const find = (app: AckApp) => rounds.find((r) => r.mode === mode && r.app === app && r.concurrency === level.concurrency)!;
        const a = find('bare Bolt');
        const b = find('Rendezvous');
        comparisons.push({ mode, concurrency: level.concurrency, bare: a, rendezvous: b, p50Ratio: b.p50 / a.p50, p99Ratio: b.p99 / a.p99 });
      }
    }
    const held = proxy.delays.slice(delaysBefore);
    return {
      rounds,
      comparisons,
      ticketsCreated: countCreated(s) - ticketsBefore,
      heldDelays: { count: held.length, minMs: Math.min(...held), maxMs: Math.max(...held) },
      apizeeConnections: proxy.connections,
      channels: options.channels,
    };
  } finally {
    for (const child of children) await child.stop();
    await bare?.stop().catch(() => undefined);
    await stack?.close().catch(() => undefined);
    await proxy.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function spawnBareBolt(dir: string, stack: LocalStack): Promise<ChildApp> {
  const port = await freePort();
  return spawnApp({
    entry: fileURLToPath(new URL('./bare-bolt-main.ts', import.meta.url)),
    cwd: dir,
    port,
    logPath: join(dir, 'bare.log'),
    healthPath: '/healthz',
    env: { SLACK_SIGNING_SECRET: stack.signingSecret, SLACK_API_URL: stack.slack.apiUrl, PORT: String(port) },
  });
}

/** `src/main.ts` with only Apizee configured (through the delay proxy), production logging to a file, its own SQLite file. */
async function spawnRendezvous(dir: string, stack: LocalStack, proxy: DelayProxy, nodeArgs?: string[]): Promise<ChildApp> {
  const port = await freePort();
  return spawnApp({
    entry: APP_MAIN,
    cwd: dir,
    port,
    logPath: join(dir, 'app.log'),
    healthPath: '/healthz',
    nodeArgs,
    env: {
      SLACK_SIGNING_SECRET: stack.signingSecret,
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_API_URL: stack.slack.apiUrl,
      PORT: String(port),
      DATABASE_URL: `file:${join(dir, 'rendezvous.db')}`,
      ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      LOG_LEVEL: 'info',
      TRACK_INTERVAL_SECONDS: '30',
      APIZEE_API_URL: `${proxy.url}/api`,
      APIZEE_USERNAME: SANDBOX_APIZEE_ACCOUNT.username,
      APIZEE_PASSWORD: SANDBOX_APIZEE_ACCOUNT.password,
      APIZEE_ENTERPRISE_ID: String(SANDBOX_APIZEE_ACCOUNT.enterpriseId),
      APIZEE_AGENT: 'agent@example.com',
      APIZEE_RATE_LIMIT_PER_MINUTE: String(RAISED_LIMIT),
    },
  });
}

function summarise(mode: AckMode, app: AckApp, level: AckLevel, result: LoadResult, cpuMsPerCommand: number): AckRound {
  const non200 = Object.entries(result.statuses)
    .filter(([status]) => status !== '200')
    .reduce((sum, [, n]) => sum + n, 0);
  return {
    mode,
    app,
    concurrency: level.concurrency,
    planned: level.requests,
    result,
    p50: percentile(result.latenciesMs, 50),
    p99: percentile(result.latenciesMs, 99),
    max: Math.max(...result.latenciesMs),
    // A command that got no answer at all is as late as one answered after the deadline.
    overDeadline: result.latenciesMs.filter((latency) => latency > ACK_DEADLINE_MS).length + (result.statuses.error ?? 0),
    non200,
    cpuMsPerCommand,
  };
}

function countCreated(stack: LocalStack): number {
  return stack.apizee.requests.filter((r) => r.method === 'POST' && r.path === '/api/tickets' && r.status === 200).length;
}

/** Waits (at most 15 s) until every held Apizee answer was delivered, then a moment for the app to finish with it. */
async function drain(proxy: DelayProxy): Promise<void> {
  await waitUntil(() => proxy.pending === 0, 15_000, 100);
  await new Promise((resolve) => setTimeout(resolve, 1000));
}
