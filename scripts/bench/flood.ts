/**
 * Benchmark 6 (issue 10): memory under a flood of creations. Signed `/rendezvous <phone>`
 * commands are sent at saturation for a fixed time, Apizee answering each ticket creation after
 * 5 s, first to a fresh bare Bolt app doing the same Slack work (ack, post the card, update it
 * once the vendor would have answered: every command's work held in memory), then to a fresh
 * Rendezvous (compiled, SQLite), whose backlog is written to the database before each ack and
 * worked off from there. Both processes' resident memory is sampled during the flood and while
 * they work off what they acknowledged; the goal is on the peaks' ratio.
 *
 * After the Rendezvous run its database is read: every acknowledged creation must be there
 * (a session row with its creation job or its outcome), so flat memory cannot come from dropping
 * work.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startApizeeSandbox, type ApizeeSandbox } from '../../sandbox/apizee.js';
import { SANDBOX_APIZEE_ACCOUNT } from '../../sandbox/local-stack.js';
import { startFakeSlackApi, type FakeSlackApi } from '../../sandbox/slack-api.js';
import { kill, SCENARIOS, spawnBare, spawnRendezvous } from './ack.js';
import { procStatusKb, type ChildApp } from './child.js';
import { startDelayProxy } from './delay-proxy.js';
import { captureFixtures } from './fixtures.js';
import { runLoadInWorker, type LoadResult } from './load.js';
import { slashCommands } from './slash.js';
import { percentile, sleep } from './stats.js';

export type FloodApp = 'bare Bolt' | 'Rendezvous';

export interface FloodRun {
  app: FloodApp;
  sent: number;
  acked: number;
  non200: number;
  ackP99: number;
  wallMs: number;
  /** Resident memory before the flood, once warm (MiB). */
  idleMiB: number;
  /** Highest resident memory sampled from the flood's start to the end of the settling window (MiB). */
  peakMiB: number;
  /** Resident memory at the end of the settling window (MiB). */
  endMiB: number;
  samples: number;
}

export interface FloodResults {
  runs: FloodRun[];
  floodMs: number;
  settleMs: number;
  concurrency: number;
  vendorDelayMs: number;
  /** Rendezvous peak over bare Bolt peak. */
  peakRatio: number;
  /** Creations Rendezvous acknowledged that its database holds (sessions with a request key), against those acked. */
  rendezvousKept: { acked: number; inDatabase: number };
}

export interface FloodOptions {
  floodMs: number;
  settleMs: number;
  concurrency: number;
  /** Commands prepared for each app; the time bound stops the flood before they run out. */
  prepared: number;
  channels: number;
  vendorDelayMs: number;
  log: (line: string) => void;
}

const MIB = 1024;

