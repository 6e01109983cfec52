/** Running a TypeScript entry (the app, or the bare Bolt app) as a child process of its own. */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { sleep, waitUntil } from './stats.js';

export interface ChildApp {
  readonly process: ChildProcess;
  readonly pid: number;
  readonly url: string;
  readonly exited: boolean;
  /** SIGTERM, then SIGKILL after 10 s. */
  stop(): Promise<void>;
}

/** The app's entry point, src/main.ts. */
export const APP_MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

/** The bare Bolt baseline, plain JavaScript (bare-bolt.mjs). */
export const BARE_BOLT_MAIN = fileURLToPath(new URL('./bare-bolt.mjs', import.meta.url));

/** The app as `npm start` runs it: compiled by `npm run build` (no TypeScript compiler in memory). */
export const APP_MAIN_COMPILED = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

/**
 * Spawns `node <entry>` (`node --import tsx <entry>` for TypeScript) in `cwd` (so no stray .env is read) with exactly `env` (plus
 * PATH and HOME), its output in `logPath`, and waits until `healthPath` answers 200.
 */
export async function spawnApp(options: {
  entry: string;
  cwd: string;
  env: Record<string, string>;
  port: number;
  logPath: string;
  healthPath: string;
  timeoutMs?: number;
  /** Extra node arguments, before the entry. */
  nodeArgs?: string[];
}): Promise<ChildApp> {
  const logFd = openSync(options.logPath, 'w');
  // A compiled entry runs on plain node; TypeScript goes through tsx.
  const loader = /\.m?js$/.test(options.entry) ? [] : ['--import', import.meta.resolve('tsx')];
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), ...loader, options.entry], {
    cwd: options.cwd,
    stdio: ['ignore', logFd, logFd],
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: options.cwd, ...options.env },
  });
  closeSync(logFd);
  let exited = false;
  child.once('exit', () => (exited = true));
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  const url = `http://127.0.0.1:${options.port}`;
  const app: ChildApp = {
    process: child,
    pid: child.pid!,
    url,
    get exited() {
      return exited;
    },
    async stop() {
      if (!exited) {
        child.kill('SIGTERM');
        if (!(await waitUntil(() => exited, 10_000, 50))) child.kill('SIGKILL');
      }
      process.off('exit', kill);
    },
  };
  const healthy = await waitForHealth(`${url}${options.healthPath}`, options.timeoutMs ?? 30_000, () => exited);
  if (!healthy) {
    await app.stop();
    throw new Error(`${options.entry} did not answer ${options.healthPath} in time; log: ${tail(options.logPath)}`);
  }
  return app;
}

async function waitForHealth(url: string, timeoutMs: number, gaveUp: () => boolean): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !gaveUp()) {
    try {
      const response = await fetch(url);
      await response.body?.cancel();
      if (response.ok) return true;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  return false;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A `kB` field of /proc/<pid>/status (VmRSS, VmHWM), or undefined once the process is gone. */
export function procStatusKb(pid: number, field: string): number | undefined {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** User + system CPU seconds of a process, from /proc/<pid>/stat (fields 14 and 15, at 100 ticks a second). */
export function procCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

export function tail(path: string): string {
  try {
    return readFileSync(path, 'utf8').slice(-800);
  } catch {
    return '(no log)';
  }
}
