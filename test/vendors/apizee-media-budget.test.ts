import assert from 'node:assert/strict';
import { startApizeeSandbox, type ApizeeSandbox } from '../../sandbox/apizee.js';
import { SANDBOX_APIZEE_ACCOUNT } from '../../sandbox/local-stack.js';
import { createLogger } from '../../src/logger.js';
import { SessionLifecycle } from '../../src/services/session-lifecycle.js';
import { migrate, openDatabase, type OpenedDatabase } from '../../src/store/database.js';
import { MilestonesRepository } from '../../src/store/milestones-repository.js';
import { SessionsRepository } from '../../src/store/sessions-repository.js';
import { TrackingLoop } from '../../src/tracking/tracking-loop.js';
import { StoreTrackingPort, trackerOver } from '../../src/tracking/tracking-port.js';
import { ApizeeClient } from '../../src/vendors/apizee/client.js';
import { ApizeeConferenceTracker } from '../../src/vendors/apizee/conference-tracker.js';
import { ApizeeTicketTracker } from '../../src/vendors/apizee/ticket-tracker.js';
import { VendorHealth } from '../../src/vendors/health.js';
import { RateBudget } from '../../src/vendors/rate-budget.js';
import { sessionFixture } from '../helpers/databases.js';

/**
 * Apizee's minute, twenty times faster: 10 requests in any 3 s for the app's budget (the sandbox,
 * counting over 60 s, allows the same 200), a 1.5 s tracking interval (30 s by default), 0.5 s of
 * waiting for a background slot (10 s). The goals, ≤ 60 s, become ≤ 3 s.
 */
const SCALE = 20;
const WINDOW_MS = 60_000 / SCALE;
const INTERVAL_MS = 30_000 / SCALE;
const GOAL_MS = 60_000 / SCALE;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function eventually(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 30_000): Promise<void> {
  for (const start = Date.now(); !(await check()); await sleep(50)) {
    if (Date.now() - start > timeoutMs) assert.fail(`never: ${what}`);
  }
}

