/** Runs one drill with its own context and cleanup, and renders the table. */
import { drillContext, DrillSkipped, type Drill } from './harness.js';

export interface DrillRow {
  fault: string;
  database: string;
  outcome: 'ok' | 'lost or doubled' | 'failed' | 'skipped';
  sessions?: number;
  lost?: number;
  doubled?: number;
  recoveredMs?: number;
  details?: string[];
}

export async function runDrill(drill: Drill): Promise<DrillRow> {
  const base = { fault: drill.name, database: drill.database === 'sqlite' ? 'SQLite' : 'PostgreSQL' };
  const ctx = drillContext(drill.database);
  try {
    const result = await drill.run(ctx);
    const outcome = result.lost > 0 || result.doubled > 0 ? 'lost or doubled' : 'ok';
    return { ...base, outcome, ...result };
  } catch (error) {
    if (error instanceof DrillSkipped) return { ...base, outcome: 'skipped', details: [error.message] };
    return { ...base, outcome: 'failed', details: [error instanceof Error ? (error.stack ?? error.message) : String(error)] };
  } finally {
    await ctx.cleanup();
  }
}

export function renderTable(rows: DrillRow[]): string {
  const header = ['Fault', 'Database', 'Sessions', 'Lost', 'Doubled', 'Recovered in'];
  const body = rows.map((row) => {
    if (row.outcome === 'skipped' || row.outcome === 'failed') {
      return [row.fault, row.database, '–', '–', '–', `${row.outcome.toUpperCase()}: ${(row.details?.[0] ?? '').split('\n')[0]}`];
    }
    return [row.fault, row.database, String(row.sessions), String(row.lost), String(row.doubled), `${((row.recoveredMs ?? 0) / 1000).toFixed(1)} s`];
  });
  const widths = header.map((title, column) => Math.max(title.length, ...body.map((cells) => cells[column]!.length)));
  const line = (cells: string[]) => `| ${cells.map((cell, column) => cell.padEnd(widths[column]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`, ...body.map(line)].join('\n');
}
