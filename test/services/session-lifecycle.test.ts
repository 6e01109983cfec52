import assert from 'node:assert/strict';
import type { Outcome } from '../../src/domain/outcome.js';
import type { Session } from '../../src/domain/session.js';
import { createLogger } from '../../src/logger.js';
import { CardPublisher } from '../../src/services/card-publisher.js';
import { SessionLifecycle } from '../../src/services/session-lifecycle.js';
import type { SlackGateway } from '../../src/slack/gateway.js';
import { oneGateway } from '../../src/slack/gateways.js';
import { SessionsRepository } from '../../src/store/sessions-repository.js';
import { StoreTrackingPort } from '../../src/tracking/tracking-port.js';
import { observeTicket } from '../../src/vendors/apizee/ticket-tracker.js';
import { eachDatabase, sessionFixture } from '../helpers/databases.js';
import { captureLogs } from '../helpers/log-capture.js';
import type { Logger } from '../../src/domain/logger.js';
import { vendorModules } from '../../src/vendors/index.js';

const CANCEL: Outcome = {
  status: 'cancelled',
  statusDetail: 'Cancelled by <@U0STARTER>.',
  tracking: false,
  nextCheckAt: null,
  endedAt: new Date('2026-11-25T10:05:00.000Z'),
  milestones: [{ key: 'cancelled', text: '✖️ Cancelled by <@U0STARTER>.' }],
};

