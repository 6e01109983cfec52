/**
 * PostgreSQL stops answering for 5 s (its server processes SIGSTOPped, then SIGCONTinued) while
 * guests join and a command arrives: what was due is posted once when it answers again.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import type { Db } from '../../src/store/database.js';
import { campaignOn, drillStack, sleep, DrillSkipped, type Drill, type DrillContext, type DrillResult } from './harness.js';

const PAUSE_MS = 5000;
const SESSIONS = 6;

/** The server's processes: the postmaster (from postmaster.pid in its data directory) and its children. */
async function serverProcesses(db: Db): Promise<number[]> {
  try {
    const { rows } = await sql<{ data_directory: string }>`SHOW data_directory`.execute(db);
    const postmaster = Number(readFileSync(join(rows[0]!.data_directory, 'postmaster.pid'), 'utf8').split('\n')[0]);
    const children = execFileSync('pgrep', ['-P', String(postmaster)], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
    return [postmaster, ...children];
  } catch (error) {
    throw new DrillSkipped(`cannot find the PostgreSQL server's processes: ${(error as Error).message}`);
  }
}

function signal(pids: number[], name: 'SIGSTOP' | 'SIGCONT'): void {
  for (const pid of pids) {
    try {
      process.kill(pid, name);
    } catch {
      /* a backend that has gone */
    }
  }
}

async function postgresPaused(ctx: DrillContext): Promise<DrillResult> {
  if (process.env.TEST_DATABASE_URL) throw new DrillSkipped('TEST_DATABASE_URL is set: the drill only pauses a throwaway server of its own run');
  const stack = await drillStack(ctx);
  const campaign = await campaignOn(stack);
  await campaign.create(SESSIONS);
  await campaign.waitComplete(10_000);
  const pids = await serverProcesses(stack.app.database.db);
  ctx.defer(() => signal(pids, 'SIGCONT'));
  campaign.join();
  signal(pids, 'SIGSTOP');
  const during = campaign.create(2, { prefix: 'PAUSED' });
  await sleep(PAUSE_MS);
  signal(pids, 'SIGCONT');
  const from = Date.now();
  await during;
  await campaign.waitComplete(20_000);
  campaign.join();
  await campaign.waitComplete(20_000);
  campaign.end();
  return campaign.account(from, await campaign.waitComplete(20_000), 2000);
}

export const postgresDrills: Drill[] = [{ name: `PostgreSQL stopped for ${PAUSE_MS / 1000} s (SIGSTOP)`, database: 'postgres', run: postgresPaused }];
