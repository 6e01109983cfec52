/**
 * `npm run bench`: the performance figures of issue 5, measured in one run on this machine, and
 * written to BENCHMARKS.md.
 *
 *  1. Ack latency of signed `/rendezvous +33612345678` commands at 10 and 50 connections while
 *     Apizee takes 2–10 s per ticket, against a bare Bolt app measured in the same run.
 *  2. Command → `views.open` for the empty command.
 *  3. 10,000 tracked Apizee sessions at 10 requests a minute: the app's RSS (in a child process),
 *     Apizee requests per minute, 429s, and how long a state change takes to reach the thread.
 *
 * Everything listens on and talks to 127.0.0.1 only. Every loop is bounded; the script exits by
 * itself, with code 0 when every part ran (whether or not its goal was met) and 1 when a part
 * could not run.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { benchAck, type AckResults } from './bench/ack.js';
import { describeMachine } from './bench/machine.js';
import { renderMarkdown, renderTable, type Report } from './bench/report.js';
import { benchReplicas, type ReplicaResults } from './bench/replicas.js';
import { benchTracking, type TrackingResults } from './bench/tracking.js';
import { benchViewsOpen, type ViewsOpenResults } from './bench/views-open.js';

const HARD_LIMIT_MS = 12 * 60_000;
const log = (line: string) => console.log(line);

const watchdog = setTimeout(() => {
  console.error(`bench: still running after ${HARD_LIMIT_MS / 60_000} minutes; giving up`);
  process.exit(2);
}, HARD_LIMIT_MS);
watchdog.unref();

const startedAt = Date.now();
const machine = describeMachine();
log(`Rendezvous benchmark — ${machine.date}`);
log(`${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.os}\n`);

// The 10,000-session run measures the app as `npm start` runs it: compiled.
log('Building the app (npm run build) …');
execFileSync('npm', ['run', 'build', '--silent'], { cwd: fileURLToPath(new URL('..', import.meta.url)), stdio: 'inherit' });

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

const ack: AckResults | undefined = await part('1. Ack latency, Apizee answering after 2–10 s', () =>
  benchAck({
    levels: [
      { concurrency: 10, requests: 400 },
      { concurrency: 50, requests: 1000 },
    ],
    timeBoundMs: 30_000,
    warmup: 100,
    channels: 200,
    log,
  }),
);
const views: ViewsOpenResults | undefined = await part('2. Command → views.open', () =>
  benchViewsOpen({ count: 200, concurrency: 10, warmup: 20, timeBoundMs: 30_000 }),
);
const tracking: TrackingResults | undefined = await part('3. 10,000 tracked Apizee sessions at 10 requests a minute', () =>
  benchTracking({
    sessions: 10_000,
    channels: 20,
    ratePerMinute: 10,
    trackIntervalSeconds: 1,
    runMs: 70_000,
    changeAtMs: 10_000,
    log,
  }),
);

const replicas: ReplicaResults | undefined = await part('4. Two replicas on PostgreSQL, 1,000 sessions, one killed midway', () =>
  benchReplicas({ sessions: 1000, channels: 100 }),
);

const report: Report = { machine, ack, views, tracking, replicas, errors, totalSeconds: (Date.now() - startedAt) / 1000 };
log(renderTable(report));
const target = fileURLToPath(new URL('../BENCHMARKS.md', import.meta.url));
writeFileSync(target, renderMarkdown(report));
log(`\nWrote ${target} (${report.totalSeconds.toFixed(0)} s in all).`);
process.exit(errors.length > 0 ? 1 : 0);