export async function benchFlood(options: FloodOptions): Promise<FloodResults> {
  const dir = mkdtempSync(join(tmpdir(), 'rendezvous-bench-flood-'));
  const proxy = await startDelayProxy({
    match: (method, path) => method === 'POST' && /\/tickets$/.test(path),
    minMs: options.vendorDelayMs,
    maxMs: options.vendorDelayMs,
  });
  let apizee: ApizeeSandbox | undefined;
  let slack: FakeSlackApi | undefined;
  const children: ChildApp[] = [];
  try {
    apizee = await startApizeeSandbox({ ratePerMinute: 1_000_000, accounts: [SANDBOX_APIZEE_ACCOUNT] });
    slack = await startFakeSlackApi();
    const s = slack;
    proxy.setTarget(new URL(apizee.url).origin);
    const signingSecret = randomBytes(16).toString('hex');

    // The baseline's card and texts are Rendezvous's own, captured from a first instance.
    const capturer = await spawnRendezvous(dir, 0, s, signingSecret, proxy);
    children.push(capturer);
    const captured = await captureFixtures(s, signingSecret, capturer.url, SCENARIOS.create.text);
    await kill(capturer);
    const fixturesPath = join(dir, 'fixtures.json');
    writeFileSync(fixturesPath, JSON.stringify(captured.fixtures));

    const runs: FloodRun[] = [];
    let kept = { acked: 0, inDatabase: 0 };
    for (const app of ['bare Bolt', 'Rendezvous'] as const) {
      const child = app === 'bare Bolt' ? await spawnBare(dir, s, signingSecret, fixturesPath, options.vendorDelayMs) : await spawnRendezvous(dir, 1, s, signingSecret, proxy);
      children.push(child);
      const run = await floodOne(app, child, s, signingSecret, options);
      runs.push(run);
      options.log(
        `  ${app.padEnd(10)}: ${run.sent} commands in ${(run.wallMs / 1000).toFixed(1)} s (${run.acked} acked, non-200 ${run.non200}, ack p99 ${run.ackP99.toFixed(1)} ms); ` +
          `RSS idle ${run.idleMiB.toFixed(0)} MiB, peak ${run.peakMiB.toFixed(0)} MiB, after ${((options.floodMs + options.settleMs) / 1000).toFixed(0)} s ${run.endMiB.toFixed(0)} MiB`,
      );
      await kill(child);
      if (app === 'Rendezvous') kept = { acked: run.acked, inDatabase: countRequests(join(dir, 'rendezvous-1.db')) };
    }
    const [bare, rendezvous] = runs as [FloodRun, FloodRun];
    return {
      runs,
      floodMs: options.floodMs,
      settleMs: options.settleMs,
      concurrency: options.concurrency,
      vendorDelayMs: options.vendorDelayMs,
      peakRatio: rendezvous.peakMiB / bare.peakMiB,
      rendezvousKept: kept,
    };
  } finally {
    for (const child of children) await kill(child);
    await slack?.close().catch(() => undefined);
    await apizee?.close().catch(() => undefined);
    await proxy.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function floodOne(app: FloodApp, child: ChildApp, slack: FakeSlackApi, signingSecret: string, options: FloodOptions): Promise<FloodRun> {
  const rss = () => (procStatusKb(child.pid, 'VmRSS') ?? 0) / MIB;
  // Warm both the same way (a few help commands), then let the heap settle.
  await runLoadInWorker({ url: `${child.url}/slack/events`, requests: slashCommands(slack, signingSecret, 'help', 200, 1), concurrency: 10, timeBoundMs: 10_000 });
  await sleep(1000);
  const idleMiB = rss();
  const requests = slashCommands(slack, signingSecret, SCENARIOS.create.text, options.prepared, options.channels, app === 'bare Bolt' ? 'C0FLB' : 'C0FLR');
  let peakMiB = idleMiB;
  let samples = 0;
  const sampler = setInterval(() => {
    peakMiB = Math.max(peakMiB, rss());
    samples += 1;
  }, 100);
  let result: LoadResult;
  try {
    result = await runLoadInWorker({ url: `${child.url}/slack/events`, requests, concurrency: options.concurrency, timeBoundMs: options.floodMs });
    await sleep(options.settleMs);
  } finally {
    clearInterval(sampler);
  }
  const endMiB = rss();
  peakMiB = Math.max(peakMiB, endMiB);
  const acked = result.statuses['200'] ?? 0;
  return {
    app,
    sent: result.sent,
    acked,
    non200: result.sent - acked,
    ackP99: percentile(result.latenciesMs, 99),
    wallMs: result.wallMs,
    idleMiB,
    peakMiB,
    endMiB,
    samples,
  };
}

/** Sessions started by a slash command (their request key is the command's trigger id). */
function countRequests(databaseFile: string): number {
  const db = new Database(databaseFile, { readonly: true });
  try {
    return (db.prepare("select count(*) as n from sessions where request_key like 'command:%'").get() as { n: number }).n;
  } finally {
    db.close();
  }
}
