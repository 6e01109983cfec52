/**
 * Two replicas (child processes) on one PostgreSQL database track `sessions` Apizee sessions
 * through their life, with one replica killed (SIGKILL) midway; every milestone must be posted
 * exactly once and Apizee must never answer 429. The same scenario as the end-to-end test
 * (test/helpers/replica-scenario.ts), at benchmark size.
 */
import { randomBytes } from 'node:crypto';
import { sandboxEnvironment, startSandboxes } from '../../sandbox/local-stack.js';
import { freshPostgresDatabase, stopSharedPostgres } from '../../test/helpers/databases.js';
import { startReplica, type Replica } from '../../test/helpers/replica.js';
import { maxPerMinute, threads, trackSessionsThroughTheirLife } from '../../test/helpers/replica-scenario.js';

export interface ReplicaResults {
  sessions: number;
  channels: number;
  /** Undefined when it ran; else why not (no PostgreSQL here, or the scenario failed). */
  problem?: string;
  seconds: number;
  threads: number;
  repliesPosted: number;
  rateLimited: number;
  maxApizeePerMinute: number;
}

export async function benchReplicas(options: { sessions: number; channels: number }): Promise<ReplicaResults> {
  const started = Date.now();
  const database = await freshPostgresDatabase();
  const sandboxes = await startSandboxes({ apizeeRatePerMinute: 100_000 });
  const replicas: Replica[] = [];
  let problem: string | undefined = database ? undefined : 'no PostgreSQL server binary on this machine';
  try {
    if (database) {
      const signingSecret = randomBytes(16).toString('hex');
      const env = {
        ...sandboxEnvironment(sandboxes, { vendors: ['apizee'], apizeeRatePerMinute: 100_000 }),
        SLACK_SIGNING_SECRET: signingSecret,
        ENCRYPTION_KEY: randomBytes(32).toString('base64'),
        DATABASE_URL: database.url,
        TRACK_INTERVAL_SECONDS: '0.5',
      };
      replicas.push(...(await Promise.all([startReplica(env), startReplica(env)])));
      await trackSessionsThroughTheirLife({ sandboxes, replicas, signingSecret, ...options, crashMidway: true });
    }
  } catch (error) {
    problem = error instanceof Error ? error.message.split('\n')[0] : String(error);
  } finally {
    await Promise.all(replicas.map((replica) => replica.stop()));
  }
  const byThread = threads(sandboxes);
  const results: ReplicaResults = {
    ...options,
    problem,
    seconds: (Date.now() - started) / 1000,
    threads: byThread.size,
    repliesPosted: [...byThread.values()].reduce((sum, replies) => sum + replies.length, 0),
    rateLimited: sandboxes.apizee.rateLimitedCount,
    maxApizeePerMinute: maxPerMinute(sandboxes),
  };
  await sandboxes.close();
  await database?.drop();
  await stopSharedPostgres();
  return results;
}
