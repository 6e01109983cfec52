import assert from 'node:assert/strict';
import { MilestonesRepository } from '../../src/store/milestones-repository.js';
import type { NewMilestoneRow, NewSessionRow } from '../../src/store/schema.js';
import { eachDatabase, milestoneRow, sessionRow } from '../helpers/databases.js';

const NOW = new Date('2026-11-25T12:00:00.000Z');
const at = (offsetMs: number) => new Date(NOW.getTime() + offsetMs);
const iso = (offsetMs: number) => at(offsetMs).toISOString();
const LEASE_MS = 30_000;

eachDatabase('MilestonesRepository', (ctx) => {
  const repo = () => new MilestonesRepository(ctx.db(), ctx.kind);
  const insertSessions = (...rows: NewSessionRow[]) => ctx.db().insertInto('sessions').values(rows).execute();
  const insertMilestones = (...rows: NewMilestoneRow[]) => ctx.db().insertInto('milestones').values(rows).execute();
  const sorted = (values: string[]) => [...values].sort();

  /** With a card and something to post: s1, s4. Nothing to post: s2 (all posted), s3 (no card yet), s5 (no milestones). */
  async function seed() {
    const s = [1, 2, 3, 4, 5].map((n) => sessionRow({ card_ts: n === 3 ? null : `1764064800.00010${n}` }));
    const [s1, s2, s3, s4, s5] = s as [NewSessionRow, NewSessionRow, NewSessionRow, NewSessionRow, NewSessionRow];
    await insertSessions(...s);
    await insertMilestones(
      milestoneRow(s1.id, 'joined'),
      milestoneRow(s1.id, 'created', { posted_ts: '1764064801.000100', posted_at: iso(-5000) }),
      milestoneRow(s2.id, 'created', { posted_ts: '1764064801.000200', posted_at: iso(-5000) }),
      milestoneRow(s3.id, 'created'),
      milestoneRow(s4.id, 'created'),
    );
    return { s1, s2, s3, s4, s5 };
  }

  describe('leaseOutboxes and releaseOutbox', () => {
    it('leases the sessions that have a card and milestones to post', async () => {
      const { s1, s4 } = await seed();
      const leased = await repo().leaseOutboxes('owner-1', NOW, LEASE_MS, 10);
      assert.deepEqual(sorted(leased), sorted([s1.id, s4.id]));
      const stored = await ctx.db().selectFrom('sessions').select(['id', 'outbox_owner', 'outbox_until']).execute();
      for (const row of stored) {
        const mine = leased.includes(row.id);
        assert.equal(row.outbox_owner, mine ? 'owner-1' : null, `session ${row.id}`);
        assert.equal(row.outbox_until, mine ? iso(LEASE_MS) : null, `session ${row.id}`);
      }
    });

    it('gives a second owner only other sessions, and the first one’s once its lease ran out', async () => {
      const { s1, s4 } = await seed();
      await repo().leaseOutboxes('owner-1', NOW, LEASE_MS, 10);
      assert.deepEqual(await repo().leaseOutboxes('owner-2', NOW, LEASE_MS, 10), []);
      const s6 = sessionRow({ card_ts: '1764064800.000106' });
      await insertSessions(s6);
      await insertMilestones(milestoneRow(s6.id, 'created'));
      assert.deepEqual(await repo().leaseOutboxes('owner-2', at(LEASE_MS), LEASE_MS, 10), [s6.id]);
      assert.deepEqual(sorted(await repo().leaseOutboxes('owner-2', at(LEASE_MS + 1), LEASE_MS, 10)), sorted([s1.id, s4.id]));
      const s1Row = await ctx.db().selectFrom('sessions').select(['outbox_owner', 'outbox_until']).where('id', '=', s1.id).executeTakeFirstOrThrow();
      assert.deepEqual(s1Row, { outbox_owner: 'owner-2', outbox_until: iso(2 * LEASE_MS + 1) });
    });

    it('leases at most `limit` sessions', async () => {
      await seed();
      assert.equal((await repo().leaseOutboxes('owner-1', NOW, LEASE_MS, 1)).length, 1);
      assert.equal((await repo().leaseOutboxes('owner-2', NOW, LEASE_MS, 1)).length, 1);
      assert.deepEqual(await repo().leaseOutboxes('owner-3', NOW, LEASE_MS, 1), []);
    });

    it('releaseOutbox frees the outbox for another owner, but only when asked by its owner', async () => {
      const { s1 } = await seed();
      await repo().leaseOutboxes('owner-1', NOW, LEASE_MS, 10);
      await repo().releaseOutbox(s1.id, 'owner-2');
      assert.deepEqual(await repo().leaseOutboxes('owner-2', NOW, LEASE_MS, 10), []);
      await repo().releaseOutbox(s1.id, 'owner-1');
      const row = await ctx.db().selectFrom('sessions').select(['outbox_owner', 'outbox_until']).where('id', '=', s1.id).executeTakeFirstOrThrow();
      assert.deepEqual(row, { outbox_owner: null, outbox_until: null });
      assert.deepEqual(await repo().leaseOutboxes('owner-2', NOW, LEASE_MS, 10), [s1.id]);
    });

    it('two owners leasing at the same time from two connection pools never share an outbox, and miss none', async function () {
      this.timeout(60_000);
      const count = 120;
      const sessions = Array.from({ length: count }, (_, i) => sessionRow({ card_ts: `1764064800.${String(i).padStart(6, '0')}` }));
      await insertSessions(...sessions);
      await insertMilestones(...sessions.map((s) => milestoneRow(s.id, 'created')));
      const owners = [new MilestonesRepository(ctx.open(), ctx.kind), new MilestonesRepository(ctx.open(), ctx.kind)];
      const results = await Promise.all(
        owners.flatMap((owner, o) => Array.from({ length: 4 }, () => owner.leaseOutboxes(`owner-${o}`, NOW, LEASE_MS, 20).then((ids) => ({ o, ids })))),
      );
      const all = results.flatMap(({ ids }) => ids);
      assert.equal(new Set(all).size, all.length, `${all.length - new Set(all).size} outboxes leased twice`);
      assert.equal(all.length, count, `leased ${all.length} of ${count}`);
      const owned = new Map(results.flatMap(({ o, ids }) => ids.map((id) => [id, `owner-${o}`] as const)));
      for (const row of await ctx.db().selectFrom('sessions').select(['id', 'outbox_owner']).execute()) {
        assert.equal(row.outbox_owner, owned.get(row.id), `session ${row.id}`);
      }
    });
  });

  describe('pendingFor and markPosted', () => {
    it("lists a session's unposted milestones oldest first (then by id), with where to post them", async () => {
      const session = sessionRow({ channel_id: 'C0SESSION', card_ts: '1764064800.000100' });
      const other = sessionRow({ card_ts: '1764064800.000200' });
      await insertSessions(session, other);
      const later = milestoneRow(session.id, 'ended', { id: 'm-b', created_at: iso(2000) });
      const first = milestoneRow(session.id, 'created', { id: 'm-z', created_at: iso(1000) });
      const sameTime = milestoneRow(session.id, 'joined', { id: 'm-a', created_at: iso(2000) });
      const posted = milestoneRow(session.id, 'invited', { id: 'm-0', created_at: iso(0), posted_ts: '1764064801.000100', posted_at: iso(500) });
      await insertMilestones(later, first, sameTime, posted, milestoneRow(other.id, 'created', { id: 'm-other' }));
      const pending = await repo().pendingFor(session.id);
      assert.deepEqual(
        pending.map((m) => m.id),
        ['m-z', 'm-a', 'm-b'],
      );
      assert.deepEqual(pending[0], {
        id: 'm-z',
        sessionId: session.id,
        key: 'created',
        text: first.text,
        blocks: null,
        attempts: 0,
        createdAt: new Date(first.created_at),
        channelId: 'C0SESSION',
        cardTs: '1764064800.000100',
        teamId: 'T0TEAM',
        enterpriseId: null,
        startedBy: 'U0STARTER',
        reference: 'CASE-1',
        vendor: 'apizee',
        starterTold: false,
      });
      assert.deepEqual(await repo().pendingFor('no-such-session'), []);
    });

    it('gives the blocks of a reply back as Block Kit', async () => {
      const session = sessionRow({ card_ts: '1764064800.000100' });
      await insertSessions(session);
      const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: '📎 1 file' } }];
      await insertMilestones(milestoneRow(session.id, 'media', { blocks: JSON.stringify(blocks) }));
      assert.deepEqual((await repo().pendingFor(session.id))[0]?.blocks, blocks);
    });

    it('markPosted keeps the reply ts, takes the milestone out of the outbox, and ends the lease need once all are posted', async () => {
      const session = sessionRow({ card_ts: '1764064800.000100' });
      await insertSessions(session);
      const a = milestoneRow(session.id, 'created', { created_at: iso(0) });
      const b = milestoneRow(session.id, 'joined', { created_at: iso(1) });
      await insertMilestones(a, b);
      await repo().leaseOutboxes('owner-1', NOW, LEASE_MS, 10);
      const before = new Date().toISOString();
      assert.equal(await repo().markPosted(a.id, '1764064801.000100', 'owner-1'), true);
      const stored = await ctx.db().selectFrom('milestones').selectAll().where('id', '=', a.id).executeTakeFirstOrThrow();
      assert.equal(stored.posted_ts, '1764064801.000100');
      assert.ok(stored.posted_at && stored.posted_at >= before, `posted_at ${stored.posted_at} is before ${before}`);
      assert.deepEqual(
        (await repo().pendingFor(session.id)).map((m) => m.id),
        [b.id],
      );
      assert.equal(await repo().markPosted(b.id, '1764064801.000200', 'owner-1'), true);
      assert.deepEqual(await repo().pendingFor(session.id), []);
      await repo().releaseOutbox(session.id, 'owner-1');
      assert.deepEqual(await repo().leaseOutboxes('owner-1', NOW, LEASE_MS, 10), []);
    });
  });
  describe('retries, dead letters and owner checks', () => {
    const milestone = (id: string) => ctx.db().selectFrom('milestones').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    const outboxOf = (id: string) => ctx.db().selectFrom('sessions').select(['outbox_owner', 'outbox_until', 'outbox_starter_told_at']).where('id', '=', id).executeTakeFirstOrThrow();

    it('leases the session whose oldest reply waits longest first, and none whose thread waits for a backoff', async () => {
      const sessions = [3, 1, 4, 2].map((age) => sessionRow({ id: `s-${age}`, card_ts: `1764064800.00000${age}` }));
      await insertSessions(...sessions);
      await insertMilestones(...sessions.map((row, i) => milestoneRow(row.id, 'created', { created_at: iso(-[3, 1, 4, 2][i]! * 60_000) })));
      // s-4 has the oldest reply, but it waits for its backoff: its thread waits behind it.
      await ctx.db().updateTable('milestones').set({ next_attempt_at: iso(60_000), attempts: 1 }).where('session_id', '=', 's-4').execute();
      assert.deepEqual(await repo().leaseOutboxes('owner-1', NOW, LEASE_MS, 2), ['s-3', 's-2']);
      assert.deepEqual(await repo().leaseOutboxes('owner-1', NOW, LEASE_MS, 10), ['s-1']);
      // Once its backoff is over (and the other leases ran out), it is the first again.
      assert.deepEqual(await repo().leaseOutboxes('owner-2', at(60_000), LEASE_MS, 10), ['s-4', 's-3', 's-2', 's-1']);
    });

    it('leases no outbox whose rows are all waiting for their backoff or set aside, and leases it once one is due', async () => {
      const session = sessionRow({ card_ts: '1764064800.000100' });
      await insertSessions(session);
      const waiting = milestoneRow(session.id, 'created', { next_attempt_at: iso(5000), attempts: 1 });
      const dead = milestoneRow(session.id, 'joined', { dead_lettered_at: iso(-1000), last_error: 'is_archived', attempts: 1 });
      await insertMilestones(waiting, dead);
      assert.deepEqual(await repo().leaseOutboxes('owner-1', NOW, LEASE_MS, 10), []);
      assert.deepEqual(await repo().leaseOutboxes('owner-1', at(5000), LEASE_MS, 10), [session.id]);
      const pending = await repo().pendingFor(session.id);
      assert.deepEqual(pending.map((m) => [m.id, m.attempts, m.nextAttemptAt?.toISOString()]), [[waiting.id, 1, iso(5000)]]);
    });

    it('every lease-guarded write changes nothing, and says so, once another owner holds the outbox', async () => {
      const session = sessionRow({ card_ts: '1764064800.000100' });
      await insertSessions(session);
      const row = milestoneRow(session.id, 'created');
      await insertMilestones(row);
      await repo().leaseOutboxes('owner-1', NOW, LEASE_MS, 10);
      const untouched = await milestone(row.id);
      assert.equal(await repo().markAttempt(row.id, 'owner-2'), false);
      assert.equal(await repo().markPosted(row.id, '1764064801.000100', 'owner-2'), false);
      assert.equal(await repo().scheduleRetry(row.id, 'owner-2', at(1000), 'request_failed'), false);
      assert.equal(await repo().deadLetter(row.id, 'owner-2', NOW, 'is_archived'), false);
      assert.equal(await repo().claimStarterNotice(session.id, 'owner-2', NOW), false);
      assert.equal(await repo().renewOutbox(session.id, 'owner-2', NOW, LEASE_MS), false);
      assert.deepEqual(await milestone(row.id), untouched);
      assert.equal((await outboxOf(session.id)).outbox_owner, 'owner-1');

      assert.equal(await repo().markAttempt(row.id, 'owner-1'), true);
      assert.equal(await repo().scheduleRetry(row.id, 'owner-1', at(1000), 'request_failed'), true);
      assert.deepEqual(
        { attempts: Number((await milestone(row.id)).attempts), next: (await milestone(row.id)).next_attempt_at, error: (await milestone(row.id)).last_error },
        { attempts: 1, next: iso(1000), error: 'request_failed' },
      );
      assert.equal(await repo().undoAttempt(row.id, 'owner-1'), true);
      assert.equal(Number((await milestone(row.id)).attempts), 0);
      assert.equal(await repo().undoAttempt(row.id, 'owner-1'), false, 'attempts never go below zero');
    });

    it('renewOutbox extends the lease of its owner only', async () => {
      const session = sessionRow({ card_ts: '1764064800.000100' });
      await insertSessions(session);
      await insertMilestones(milestoneRow(session.id, 'created'));
      await repo().leaseOutboxes('owner-1', NOW, LEASE_MS, 10);
      assert.equal(await repo().renewOutbox(session.id, 'owner-1', at(20_000), LEASE_MS), true);
      assert.equal((await outboxOf(session.id)).outbox_until, iso(20_000 + LEASE_MS));
      // Past the first lease's end another replica cannot take it: it was renewed.
      assert.deepEqual(await repo().leaseOutboxes('owner-2', at(LEASE_MS + 1), LEASE_MS, 10), []);
      assert.deepEqual(await repo().leaseOutboxes('owner-2', at(20_000 + LEASE_MS + 1), LEASE_MS, 10), [session.id]);
      assert.equal(await repo().renewOutbox(session.id, 'owner-1', at(60_000), LEASE_MS), false);
    });

    it('a dead letter leaves the outbox, is listed for its starter only, and the starter notice is claimed once', async () => {
      const mine = sessionRow({ card_ts: '1764064800.000100', reference: 'CASE-9', channel_id: 'C0ARCHIVED', started_by: 'U0ME' });
      const theirs = sessionRow({ card_ts: '1764064800.000200', started_by: 'U0OTHER' });
      const otherTeam = sessionRow({ card_ts: '1764064800.000300', started_by: 'U0ME', team_id: 'T0OTHER' });
      await insertSessions(mine, theirs, otherTeam);
      const a = milestoneRow(mine.id, 'created');
      const b = milestoneRow(theirs.id, 'created');
      const c = milestoneRow(otherTeam.id, 'created', { team_id: 'T0OTHER' });
      await insertMilestones(a, b, c);
      await repo().leaseOutboxes('owner-1', NOW, LEASE_MS, 10);
      for (const row of [a, b, c]) assert.equal(await repo().deadLetter(row.id, 'owner-1', NOW, 'is_archived'), true);
      assert.deepEqual(await repo().pendingFor(mine.id), []);
      for (const s of [mine, theirs, otherTeam]) await repo().releaseOutbox(s.id, 'owner-1');
      assert.deepEqual(await repo().leaseOutboxes('owner-1', at(LEASE_MS), LEASE_MS, 10), []);
      assert.deepEqual(await repo().deadLettersOf('T0TEAM', 'U0ME', 10), [
        { id: a.id, sessionId: mine.id, key: 'created', reference: 'CASE-9', vendor: 'apizee', channelId: 'C0ARCHIVED', error: 'is_archived', deadLetteredAt: NOW },
      ]);

      await repo().leaseOutboxes('owner-1', NOW, LEASE_MS, 10); // nothing due: no lease
      await ctx.db().updateTable('sessions').set({ outbox_owner: 'owner-1' }).where('id', '=', mine.id).execute();
      assert.equal(await repo().claimStarterNotice(mine.id, 'owner-1', NOW), true);
      assert.equal(await repo().claimStarterNotice(mine.id, 'owner-1', at(1000)), false);
      assert.equal((await outboxOf(mine.id)).outbox_starter_told_at, iso(0));
    });
  });
});