eachDatabase('SessionLifecycle', (ctx) => {
  function harness() {
    const sessions = new SessionsRepository(ctx.db(), ctx.kind);
    const cardUpdates: string[] = [];
    const gateway = {
      updateMessage: async ({ text }: { text: string }) => void cardUpdates.push(text),
    } as unknown as SlackGateway;
    const logger = createLogger('silent');
    const cards = new CardPublisher({ gateways: oneGateway(gateway), sessions, logger, catalogue: vendorModules });
    let flushes = 0;
    const lifecycle = new SessionLifecycle({ sessions, cards, onOutbox: async () => void flushes++, logger });
    const milestones = async (id: string) =>
      (await ctx.db().selectFrom('milestones').select(['key', 'text']).where('session_id', '=', id).orderBy('key').execute()).map((m) => m.key);
    return { sessions, lifecycle, cardUpdates, milestones, flushes: () => flushes };
  }

  async function tracked(h: ReturnType<typeof harness>, overrides: Partial<Session> = {}): Promise<Session> {
    const session = sessionFixture({ cardTs: '1764064800.000100', status: 'invited', vendorState: 'invited', tracking: true, ...overrides });
    await h.sessions.insert(session);
    return session;
  }

  it('applies an outcome, refreshes the card and says the outbox has work', async () => {
    const h = harness();
    const session = await tracked(h);
    const result = await h.lifecycle.apply(session, observeTicket(session, { state: 'inprogress' }, new Date())!);
    assert.equal(result.applied, true);
    assert.equal(result.session?.status, 'joined');
    assert.equal(result.session?.version, 1);
    assert.deepEqual(await h.milestones(session.id), ['joined']);
    assert.equal(h.cardUpdates.length, 1);
    assert.match(h.cardUpdates[0]!, /In progress/);
    assert.equal(h.flushes(), 1);
  });

  it('Cancel vs tracker race: the tracker computed "joined" from version N, the agent cancelled at N+1; the row stays cancelled', async () => {
    const h = harness();
    const seen = await tracked(h);
    // The tracker reads the session and the vendor's answer…
    const joined = observeTicket(seen, { state: 'inprogress' }, new Date())!;
    assert.equal(joined.status, 'joined');
    // …while the agent's Cancel lands first.
    const cancelled = await h.lifecycle.apply(seen, CANCEL);
    assert.equal(cancelled.applied, true);
    assert.equal(cancelled.session?.version, seen.version + 1);
    // The tracker's change, through its port, loses.
    const port = new StoreTrackingPort({ sessions: h.sessions, lifecycle: h.lifecycle, vendor: 'apizee', kind: 'ticket', owner: 'replica-1', leaseMs: 60_000 });
    assert.equal(await port.apply(seen, joined), false);
    const stored = await h.sessions.get(seen.id);
    assert.equal(stored?.status, 'cancelled');
    assert.equal(stored?.tracking, false);
    assert.equal(stored?.joinedAt, null);
    assert.equal(stored?.statusDetail, 'Cancelled by <@U0STARTER>.');
    assert.deepEqual(await h.milestones(seen.id), ['cancelled']);
    assert.match(h.cardUpdates.at(-1)!, /Cancelled/);
  });

  it('Cancel and a tracker applying at once: whichever lands first, the session ends cancelled', async () => {
    const h = harness();
    const logger = createLogger('silent');
    const cards = { show: async () => undefined };
    // Another replica's connection pool on PostgreSQL; SQLite has a single writer connection.
    const db = ctx.kind === 'postgres' ? ctx.open() : ctx.db();
    const other = new SessionLifecycle({ sessions: new SessionsRepository(db, ctx.kind), cards, onOutbox: async () => undefined, logger });
    for (let round = 0; round < 5; round++) {
      const seen = await tracked(h);
      const joined = observeTicket(seen, { state: 'inprogress' }, new Date())!;
      await Promise.all([h.lifecycle.apply(seen, CANCEL), other.apply(seen, joined)]);
      const stored = await h.sessions.get(seen.id);
      assert.equal(stored?.status, 'cancelled', `round ${round}`);
      assert.equal(stored?.tracking, false, `round ${round}`);
    }
  });

  it('never overwrites a final status, even with another final one', async () => {
    const h = harness();
    const seen = await tracked(h);
    await h.lifecycle.apply(seen, CANCEL);
    const ended = observeTicket(seen, { state: 'done' }, new Date())!;
    const result = await h.lifecycle.apply(seen, ended);
    assert.equal(result.applied, false);
    assert.equal((await h.sessions.get(seen.id))?.status, 'cancelled');
    assert.deepEqual(await h.milestones(seen.id), ['cancelled']);
  });

  it('never rolls a session back with an observation older than the row', async () => {
    const h = harness();
    const seen = await tracked(h, { status: 'created', vendorState: 'new' });
    await h.lifecycle.apply(seen, observeTicket(seen, { state: 'inprogress' }, new Date())!);
    const stale = observeTicket(seen, { state: 'invited' }, new Date())!;
    assert.equal(stale.status, 'invited');
    assert.equal((await h.lifecycle.apply(seen, stale)).applied, false);
    const stored = await h.sessions.get(seen.id);
    assert.equal(stored?.status, 'joined');
    assert.equal(stored?.vendorState, 'inprogress');
    assert.deepEqual(await h.milestones(seen.id), ['joined']);
  });

  it('still ends a session whose status moved on since the end was observed', async () => {
    const h = harness();
    const seen = await tracked(h);
    await h.lifecycle.apply(seen, observeTicket(seen, { state: 'inprogress' }, new Date())!);
    const result = await h.lifecycle.apply(seen, CANCEL);
    assert.equal(result.applied, true);
    assert.equal(result.session?.status, 'cancelled');
  });

  it('re-applies on the fresh version a change that does not depend on the status (a resend)', async () => {
    const h = harness();
    const seen = await tracked(h);
    await h.lifecycle.apply(seen, { vendorState: 'open' });
    const result = await h.lifecycle.apply(seen, { statusDetail: null, milestones: [{ key: 'resent:1', text: '🔁 again' }] });
    assert.equal(result.applied, true);
    assert.equal(result.session?.version, 2);
    assert.equal(result.session?.vendorState, 'open');
    assert.deepEqual(await h.milestones(seen.id), ['resent:1']);
  });

  it('posts media of an ended session once, as the media milestone, and stops tracking it', async () => {
    const h = harness();
    const seen = await tracked(h, { status: 'ended', vendorState: 'done' });
    const media = [{ title: 'Photo', type: 'image/jpeg', url: 'https://media.example/1.jpg', sizeBytes: 2048 }];
    const result = await h.lifecycle.apply(seen, { media, tracking: false, nextCheckAt: null });
    assert.equal(result.applied, true);
    assert.equal(result.session?.mediaPosted, true);
    assert.equal(result.session?.tracking, false);
    assert.equal(result.session?.status, 'ended');
    const [posted] = await ctx.db().selectFrom('milestones').selectAll().where('session_id', '=', seen.id).execute();
    assert.equal(posted?.key, 'media');
    assert.match(posted!.text, /1 file from the session/);
    assert.match(posted!.blocks ?? '', /media\.example\/1\.jpg/);
  });

  it('marks an empty media list as settled without a reply', async () => {
    const h = harness();
    const seen = await tracked(h, { status: 'ended' });
    await h.lifecycle.apply(seen, { media: [], tracking: false, nextCheckAt: null });
    const stored = await h.sessions.get(seen.id);
    assert.equal(stored?.mediaPosted, true);
    assert.deepEqual(await h.milestones(seen.id), []);
    assert.equal(h.flushes(), 0);
  });

  it('does not let a tracker resume following a final session', async () => {
    const h = harness();
    const seen = await tracked(h);
    await h.lifecycle.apply(seen, CANCEL);
    await h.lifecycle.apply(seen, { tracking: true, nextCheckAt: new Date() });
    assert.equal((await h.sessions.get(seen.id))?.tracking, false);
  });
  it('hands the caller’s logger to its hooks and writes its own lines with it (the caller’s correlation id)', async () => {
    const sessions = new SessionsRepository(ctx.db(), ctx.kind);
    const failing = { updateMessage: async () => Promise.reject(new Error('Slack said no')) } as unknown as SlackGateway;
    const own = captureLogs('info');
    const cards = new CardPublisher({ gateways: oneGateway(failing), sessions, logger: own.logger, catalogue: vendorModules });
    const handed: Record<string, Logger> = {};
    const lifecycle = new SessionLifecycle({
      sessions,
      cards,
      onOutbox: async (log) => void (handed.outbox = log),
      onChanged: (_session, log) => void (handed.changed = log),
      onCardChanged: async (_session, log) => void (handed.cardChanged = log),
      logger: own.logger,
    });
    const session = sessionFixture({ cardTs: '1764064800.000100', status: 'invited', vendorState: 'invited', tracking: true });
    await sessions.insert(session);
    const caller = captureLogs('info');
    const log = caller.logger.child({ correlationId: 'req-refresh-1' });
    await lifecycle.apply(session, observeTicket(session, { state: 'inprogress' }, new Date())!, { logger: log });
    assert.deepEqual(handed, { outbox: log, changed: log, cardChanged: log });
    assert.deepEqual(own.lines, [], 'nothing under the lifecycle’s own logger');
    const lines = caller.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.deepEqual(lines.map((line) => [line.msg, line.correlationId]), [['card update failed', 'req-refresh-1']]);
  });
});
