import assert from 'node:assert/strict';
import { CreationJobsRepository, isDuplicateRequest } from '../../src/store/creation-jobs-repository.js';
import { SessionsRepository } from '../../src/store/sessions-repository.js';
import { eachDatabase, sessionFixture, sessionRow } from '../helpers/databases.js';

const T0 = new Date('2026-12-02T10:00:00.000Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const LEASE = { leaseMs: 30_000, limit: 10 };

eachDatabase('CreationJobsRepository', (ctx) => {
  let jobs: CreationJobsRepository;
  let sessions: SessionsRepository;

  beforeEach(() => {
    jobs = new CreationJobsRepository(ctx.db(), ctx.kind);
    sessions = new SessionsRepository(ctx.db(), ctx.kind);
  });

  /** A session being created, written with its job the way the app does before the ack. */
  async function queued(vendor = 'apizee', createdAt = T0) {
    const session = sessionFixture({ vendor, status: 'creating', vendorId: null, tracking: false, createdAt, updatedAt: createdAt });
    await jobs.create(session, `sealed-${session.id}`);
    return session;
  }

  it('writes the session and its queued job together', async () => {
    const session = await queued();
    assert.equal((await sessions.get(session.id))?.status, 'creating');
    const job = await jobs.get(session.id);
    assert.equal(job?.step, 'queued');
    assert.equal(job?.payload, `sealed-${session.id}`);
    assert.equal(job?.leaseOwner, null);
  });

  it('writes nothing when the session cannot be written (the same request twice)', async () => {
    const session = await queued();
    await assert.rejects(jobs.create(session, 'again'));
    assert.equal(await jobs.count(), 1);
    assert.equal((await jobs.get(session.id))?.payload, `sealed-${session.id}`);
  });

  it('refuses a second session for the same Slack request (a redelivery, a double submit), and says so', async () => {
    const first = sessionFixture({ status: 'creating', vendorId: null, tracking: false, createdAt: T0, updatedAt: T0 });
    const second = sessionFixture({ status: 'creating', vendorId: null, tracking: false, createdAt: T0, updatedAt: T0 });
    await jobs.create(first, 'one', { requestKey: 'command:trigger-1' });
    const refused = await jobs.create(second, 'two', { requestKey: 'command:trigger-1' }).then(
      () => undefined,
      (error: unknown) => error,
    );
    assert.ok(refused, 'the second write failed');
    assert.equal(isDuplicateRequest(refused), true);
    assert.equal(await jobs.count(), 1);
    assert.equal(await sessions.get(second.id), undefined);
    // Requests without a key (older callers) never collide.
    await jobs.create(sessionFixture({ status: 'creating', vendorId: null, tracking: false }), 'three');
    await jobs.create(sessionFixture({ status: 'creating', vendorId: null, tracking: false }), 'four');
    assert.equal(await jobs.count(), 3);
    assert.equal(isDuplicateRequest(new Error('something else')), false);
  });

  it('writes the acks of one moment together, and a redelivery among them is refused alone', async () => {
    const fixtures = Array.from({ length: 6 }, () => sessionFixture({ status: 'creating', vendorId: null, tracking: false, createdAt: T0, updatedAt: T0 }));
    // Asked in the same turn of the event loop, as a burst of acks does (on SQLite, one commit);
    // the second and the fifth are one Slack request delivered twice.
    const outcomes = await Promise.allSettled(fixtures.map((session, i) => jobs.create(session, `sealed-${i}`, { requestKey: `command:trigger-${i === 4 ? 1 : i}` })));
    const refused = outcomes.flatMap((outcome, i) => (outcome.status === 'rejected' ? [i] : []));
    // Which of the two is refused is a race on PostgreSQL (a pool of connections); one of them is.
    assert.equal(refused.length, 1, `refused: ${refused.join(', ')}`);
    assert.ok(refused[0] === 1 || refused[0] === 4, `refused: ${refused[0]}`);
    assert.equal(isDuplicateRequest((outcomes[refused[0]!] as PromiseRejectedResult).reason), true);
    assert.equal(await jobs.count(), 5);
    for (const [i, session] of fixtures.entries()) {
      const kept: boolean = i !== refused[0];
      assert.equal((await sessions.get(session.id))?.status, kept ? 'creating' : undefined, `session ${i}`);
      assert.equal((await jobs.get(session.id))?.payload, kept ? `sealed-${i}` : undefined, `job ${i}`);
    }
  });

  it('leases queued jobs for their card oldest first, each to one owner until its lease runs out', async () => {
    const later = await queued('apizee', at(2));
    const first = await queued('blitzz', at(1));
    const leased = await jobs.leaseForCard({ owner: 'a', now: at(3), ...LEASE, limit: 1 });
    assert.deepEqual(leased.map((job) => job.sessionId), [first.id]);
    const rest = await jobs.leaseForCard({ owner: 'b', now: at(3), ...LEASE });
    assert.deepEqual(rest.map((job) => job.sessionId), [later.id], 'the held one is not leased again');
    assert.deepEqual(await jobs.leaseForCard({ owner: 'c', now: at(10), ...LEASE }), []);
    // Owner a died: once its lease ran out, another replica takes the job over.
    const taken = await jobs.leaseForCard({ owner: 'c', now: at(40), ...LEASE });
    assert.deepEqual(taken.map((job) => job.sessionId).sort(), [first.id, later.id].sort());
  });

  it('records steps only for the owner that holds the job', async () => {
    const session = await queued();
    await jobs.leaseForCard({ owner: 'a', now: at(1), ...LEASE });
    assert.equal(await jobs.advance(session.id, 'b', 'calling'), false);
    assert.equal((await jobs.get(session.id))?.step, 'queued');
    assert.equal(await jobs.release(session.id, 'a', 'card_posted', at(1)), true);
    const released = await jobs.get(session.id);
    assert.equal(released?.step, 'card_posted');
    assert.equal(released?.leaseOwner, null);
    assert.equal(await jobs.release(session.id, 'a', 'card_posted', at(1)), false, 'a released it: a holds it no more');
  });

  it('a card to retry waits for its time and counts the attempt', async () => {
    const session = await queued();
    await jobs.leaseForCard({ owner: 'a', now: at(1), ...LEASE });
    await jobs.release(session.id, 'a', 'queued', at(5), 'ratelimited');
    assert.deepEqual(await jobs.leaseForCard({ owner: 'b', now: at(2), ...LEASE }), []);
    const [retried] = await jobs.leaseForCard({ owner: 'b', now: at(5), ...LEASE });
    assert.equal(retried?.attempts, 1);
    assert.equal((await jobs.get(session.id))?.lastError, 'ratelimited');
  });

  it('leases one vendor its jobs whose card is posted, and apart those whose owner died mid-call, never a queued one', async () => {
    const queuedOne = await queued('apizee', at(0));
    const carded = await queued('apizee', at(1));
    const calling = await queued('apizee', at(2));
    const otherVendor = await queued('blitzz', at(3));
    await jobs.leaseForCard({ owner: 'a', now: at(4), ...LEASE });
    await jobs.release(carded.id, 'a', 'card_posted', at(4));
    await jobs.release(otherVendor.id, 'a', 'card_posted', at(4));
    await jobs.advance(calling.id, 'a', 'calling');
    await jobs.release(queuedOne.id, 'a', 'queued', at(4));

    const now = await jobs.leaseForVendor('apizee', { owner: 'b', now: at(5), ...LEASE });
    assert.deepEqual(now.map((job) => job.sessionId), [carded.id], 'only the posted card of this vendor');
    assert.deepEqual(await jobs.leaseInterrupted('apizee', { owner: 'b', now: at(5), ...LEASE }), [], 'the call in flight stays with its owner');
    // a is killed: its lease on the call runs out, and the job comes back still in `calling`.
    assert.deepEqual(await jobs.leaseForVendor('apizee', { owner: 'b', now: at(34.5), ...LEASE }), []);
    const later = await jobs.leaseInterrupted('apizee', { owner: 'b', now: at(34.5), ...LEASE });
    assert.deepEqual(later.map((job) => [job.sessionId, job.step]), [[calling.id, 'calling']]);
    assert.deepEqual(await jobs.leaseInterrupted('blitzz', { owner: 'b', now: at(34.5), ...LEASE }), []);
  });

  it('renews only its own leases', async () => {
    const mine = await queued('apizee', at(0));
    const theirs = await queued('apizee', at(1));
    await jobs.leaseForCard({ owner: 'a', now: at(1), ...LEASE, limit: 1 });
    await jobs.leaseForCard({ owner: 'b', now: at(1), ...LEASE, limit: 1 });
    await jobs.renew('a', [mine.id, theirs.id], at(25), 30_000);
    // At 40 s, b's lease (to 31 s) ran out; a's was renewed to 55 s.
    const taken = await jobs.leaseForCard({ owner: 'c', now: at(40), ...LEASE });
    assert.deepEqual(taken.map((job) => job.sessionId), [theirs.id]);
  });

  it('finish deletes the job for its owner only', async () => {
    const session = await queued();
    await jobs.leaseForCard({ owner: 'a', now: at(1), ...LEASE });
    await jobs.finish(session.id, 'b');
    assert.equal(await jobs.count(), 1);
    await jobs.finish(session.id, 'a');
    assert.equal(await jobs.count(), 0);
    assert.ok(await sessions.get(session.id), 'the session stays');
  });

  it('withdraws a job nobody has started, and not one a replica holds', async () => {
    const free = await queued('apizee', at(0));
    const held = await queued('apizee', at(1));
    await jobs.leaseForCard({ owner: 'a', now: at(1), ...LEASE });
    await jobs.release(free.id, 'a', 'queued', at(1));
    assert.equal(await jobs.withdraw(free.id), true);
    assert.equal(await jobs.withdraw(held.id), false);
    assert.equal(await jobs.count(), 1);
  });

  it('leases stale jobs (created before the limit) that nobody holds, whatever their step', async () => {
    const old = await queued('apizee', at(0));
    const oldHeld = await queued('apizee', at(1));
    await queued('apizee', at(500));
    await jobs.leaseForCard({ owner: 'a', now: at(600), ...LEASE, limit: 2 });
    await jobs.release(old.id, 'a', 'card_posted', at(600));
    const stale = await jobs.leaseStale(at(100), { owner: 'b', now: at(601), ...LEASE });
    assert.deepEqual(stale.map((job) => [job.sessionId, job.step]), [[old.id, 'card_posted']]);
    assert.equal((await jobs.get(oldHeld.id))?.leaseOwner, 'a');
  });

  it('gives a session left "creating" without a job one in `calling` (nobody knows whether the vendor was asked)', async () => {
    const orphan = sessionRow({ status: 'creating', vendor_id: null, created_at: at(0).toISOString() });
    const recent = sessionRow({ status: 'creating', vendor_id: null, created_at: at(900).toISOString() });
    const invited = sessionRow({ status: 'invited', created_at: at(0).toISOString() });
    await ctx.db().insertInto('sessions').values([orphan, recent, invited]).execute();
    const withJob = await queued('apizee', at(0));
    assert.equal(await jobs.adoptOrphans(at(600), at(1000), 10), 1);
    const job = await jobs.get(orphan.id);
    assert.equal(job?.step, 'calling');
    assert.equal(job?.payload, null);
    assert.equal((await jobs.get(withJob.id))?.step, 'queued');
    assert.equal(await jobs.get(recent.id), undefined);
    assert.equal(await jobs.adoptOrphans(at(600), at(1000), 10), 0, 'adopted once');
  });
});
