/**
 * Benchmark 3: 10,000 tracked Apizee ticket sessions at Apizee's documented 10 requests a minute.
 *
 * The sandboxes run here; the app runs in a child process (`node dist/main.js`, compiled) with a
 * throwaway SQLite file, so that its RSS is its own. The sandbox gets a second, bulk account in the
 * same enterprise: the 10,000 tickets are created through the sandbox's HTTP API under that
 * account (the limit raised meanwhile), so the app's own account starts with an empty window.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApizeeSandbox, type ApizeeSandbox } from '../../sandbox/apizee.js';
import { SANDBOX_APIZEE_ACCOUNT } from '../../sandbox/local-stack.js';
import { startFakeSlackApi, type FakeSlackApi } from '../../sandbox/slack-api.js';
import { migrate, openDatabase } from '../../src/store/database.js';
import type { NewSessionRow } from '../../src/store/schema.js';
import { APP_MAIN_COMPILED, freePort, procCpuSeconds, procStatusKb, spawnApp, type ChildApp } from './child.js';
import { maxInWindow, sleep } from './stats.js';

const BULK_ACCOUNT = { username: 'bulk-loader@example.com', password: 'bulk-secret', enterpriseId: SANDBOX_APIZEE_ACCOUNT.enterpriseId };
const AGENT = 'agent@example.com';

export interface TrackingOptions {
  sessions: number;
  channels: number;
  ratePerMinute: number;
  trackIntervalSeconds: number;
  /** How long the app tracks, from the moment it answers /healthz. */
  runMs: number;
  /** When the state changes are made, from the same moment. */
  changeAtMs: number;
  log: (line: string) => void;
  /**
   * Where to keep the app's log (app.log) and Apizee's requests from the app, one a line, in
   * seconds from /healthz (apizee.txt): where a thread reply's seconds went. Default: not kept.
   */
  traceDir?: string;
}

/** Part 3 as `npm run bench` runs it (and scripts/bench/part3.ts alone): 10,000 sessions at 10 Apizee requests a minute. */
export const PART3_SETUP = {
  sessions: 10_000,
  channels: 20,
  ratePerMinute: 10,
  trackIntervalSeconds: 1,
  runMs: 70_000,
  changeAtMs: 10_000,
} as const satisfies Omit<TrackingOptions, 'log' | 'traceDir'>;

export interface ThreadLatency {
  label: string;
  ticketId: number;
  /** Milliseconds from the state change to the thread reply; undefined when it did not arrive before the run ended. */
  ms?: number;
  /** How long it was waited for. */
  waitedMs: number;
  /** The session's status in the database once the app stopped. */
  statusAfter?: string;
  /** Then: how many tracked sessions were due before it (the tracker leases the most overdue first). */
  dueBefore?: number;
}

export interface TrackingResults {
  sessions: number;
  channels: number;
  setupMs: number;
  runMs: number;
  rss: {
    /** VmHWM at the end of the run: the highest RSS since the process started. */
    hwmMiB: number;
    /** VmHWM just after /healthz first answered (start-up, before tracking did much). */
    startupHwmMiB: number;
    peakMiB: number;
    lastMiB: number;
    /** The same app with an empty database, 5 s after start (VmRSS, VmHWM). */
    idleMiB: number;
    idleHwmMiB: number;
    /** VmRSS every 10 s of the run. */
    timeline: Array<{ atSeconds: number; mib: number }>;
  };
  cpuSeconds: number;
  apizee: {
    total: number;
    maxPer60s: number;
    rateLimited: number;
    byKind: Record<string, number>;
  };
  thread: ThreadLatency[];
  /** undefined: the app has no /webhooks/apizee route. */
  webhook?: ThreadLatency & { status: number };
  webhookRoute: boolean;
  /** Sessions whose next check moved during the run (the tracker looked at them at least once). */
  sessionsVisited: number;
  /** At that pace, seconds for the tracker to look at every session once. */
  estimatedCycleSeconds: number;
  warnLines: number;
  warnSamples: string[];
}

