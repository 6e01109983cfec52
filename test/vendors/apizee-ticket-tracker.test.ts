import assert from 'node:assert/strict';
import { createLogger } from '../../src/logger.js';
import { SessionLifecycle } from '../../src/services/session-lifecycle.js';
import { openDatabase, migrate, type OpenedDatabase } from '../../src/store/database.js';
import { SessionsRepository } from '../../src/store/sessions-repository.js';
import { StoreTrackingPort } from '../../src/tracking/tracking-port.js';
import type { ApizeeClient } from '../../src/vendors/apizee/client.js';
import type { ListedTicket } from '../../src/vendors/apizee/schemas.js';
import { ApizeeTicketTracker } from '../../src/vendors/apizee/ticket-tracker.js';
import { sessionFixture } from '../helpers/databases.js';

/** An Apizee account with `count` tickets, newest last; one background slot per pass. */
function stubApizee(count: number) {
  const tickets = new Map<number, ListedTicket>();
  for (let id = 1; id <= count; id += 1) {
    tickets.set(id, {
      id,
      state: 'invited',
      reference: `REF-${id}`,
      created: '',
      modified: '',
      start_time: null,
      end_time: null,
      agent: null,
      requestor_url: 'https://diag.apizee.example/x',
    });
  }
  const calls: string[] = [];
  let slots = 0;
  /** Runs while a pass waits for its slot (`grantAfterWait`): what happens meanwhile elsewhere. */
  let duringWait: (() => Promise<void>) | undefined;
  const client = {
    async backgroundSlotWithin(maxWaitMs: number) {
      if (slots <= 0 && duringWait && maxWaitMs > 0) {
        const meanwhile = duringWait;
        duringWait = undefined;
        await meanwhile();
        slots = 1;
      }
      return slots > 0;
    },
    async listTickets(query: { limit: number; reference?: string }) {
      if (slots <= 0) throw new Error('no slot');
      slots -= 1;
      calls.push(query.reference ? `lookup ${query.reference}` : 'list');
      const all = [...tickets.values()].sort((a, b) => b.id - a.id);
      const data = query.reference ? all.filter((ticket) => ticket.reference === query.reference) : all.slice(0, query.limit);
      return { total: data.length, data };
    },
    async listTicketMedias() {
      return { medias: [] };
    },
  };
  return {
    client: client as unknown as ApizeeClient,
    tickets,
    calls,
    /** One pass's budget: a single background request, as at 10 a minute. */
    grant: () => (slots = 1),
    /** The same, but free only once the pass has waited for it; `meanwhile` runs during the wait. */
    grantAfterWait: (meanwhile: () => Promise<void>) => {
      slots = 0;
      duringWait = meanwhile;
    },
  };
}

