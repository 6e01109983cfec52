import { execFile, execFileSync } from 'node:child_process';
import { accessSync, constants, chmodSync, chownSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

export interface ThrowawayPostgres {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` (trust authentication). */
  url: string;
  stop(): Promise<void>;
}

export const NO_POSTGRES_MESSAGE =
  "no PostgreSQL server binary (install Debian's postgresql package); the PostgreSQL half of the storage tests is skipped";

const INITDB_TIMEOUT_MS = 60_000;
const START_TIMEOUT_S = 30;

/**
 * A PostgreSQL server for one test run: `TEST_DATABASE_URL` when set (nothing is started), else a
 * fresh cluster in a temporary directory on a free port, tuned for speed (no fsync), stopped and
 * removed by `stop()`. Without PostgreSQL binaries it says why it skipped, except on CI
 * (`CI=true`), where that is an error: CI must run the PostgreSQL half of the tests.
 */
export async function startThrowawayPostgres(): Promise<ThrowawayPostgres | { skipped: string }> {
  const given = process.env.TEST_DATABASE_URL;
  if (given) return { url: given, stop: async () => {} };

  const bin = findPostgresBinaries();
  if (!bin) {
    if (isCi()) throw new Error(`CI=true but ${NO_POSTGRES_MESSAGE.replace(/; .*/, '')}: refusing to skip the PostgreSQL tests`);
    return { skipped: NO_POSTGRES_MESSAGE };
  }

  const runAs = process.getuid?.() === 0 ? postgresUser() : undefined;
  const base = mkdtempSync(join(tmpdir(), 'rdv-pg-'));
  const dataDir = join(base, 'data');
  const logFile = join(base, 'postgres.log');
  if (runAs) chownSync(base, runAs.uid, runAs.gid);
  chmodSync(base, 0o700);

  const run = (file: string, args: string[], timeoutMs: number) =>
    runCommand(runAs ? 'runuser' : file, runAs ? ['-u', 'postgres', '--', file, ...args] : args, base, timeoutMs);
  const pgCtl = join(bin, 'pg_ctl');
  let started = false;
  const removeOnExit = () => {
    // Safety net (a run that exits without the root afterAll hook): never leave a server behind.
    try {
      if (started) execFileSync(runAs ? 'runuser' : pgCtl, [...(runAs ? ['-u', 'postgres', '--', pgCtl] : []), '-D', dataDir, '-m', 'immediate', '-w', 'stop'], { stdio: 'ignore', cwd: base });
    } catch {
      /* already stopped */
    }
    rmSync(base, { recursive: true, force: true });
  };
  process.on('exit', removeOnExit);

  try {
    await run(join(bin, 'initdb'), ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale=C', '--no-instructions'], INITDB_TIMEOUT_MS);
    // A port is free when we ask; another process may take it before the server binds: retry.
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const options = [
        `-p ${port}`,
        `-k ${base}`,
        '-c listen_addresses=127.0.0.1',
        '-c fsync=off',
        '-c synchronous_commit=off',
        '-c full_page_writes=off',
        '-c max_connections=200',
      ].join(' ');
      try {
        await run(pgCtl, ['-w', '-t', String(START_TIMEOUT_S), '-D', dataDir, '-l', logFile, '-o', options, 'start'], (START_TIMEOUT_S + 15) * 1000);
      } catch (error) {
        if (attempt < 3 && /could not bind|already in use/i.test(logTail(logFile))) continue;
        throw error;
      }
      started = true;
      return {
        url: `postgres://postgres@127.0.0.1:${port}/postgres`,
        stop: async () => {
          if (!started) return; // stopped already
          started = false;
          process.off('exit', removeOnExit);
          try {
            await run(pgCtl, ['-D', dataDir, '-m', 'immediate', '-w', 'stop'], 30_000);
          } finally {
            rmSync(base, { recursive: true, force: true });
          }
        },
      };
    }
  } catch (error) {
    const tail = logTail(logFile);
    process.off('exit', removeOnExit);
    removeOnExit();
    throw new Error(
      `Could not start a throwaway PostgreSQL server (binaries in ${bin}${runAs ? ', run as the postgres user' : ''}): ${(error as Error).message}` +
        (tail ? `\n--- server log (tail) ---\n${tail}` : ''),
      { cause: error },
    );
  }
}

function isCi(): boolean {
  return /^(true|1)$/i.test(process.env.CI ?? '');
}

/** The directory holding `initdb` and `pg_ctl`: PATH first, else the newest /usr/lib/postgresql/<version>/bin. */
export function findPostgresBinaries(): string | undefined {
  const usable = (dir: string) => ['initdb', 'pg_ctl', 'postgres'].every((name) => isExecutable(join(dir, name)));
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && usable(dir)) return dir;
  }
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((name) => /^\d+(\.\d+)?$/.test(name))
    .sort((a, b) => Number(b) - Number(a));
  for (const version of versions) {
    const dir = join(root, version, 'bin');
    if (usable(dir)) return dir;
  }
  return undefined;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** PostgreSQL refuses to run as root; as root we run it as the `postgres` user the Debian package creates. */
function postgresUser(): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('postgres:'));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (!uid || !gid) {
    throw new Error('Running as root, and there is no `postgres` user to run the PostgreSQL server as (initdb and postgres refuse to run as root)');
  }
  return { uid: Number(uid), gid: Number(gid) };
}

function runCommand(file: string, args: string[], cwd: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { cwd, timeout: timeoutMs, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
      if (!error) return resolve();
      const what = error.killed ? `timed out after ${timeoutMs} ms` : `exit code ${String(error.code)}`;
      const output = `${stderr}${stdout}`.trim().split('\n').slice(-15).join('\n');
      reject(new Error(`\`${[file, ...args].join(' ')}\` failed (${what})${output ? `:\n${output}` : ''}`));
    });
  });
}

function logTail(path: string, lines = 30): string {
  try {
    return readFileSync(path, 'utf8').trim().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no free port'))));
    });
  });
}
