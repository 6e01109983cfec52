/**
 * Bench part 3 alone (10,000 tracked Apizee sessions at 10 requests a minute, about 2 minutes):
 * `npx tsx scripts/bench/part3.ts [traceDir]`. Prints the thread latencies and Apizee's request
 * counts; with a directory, keeps the app's log and Apizee's request timeline there. Builds dist/
 * first, as the part runs the compiled app. BENCHMARKS.md is left as it is.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { benchTracking, PART3_SETUP } from './tracking.js';

const traceDir = process.argv[2];
if (traceDir) mkdirSync(traceDir, { recursive: true });
execFileSync('npm', ['run', 'build', '--silent'], { cwd: fileURLToPath(new URL('../..', import.meta.url)), stdio: 'inherit' });
const result = await benchTracking({ ...PART3_SETUP, log: console.log, traceDir });
for (const latency of [...result.thread, ...(result.webhook ? [result.webhook] : [])]) {
  const figure = latency.ms === undefined ? `none after ${(latency.waitedMs / 1000).toFixed(0)} s (${latency.dueBefore} due before it)` : `${(latency.ms / 1000).toFixed(2)} s`;
  console.log(`state change → thread reply, ${latency.label} (ticket ${latency.ticketId}): ${figure}`);
}
const { total, maxPer60s, rateLimited, byKind } = result.apizee;
console.log(`Apizee: ${total} requests, at most ${maxPer60s} in any 60 s, ${rateLimited} 429s; ${JSON.stringify(byKind)}`);
process.exit(0);