describe('ApizeeTicketTracker passes', () => {
  let opened: OpenedDatabase;
  let sessions: SessionsRepository;

  beforeEach(async () => {
    opened = openDatabase('file::memory:');
    await migrate(opened.db);
    sessions = new SessionsRepository(opened.db, opened.kind);
  });
  afterEach(async () => {
    await opened.db.destroy();
  });

  async function setup(count: number) {
    const apizee = stubApizee(count);
    for (let id = 1; id <= count; id += 1) {
      await sessions.insert(sessionFixture({ id: `s-${id}`, vendorId: String(id), reference: `REF-${id}`, vendorState: 'invited', nextCheckAt: null }));
    }
    const logger = createLogger('silent');
    const tracker = new ApizeeTicketTracker({ client: apizee.client, logger, intervalMs: 1000 });
    const lifecycle = new SessionLifecycle({ sessions, cards: { show: async () => undefined }, onOutbox: async () => undefined, logger });
    const port = new StoreTrackingPort({ sessions, lifecycle, vendor: 'apizee', kind: 'ticket', owner: 'replica-1', leaseMs: 60_000 });
    const pass = async () => {
      apizee.grant();
      await tracker.tick(port);
    };
    return { apizee, tracker, port, pass };
  }

  it('polls an ended ticket’s media even when its pass waited longer than an interval for the slot', async () => {
    // The pass's time for media polls counts from its slot: counted from before the wait, a pass
    // that waited (the conference pass took the slot just before) never polled any media.
    let clock = Date.parse('2026-12-02T10:00:00.000Z');
    const apizee = stubApizee(1);
    const mediaPolls: string[] = [];
    const client = apizee.client as unknown as Record<string, unknown>;
    client.backgroundSlotWithin = async () => {
      clock += 5000;
      return true;
    };
    client.listTicketMedias = async (ticketId: string) => {
      mediaPolls.push(ticketId);
      return { medias: [] };
    };
    await sessions.insert(
      sessionFixture({ id: 's-1', vendorId: '1', reference: 'REF-1', status: 'ended', vendorState: 'done', endedAt: new Date(clock - 1000), nextCheckAt: null }),
    );
    const logger = createLogger('silent');
    const tracker = new ApizeeTicketTracker({ client: apizee.client, logger, intervalMs: 1000, now: () => new Date(clock) });
    const lifecycle = new SessionLifecycle({ sessions, cards: { show: async () => undefined }, onOutbox: async () => undefined, logger });
    const port = new StoreTrackingPort({ sessions, lifecycle, vendor: 'apizee', kind: 'ticket', owner: 'replica-1', leaseMs: 60_000 });
    await tracker.tick(port);
    assert.deepEqual(mediaPolls, ['1']);
  });

  it('alternates the list call with lookups of older tickets, and sees the newest change at each list', async () => {
    const { apizee, pass } = await setup(300);
    for (let i = 0; i < 4; i += 1) await pass();
    assert.deepEqual(apizee.calls.map((call) => call.split(' ')[0]), ['list', 'lookup', 'list', 'lookup']);
    apizee.tickets.get(300)!.state = 'inprogress';
    await pass();
    assert.equal((await sessions.get('s-300'))?.status, 'joined', 'the newest ticket is applied from the list, leased or not');
  });

  it('looks up a webhook-marked session first, whatever the backlog', async () => {
    const { apizee, pass } = await setup(300);
    await pass();
    apizee.tickets.get(150)!.state = 'inprogress';
    await sessions.markDue('s-150');
    await pass();
    assert.equal(apizee.calls.at(-1), 'lookup REF-150');
    assert.equal((await sessions.get('s-150'))?.status, 'joined');
  });

  it('looks up a session a webhook marked while the pass waited for its slot, in that very pass', async () => {
    // Bench part 3: a pass leased its batch, then waited ~7 s for the slot; the webhook came during
    // the wait, the slot went to a list call, and the thread moved one slot (7.6 s) later.
    const { apizee, tracker, port, pass } = await setup(300);
    await pass();
    apizee.tickets.get(150)!.state = 'inprogress';
    apizee.grantAfterWait(() => sessions.markDue('s-150'));
    await tracker.tick(port);
    assert.equal(apizee.calls.at(-1), 'lookup REF-150');
    assert.equal((await sessions.get('s-150'))?.status, 'joined');
  });

  it('looks up a session of the last batch that a webhook marked while the pass waited for its slot', async () => {
    // Leased before the wait, the batch's own copy predated the mark: the pass spent its slot
    // elsewhere and released the session 'keep' with that copy's next check, undoing the mark.
    const { apizee, tracker, port } = await setup(300);
    let batch: string[] = [];
    const watched = Object.assign(Object.create(port) as typeof port, {
      leaseDue: async (limit: number) => {
        const leased = await port.leaseDue(limit);
        batch = leased.map((session) => session.id);
        return leased;
      },
    });
    apizee.grant();
    await tracker.tick(watched);
    const marked = batch.at(-1)!;
    apizee.grantAfterWait(async () => {
      apizee.tickets.get(Number(marked.slice(2)))!.state = 'inprogress';
      await sessions.markDue(marked);
    });
    await tracker.tick(watched);
    assert.equal(apizee.calls.at(-1), `lookup REF-${marked.slice(2)}`);
    assert.equal((await sessions.get(marked))?.status, 'joined');
  });
});
