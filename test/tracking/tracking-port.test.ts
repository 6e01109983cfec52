import assert from 'node:assert/strict';
import { createLogger } from '../../src/logger.js';
import { SessionLifecycle } from '../../src/services/session-lifecycle.js';
import { SessionsRepository } from '../../src/store/sessions-repository.js';
import { StoreTrackingPort } from '../../src/tracking/tracking-port.js';
import { eachDatabase, sessionFixture } from '../helpers/databases.js';

const NOW = new Date('2026-11-25T12:00:00.000Z');
const at = (offsetMs: number) => new Date(NOW.getTime() + offsetMs);

eachDatabase('StoreTrackingPort', (ctx) => {
  function port(owner = 'replica-1', kind: 'ticket' | 'conference' = 'ticket') {
    const sessions = new SessionsRepository(ctx.db(), ctx.kind);
    const logger = createLogger('silent');
    const lifecycle = new SessionLifecycle({ sessions, cards: { show: async () => undefined }, onOutbox: async () => undefined, logger });
    return { sessions, port: new StoreTrackingPort({ sessions, lifecycle, vendor: 'apizee', kind, owner, leaseMs: 60_000, now: () => NOW }) };
  }

  it('leases only its own product, and release says when it is due again', async () => {
    const { sessions, port: tickets } = port();
    const ticket = sessionFixture({ nextCheckAt: at(-1000) });
    const conference = sessionFixture({ kind: 'conference', nextCheckAt: at(-1000) });
    await sessions.insert(ticket);
    await sessions.insert(conference);
    const leased = await tickets.leaseDue(10);
    assert.deepEqual(leased.map((session) => session.id), [ticket.id]);
    await tickets.release(leased[0]!, at(30_000));
    assert.deepEqual((await sessions.get(ticket.id))?.nextCheckAt, at(30_000));
    assert.deepEqual(await port('replica-2').port.leaseDue(10), []);
  });

  it("release 'keep' leaves a session not looked at in its place in line, a webhook's first place included", async () => {
    const { sessions, port: tickets } = port();
    const session = sessionFixture({ nextCheckAt: at(-1000) });
    await sessions.insert(session);
    await sessions.markDue(session.id);
    const [leased] = await tickets.leaseDue(10);
    assert.equal(tickets.isFirstInLine(leased!), true);
    await tickets.release(leased!, 'keep');
    const [again] = await port('replica-2').port.leaseDue(10);
    assert.equal(again?.id, session.id);
    assert.equal(tickets.isFirstInLine(again!), true);
  });

  it("release 'keep' keeps the first place a webhook gave the session while it was leased", async () => {
    const { sessions, port: tickets } = port();
    const session = sessionFixture({ nextCheckAt: at(-1000) });
    await sessions.insert(session);
    const [leased] = await tickets.leaseDue(10);
    assert.equal(tickets.isFirstInLine(leased!), false);
    await sessions.markDue(session.id);
    await tickets.release(leased!, 'keep');
    const [again] = await port('replica-2').port.leaseDue(10);
    assert.equal(tickets.isFirstInLine(again!), true, 'the webhook that came during the lease is not undone');
  });

  it('hasDue says whether leaseDue would lease anything, and leases nothing', async () => {
    const { sessions, port: tickets } = port();
    assert.equal(await tickets.hasDue(), false);
    const session = sessionFixture({ nextCheckAt: at(1000) });
    await sessions.insert(session);
    assert.equal(await tickets.hasDue(), false, 'not due yet');
    await sessions.markDue(session.id);
    assert.equal(await tickets.hasDue(), true);
    assert.equal(await port('replica-1', 'conference').port.hasDue(), false, 'another product');
    assert.equal(await tickets.hasDue(), true, 'asking leased nothing');
    await tickets.leaseDue(10);
    assert.equal(await port('replica-2').port.hasDue(), false, 'leased by another replica');
  });

  it('applies through the lifecycle, and says when it lost the race', async () => {
    const { sessions, port: tickets } = port();
    const session = sessionFixture();
    await sessions.insert(session);
    assert.equal(await tickets.apply(session, { status: 'cancelled', tracking: false }), true);
    assert.equal(await tickets.apply(session, { status: 'joined' }), false);
    assert.equal((await tickets.get(session.id))?.status, 'cancelled');
    assert.deepEqual((await tickets.trackedByVendorIds([session.vendorId!])).length, 0);
  });
});
