/**
 * `npm run drills`: fault drills against the vendor sandboxes and the Slack stand-in, on SQLite
 * and PostgreSQL. Each drill injects one fault, takes its sessions through their life and counts,
 * from what Slack and Apizee saw, what was lost and what was doubled. Prints a table; exits 1 if
 * anything was lost or doubled. `npm run drills -- <words>` runs the drills whose name (or database) has every one of them.
 */
import { stopSharedPostgres } from '../test/helpers/databases.js';
import { ALL_DRILLS } from './drills/all.js';
import { runDrill, renderTable, type DrillRow } from './drills/runner.js';

async function main(): Promise<void> {
  const words = process.argv.slice(2).map((word) => word.toLowerCase());
  const rows: DrillRow[] = [];
  for (const drill of ALL_DRILLS) {
    const label = `${drill.name} ${drill.database}`.toLowerCase();
    if (!words.every((word) => label.includes(word))) continue;
    const startedAt = Date.now();
    const row = await runDrill(drill);
    rows.push(row);
    process.stderr.write(`${row.fault} (${row.database}): ${row.outcome} in ${((Date.now() - startedAt) / 1000).toFixed(1)} s\n`);
  }
  await stopSharedPostgres();
  process.stdout.write(`${renderTable(rows)}\n`);
  const bad = rows.filter((row) => row.outcome === 'failed' || (row.lost ?? 0) > 0 || (row.doubled ?? 0) > 0);
  for (const row of bad) process.stdout.write(`\n${row.fault} (${row.database}):\n  ${(row.details ?? []).join('\n  ')}\n`);
  process.exit(bad.length > 0 ? 1 : 0);
}

await main();
