import assert from 'node:assert/strict';
import { FIRST_IN_LINE } from '../../src/store/sessions-repository.js';
import { OperationalFigures } from '../../src/store/operational-figures.js';
import { eachDatabase, milestoneRow, sessionRow } from '../helpers/databases.js';

const NOW = new Date('2026-12-02T09:00:00.000Z');
const minutesAgo = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000).toISOString();

eachDatabase('OperationalFigures (what /metrics reads from the database)', (ctx) => {
  it('counts sessions by vendor and status', async () => {
    await ctx
      .db()
      .insertInto('sessions')
      .values([
        sessionRow({ vendor: 'apizee', status: 'invited' }),
        sessionRow({ vendor: 'apizee', status: 'invited' }),
        sessionRow({ vendor: 'apizee', status: 'ended' }),
        sessionRow({ vendor: 'blitzz', status: 'joined' }),
      ])
      .execute();
    const counts = await new OperationalFigures(ctx.db()).sessionsByStatus();
    const byKey = Object.fromEntries(counts.map(({ vendor, status, count }) => [`${vendor}/${status}`, count]));
    assert.deepEqual(byKey, { 'apizee/invited': 2, 'apizee/ended': 1, 'blitzz/joined': 1 });
  });

  it('names, per vendor, when the longest-waiting due session fell due, leaving out marker dates, future checks and untracked sessions', async () => {
    await ctx
      .db()
      .insertInto('sessions')
      .values([
        sessionRow({ vendor: 'apizee', next_check_at: minutesAgo(3) }),
        sessionRow({ vendor: 'apizee', next_check_at: minutesAgo(1) }),
        sessionRow({ vendor: 'apizee', next_check_at: FIRST_IN_LINE }),
        sessionRow({ vendor: 'apizee', next_check_at: minutesAgo(30), tracking: 0 }),
        sessionRow({ vendor: 'blitzz', next_check_at: minutesAgo(-5) }),
        sessionRow({ vendor: 'conpeek', next_check_at: minutesAgo(2) }),
      ])
      .execute();
    const due = await new OperationalFigures(ctx.db()).oldestDue(NOW);
    const byVendor = Object.fromEntries(due.map(({ vendor, dueSince }) => [vendor, dueSince.toISOString()]));
    assert.deepEqual(byVendor, { apizee: minutesAgo(3), conpeek: minutesAgo(2) });
  });

  it('counts the thread replies not posted yet and names the oldest', async () => {
    const figures = new OperationalFigures(ctx.db());
    assert.deepEqual(await figures.outbox(), { depth: 0, oldestCreatedAt: undefined, deadLetters: 0 });
    const session = sessionRow();
    await ctx.db().insertInto('sessions').values(session).execute();
    await ctx
      .db()
      .insertInto('milestones')
      .values([
        milestoneRow(session.id, 'invited', { created_at: minutesAgo(10), posted_ts: '1.1', posted_at: minutesAgo(9) }),
        milestoneRow(session.id, 'joined', { created_at: minutesAgo(4) }),
        milestoneRow(session.id, 'ended', { created_at: minutesAgo(2) }),
        // Set aside (a refusal Slack will repeat): counted as a dead letter, not as waiting.
        milestoneRow(session.id, 'media', { created_at: minutesAgo(30), dead_lettered_at: minutesAgo(29), last_error: 'is_archived' }),
      ])
      .execute();
    const outbox = await figures.outbox();
    assert.equal(outbox.depth, 2);
    assert.equal(outbox.oldestCreatedAt?.toISOString(), minutesAgo(4));
    assert.equal(outbox.deadLetters, 1);
  });
});
