import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { sandboxEnvironment, startLocalStack, startSandboxes, type LocalStack, type Sandboxes } from '../../sandbox/local-stack.js';
import { SlackRequester } from '../../sandbox/slack-requests.js';
import { NOTHING_STARTED } from '../../src/services/sessions.js';
import { openDatabase } from '../../src/store/database.js';
import { freshPostgresDatabase } from '../helpers/databases.js';
import { eventually } from '../helpers/eventually.js';
import { runOutLeasesOf, startReplica, type Replica } from '../helpers/replica.js';

const CHANNEL = 'C0DURABLE';
const AGENT = 'U0AGENT';

const ticketPosts = (sandboxes: Sandboxes) => sandboxes.apizee.requests.filter((request) => request.method === 'POST' && request.path === '/api/tickets');
const cardPosts = (sandboxes: Sandboxes) => sandboxes.slack.callsTo('chat.postMessage').filter((call) => call.args.channel === CHANNEL && !call.args.thread_ts);
const cardUpdates = (sandboxes: Sandboxes) => sandboxes.slack.callsTo('chat.update').filter((call) => call.args.channel === CHANNEL);

describe('e2e: durable creation, a replica killed after the ack', function () {
  this.timeout(120_000);
  let sandboxes: Sandboxes | undefined;
  let replicas: Replica[] = [];
  let dataDir: string | undefined;
  let database: { url: string; drop(): Promise<void> } | undefined;
  const signingSecret = randomBytes(16).toString('hex');
  const encryptionKey = randomBytes(32).toString('base64');

  const env = (databaseUrl: string) => ({
    ...sandboxEnvironment(sandboxes!, { vendors: ['apizee'], apizeeRatePerMinute: 600 }),
    SLACK_SIGNING_SECRET: signingSecret,
    ENCRYPTION_KEY: encryptionKey,
    DATABASE_URL: databaseUrl,
    TRACK_INTERVAL_SECONDS: '0.5',
  });

  afterEach(async () => {
    await Promise.all(replicas.map((replica) => replica.stop()));
    replicas = [];
    await sandboxes?.close();
    sandboxes = undefined;
    await database?.drop();
    database = undefined;
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    dataDir = undefined;
  });

  /**
   * Apizee makes the ticket but its answer never comes; the replica is killed -9 while it waits.
   * A new replica on the same database takes the job over once the dead one's lease ran out (run
   * out at once here, rather than waited for: 15 s): it does not send the POST again but looks the
   * ticket up, adopts it, and the card goes from "Creating…" to invited.
   */
  async function killedMidCallThenTakenOver(databaseUrl: string): Promise<void> {
    sandboxes!.apizee.loseNextAnswer('POST', /^\/api\/tickets$/, 'timeout');
    const first = await startReplica(env(databaseUrl));
    replicas.push(first);
    const requester = new SlackRequester({ appUrl: first.url, signingSecret, fakeSlack: sandboxes!.slack });
    const ack = await requester.slash('+33 6 12 34 56 78 apizee ref:CASE-KILLED', { userId: AGENT, channelId: CHANNEL });
    assert.match(ack.body.text as string, /Creating the Apizee session/);

    await eventually('the card, saying Creating…', () => cardPosts(sandboxes!).length === 1, 15_000);
    assert.match(JSON.stringify(cardPosts(sandboxes!)[0]!.args.blocks), /Creating/);
    await eventually('the POST /tickets reached Apizee', () => ticketPosts(sandboxes!).length === 1, 15_000);
    await first.crash();
    assert.equal(sandboxes!.apizee.tickets.size, 1, 'Apizee made the ticket; the killed replica never heard');
    assert.ok((await runOutLeasesOf(first, databaseUrl)) >= 1, 'the killed replica held the job');

    const second = await startReplica(env(databaseUrl));
    replicas.push(second);
    await eventually(
      'the card updated to invited by the new replica',
      () => cardUpdates(sandboxes!).some((call) => /Invited/.test(JSON.stringify(call.args.blocks))),
      40_000,
    );
    const reply = await sandboxes!.slack.waitFor('chat.postMessage', (call) => Boolean(call.args.thread_ts) && /found the ticket by its reference/.test(call.args.text), 10_000);
    assert.match(reply.args.text, new RegExp(`<@${AGENT}> started this session`));
    assert.equal(sandboxes!.apizee.tickets.size, 1, 'exactly one ticket');
    assert.equal(ticketPosts(sandboxes!).length, 1, 'the POST was never sent again');
    assert.equal(cardPosts(sandboxes!).length, 1, 'one card, updated in place');
    // Its log line comes through a pipe, maybe after Slack saw the reply.
    await eventually('the new replica logs that it adopted it', () => second.logs.some((line) => /interrupted creation: adopted what the vendor made/.test(line)), 5000);
    assert.ok(!cardUpdates(sandboxes!).some((call) => /Failed/.test(JSON.stringify(call.args.blocks))));
  }

  it('on SQLite: the new instance adopts the ticket the killed one had asked for, once', async () => {
    sandboxes = await startSandboxes({ apizeeRatePerMinute: 600 });
    dataDir = mkdtempSync(join(tmpdir(), 'rendezvous-durable-'));
    await killedMidCallThenTakenOver(`file:${join(dataDir, 'rendezvous.db')}`);
  });

  it('on PostgreSQL: the new instance adopts the ticket the killed one had asked for, once', async function () {
    database = await freshPostgresDatabase();
    if (!database) this.skip();
    sandboxes = await startSandboxes({ apizeeRatePerMinute: 600 });
    await killedMidCallThenTakenOver(database!.url);
  });

  it('a request acknowledged just before the kill, with Slack holding its card, is carded and created by the next instance', async () => {
    sandboxes = await startSandboxes({ apizeeRatePerMinute: 600 });
    dataDir = mkdtempSync(join(tmpdir(), 'rendezvous-durable-'));
    const url = `file:${join(dataDir, 'rendezvous.db')}`;
    // Slack rate-limits the card for 20 s (the client waits it out): the kill comes before the card is posted.
    sandboxes.slack.failNext('chat.postMessage', 'ratelimited', { status: 429, retryAfter: 20 });
    const first = await startReplica(env(url));
    replicas.push(first);
    const requester = new SlackRequester({ appUrl: first.url, signingSecret, fakeSlack: sandboxes.slack });
    const ack = await requester.slash('+33 6 12 34 56 78 apizee ref:CASE-EARLY', { userId: AGENT, channelId: CHANNEL });
    assert.match(ack.body.text as string, /Creating the Apizee session/);
    await eventually('the card post refused', () => cardPosts(sandboxes!).length === 1, 10_000);
    await first.crash();
    assert.equal(ticketPosts(sandboxes).length, 0, 'Apizee was never asked');
    assert.ok((await runOutLeasesOf(first, url)) >= 1, 'the killed replica held the job');

    replicas.push(await startReplica(env(url)));
    await eventually('the ticket, made by the new replica', () => sandboxes!.apizee.tickets.size === 1, 40_000);
    await eventually('the card updated to invited', () => cardUpdates(sandboxes!).some((call) => /Invited/.test(JSON.stringify(call.args.blocks))), 10_000);
    assert.equal(ticketPosts(sandboxes).length, 1);
  });
});