export async function benchTracking(options: TrackingOptions): Promise<TrackingResults> {
  const dir = mkdtempSync(join(tmpdir(), 'rendezvous-bench-'));
  const apizee = await startApizeeSandbox({ ratePerMinute: 1_000_000, accounts: [SANDBOX_APIZEE_ACCOUNT, BULK_ACCOUNT] });
  const slack = await startFakeSlackApi();
  let child: ChildApp | undefined;
  try {
    const setupStarted = Date.now();
    const tickets = await createTickets(apizee, options.sessions, options.log);
    apizee.setRatePerMinute(options.ratePerMinute);
    const cards = await postCards(slack, options.sessions, options.channels);
    const databaseUrl = `file:${join(dir, 'rendezvous.db')}`;
    await insertSessions(databaseUrl, slack.teamId, tickets, cards);
    const setupMs = Date.now() - setupStarted;
    options.log(`  setup: ${options.sessions} tickets, cards and session rows in ${(setupMs / 1000).toFixed(1)} s`);

    const secret = randomBytes(12).toString('hex');
    const logPath = join(dir, 'app.log');
    const env = (port: number, database: string, apizeeUrl: string) => ({
      SLACK_SIGNING_SECRET: randomBytes(16).toString('hex'),
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_API_URL: slack.apiUrl,
      PORT: String(port),
      DATABASE_URL: database,
      ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      LOG_LEVEL: 'info',
      TRACK_INTERVAL_SECONDS: String(options.trackIntervalSeconds),
      APIZEE_API_URL: apizeeUrl,
      APIZEE_USERNAME: SANDBOX_APIZEE_ACCOUNT.username,
      APIZEE_PASSWORD: SANDBOX_APIZEE_ACCOUNT.password,
      APIZEE_ENTERPRISE_ID: String(SANDBOX_APIZEE_ACCOUNT.enterpriseId),
      APIZEE_AGENT: AGENT,
      APIZEE_RATE_LIMIT_PER_MINUTE: String(options.ratePerMinute),
      APIZEE_WEBHOOK_SECRET: secret,
    });

    // Baseline: the same app with an empty database (Apizee pointed at a closed port: it has nothing to ask).
    const idlePort = await freePort();
    const idle = await spawnApp({
      entry: APP_MAIN_COMPILED,
      cwd: dir,
      port: idlePort,
      logPath: join(dir, 'idle.log'),
      healthPath: '/healthz',
      env: env(idlePort, `file:${join(dir, 'idle.db')}`, 'http://127.0.0.1:9/api'),
    });
    await sleep(5000);
    const idleKb = procStatusKb(idle.pid, 'VmRSS') ?? 0;
    const idleHwmKb = procStatusKb(idle.pid, 'VmHWM') ?? 0;
    await idle.stop();
    options.log(`  idle app (empty database): RSS ${(idleKb / 1024).toFixed(0)} MiB, high-water ${(idleHwmKb / 1024).toFixed(0)} MiB`);

    const port = await freePort();
    const childStartedAt = Date.now();
    child = await spawnApp({ entry: APP_MAIN_COMPILED, cwd: dir, port, logPath, healthPath: '/healthz', env: env(port, databaseUrl, apizee.url) });
    const { pid } = child;
    const appUrl = child.url;
    const t0 = Date.now();
    const end = t0 + options.runMs;
    const startupHwmKb = procStatusKb(pid, 'VmHWM') ?? 0;
    options.log(`  app up in ${((t0 - childStartedAt) / 1000).toFixed(1)} s (pid ${pid}); tracking for ${options.runMs / 1000} s`);

    // RSS every 250 ms while the app tracks.
    let peakKb = 0;
    let lastKb = 0;
    const timeline: Array<{ atSeconds: number; mib: number }> = [];
    const sampler = setInterval(() => {
      const kb = procStatusKb(pid, 'VmRSS');
      if (kb === undefined) return;
      lastKb = kb;
      peakKb = Math.max(peakKb, kb);
      const atSeconds = Math.floor((Date.now() - t0) / 10_000) * 10;
      if (timeline.at(-1)?.atSeconds !== atSeconds) timeline.push({ atSeconds, mib: kb / 1024 });
    }, 250);

    const probe = await postJson(`${appUrl}/webhooks/apizee?secret=${secret}`, { event: 'bench.probe' });
    const webhookRoute = probe !== 404 && probe !== 0;

    await sleep(Math.max(0, t0 + options.changeAtMs - Date.now()));
    // A session in the middle of the 10,000 and the newest one (the first page of the list call).
    const middle = Math.floor(options.sessions / 2);
    const newest = options.sessions - 1;
    const threadWaits = [
      { label: 'typical session (middle-aged ticket)', index: middle },
      { label: 'newest session (first page of the list)', index: newest },
    ].map(({ label, index }) => measureThread(apizee, slack, label, tickets[index]!.id, cards[index]!, end));
    let webhookWait: Promise<ThreadLatency & { status: number }> | undefined;
    if (webhookRoute) {
      const index = Math.floor(options.sessions / 4);
      webhookWait = measureThread(apizee, slack, 'typical session + webhook', tickets[index]!.id, cards[index]!, end, async () => {
        return postJson(`${appUrl}/webhooks/apizee?secret=${secret}`, { event: 'ticket.sessionStarted', ticket: { id: tickets[index]!.id } });
      });
    }
    const thread = await Promise.all(threadWaits);
    const webhook = await webhookWait;
    await sleep(Math.max(0, end - Date.now()));
    clearInterval(sampler);
    const hwmKb = procStatusKb(pid, 'VmHWM') ?? 0;
    const cpuSeconds = procCpuSeconds(pid);

    await child.stop();
    child = undefined;

    const appRequests = apizee.requests.filter((r) => r.account !== BULK_ACCOUNT.username && r.at.getTime() >= childStartedAt);
    const byKind: Record<string, number> = {};
    for (const r of appRequests) {
      const kind = requestKind(r.method, r.path, r.query);
      byKind[kind] = (byKind[kind] ?? 0) + 1;
    }
    if (options.traceDir) keepTrace(options.traceDir, logPath, appRequests, t0, options.changeAtMs);
    const { visited: sessionsVisited, statuses } = await inspectDatabase(
      databaseUrl,
      new Date(t0).toISOString(),
      [...thread, ...(webhook ? [webhook] : [])].map((latency) => String(latency.ticketId)),
    );
    for (const latency of [...thread, ...(webhook ? [webhook] : [])]) {
      const state = statuses.get(String(latency.ticketId));
      latency.statusAfter = state?.status;
      latency.dueBefore = state?.dueBefore;
    }
    const lines = readFileSync(logPath, 'utf8').split('\n').filter(Boolean);
    const warnings = lines.filter((line) => /"level":(4|5|6)0/.test(line));
    return {
      sessions: options.sessions,
      channels: options.channels,
      setupMs,
      runMs: options.runMs,
      rss: {
        hwmMiB: hwmKb / 1024,
        startupHwmMiB: startupHwmKb / 1024,
        peakMiB: peakKb / 1024,
        lastMiB: lastKb / 1024,
        idleMiB: idleKb / 1024,
        idleHwmMiB: idleHwmKb / 1024,
        timeline,
      },
      cpuSeconds,
      apizee: {
        total: appRequests.length,
        maxPer60s: maxInWindow(
          appRequests.map((r) => r.at.getTime()),
          60_000,
        ),
        rateLimited: appRequests.filter((r) => r.status === 429).length,
        byKind,
      },
      thread,
      webhook,
      webhookRoute,
      sessionsVisited,
      estimatedCycleSeconds: sessionsVisited > 0 ? (options.sessions * options.runMs) / 1000 / sessionsVisited : Number.POSITIVE_INFINITY,
      warnLines: warnings.length,
      warnSamples: [...new Set(warnings.map((line) => (JSON.parse(line) as { msg?: string }).msg ?? line))].slice(0, 5),
    };
  } finally {
    await child?.stop();
    await apizee.close();
    await slack.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Moves the ticket invited → inprogress (the guest joined), optionally calls `after`, and waits for the thread reply. */
async function measureThread(
  apizee: ApizeeSandbox,
  slack: FakeSlackApi,
  label: string,
  ticketId: number,
  card: Card,
  deadline: number,
  after?: () => Promise<number>,
): Promise<ThreadLatency & { status: number }> {
  const changedAt = Date.now();
  apizee.setTicketState(ticketId, 'inprogress');
  const status = after ? await after() : 0;
  const call = await slack
    .waitFor(
      'chat.postMessage',
      (c) => c.args.thread_ts === card.ts && c.args.channel === card.channel,
      Math.max(1, deadline - Date.now()),
    )
    .catch(() => undefined);
  return { label, ticketId, ms: call ? call.at - changedAt : undefined, waitedMs: (call?.at ?? Date.now()) - changedAt, status };
}

interface Ticket {
  id: number;
  reference: string;
}

interface Card {
  channel: string;
  ts: string;
}

/** Creates the tickets through the sandbox's HTTP API, 16 at a time, under the bulk account. */
async function createTickets(apizee: ApizeeSandbox, count: number, log: (line: string) => void): Promise<Ticket[]> {
  const tokenAnswer = await fetch(
    `${apizee.url}/token?${new URLSearchParams({ grant_type: 'password', username: BULK_ACCOUNT.username, password: BULK_ACCOUNT.password })}`,
    { method: 'POST' },
  );
  const { access_token: token } = (await tokenAnswer.json()) as { access_token: string };
  const tickets: Ticket[] = new Array(count);
  let next = 0;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < count) {
        const index = next++;
        const reference = `BENCH${String(index).padStart(6, '0')}`;
        const query = new URLSearchParams({ agent: AGENT, invite: '1', reference, phone: `+3361${String(index).padStart(7, '0')}` });
        const response = await fetch(`${apizee.url}/tickets?${query}`, { method: 'POST', headers: { Authorization: `Bearer ${token}` } });
        if (!response.ok) throw new Error(`sandbox refused ticket ${index}: ${response.status} ${await response.text()}`);
        const { id } = (await response.json()) as { id: number };
        tickets[index] = { id, reference };
      }
    }),
  );
  log(`  ${count} sandbox tickets created in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return tickets;
}

/** One session card per session in the fake Slack (thread replies need a real parent message). */
async function postCards(slack: FakeSlackApi, count: number, channels: number): Promise<Card[]> {
  const cards: Card[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < count) {
        const index = next++;
        const channel = channelOf(index, channels);
        const response = await fetch(`${slack.apiUrl}chat.postMessage`, {
          method: 'POST',
          headers: { Authorization: 'Bearer xoxb-test', 'Content-Type': 'application/json; charset=utf-8' },
          body: JSON.stringify({ channel, text: `Apizee session BENCH${String(index).padStart(6, '0')}` }),
        });
        const answer = (await response.json()) as { ok: boolean; ts?: string; error?: string };
        if (!answer.ok || !answer.ts) throw new Error(`fake Slack refused card ${index}: ${answer.error}`);
        cards[index] = { channel, ts: answer.ts };
      }
    }),
  );
  return cards;
}

function channelOf(index: number, channels: number): string {
  return `C0TRACK${String(index % channels).padStart(2, '0')}`;
}

/** Migrates a fresh database and inserts one invited, tracked session per ticket. */
async function insertSessions(databaseUrl: string, teamId: string, tickets: Ticket[], cards: Card[]): Promise<void> {
  const { db } = openDatabase(databaseUrl);
  try {
    await migrate(db);
    const now = Date.now();
    // Created over the last two hours; each next check already due, as after a restart.
    const rows: NewSessionRow[] = tickets.map((ticket, index) => {
      const created = new Date(now - (tickets.length - index) * 720).toISOString();
      return {
        id: randomUUID(),
        team_id: teamId,
        enterprise_id: null,
        vendor: 'apizee',
        kind: 'ticket',
        vendor_id: String(ticket.id),
        reference: ticket.reference,
        contact_masked: `+33 6 •• •• ${String(index % 100).padStart(2, '0')}`,
        contact_encrypted: null,
        contact_hash: null,
        delivery: 'sms',
        vendor_state: 'invited',
        status: 'invited',
        status_detail: null,
        channel_id: cards[index]!.channel,
        card_ts: cards[index]!.ts,
        started_by: 'U0AGENT',
        agent_url: null,
        customer_url: null,
        details: '{}',
        created_at: created,
        updated_at: created,
        joined_at: null,
        ended_at: null,
        tracking: 1,
        next_check_at: new Date(Date.parse(created) + 1000).toISOString(),
        media_posted: 0,
        last_error: null,
      };
    });
    await db.transaction().execute(async (trx) => {
      for (let start = 0; start < rows.length; start += 500) {
        await trx.insertInto('sessions').values(rows.slice(start, start + 500)).execute();
      }
    });
  } finally {
    await db.destroy();
  }
}

/**
 * How many sessions the tracker looked at since `sinceIso`; for the sessions of `vendorIds`, their
 * status and how many tracked sessions were due before them.
 */
async function inspectDatabase(
  databaseUrl: string,
  sinceIso: string,
  vendorIds: string[],
): Promise<{ visited: number; statuses: Map<string, { status: string; dueBefore: number }> }> {
  const { db } = openDatabase(databaseUrl);
  try {
    const counted = db.selectFrom('sessions').select((eb) => eb.fn.countAll<number>().as('n'));
    const visited = Number((await counted.where('next_check_at', '>=', sinceIso).executeTakeFirst())?.n ?? 0);
    const statuses = new Map<string, { status: string; dueBefore: number }>();
    for (const vendorId of vendorIds) {
      const row = await db.selectFrom('sessions').select(['status', 'next_check_at']).where('vendor_id', '=', vendorId).executeTakeFirst();
      if (!row) continue;
      const before = row.next_check_at
        ? await counted.where('tracking', '=', 1).where('next_check_at', '<', row.next_check_at).executeTakeFirst()
        : undefined;
      statuses.set(vendorId, { status: row.status, dueBefore: Number(before?.n ?? 0) });
    }
    return { visited, statuses };
  } finally {
    await db.destroy();
  }
}

function keepTrace(dir: string, logPath: string, requests: ApizeeSandbox['requests'], t0: number, changeAtMs: number): void {
  copyFileSync(logPath, join(dir, 'app.log'));
  const at = (ms: number) => ((ms - t0) / 1000).toFixed(3);
  const lines = requests.map((r) => `${at(r.at.getTime())} ${r.status} ${r.method} ${r.path} ${JSON.stringify(r.query)}`);
  writeFileSync(join(dir, 'apizee.txt'), [`# t0 (/healthz) = ${t0}; state changes and webhook at ${at(t0 + changeAtMs)}`, ...lines].join('\n') + '\n');
}

function requestKind(method: string, path: string, query: Record<string, string>): string {
  if (path === '/api/token') return 'token';
  if (method === 'GET' && path === '/api/tickets') return query.reference ? 'ticket lookup by reference' : `ticket list (limit ${query.limit ?? '?'})`;
  if (path.endsWith('/medias')) return 'ticket medias';
  return `${method} ${path}`;
}

/** POSTs JSON; returns the HTTP status (0 when the request failed). */
async function postJson(url: string, body: unknown): Promise<number> {
  try {
    const response = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    await response.body?.cancel();
    return response.status;
  } catch {
    return 0;
  }
}

