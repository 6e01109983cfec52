import assert from 'node:assert/strict';
import { LinkUnfurlsRepository, type NewLinkUnfurl } from '../../src/store/link-unfurls-repository.js';
import { eachDatabase } from '../helpers/databases.js';

const URL_A = 'https://cloud.apizee.com/entrypoint/223/tickets/82070';

function unfurl(sessionId: string, overrides: Partial<NewLinkUnfurl> = {}): NewLinkUnfurl {
  return { sessionId, teamId: 'T0TEAM', enterpriseId: null, place: { channelId: 'C0FIELD', messageTs: '1700000000.000100' }, url: URL_A, ...overrides };
}

eachDatabase('LinkUnfurlsRepository', (ctx) => {
  it('remembers each unfurl once (a retried link_shared adds nothing), a message’s or a composer’s', async () => {
    const repo = new LinkUnfurlsRepository(ctx.db());
    await repo.remember(unfurl('s1'), 20);
    await repo.remember(unfurl('s1'), 20);
    await repo.remember(unfurl('s1', { place: { unfurlId: 'U0A-909b5454', source: 'composer' } }), 20);
    await repo.remember(unfurl('s2'), 20);
    const mine = await repo.ofSession('s1');
    assert.equal(mine.length, 2);
    assert.deepEqual(mine.map((row) => row.place).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))), [
      { channelId: 'C0FIELD', messageTs: '1700000000.000100' },
      { unfurlId: 'U0A-909b5454', source: 'composer' },
    ]);
  });

  it('keeps at most the given number per session, forgetting the oldest', async () => {
    const repo = new LinkUnfurlsRepository(ctx.db());
    for (let index = 0; index < 5; index++) {
      await repo.remember(unfurl('s1', { place: { channelId: 'C0FIELD', messageTs: `1700000000.00010${index}` }, createdAt: new Date(Date.UTC(2026, 11, 2, 10, index)) }), 3);
    }
    await repo.remember(unfurl('s2'), 3);
    const kept = await repo.ofSession('s1');
    assert.deepEqual(kept.map((row) => ('messageTs' in row.place ? row.place.messageTs : '')), ['1700000000.000102', '1700000000.000103', '1700000000.000104']);
    assert.equal((await repo.ofSession('s2')).length, 1, 'another session’s are not counted');
  });

  it('owes one refresh per change, taken by one taker only, owed again when put back, gone once forgotten', async () => {
    const repo = new LinkUnfurlsRepository(ctx.db());
    const other = new LinkUnfurlsRepository(ctx.kind === 'postgres' ? ctx.open() : ctx.db());
    await repo.remember(unfurl('s1'), 20);
    await repo.remember(unfurl('s1', { url: `${URL_A}/` }), 20);
    await repo.remember(unfurl('s2'), 20);
    assert.deepEqual(await repo.takeDue(10), [], 'nothing owed before a change');
    assert.equal(await repo.markDue('s1'), 2);
    assert.equal(await repo.markDue('s1'), 2, 'two changes before a pass: still one refresh each');
    const [first, second] = await Promise.all([repo.takeDue(10), other.takeDue(10)]);
    assert.equal(first!.length + second!.length, 2, 'each owed refresh is taken once');
    assert.ok([...first!, ...second!].every((row) => row.sessionId === 's1'));
    assert.deepEqual(await repo.takeDue(10), []);
    const taken = [...first!, ...second!][0]!;
    await repo.markDueAgain(taken.id);
    assert.deepEqual((await repo.takeDue(10)).map((row) => row.id), [taken.id]);
    await repo.forget(taken.id);
    assert.equal((await repo.ofSession('s1')).length, 1);
    assert.equal(await repo.markDue('gone-session'), 0);
  });
});
