/**
 * The ack part of `npm run bench` alone, for one path: the same apps, fixtures and rounds, so a
 * change can be measured in a minute instead of the whole bench's ten.
 *
 *   npx tsx scripts/bench/ack-only.ts <help|modal|create> [connections=10] [commands=1000] [repeats=3] [--prof]
 *
 * `--prof` runs Rendezvous under `--cpu-prof` (the profile's folder is printed); ACK_NODE_ARGS
 * (space-separated) gives the Rendezvous child other node options instead, such as
 * `--import <file>` for a probe of one's own. Nothing is written to BENCHMARKS.md.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchAck, type Scenario } from './ack.js';

const args = process.argv.slice(2).filter((arg) => arg !== '--prof');
const profile = process.argv.includes('--prof');
const scenario = (args[0] ?? 'create') as Scenario;
const concurrency = Number(args[1] ?? 10);
const requests = Number(args[2] ?? 1000);
const repeats = Number(args[3] ?? 3);
const profileDir = profile ? mkdtempSync(join(tmpdir(), 'rendezvous-ack-prof-')) : undefined;

const results = await benchAck({
  levels: [{ concurrency, requests }],
  scenarios: [scenario],
  timeBoundMs: 30_000,
  warmup: 300,
  repeats,
  channels: 200,
  vendorDelayMs: 5000,
  log: (line) => console.log(line),
  appNodeArgs: process.env.ACK_NODE_ARGS ? process.env.ACK_NODE_ARGS.split(" ") : profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : undefined,
});
for (const c of results.comparisons) {
  console.log(
    `${c.scenario} @${c.concurrency}: p99 ${c.rendezvous.p99.toFixed(2)} / ${c.bare.p99.toFixed(2)} ms = ${c.p99Ratio.toFixed(2)}x ` +
      `(p50 ${c.p50Ratio.toFixed(2)}x; Rendezvous p99s ${c.rendezvous.p99s.map((p) => p.toFixed(1)).join(', ')}; bare ${c.bare.p99s.map((p) => p.toFixed(1)).join(', ')})`,
  );
}
if (profileDir) console.log(`CPU profiles in ${profileDir}`);
