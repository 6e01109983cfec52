/**
 * `npm run bench`: the performance figures of issue 5, measured in one run on this machine, and
 * written to BENCHMARKS.md.
 *
 *  1. Ack latency of signed `/rendezvous` commands (help; the empty command, which opens the invite
 *     modal; a phone number, which creates an Apizee session) at 10 and 50 connections, Apizee
 *     answering in 5 s, for the compiled app against a bare Bolt app doing the same Slack work,
 *     measured in the same run; and start to /healthz of `node dist/main.js` against bare Bolt.
 *  2. Command → `views.open` for the empty command.
 *  3. 10,000 tracked Apizee sessions at 10 requests a minute: the app's RSS (in a child process),
 *     Apizee requests per minute, 429s, and how long a state change takes to reach the thread.
 *  4. Two replicas on PostgreSQL, one killed midway: every milestone once, no 429.
 *  5. A burst of 12 Apizee creations against the sandbox enforcing 10 requests in any 60 s, with
 *     latency before it counts a request: 429s, for one app and for two replicas (issue 9).
 *  6. A flood of creations at saturation for 10 s, Apizee answering in 5 s: the peak RSS of
 *     Rendezvous against a bare Bolt app doing the same Slack work, and every acked creation kept
 *     (issue 10).
 *
 * Everything listens on and talks to 127.0.0.1 only. Every loop is bounded; the script exits by
 * itself, with code 0 when every part ran (whether or not its goal was met) and 1 when a part
 * could not run.
 *
 * BENCH_QUICK=1: parts 1 (smaller rounds), 5 (the burst: a minute or so per setup, as the
 * limit is a minute's) and 6 (the flood), printed but not written to BENCHMARKS.md unless BENCH_WRITE=1.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchAck, type AckResults } from './bench/ack.js';
import { benchBurst, BURST_LATENCY_MS, type BurstResults } from './bench/burst.js';
import { benchFlood, type FloodResults } from './bench/flood.js';
import { describeMachine } from './bench/machine.js';
import { renderMarkdown, renderPerformanceTable, renderTable, type Report } from './bench/report.js';
import { benchReplicas, type ReplicaResults } from './bench/replicas.js';
import { benchStartup, type StartupResults } from './bench/startup.js';
import { benchTracking, PART3_SETUP, type TrackingResults } from './bench/tracking.js';
import { benchViewsOpen, type ViewsOpenResults } from './bench/views-open.js';

const HARD_LIMIT_MS = 12 * 60_000;
const QUICK = process.env.BENCH_QUICK === '1';
const log = (line: string) => console.log(line);

const watchdog = setTimeout(() => {
  console.error(`bench: still running after ${HARD_LIMIT_MS / 60_000} minutes; giving up`);
  process.exit(2);
}, HARD_LIMIT_MS);
watchdog.unref();

const startedAt = Date.now();
const machine = describeMachine();
log(`Rendezvous benchmark — ${machine.date}${QUICK ? ' (quick: BENCH_QUICK=1)' : ''}`);
log(`${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.os}\n`);

// Every part that spawns the app runs it as `npm start` does: compiled, from dist/.
const root = fileURLToPath(new URL('..', import.meta.url));
const newestMtime = (dir: string): number =>
  readdirSync(dir, { withFileTypes: true }).reduce((newest, item) => {
    const path = join(dir, item.name);
    return Math.max(newest, item.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }, 0);
const distMain = join(root, 'dist', 'main.js');
if (!existsSync(distMain) || newestMtime(join(root, 'src')) > statSync(distMain).mtimeMs) {
  log('Building the app (npm run build): dist/ is missing or older than src/ …');
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
} else {
  log('dist/ is up to date with src/.');
}

const errors: string[] = [];
async function part<T>(title: string, run: () => Promise<T>): Promise<T | undefined> {
  log(`▶ ${title}`);
  const started = Date.now();
  try {
    const result = await run();
    log(`  done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    return result;
  } catch (error) {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    errors.push(`${title}: ${message}`);
    log(`  FAILED: ${message}\n`);
    return undefined;
  }
}

const ack: AckResults | undefined = await part('1. Ack latency: help, modal, create; Apizee answering in 5 s', () =>
  benchAck({
    levels: QUICK
      ? [
          { concurrency: 10, requests: 300 },
          { concurrency: 50, requests: 600 },
        ]
      : // A p99 over 1,000 acks (0.3 s of help) was decided by ten requests: one GC pause or scheduler
        // hiccup in either process flipped a ratio from run to run (help at 10 connections 0.94x, then
        // 1.35x, with the same code). Rounds three times as long, for both apps, steady it.
        [
          { concurrency: 10, requests: 3000 },
          { concurrency: 50, requests: 6000 },
        ],
    timeBoundMs: 30_000,
    warmup: QUICK ? 100 : 600,
    repeats: QUICK ? 1 : 3,
    channels: 200,
    vendorDelayMs: 5000,
    log,
  }),
);
const startup: StartupResults | undefined = await part('1b. Start to /healthz: node dist/main.js against bare Bolt', () => benchStartup({ runs: QUICK ? 3 : 7 }));

let views: ViewsOpenResults | undefined;
let tracking: TrackingResults | undefined;
let replicas: ReplicaResults | undefined;
if (!QUICK) {
  views = await part('2. Command → views.open', () => benchViewsOpen({ count: 200, concurrency: 10, warmup: 20, timeBoundMs: 30_000 }));
  tracking = await part('3. 10,000 tracked Apizee sessions at 10 requests a minute', () => benchTracking({ ...PART3_SETUP, log }));
  replicas = await part('4. Two replicas on PostgreSQL, 1,000 sessions, one killed midway', () => benchReplicas({ sessions: 1000, channels: 100 }));
}

const burst: BurstResults | undefined = await part(
  `5. A burst of 12 Apizee creations at 10 requests a minute, ${BURST_LATENCY_MS.min}–${BURST_LATENCY_MS.max} ms to reach the limiter: one app, two replicas`,
  () => benchBurst({ creations: 12, latencyMs: BURST_LATENCY_MS, log }),
);

const flood: FloodResults | undefined = await part('6. A flood of creations at saturation, Apizee answering in 5 s: RSS against bare Bolt', () =>
  benchFlood({ floodMs: 10_000, settleMs: 10_000, concurrency: 50, prepared: 40_000, channels: 200, vendorDelayMs: 5000, log }),
);

const report: Report = { machine, ack, startup, views, tracking, replicas, burst, flood, errors, quick: QUICK, totalSeconds: (Date.now() - startedAt) / 1000 };
log(renderPerformanceTable(report));
log('');
log(renderTable(report));
if (!QUICK || process.env.BENCH_WRITE === '1') {
  const target = join(root, 'BENCHMARKS.md');
  writeFileSync(target, renderMarkdown(report));
  log(`\nWrote ${target} (${report.totalSeconds.toFixed(0)} s in all).`);
} else {
  log(`\nQuick run (${report.totalSeconds.toFixed(0)} s): BENCHMARKS.md left as it was (BENCH_WRITE=1 writes it).`);
}
process.exit(errors.length > 0 ? 1 : 0);
