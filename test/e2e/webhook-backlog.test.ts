import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApizeeSandbox, type ApizeeSandbox } from '../../sandbox/apizee.js';
import { SANDBOX_APIZEE_ACCOUNT } from '../../sandbox/local-stack.js';
import { startFakeSlackApi, type FakeSlackApi } from '../../sandbox/slack-api.js';
import { createApp, type Rendezvous } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { migrate, openDatabase } from '../../src/store/database.js';
import { sessionRow } from '../helpers/databases.js';
import { eventually } from '../helpers/eventually.js';

/**
 * Bench part 3's webhook figure in small: many tracked sessions all due, Apizee's budget the only
 * pace, and a webhook for a session neither the oldest (the pass's batch) nor the newest (the list
 * call's page). Apizee allows 30 a minute here instead of 10, so background slots come every
 * 61 s / 24 = 2.5 s instead of 7.6 s.
 */
const RATE_PER_MINUTE = 30;
const SPACING_MS = 61_000 / (RATE_PER_MINUTE - RATE_PER_MINUTE * 0.2);
const SESSIONS = 300;
const TARGET = 150;
const SECRET = 'backlog-hook-secret';
const BULK_ACCOUNT = { username: 'bulk-loader@example.com', password: 'bulk-secret', enterpriseId: SANDBOX_APIZEE_ACCOUNT.enterpriseId };

interface Tracked {
  ticketId: number;
  reference: string;
  channel: string;
  ts: string;
}

/** Tickets made under a second account of the same enterprise, so the app's own starts with an empty window. */
async function createTickets(apizee: ApizeeSandbox, count: number): Promise<Array<Pick<Tracked, 'ticketId' | 'reference'>>> {
  const query = new URLSearchParams({ grant_type: 'password', username: BULK_ACCOUNT.username, password: BULK_ACCOUNT.password });
  const { access_token: token } = (await (await fetch(`${apizee.url}/token?${query}`, { method: 'POST' })).json()) as { access_token: string };
  const tickets = [];
  for (let index = 0; index < count; index += 1) {
    const reference = `BACKLOG${String(index).padStart(4, '0')}`;
    const params = new URLSearchParams({ agent: 'agent@example.com', invite: '1', reference, phone: `+3361${String(index).padStart(7, '0')}` });
    const response = await fetch(`${apizee.url}/tickets?${params}`, { method: 'POST', headers: { Authorization: `Bearer ${token}` } });
    assert.equal(response.status, 200);
    tickets.push({ ticketId: ((await response.json()) as { id: number }).id, reference });
  }
  return tickets;
}

async function postCard(slack: FakeSlackApi, channel: string, text: string): Promise<string> {
  const response = await fetch(`${slack.apiUrl}chat.postMessage`, {
    method: 'POST',
    headers: { Authorization: 'Bearer xoxb-test', 'Content-Type': 'application/json; charset=utf-8' },
    body: JSON.stringify({ channel, text }),
  });
  return ((await response.json()) as { ts: string }).ts;
}