describe('Apizee media within the budget: three tickets ending in the same minute (time ×20)', function () {
  this.timeout(90_000);
  let opened: OpenedDatabase;
  let sandbox: ApizeeSandbox;
  let loop: TrackingLoop;
  let budget: RateBudget;

  beforeEach(async () => {
    opened = openDatabase('file::memory:');
    await migrate(opened.db);
    sandbox = await startApizeeSandbox({ ratePerMinute: 10 * SCALE, accounts: [SANDBOX_APIZEE_ACCOUNT] });
  });
  afterEach(async () => {
    await loop?.stop();
    budget?.stop();
    await sandbox.close();
    await opened.db.destroy();
  });

  it('polls each ended ticket within the goal of the call that showed the end, and posts each photo within the goal of the list call that first showed it', async () => {
    const logger = createLogger('silent');
    budget = new RateBudget(10, { windowMs: WINDOW_MS });
    const client = new ApizeeClient(
      { apiUrl: sandbox.url, username: SANDBOX_APIZEE_ACCOUNT.username, password: SANDBOX_APIZEE_ACCOUNT.password, enterpriseId: '1', agent: 'agent@example.com', ratePerMinute: 10, timeoutMs: 2000 },
      { logger, health: new VendorHealth(), budget },
    );
    const sessions = new SessionsRepository(opened.db, opened.kind);
    const milestones = new MilestonesRepository(opened.db, opened.kind);
    const lifecycle = new SessionLifecycle({ sessions, cards: { show: async () => undefined }, onOutbox: async () => undefined, logger });
    const port = (kind: string) => new StoreTrackingPort({ sessions, lifecycle, vendor: 'apizee', kind, owner: 'replica-1', leaseMs: 60_000 });
    const deps = { client, logger, intervalMs: INTERVAL_MS, mediaSlotWaitMs: 10_000 / SCALE };

    const ids: number[] = [];
    for (const n of [1, 2, 3]) {
      const ticket = await client.createTicket({ phone: `+3361234567${n}`, agent: 'agent@example.com', reference: `CASE-${n}` });
      ids.push(ticket.id);
      await sessions.insert(sessionFixture({ id: `s-${n}`, vendorId: String(ticket.id), reference: `CASE-${n}`, status: 'invited', vendorState: 'invited', tracking: true, nextCheckAt: null, details: {} }));
    }
    loop = new TrackingLoop([trackerOver(new ApizeeTicketTracker(deps), port('ticket')), trackerOver(new ApizeeConferenceTracker(deps), port('conference'))], INTERVAL_MS, logger);
    loop.start();

    for (const id of ids) sandbox.setTicketState(id, 'inprogress');
    await eventually('all three joined', async () => (await Promise.all(['s-1', 's-2', 's-3'].map((id) => sessions.get(id)))).every((s) => s?.status === 'joined'));

    // The three end together; a photo lands at each end, and a second one later on the first.
    const endedAt = Date.now();
    for (const id of ids) sandbox.setTicketState(id, 'done');
    const photos = ids.map((id) => ({ ticket: id, media: sandbox.addTicketMedia(id, { title: `photo-${id}`, type: 'image/jpeg' }), addedAt: Date.now() }));
    await eventually('the first ended session polled once', () => sandbox.requests.some((r) => r.path.endsWith(`/tickets/${ids[0]}/medias`) && r.at.getTime() > endedAt));
    const late = { ticket: ids[0]!, media: sandbox.addTicketMedia(ids[0]!, { title: 'photo-late', type: 'image/jpeg' }), addedAt: Date.now() };
    photos.push(late);

    await eventually('all three settled', async () => (await Promise.all(['s-1', 's-2', 's-3'].map((id) => sessions.get(id)))).every((s) => s?.tracking === false), 60_000);

    const listCalls = sandbox.requests.filter((r) => r.method === 'GET' && r.path === '/api/tickets' && r.at.getTime() >= endedAt);
    const shownEnd = listCalls[0]!.at.getTime();
    for (const id of ids) {
      const firstPoll = sandbox.requests.find((r) => r.path.endsWith(`/tickets/${id}/medias`) && r.at.getTime() >= endedAt);
      assert.ok(firstPoll, `ticket ${id} media polled`);
      assert.ok(firstPoll.at.getTime() - shownEnd <= GOAL_MS, `ticket ${id}: first media poll ${firstPoll.at.getTime() - shownEnd} ms after the list call showing the end`);
    }

    const posted = new Map<string, Date>();
    for (const [index, id] of ['s-1', 's-2', 's-3'].entries()) {
      for (const milestone of await milestones.pendingFor(id)) {
        if (!milestone.key.startsWith('media:')) continue;
        for (const mediaId of milestone.key.slice('media:'.length).split(',')) {
          assert.ok(!posted.has(mediaId), `media ${mediaId} posted once`);
          posted.set(mediaId, milestone.createdAt);
        }
      }
      assert.ok(ids[index]);
    }
    for (const photo of photos) {
      const at = posted.get(String(photo.media.id));
      assert.ok(at, `photo ${photo.media.title} posted`);
      const showing = sandbox.requests.find((r) => r.path.endsWith(`/tickets/${photo.ticket}/medias`) && r.at.getTime() >= photo.addedAt);
      assert.ok(showing);
      assert.ok(at.getTime() - showing.at.getTime() <= GOAL_MS, `${photo.media.title}: queued ${at.getTime() - showing.at.getTime()} ms after the list call showing it`);
    }
    assert.equal(posted.size, 4);

    // Within the budget as Apizee counts it: no 429, never more than 10 requests in any window.
    assert.equal(sandbox.rateLimitedCount, 0);
    const stamps = sandbox.requests.map((r) => r.at.getTime());
    for (const stamp of stamps) assert.ok(stamps.filter((s) => s >= stamp && s < stamp + WINDOW_MS).length <= 10);
  });
});