describe('e2e: durable creation, the database does not answer before the ack', function () {
  this.timeout(60_000);
  let stack: LocalStack | undefined;
  let database: { url: string; drop(): Promise<void> } | undefined;

  afterEach(async () => {
    await stack?.close().catch(() => undefined);
    stack = undefined;
    await database?.drop();
    database = undefined;
  });

  it('says plainly that nothing was started when the database is gone, and starts nothing', async () => {
    stack = await startLocalStack({ vendors: ['apizee'], apizeeRatePerMinute: 600 });
    await stack.app.database.db.destroy();
    const started = Date.now();
    const ack = await stack.requester.slash('+33 6 12 34 56 78 apizee ref:CASE-NODB', { userId: AGENT, channelId: CHANNEL });
    assert.ok(Date.now() - started < 3000);
    assert.equal(ack.body.text, NOTHING_STARTED);
    assert.match(ack.body.text as string, /Nothing was started.*try again/);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal(stack.apizee.tickets.size, 0);
    assert.equal(cardPosts(stack).length, 0);
  });

  it('on PostgreSQL, a write held past 1 s: the ack says nothing was started, and the late write is withdrawn', async function () {
    database = await freshPostgresDatabase();
    if (!database) this.skip();
    stack = await startLocalStack({ vendors: ['apizee'], apizeeRatePerMinute: 600, env: { DATABASE_URL: database!.url } });
    const locker = new pg.Client({ connectionString: database!.url });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE sessions IN ACCESS EXCLUSIVE MODE');
      const started = Date.now();
      const ack = await stack.requester.slash('+33 6 12 34 56 78 apizee ref:CASE-SLOWDB', { userId: AGENT, channelId: CHANNEL });
      const took = Date.now() - started;
      assert.equal(ack.body.text, NOTHING_STARTED);
      assert.ok(took >= 1000 && took < 2500, `acked in ${took} ms`);
      await locker.query('COMMIT');
    } finally {
      await locker.end();
    }
    const db = openDatabase(database!.url).db;
    try {
      await eventually('the late session marked failed, its job withdrawn', async () => {
        const rows = await db.selectFrom('sessions').select(['status', 'last_error']).execute();
        return rows.length === 1 && rows[0]!.status === 'failed' && rows[0]!.last_error === 'not_started';
      }, 10_000);
      const jobs = await sql<{ n: number }>`select count(*)::int as n from creation_jobs`.execute(db);
      assert.equal(jobs.rows[0]!.n, 0);
    } finally {
      await db.destroy();
    }
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal(stack.apizee.tickets.size, 0, 'Apizee was never asked');
    assert.equal(cardPosts(stack).length, 0, 'no card');
  });
});
