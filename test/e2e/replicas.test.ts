import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sandboxEnvironment, startSandboxes, type Sandboxes } from '../../sandbox/local-stack.js';
import { SlackRequester } from '../../sandbox/slack-requests.js';
import { freshPostgresDatabase } from '../helpers/databases.js';
import { eventually } from '../helpers/eventually.js';
import { startReplica, type Replica } from '../helpers/replica.js';
import { count, maxPerMinute, trackSessionsThroughTheirLife, withReplicaLogs } from '../helpers/replica-scenario.js';

describe('e2e: replicas share the tracking, every milestone once', function () {
  this.timeout(300_000);
  let sandboxes: Sandboxes;
  let replicas: Replica[] = [];
  let dataDir: string;
  let database: { url: string; drop(): Promise<void> } | undefined;
  const signingSecret = randomBytes(16).toString('hex');
  const encryptionKey = randomBytes(32).toString('base64');

  const env = (databaseUrl: string, rate: number) => ({
    ...sandboxEnvironment(sandboxes, { vendors: ['apizee'], apizeeRatePerMinute: rate }),
    SLACK_SIGNING_SECRET: signingSecret,
    ENCRYPTION_KEY: encryptionKey,
    DATABASE_URL: databaseUrl,
    TRACK_INTERVAL_SECONDS: '0.5',
    // Stopping them after a test need not wait for work still queued behind the budget (10 s by default).
    SHUTDOWN_TIMEOUT_SECONDS: '1',
  });

  afterEach(async () => {
    await Promise.all(replicas.map((replica) => replica.stop()));
    replicas = [];
    await sandboxes?.close();
    await database?.drop();
    database = undefined;
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('two replicas on PostgreSQL track 200 sessions over 20 channels, one killed midway', async function () {
    database = await freshPostgresDatabase();
    if (!database) this.skip();
    sandboxes = await startSandboxes({ apizeeRatePerMinute: 6000 });
    replicas = await Promise.all([startReplica(env(database!.url, 6000)), startReplica(env(database!.url, 6000))]);
    await withReplicaLogs(replicas, () => trackSessionsThroughTheirLife({ sandboxes, replicas, signingSecret, sessions: 200, channels: 20, crashMidway: true }));
  });

  it('one replica on SQLite tracks 100 sessions over 20 channels (the 200-session count runs on PostgreSQL above and in npm run bench)', async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'rendezvous-replica-'));
    sandboxes = await startSandboxes({ apizeeRatePerMinute: 6000 });
    replicas = [await startReplica(env(`file:${join(dataDir, 'rendezvous.db')}`, 6000))];
    await withReplicaLogs(replicas, () => trackSessionsThroughTheirLife({ sandboxes, replicas, signingSecret, sessions: 100, channels: 20 }));
  });

  it('at the documented 10 a minute, two replicas share one budget with no 429', async function () {
    database = await freshPostgresDatabase();
    if (!database) this.skip();
    sandboxes = await startSandboxes({ apizeeRatePerMinute: 10 });
    replicas = await Promise.all([startReplica(env(database!.url, 10)), startReplica(env(database!.url, 10))]);
    const requesters = replicas.map((replica) => new SlackRequester({ appUrl: replica.url, signingSecret, fakeSlack: sandboxes.slack }));
    for (let i = 0; i < 6; i += 1) await requesters[i % 2]!.slash(`+336123456${String(i).padStart(2, '0')}`, { channelId: `C${i}` });
    await eventually('six invitations', () => count(sandboxes, 'invited') === 6, 30_000);
    // Tracking keeps polling for a while on both replicas: still within one budget.
    await new Promise((resolve) => setTimeout(resolve, 8000));
    assert.equal(sandboxes.apizee.rateLimitedCount, 0);
    assert.ok(maxPerMinute(sandboxes) <= 10, `${maxPerMinute(sandboxes)} requests in one minute`);
  });
});
