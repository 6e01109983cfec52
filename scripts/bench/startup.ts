/**
 * Start to /healthz: from spawning `node dist/main.js` (compiled, SQLite, a fresh database file each
 * time, so its migrations run) to its first 200 on GET /healthz, against the bare Bolt baseline
 * (`node bare-bolt.mjs`) measured the same way in the same run. /healthz is polled every 5 ms.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startApizeeSandbox } from '../../sandbox/apizee.js';
import { SANDBOX_APIZEE_ACCOUNT } from '../../sandbox/local-stack.js';
import { startFakeSlackApi } from '../../sandbox/slack-api.js';
import { rendezvousEnv } from './ack.js';
import { APP_MAIN_COMPILED, BARE_BOLT_MAIN, freePort, tail } from './child.js';
import { percentile, sleep } from './stats.js';

export interface StartupResults {
  runs: number;
  rendezvousMs: number[];
  bareMs: number[];
  rendezvousMedian: number;
  bareMedian: number;
  rendezvousMax: number;
}

export async function benchStartup(options: { runs: number }): Promise<StartupResults> {
  const dir = mkdtempSync(join(tmpdir(), 'rendezvous-bench-start-'));
  const slack = await startFakeSlackApi();
  const apizee = await startApizeeSandbox({ accounts: [SANDBOX_APIZEE_ACCOUNT] });
  const signingSecret = randomBytes(16).toString('hex');
  const fixtures = join(dir, 'fixtures.json');
  writeFileSync(fixtures, JSON.stringify({ help: '', modal: {}, createAck: '', card: { text: '', blocks: [] }, updated: { text: '', blocks: [] } }));
  const rendezvousMs: number[] = [];
  const bareMs: number[] = [];
  try {
    // Alternating, so that drift on a shared machine falls on both alike.
    for (let run = 0; run < options.runs; run++) {
      const barePort = await freePort();
      bareMs.push(
        await timeToHealthy(BARE_BOLT_MAIN, dir, barePort, join(dir, `bare-${run}.log`), {
          SLACK_SIGNING_SECRET: signingSecret,
          SLACK_API_URL: slack.apiUrl,
          PORT: String(barePort),
          BARE_FIXTURES: fixtures,
        }),
      );
      const port = await freePort();
      rendezvousMs.push(
        await timeToHealthy(
          APP_MAIN_COMPILED,
          dir,
          port,
          join(dir, `app-${run}.log`),
          rendezvousEnv({ slackApiUrl: slack.apiUrl, signingSecret, port, databaseFile: join(dir, `start-${run}.db`), apizeeApiUrl: apizee.url }),
        ),
      );
    }
    return {
      runs: options.runs,
      rendezvousMs,
      bareMs,
      rendezvousMedian: percentile(rendezvousMs, 50),
      bareMedian: percentile(bareMs, 50),
      rendezvousMax: Math.max(...rendezvousMs),
    };
  } finally {
    await slack.close();
    await apizee.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Spawns `node entry`, polls /healthz every 5 ms, and kills the process once it answered 200. */
async function timeToHealthy(entry: string, cwd: string, port: number, logPath: string, env: Record<string, string>): Promise<number> {
  const logFd = openSync(logPath, 'w');
  const startedAt = performance.now();
  const child = spawn(process.execPath, [entry], {
    cwd,
    stdio: ['ignore', logFd, logFd],
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: cwd, ...env },
  });
  closeSync(logFd);
  let exited = false;
  const gone = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
  try {
    while (!exited && performance.now() - startedAt < 30_000) {
      if ((await healthStatus(port)) === 200) return performance.now() - startedAt;
      await sleep(5);
    }
    throw new Error(`${entry} did not answer /healthz ${exited ? '(it exited)' : 'in 30 s'}; log: ${tail(logPath)}`);
  } finally {
    if (!exited) child.kill('SIGKILL');
    await gone;
  }
}

function healthStatus(port: number): Promise<number> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/healthz', agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', () => resolve(0));
    });
    req.setTimeout(2000, () => req.destroy());
    req.on('error', () => resolve(0));
    req.end();
  });
}
