import assert from 'node:assert/strict';
import { FIRST_IN_LINE, SessionsRepository } from '../../src/store/sessions-repository.js';
import { eachDatabase, milestoneRow, sessionRow } from '../helpers/databases.js';

const NOW = new Date('2026-11-25T12:00:00.000Z');
const at = (offsetMs: number) => new Date(NOW.getTime() + offsetMs);
const iso = (offsetMs: number) => at(offsetMs).toISOString();
const LEASE_MS = 60_000;
const ids = (rows: { id: string }[]) => rows.map((row) => row.id).sort();

eachDatabase('SessionsRepository', (ctx) => {
  const repo = () => new SessionsRepository(ctx.db(), ctx.kind);

  describe('insert, get, update', () => {
    it('reads back exactly the row it inserted, with no lease', async () => {
      const row = sessionRow({ enterprise_id: 'E0ENT', card_ts: '1764064800.000100', details: '{"a":1}', tracking: 0, next_check_at: iso(5) });
      await repo().insert(row);
      assert.deepEqual(await repo().get(row.id), { ...row, lease_owner: null, lease_until: null, outbox_owner: null, outbox_until: null });
      assert.equal(await repo().get('no-such-session'), undefined);
    });

    it('refuses a second session with the same id', async () => {
      const row = sessionRow();
      await repo().insert(row);
      await assert.rejects(repo().insert(sessionRow({ id: row.id })));
    });

    it('updates the given fields of one session and stamps updated_at', async () => {
      const row = sessionRow();
      const other = sessionRow();
      await repo().insert(row);
      await repo().insert(other);
      const before = new Date().toISOString();
      await repo().update(row.id, { status: 'joined', joined_at: iso(0), vendor_state: 'started' });
      const updated = await repo().get(row.id);
      assert.equal(updated?.status, 'joined');
      assert.equal(updated?.joined_at, iso(0));
      assert.equal(updated?.vendor_state, 'started');
      assert.equal(updated?.reference, row.reference);
      assert.ok(updated && updated.updated_at >= before, `updated_at ${updated?.updated_at} is before ${before}`);
      assert.deepEqual(await repo().get(other.id), { ...other, lease_owner: null, lease_until: null, outbox_owner: null, outbox_until: null });
    });
  });

  describe('applyChange', () => {
    it('writes the patch and its milestones together', async () => {
      const row = sessionRow();
      await repo().insert(row);
      const joined = milestoneRow(row.id, 'joined', { created_at: iso(0) });
      const started = milestoneRow(row.id, 'started', { created_at: iso(1) });
      await repo().applyChange(row.id, { status: 'joined', vendor_state: 'started' }, [joined, started]);
      const session = await repo().get(row.id);
      assert.equal(session?.status, 'joined');
      assert.equal(session?.vendor_state, 'started');
      assert.notEqual(session?.updated_at, row.updated_at);
      const milestones = await ctx.db().selectFrom('milestones').selectAll().orderBy('created_at').execute();
      assert.deepEqual(milestones, [
        { ...joined, attempts: 0 },
        { ...started, attempts: 0 },
      ]);
    });

    it('ignores a second milestone with the same (session, key), and still applies the patch', async () => {
      const row = sessionRow();
      await repo().insert(row);
      const first = milestoneRow(row.id, 'joined', { text: 'first' });
      await repo().applyChange(row.id, { status: 'joined' }, [first]);
      await repo().applyChange(row.id, { status: 'ended' }, [milestoneRow(row.id, 'joined', { text: 'again' }), milestoneRow(row.id, 'ended')]);
      assert.equal((await repo().get(row.id))?.status, 'ended');
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
      const row = sessionRow();
      await repo().insert(row);
      const ok = milestoneRow(row.id, 'joined');
      // Same primary key, other (session, key): not the ignored conflict, a real error.
      const clash = milestoneRow(row.id, 'ended', { id: ok.id });
      await assert.rejects(repo().applyChange(row.id, { status: 'joined' }, [ok, clash]));
      assert.equal((await repo().get(row.id))?.status, 'invited');
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
      for (const row of [...notDue, ...due]) await repo().insert(row);
      return { due: ids(due), notDue };
    }

    it('leases only tracked sessions of that vendor product with a vendor id and a due check', async () => {
      const { due, notDue } = await seedDueAndNot();
      const leased = await repo().leaseDue('apizee', 'ticket', 'owner-1', NOW, LEASE_MS, 50);
      assert.deepEqual(ids(leased), due);
      for (const row of leased) {
        assert.equal(row.lease_owner, 'owner-1');
        assert.equal(row.lease_until, iso(LEASE_MS));
        assert.deepEqual(await repo().get(row.id), row);
      }
      for (const row of notDue) assert.equal((await repo().get(row.id))?.lease_owner, null);
    });

    it('gives a second owner nothing until the lease runs out, then hands the sessions over', async () => {
      const rows = [sessionRow({ next_check_at: iso(-60_000) }), sessionRow({ next_check_at: null }), sessionRow({ next_check_at: iso(0) })];
      for (const row of rows) await repo().insert(row);
      const due = ids(rows);
      assert.equal((await repo().leaseDue('apizee', 'ticket', 'owner-1', NOW, LEASE_MS, 50)).length, 3);
      assert.deepEqual(await repo().leaseDue('apizee', 'ticket', 'owner-2', NOW, LEASE_MS, 50), []);
      assert.deepEqual(await repo().leaseDue('apizee', 'ticket', 'owner-2', at(LEASE_MS), LEASE_MS, 50), [], 'a lease holds until its last millisecond');
      const takenOver = await repo().leaseDue('apizee', 'ticket', 'owner-2', at(LEASE_MS + 1), LEASE_MS, 50);
      assert.deepEqual(ids(takenOver), due);
      for (const row of takenOver) {
        assert.equal(row.lease_owner, 'owner-2');
        assert.equal(row.lease_until, iso(2 * LEASE_MS + 1));
      }
      // The same owner does not get its own leased sessions twice either.
      assert.deepEqual(await repo().leaseDue('apizee', 'ticket', 'owner-2', at(LEASE_MS + 2), LEASE_MS, 50), []);
    });

    it('leases at most `limit` sessions, the longest overdue first', async () => {
      const rows = [-10, -50, -20, -40, -30].map((minutes) => sessionRow({ next_check_at: iso(minutes * 60_000) }));
      for (const row of rows) await repo().insert(row);
      const leased = await repo().leaseDue('apizee', 'ticket', 'owner-1', NOW, LEASE_MS, 2);
      assert.deepEqual(
        leased.map((row) => row.next_check_at).sort(),
        [iso(-50 * 60_000), iso(-40 * 60_000)],
      );
      const rest = await repo().leaseDue('apizee', 'ticket', 'owner-2', NOW, LEASE_MS, 10);
      assert.equal(rest.length, 3);
    });

    it('release frees the session and sets its next check; a later check is not leased before it is due', async () => {
      const row = sessionRow({ next_check_at: iso(-1000) });
      await repo().insert(row);
      await repo().leaseDue('apizee', 'ticket', 'owner-1', NOW, LEASE_MS, 10);
      await repo().release(row.id, 'owner-1', iso(30_000));
      const released = await repo().get(row.id);
      assert.equal(released?.lease_owner, null);
      assert.equal(released?.lease_until, null);
      assert.equal(released?.next_check_at, iso(30_000));
      assert.deepEqual(await repo().leaseDue('apizee', 'ticket', 'owner-2', at(29_999), LEASE_MS, 10), []);
      assert.deepEqual(ids(await repo().leaseDue('apizee', 'ticket', 'owner-2', at(30_000), LEASE_MS, 10)), [row.id]);
    });

    it('release with no next check makes the session due again at once', async () => {
      const row = sessionRow({ next_check_at: iso(-1000) });
      await repo().insert(row);
      await repo().leaseDue('apizee', 'ticket', 'owner-1', NOW, LEASE_MS, 10);
      await repo().release(row.id, 'owner-1', null);
      assert.deepEqual(ids(await repo().leaseDue('apizee', 'ticket', 'owner-2', NOW, LEASE_MS, 10)), [row.id]);
    });

    it('release by an owner that no longer holds the lease changes nothing', async () => {
      const row = sessionRow({ next_check_at: iso(-1000) });
      await repo().insert(row);
      await repo().leaseDue('apizee', 'ticket', 'owner-1', NOW, LEASE_MS, 10);
      await repo().leaseDue('apizee', 'ticket', 'owner-2', at(LEASE_MS + 1), LEASE_MS, 10); // owner-1 crashed
      await repo().release(row.id, 'owner-1', iso(3_600_000));
      const session = await repo().get(row.id);
      assert.equal(session?.lease_owner, 'owner-2');
      assert.equal(session?.lease_until, iso(2 * LEASE_MS + 1));
      assert.equal(session?.next_check_at, iso(-1000));
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
      for (const item of [...backlog, row]) await repo().insert(item);
      await repo().markDue(row.id);
      assert.equal((await repo().get(row.id))?.next_check_at, FIRST_IN_LINE);
      assert.deepEqual(ids(await repo().leaseDue('apizee', 'ticket', 'owner-1', NOW, LEASE_MS, 1)), [row.id]);
    });

    it('trackedByVendorIds finds the tracked sessions a list call shows', async () => {
      const shown = sessionRow({ vendor_id: 'T-1' });
      const untracked = sessionRow({ vendor_id: 'T-2', tracking: 0 });
      const other = sessionRow({ vendor_id: 'T-3' });
      for (const item of [shown, untracked, other]) await repo().insert(item);
      assert.deepEqual(ids(await repo().trackedByVendorIds('apizee', 'ticket', ['T-1', 'T-2', 'T-9'])), [shown.id]);
      assert.deepEqual(await repo().trackedByVendorIds('apizee', 'ticket', []), []);
    });

    it('leaves a session that is no longer tracked alone', async () => {
      const row = sessionRow({ tracking: 0, next_check_at: iso(3_600_000) });
      await repo().insert(row);
      await repo().markDue(row.id);
      assert.equal((await repo().get(row.id))?.next_check_at, iso(3_600_000));
    });
  });

  describe('lookups', () => {
    it('byVendorId matches vendor, product and vendor id', async () => {
      const apizee = sessionRow({ vendor_id: 'X-1' });
      const blitzz = sessionRow({ vendor: 'blitzz', vendor_id: 'X-1' });
      await repo().insert(apizee);
      await repo().insert(blitzz);
      assert.equal((await repo().byVendorId('apizee', 'ticket', 'X-1'))?.id, apizee.id);
      assert.equal((await repo().byVendorId('blitzz', 'ticket', 'X-1'))?.id, blitzz.id);
      assert.equal(await repo().byVendorId('apizee', 'conference', 'X-1'), undefined);
      assert.equal(await repo().byVendorId('apizee', 'ticket', 'X-2'), undefined);
    });

    it("createdBetween lists a workspace's sessions in [from, to), oldest first", async () => {
      const made = (minutes: number, team = 'T0TEAM') => sessionRow({ team_id: team, created_at: iso(minutes * 60_000) });
      const rows = [made(30), made(0), made(-1), made(10), made(20), made(10, 'T0OTHER')];
      for (const row of rows) await repo().insert(row);
      const found = await repo().createdBetween('T0TEAM', at(0), at(30 * 60_000));
      assert.deepEqual(
        found.map((row) => row.created_at),
        [iso(0), iso(10 * 60_000), iso(20 * 60_000)],
      );
    });

    it("startedBy lists a user's sessions in a workspace, newest first, up to the limit", async () => {
      const made = (minutes: number, user = 'U0STARTER', team = 'T0TEAM') =>
        sessionRow({ started_by: user, team_id: team, created_at: iso(minutes * 60_000) });
      const rows = [made(1), made(3), made(2), made(4, 'U0OTHER'), made(5, 'U0STARTER', 'T0OTHER'), made(0)];
      for (const row of rows) await repo().insert(row);
      assert.deepEqual(
        (await repo().startedBy('T0TEAM', 'U0STARTER', 3)).map((row) => row.id),
        [rows[1]!.id, rows[2]!.id, rows[0]!.id],
      );
      assert.equal((await repo().startedBy('T0TEAM', 'U0STARTER', 10)).length, 4);
    });

    it("byReference lists a workspace's sessions with that reference, newest first", async () => {
      const made = (minutes: number, reference: string, team = 'T0TEAM') => sessionRow({ reference, team_id: team, created_at: iso(minutes * 60_000) });
      const rows = [made(1, 'CASE-7'), made(2, 'CASE-8'), made(3, 'CASE-7'), made(4, 'CASE-7', 'T0OTHER')];
      for (const row of rows) await repo().insert(row);
      assert.deepEqual(
        (await repo().byReference('T0TEAM', 'CASE-7')).map((row) => row.id),
        [rows[2]!.id, rows[0]!.id],
      );
      assert.deepEqual(await repo().byReference('T0TEAM', 'case-7'), []);
    });
  });
});
