import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { openDatabase } from '../../src/store/database.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Replica {
  url: string;
  port: number;
  process: ChildProcess;
  /** Output lines so far (JSON log lines), for diagnosing a failure. */
  logs: string[];
  /** `kill -9`: no cleanup, no goodbye, exactly like a crash. */
  crash(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts the real app (`src/main.ts` through tsx, or `args`, such as the compiled
 * `scripts/start.mjs`) as a child process, the way a deployment runs it, and waits for its
 * "listening" line to learn its port.
 */
export async function startReplica(env: Record<string, string>, timeoutMs = 20_000, args = ['--import', 'tsx', 'src/main.ts']): Promise<Replica> {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', LOG_LEVEL: 'info', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`replica did not start in ${timeoutMs} ms:\n${logs.slice(-20).join('\n')}`)), timeoutMs);
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => {
        logs.push(line);
        const match = /"port":(\d+).*Rendezvous is listening/.exec(line);
        if (match) {
          clearTimeout(timer);
          resolve(Number(match[1]));
        }
      });
    }
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`replica exited with ${code}:\n${logs.slice(-20).join('\n')}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    process: child,
    logs,
    async crash() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * After a crash, the dead replica's leases (tracking, outbox, creation jobs) run out now instead
 * of in 5 to 15 s: the clock jumps forward for its rows only, as if the test had waited. What is
 * taken over, and how, is the same; only the wait goes. Its lease owner is `host:pid:…`.
 * Returns how many leases it held.
 */
export async function runOutLeasesOf(replica: Replica, databaseUrl: string): Promise<number> {
  if (replica.process.exitCode === null && replica.process.signalCode === null) throw new Error('the replica is still running: its leases are its own');
  const owner = `%:${replica.process.pid}:%`;
  const past = new Date(Date.now() - 1000).toISOString();
  const { db } = openDatabase(databaseUrl);
  try {
    const updates = [
      db.updateTable('sessions').set({ lease_until: past }).where('lease_owner', 'like', owner),
      db.updateTable('sessions').set({ outbox_until: past }).where('outbox_owner', 'like', owner),
      db.updateTable('creation_jobs').set({ lease_until: past }).where('lease_owner', 'like', owner),
    ];
    let held = 0;
    for (const update of updates) held += Number((await update.executeTakeFirst()).numUpdatedRows);
    return held;
  } finally {
    await db.destroy();
  }
}
