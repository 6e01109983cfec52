import assert from 'node:assert/strict';
import type { Milestone } from '../../src/domain/outcome.js';
import type { NewSessionRow } from '../../src/store/schema.js';
import { FIRST_IN_LINE, isFirstInLine, SessionsRepository } from '../../src/store/sessions-repository.js';
import { eachDatabase, sessionFixture, sessionRow } from '../helpers/databases.js';

const NOW = new Date('2026-11-25T12:00:00.000Z');
const at = (offsetMs: number) => new Date(NOW.getTime() + offsetMs);
const iso = (offsetMs: number) => at(offsetMs).toISOString();
const LEASE_MS = 60_000;
const ids = (rows: { id: string }[]) => rows.map((row) => row.id).sort();

eachDatabase('SessionsRepository', (ctx) => {
  const repo = () => new SessionsRepository(ctx.db(), ctx.kind);
  /** Rows seeded as stored (dates, 0/1 flags), to pin the mapping and the queries on them. */
  const insertRow = (row: NewSessionRow) => ctx.db().insertInto('sessions').values(row).execute();
  const leaseOf = (id: string) =>
    ctx.db().selectFrom('sessions').select(['lease_owner', 'lease_until', 'next_check_at']).where('id', '=', id).executeTakeFirstOrThrow();
  const milestone = (key: string, text = `milestone ${key}`): Milestone => ({ key: key as Milestone['key'], text });

  describe('insert, get, mapping', () => {
    it('reads back exactly the session it inserted, at version 0', async () => {
      const session = sessionFixture({
        enterpriseId: 'E0ENT',
        cardTs: '1764064800.000100',
        details: { a: 1 },
        tracking: false,
        nextCheckAt: at(5),
        joinedAt: at(1),
        mediaPosted: true,
      });
      await repo().insert(session);
      assert.deepEqual(await repo().get(session.id), session);
      assert.equal(session.version, 0);
      assert.deepEqual(await leaseOf(session.id), { lease_owner: null, lease_until: null, next_check_at: iso(5) });
      assert.equal(await repo().get('no-such-session'), undefined);
    });

    it('maps a stored row to a typed session: Dates, booleans, enums, parsed details', async () => {
      const row = sessionRow({ details: '{"button_id":7}', tracking: 1, media_posted: 0, next_check_at: iso(0), status: 'joined', kind: 'ticket' });
      await insertRow(row);
      const session = await repo().get(row.id);
      assert.equal(session?.tracking, true);
      assert.equal(session?.mediaPosted, false);
      assert.deepEqual(session?.nextCheckAt, at(0));
      assert.deepEqual(session?.createdAt, new Date(row.created_at));
      assert.deepEqual(session?.details, { button_id: 7 });
      assert.equal(session?.status, 'joined');
      assert.equal(session?.version, 0);
    });

    it("reads details through the injected parser (a vendor module's schema)", async () => {
      const row = sessionRow({ details: '{"button_id":7,"junk":true}' });
      await insertRow(row);
      const parsed = new SessionsRepository(ctx.db(), ctx.kind, (vendor, kind, details) => ({ vendor, kind, buttonId: (details as { button_id: number }).button_id }));
      assert.deepEqual((await parsed.get(row.id))?.details, { vendor: 'apizee', kind: 'ticket', buttonId: 7 });
    });

    it('refuses a second session with the same id', async () => {
      const session = sessionFixture();
      await repo().insert(session);
      await assert.rejects(repo().insert(sessionFixture({ id: session.id })));
    });

    it('setCard records where the card is without moving the version', async () => {
      const session = sessionFixture();
      await repo().insert(session);
      await repo().setCard(session.id, { ts: '1.000200', channel: 'C0OTHER' });
      const stored = await repo().get(session.id);
      assert.equal(stored?.cardTs, '1.000200');
      assert.equal(stored?.channelId, 'C0OTHER');
      assert.equal(stored?.version, 0);
    });
  });

  describe('apply (compare-and-set)', () => {
    it('writes the outcome and its milestones together, bumps the version and stamps updated_at', async () => {
      const session = sessionFixture({ enterpriseId: 'E0ENT' });
      await repo().insert(session);
      const before = new Date();
      assert.equal(await repo().apply(session.id, { status: 'joined', vendorState: 'started', joinedAt: at(0), milestones: [milestone('joined'), milestone('started')] }, { basedOn: 0 }), true);
      const stored = await repo().get(session.id);
      assert.equal(stored?.status, 'joined');
      assert.equal(stored?.vendorState, 'started');
      assert.deepEqual(stored?.joinedAt, at(0));
      assert.equal(stored?.reference, session.reference);
      assert.equal(stored?.version, 1);
      assert.ok(stored && stored.updatedAt >= before, `updatedAt ${stored?.updatedAt.toISOString()} is before ${before.toISOString()}`);
      const milestones = await ctx.db().selectFrom('milestones').selectAll().orderBy('key').execute();
      assert.deepEqual(
        milestones.map((m) => [m.session_id, m.team_id, m.enterprise_id, m.key, m.text, m.posted_ts, m.attempts]),
        [
          [session.id, 'T0TEAM', 'E0ENT', 'joined', 'milestone joined', null, 0],
          [session.id, 'T0TEAM', 'E0ENT', 'started', 'milestone started', null, 0],
        ],
      );
    });

    it('leaves the fields an outcome does not name as they are, and other sessions alone', async () => {
      const session = sessionFixture({ statusDetail: 'kept', agentUrl: 'https://agent.example/x' });
      const other = sessionFixture();
      await repo().insert(session);
      await repo().insert(other);
      await repo().apply(session.id, { vendorState: 'open', tracking: false, nextCheckAt: null, details: { b: 2 } }, { basedOn: 0 });
      const stored = await repo().get(session.id);
      assert.equal(stored?.statusDetail, 'kept');
      assert.equal(stored?.agentUrl, 'https://agent.example/x');
      assert.equal(stored?.tracking, false);
      assert.equal(stored?.nextCheckAt, null);
      assert.deepEqual(stored?.details, { b: 2 });
      assert.deepEqual(await repo().get(other.id), other);
    });

    it('writes nothing and says so when the version moved', async () => {
      const session = sessionFixture();
      await repo().insert(session);
      assert.equal(await repo().apply(session.id, { status: 'cancelled' }, { basedOn: 0 }), true);
      assert.equal(await repo().apply(session.id, { status: 'joined', milestones: [milestone('joined')] }, { basedOn: 0 }), false);
      const stored = await repo().get(session.id);
      assert.equal(stored?.status, 'cancelled');
      assert.equal(stored?.version, 1);
      assert.deepEqual(await ctx.db().selectFrom('milestones').selectAll().execute(), []);
    });

    it('ignores a second milestone with the same (session, key), and still applies the change', async () => {
      const session = sessionFixture();
      await repo().insert(session);
      await repo().apply(session.id, { status: 'joined', milestones: [milestone('joined', 'first')] }, { basedOn: 0 });
      const first = await ctx.db().selectFrom('milestones').select('id').executeTakeFirstOrThrow();
      await repo().apply(session.id, { status: 'ended', milestones: [milestone('joined', 'again'), milestone('ended')] }, { basedOn: 1 });
      assert.equal((await repo().get(session.id))?.status, 'ended');
      const milestones = await ctx.db().selectFrom('milestones').select(['id', 'key', 'text']).orderBy('key').execute();
      assert.deepEqual(
        milestones.map((m) => [m.key, m.text]),
        [
          ['ended', 'milestone ended'],
          ['joined', 'first'],
        ],
      );
      assert.equal(milestones.find((m) => m.key === 'joined')?.id, first.id);
    });

    it('writes nothing when one of its milestones cannot be written', async () => {
      const session = sessionFixture();
      await repo().insert(session);
      // A milestone without text breaks NOT NULL: a real error, not the ignored (session, key) conflict.
      const broken = { key: 'ended', text: null } as unknown as Milestone;
      await assert.rejects(repo().apply(session.id, { status: 'joined', milestones: [milestone('joined'), broken] }, { basedOn: 0 }));
      const stored = await repo().get(session.id);
      assert.equal(stored?.status, 'invited');
      assert.equal(stored?.version, 0);
      assert.deepEqual(await ctx.db().selectFrom('milestones').selectAll().execute(), []);
    });
  });

  describe('leaseDue and release', () => {
    async function seedDueAndNot() {
      const due = [
        sessionRow({ next_check_at: iso(-60_000) }),
        sessionRow({ next_check_at: null }),
        sessionRow({ next_check_at: iso(0) }), // due exactly now
      ];
      const notDue = [
        sessionRow({ next_check_at: iso(1) }),
        sessionRow({ tracking: 0, next_check_at: iso(-60_000) }),
        sessionRow({ vendor_id: null, next_check_at: iso(-60_000) }),
        sessionRow({ vendor: 'blitzz', next_check_at: iso(-60_000) }),
        sessionRow({ kind: 'conference', next_check_at: iso(-60_000) }),
      ];
      for (const row of [...notDue, ...due]) await insertRow(row);
      return { due: ids(due), notDue };
    }

    it('leases only tracked sessions of that vendor product with a vendor id and a due check', async () => {
      const { due, notDue } = await seedDueAndNot();
      const leased = await repo().leaseDue('apizee', 'ticket', 'owner-1', NOW, LEASE_MS, 50);
      assert.deepEqual(ids(leased), due);
      for (const session of leased) {
        const lease = await leaseOf(session.id);
        assert.equal(lease.lease_owner, 'owner-1');
        assert.equal(lease.lease_until, iso(LEASE_MS));
        assert.deepEqual(await repo().get(session.id), session);
      }
      for (const row of notDue) assert.equal((await leaseOf(row.id)).lease_owner, null);
    });

    it('gives a second owner nothing until the lease runs out, then hands the sessions over', async () => {
      const rows = [sessionRow({ next_check_at: iso(-60_000) }), sessionRow({ next_check_at: null }), sessionRow({ next_check_at: iso(0) })];
      for (const row of rows) await insertRow(row);
      const due = ids(rows);
      assert.equal((await repo().leaseDue('apizee', 'ticket', 'owner-1', NOW, LEASE_MS, 50)).length, 3);
      assert.deepEqual(await repo().leaseDue('apizee', 'ticket', 'owner-2', NOW, LEASE_MS, 50), []);
      assert.deepEqual(await repo().leaseDue('apizee', 'ticket', 'owner-2', at(LEASE_MS), LEASE_MS, 50), [], 'a lease holds until its last millisecond');
      const takenOver = await repo().leaseDue('apizee', 'ticket', 'owner-2', at(LEASE_MS + 1), LEASE_MS, 50);
      assert.deepEqual(ids(takenOver), due);
      for (const session of takenOver) {
        const lease = await leaseOf(session.id);
        assert.equal(lease.lease_owner, 'owner-2');
        assert.equal(lease.lease_until, iso(2 * LEASE_MS + 1));
      }
      // The same owner does not get its own leased sessions twice either.
      assert.deepEqual(await repo().leaseDue('apizee', 'ticket', 'owner-2', at(LEASE_MS + 2), LEASE_MS, 50), []);
    });

    it('leases per vendor account: each account its own sessions, the environment’s also those without one', async () => {
      const alpha = [sessionRow({ vendor_account: 'apizee:alpha' }), sessionRow({ vendor_account: 'apizee:alpha' })];
      const beta = [sessionRow({ vendor_account: 'apizee:beta' })];
      const environment = [sessionRow({ vendor_account: 'apizee:env' }), sessionRow({ vendor_account: null })];
      for (const row of [...alpha, ...beta, ...environment]) await insertRow(row);
      const scoped = (account: string, orUnassigned = false) => repo().leaseDue('apizee', 'ticket', `owner-${account}`, NOW, LEASE_MS, 50, { account, orUnassigned });
      assert.deepEqual(ids(await scoped('apizee:alpha')), ids(alpha));
      assert.deepEqual(ids(await scoped('apizee:env', true)), ids(environment));
      assert.deepEqual(ids(await scoped('apizee:beta')), ids(beta));
      assert.deepEqual(await scoped('apizee:gamma'), []);

      // A list call's answer and a webhook's id only ever reach the account's own sessions (ids are per account).
      const vendorIds = [...alpha, ...beta].map((row) => row.vendor_id!);
      assert.deepEqual(ids(await repo().trackedByVendorIds('apizee', 'ticket', vendorIds, { account: 'apizee:beta', orUnassigned: false })), ids(beta));
      assert.equal(await repo().byVendorId('apizee', 'ticket', alpha[0]!.vendor_id!, { account: 'apizee:beta', orUnassigned: false }), undefined);
      assert.equal((await repo().byVendorId('apizee', 'ticket', alpha[0]!.vendor_id!, { account: 'apizee:alpha', orUnassigned: false }))?.id, alpha[0]!.id);
      assert.equal((await repo().get(alpha[0]!.id))?.vendorAccount, 'apizee:alpha');
      assert.equal((await repo().get(environment[1]!.id))?.vendorAccount, null);
    });

    it('leases at most `limit` sessions, the longest overdue first', async () => {
      const rows = [-10, -50, -20, -40, -30].map((minutes) => sessionRow({ next_check_at: iso(minutes * 60_000) }));
      for (const row of rows) await insertRow(row);
      const leased = await repo().leaseDue('apizee', 'ticket', 'owner-1', NOW, LEASE_MS, 2);
      assert.deepEqual(
        leased.map((session) => session.nextCheckAt?.toISOString()).sort(),
        [iso(-50 * 60_000), iso(-40 * 60_000)],
      );
      const rest = await repo().leaseDue('apizee', 'ticket', 'owner-2', NOW, LEASE_MS, 10);
      assert.equal(rest.length, 3);
    });

    it('release frees the session and sets its next check; a later check is not leased before it is due', async () => {
      const row = sessionRow({ next_check_at: iso(-1000) });
      await insertRow(row);
      await repo().leaseDue('apizee', 'ticket', 'owner-1', NOW, LEASE_MS, 10);
      await repo().release(row.id, 'owner-1', at(30_000));
      assert.deepEqual(await leaseOf(row.id), { lease_owner: null, lease_until: null, next_check_at: iso(30_000) });
      assert.deepEqual((await repo().get(row.id))?.nextCheckAt, at(30_000));
      assert.deepEqual(await repo().leaseDue('apizee', 'ticket', 'owner-2', at(29_999), LEASE_MS, 10), []);
      assert.deepEqual(ids(await repo().leaseDue('apizee', 'ticket', 'owner-2', at(30_000), LEASE_MS, 10)), [row.id]);
    });

    it('release with no next check makes the session due again at once', async () => {
      const row = sessionRow({ next_check_at: iso(-1000) });
      await insertRow(row);
      await repo().leaseDue('apizee', 'ticket', 'owner-1', NOW, LEASE_MS, 10);
      await repo().release(row.id, 'owner-1', null);
      assert.deepEqual(ids(await repo().leaseDue('apizee', 'ticket', 'owner-2', NOW, LEASE_MS, 10)), [row.id]);
    });

    it('release by an owner that no longer holds the lease changes nothing', async () => {
      const row = sessionRow({ next_check_at: iso(-1000) });
      await insertRow(row);
      await repo().leaseDue('apizee', 'ticket', 'owner-1', NOW, LEASE_MS, 10);
      await repo().leaseDue('apizee', 'ticket', 'owner-2', at(LEASE_MS + 1), LEASE_MS, 10); // owner-1 crashed
      await repo().release(row.id, 'owner-1', at(3_600_000));
      assert.deepEqual(await leaseOf(row.id), { lease_owner: 'owner-2', lease_until: iso(2 * LEASE_MS + 1), next_check_at: iso(-1000) });
    });

    it('two owners leasing at the same time from two connection pools never share a session, and miss none', async function () {
      this.timeout(60_000);
      const count = 200;
      const rows = Array.from({ length: count }, (_, i) => sessionRow({ next_check_at: iso(-1000 - i) }));
      await ctx.db().insertInto('sessions').values(rows).execute();
      const owners = [new SessionsRepository(ctx.open(), ctx.kind), new SessionsRepository(ctx.open(), ctx.kind)];
      for (const [round, now] of [at(0), at(LEASE_MS + 1)].entries()) {
        const calls = owners.flatMap((owner, o) =>
          Array.from({ length: 4 }, () => owner.leaseDue('apizee', 'ticket', `owner-${o}`, now, LEASE_MS, 30).then((leased) => ({ o, leased }))),
        );
        const results = await Promise.all(calls);
        const all = results.flatMap(({ leased }) => leased.map((row) => row.id));
        assert.equal(new Set(all).size, all.length, `round ${round}: ${all.length - new Set(all).size} sessions leased twice`);
        assert.equal(all.length, count, `round ${round}: leased ${all.length} of ${count}`);
        const owned = new Map(results.flatMap(({ o, leased }) => leased.map((row) => [row.id, `owner-${o}`] as const)));
        const stored = await ctx.db().selectFrom('sessions').select(['id', 'lease_owner', 'lease_until']).execute();
        for (const row of stored) {
          assert.equal(row.lease_owner, owned.get(row.id), `session ${row.id}`);
          assert.equal(row.lease_until, new Date(now.getTime() + LEASE_MS).toISOString());
        }
      }
    });
  });

  describe('markDue', () => {
    it('puts a tracked session first in line, ahead of any backlog', async () => {
      const backlog = [sessionRow({ next_check_at: iso(-60_000) }), sessionRow({ next_check_at: iso(-30_000) })];
      const row = sessionRow({ next_check_at: iso(3_600_000) });
      for (const item of [...backlog, row]) await insertRow(item);
      await repo().markDue(row.id);
      assert.equal((await leaseOf(row.id)).next_check_at, FIRST_IN_LINE);
      assert.equal(isFirstInLine((await repo().get(row.id))!), true);
      assert.deepEqual(ids(await repo().leaseDue('apizee', 'ticket', 'owner-1', NOW, LEASE_MS, 1)), [row.id]);
    });

    it('trackedByVendorIds finds the tracked sessions a list call shows', async () => {
      const shown = sessionRow({ vendor_id: 'T-1' });
      const untracked = sessionRow({ vendor_id: 'T-2', tracking: 0 });
      const other = sessionRow({ vendor_id: 'T-3' });
      for (const item of [shown, untracked, other]) await insertRow(item);
      assert.deepEqual(ids(await repo().trackedByVendorIds('apizee', 'ticket', ['T-1', 'T-2', 'T-9'])), [shown.id]);
      assert.deepEqual(await repo().trackedByVendorIds('apizee', 'ticket', []), []);
    });

    it('leaves a session that is no longer tracked alone', async () => {
      const row = sessionRow({ tracking: 0, next_check_at: iso(3_600_000) });
      await insertRow(row);
      await repo().markDue(row.id);
      assert.equal((await leaseOf(row.id)).next_check_at, iso(3_600_000));
    });
  });

  describe('claimRefresh', () => {
    it('lets one Refresh a window through, across replicas, and gives a claim back only while it is still its own', async () => {
      const row = sessionRow({});
      await insertRow(row);
      const first = await repo().claimRefresh(row.id, NOW, 30_000);
      assert.deepEqual(first, { claimed: true, claimedAt: iso(0), previous: null });
      // Another replica, 10 s later: refused, told when the last one went.
      assert.deepEqual(await repo().claimRefresh(row.id, at(10_000), 30_000), { claimed: false, refreshedAt: NOW });
      const second = await repo().claimRefresh(row.id, at(30_000), 30_000);
      assert.equal(second.claimed, true);
      // The first claim is stale: giving it back changes nothing.
      if (first.claimed) await repo().unclaimRefresh(row.id, first);
      assert.deepEqual(await repo().claimRefresh(row.id, at(31_000), 30_000), { claimed: false, refreshedAt: at(30_000) });
      if (second.claimed) await repo().unclaimRefresh(row.id, second);
      assert.equal((await repo().claimRefresh(row.id, at(31_000), 30_000)).claimed, true, 'given back: the window is open again');
    });
  });

  describe('lookups', () => {
    it('byVendorId matches vendor, product and vendor id', async () => {
      const apizee = sessionRow({ vendor_id: 'X-1' });
      const blitzz = sessionRow({ vendor: 'blitzz', vendor_id: 'X-1' });
      await insertRow(apizee);
      await insertRow(blitzz);
      assert.equal((await repo().byVendorId('apizee', 'ticket', 'X-1'))?.id, apizee.id);
      assert.equal((await repo().byVendorId('blitzz', 'ticket', 'X-1'))?.id, blitzz.id);
      assert.equal(await repo().byVendorId('apizee', 'conference', 'X-1'), undefined);
      assert.equal(await repo().byVendorId('apizee', 'ticket', 'X-2'), undefined);
    });

    it("createdBetween lists a workspace's sessions in [from, to), oldest first", async () => {
      const made = (minutes: number, team = 'T0TEAM') => sessionRow({ team_id: team, created_at: iso(minutes * 60_000) });
      const rows = [made(30), made(0), made(-1), made(10), made(20), made(10, 'T0OTHER')];
      for (const row of rows) await insertRow(row);
      const found = await repo().createdBetween('T0TEAM', at(0), at(30 * 60_000));
      assert.deepEqual(
        found.map((session) => session.createdAt.toISOString()),
        [iso(0), iso(10 * 60_000), iso(20 * 60_000)],
      );
    });

    it("startedBy lists a user's sessions in a workspace, newest first, up to the limit", async () => {
      const made = (minutes: number, user = 'U0STARTER', team = 'T0TEAM') =>
        sessionRow({ started_by: user, team_id: team, created_at: iso(minutes * 60_000) });
      const rows = [made(1), made(3), made(2), made(4, 'U0OTHER'), made(5, 'U0STARTER', 'T0OTHER'), made(0)];
      for (const row of rows) await insertRow(row);
      assert.deepEqual(
        (await repo().startedBy('T0TEAM', 'U0STARTER', 3)).map((row) => row.id),
        [rows[1]!.id, rows[2]!.id, rows[0]!.id],
      );
      assert.equal((await repo().startedBy('T0TEAM', 'U0STARTER', 10)).length, 4);
    });

    it("byReference lists a workspace's sessions with that reference, newest first", async () => {
      const made = (minutes: number, reference: string, team = 'T0TEAM') => sessionRow({ reference, team_id: team, created_at: iso(minutes * 60_000) });
      const rows = [made(1, 'CASE-7'), made(2, 'CASE-8'), made(3, 'CASE-7'), made(4, 'CASE-7', 'T0OTHER')];
      for (const row of rows) await insertRow(row);
      assert.deepEqual(
        (await repo().byReference('T0TEAM', 'CASE-7')).map((row) => row.id),
        [rows[2]!.id, rows[0]!.id],
      );
      assert.deepEqual(await repo().byReference('T0TEAM', 'case-7'), []);
    });
  });
});