describe('e2e: an Apizee webhook among many sessions due', function () {
  this.timeout(40_000);
  let apizee: ApizeeSandbox;
  let slack: FakeSlackApi;
  let app: Rendezvous | undefined;
  let dir: string;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rendezvous-backlog-'));
    apizee = await startApizeeSandbox({ ratePerMinute: 1_000_000, accounts: [SANDBOX_APIZEE_ACCOUNT, BULK_ACCOUNT] });
    slack = await startFakeSlackApi();
  });
  afterEach(async () => {
    await app?.stop();
    app = undefined;
    await apizee.close();
    await slack.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("reaches its thread with the first Apizee request after it, in the budget's pace", async () => {
    const tickets = await createTickets(apizee, SESSIONS);
    apizee.setRatePerMinute(RATE_PER_MINUTE);
    const tracked: Tracked[] = [];
    for (const [index, ticket] of tickets.entries()) {
      const channel = `C0BACKLOG${index % 5}`;
      tracked.push({ ...ticket, channel, ts: await postCard(slack, channel, `Apizee session ${ticket.reference}`) });
    }
    const databaseUrl = `file:${join(dir, 'rendezvous.db')}`;
    const seeded = openDatabase(databaseUrl);
    await migrate(seeded.db);
    // Every session due, oldest first, as after a restart.
    const now = Date.now();
    const rows = tracked.map((session, index) => {
      const created = new Date(now - (SESSIONS - index) * 1000).toISOString();
      const row = { vendor_id: String(session.ticketId), reference: session.reference, channel_id: session.channel, card_ts: session.ts };
      return sessionRow({ ...row, team_id: slack.teamId, vendor_state: 'invited', created_at: created, updated_at: created, next_check_at: created });
    });
    await seeded.db.insertInto('sessions').values(rows).execute();
    await seeded.db.destroy();

    const config = loadConfig({
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_API_URL: slack.apiUrl,
      SLACK_SIGNING_SECRET: randomBytes(16).toString('hex'),
      PORT: '0',
      DATABASE_URL: databaseUrl,
      ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      TRACK_INTERVAL_SECONDS: '0.25',
      APIZEE_API_URL: apizee.url,
      APIZEE_USERNAME: SANDBOX_APIZEE_ACCOUNT.username,
      APIZEE_PASSWORD: SANDBOX_APIZEE_ACCOUNT.password,
      APIZEE_ENTERPRISE_ID: String(SANDBOX_APIZEE_ACCOUNT.enterpriseId),
      APIZEE_AGENT: 'agent@example.com',
      APIZEE_RATE_LIMIT_PER_MINUTE: String(RATE_PER_MINUTE),
      APIZEE_WEBHOOK_SECRET: SECRET,
    });
    app = createApp(config, { logger: createLogger('silent') });
    const { port } = await app.start();

    const appRequests = () => apizee.requests.filter((request) => request.account === SANDBOX_APIZEE_ACCOUNT.username);
    const polls = () => appRequests().filter((request) => request.method === 'GET' && request.path === '/api/tickets');
    await eventually('two tracking requests', () => polls().length >= 2, 3 * SPACING_MS + 5000);
    // A second after a slot was used: the next pass is waiting for the following one, about 1.5 s
    // away. The webhook comes in that wait, as it mostly does at 10 a minute (7.6 s between slots).
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, polls().at(-1)!.at.getTime() + 1000 - Date.now())));
    const target = tracked[TARGET]!;
    const pollsBefore = polls().length;
    apizee.setTicketState(target.ticketId, 'inprogress');
    const hookedAt = Date.now();
    const answer = await fetch(`http://127.0.0.1:${port}/webhooks/apizee`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-webhook-secret': SECRET },
      body: JSON.stringify({ event: 'ticket.sessionStarted', ticket: { id: target.ticketId } }),
    });
    assert.deepEqual(await answer.json(), { ok: true, outcome: 'due' });
    const reply = await slack.waitFor('chat.postMessage', (call) => call.args.thread_ts === target.ts && call.args.channel === target.channel, 4 * SPACING_MS);

    const after = polls().slice(pollsBefore);
    assert.equal(after[0]?.query.reference, target.reference, `the first request after the webhook: ${JSON.stringify(after[0]?.query)}`);
    assert.match(reply.args.text ?? '', /joined/);
    // Within the wait for the next slot, not one slot later.
    assert.ok(reply.at - hookedAt < SPACING_MS + 1000, `thread reply ${reply.at - hookedAt} ms after the webhook (slots every ${SPACING_MS.toFixed(0)} ms)`);
    // The budget held: no 429, and the background pace kept (nothing else asked Apizee).
    assert.equal(apizee.rateLimitedCount, 0);
    const gaps = polls()
      .slice(1)
      .map((request, index) => request.at.getTime() - polls()[index]!.at.getTime());
    assert.ok(Math.min(...gaps) >= SPACING_MS - 50, `tracking requests ${gaps.join(', ')} ms apart`);
  });
});
