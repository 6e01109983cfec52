import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sandboxEnvironment, startSandboxes, type Sandboxes } from '../../src/sandbox/local-stack.js';
import { SlackRequester } from '../../src/sandbox/slack-requests.js';
import { freshPostgresDatabase } from '../helpers/databases.js';
import { eventually } from '../helpers/eventually.js';
import { startReplica, type Replica } from '../helpers/replica.js';

const MILESTONES = ['invited', 'joined', 'ended', 'media'] as const;
const PATTERN: Record<(typeof MILESTONES)[number], RegExp> = {
  invited: /sent the invitation/,
  joined: /guest joined/,
  ended: /session ended/,
  media: /from the session/,
};

/** Thread replies per card, read from what Slack received. */
function threads(sandboxes: Sandboxes): Map<string, string[]> {
  const byThread = new Map<string, string[]>();
  for (const call of sandboxes.slack.callsTo('chat.postMessage')) {
    if (!call.args.thread_ts || !call.response?.ok) continue;
    byThread.set(call.args.thread_ts, [...(byThread.get(call.args.thread_ts) ?? []), call.args.text as string]);
  }
  return byThread;
}

function count(sandboxes: Sandboxes, key: (typeof MILESTONES)[number]): number {
  return [...threads(sandboxes).values()].filter((texts) => texts.some((text) => PATTERN[key].test(text))).length;
}

/** Never more than `limit` Apizee requests in any 60 s. */
function maxPerMinute(sandboxes: Sandboxes): number {
  const times = sandboxes.apizee.requests.map((request) => request.at.getTime()).sort((a, b) => a - b);
  let max = 0;
  for (let i = 0, j = 0; i < times.length; i += 1) {
    while (times[i]! - times[j]! >= 60_000) j += 1;
    max = Math.max(max, i - j + 1);
  }
  return max;
}

/** On failure, the replicas' last log lines say why. */
async function withReplicaLogs(replicas: Replica[], run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (error) {
    const logs = replicas.map((replica, index) => `replica ${index}:\n${replica.logs.filter((line) => !/vendor call succeeded/.test(line)).slice(-15).join('\n')}`);
    throw new Error(`${(error as Error).message}\n${logs.join('\n')}`, { cause: error });
  }
}

async function trackSessionsThroughTheirLife(options: {
  sandboxes: Sandboxes;
  replicas: Replica[];
  signingSecret: string;
  sessions: number;
  channels: number;
  crashMidway?: boolean;
}): Promise<void> {
  const { sandboxes, replicas, sessions, channels } = options;
  const requesters = replicas.map((replica) => new SlackRequester({ appUrl: replica.url, signingSecret: options.signingSecret, fakeSlack: sandboxes.slack }));
  for (let i = 0; i < sessions; i += 1) {
    const channelId = `C${String(i % channels).padStart(4, '0')}`;
    const response = await requesters[i % requesters.length]!.slash(`+3361234${String(i).padStart(4, '0')} ref:LOAD-${i}`, { channelId, userId: 'U0AGENT' });
    assert.equal(response.status, 200);
  }
  await eventually(`${sessions} invitations`, () => count(sandboxes, 'invited') === sessions, 90_000);
  const tickets = [...sandboxes.apizee.tickets.values()];
  assert.equal(tickets.length, sessions);
  for (const ticket of tickets) sandboxes.apizee.setTicketState(ticket.id, 'inprogress');
  if (options.crashMidway) {
    // Kill one replica while the others post: its leases must be taken over, nothing posted twice.
    await eventually('some guests joined', () => count(sandboxes, 'joined') > 0, 60_000);
    await replicas[0]!.crash();
  }
  await eventually(`${sessions} joined`, () => count(sandboxes, 'joined') === sessions, 120_000);
  for (const ticket of tickets) sandboxes.apizee.completeWithMedia(ticket.id);
  await eventually(`${sessions} ended with media`, () => count(sandboxes, 'media') === sessions, 150_000);
  await new Promise((resolve) => setTimeout(resolve, 1500));

  for (const [thread, texts] of threads(sandboxes)) {
    assert.equal(texts.length, MILESTONES.length, `thread ${thread} has ${texts.length} replies:\n${texts.join('\n')}`);
    MILESTONES.forEach((key, index) => assert.match(texts[index]!, PATTERN[key], `thread ${thread}, reply ${index + 1}`));
  }
  assert.equal(threads(sandboxes).size, sessions);
  assert.equal(sandboxes.apizee.rateLimitedCount, 0, 'no Apizee 429');
  assert.deepEqual(sandboxes.slack.rejections, []);
}

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

  it('one replica on SQLite tracks 200 sessions over 20 channels', async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'rendezvous-replica-'));
    sandboxes = await startSandboxes({ apizeeRatePerMinute: 6000 });
    replicas = [await startReplica(env(`file:${join(dataDir, 'rendezvous.db')}`, 6000))];
    await withReplicaLogs(replicas, () => trackSessionsThroughTheirLife({ sandboxes, replicas, signingSecret, sessions: 200, channels: 20 }));
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
