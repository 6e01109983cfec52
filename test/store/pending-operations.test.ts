import assert from 'node:assert/strict';
import type { PendingOperation } from '../../src/domain/vendor-module.js';
import { DatabasePendingOperations } from '../../src/store/pending-operations.js';
import { eachDatabase } from '../helpers/databases.js';

const T0 = new Date('2026-12-02T10:00:00.000Z');
const at = (offsetMs: number) => new Date(T0.getTime() + offsetMs);

function operation(overrides: Partial<PendingOperation> = {}): PendingOperation {
  return {
    vendor: 'genesys',
    sessionId: 'session-1',
    operation: 'invite',
    scope: '0000Na9B26EF006E',
    reference: null,
    data: { before: ['009052CB110900F5'] },
    createdAt: T0,
    ...overrides,
  };
}

eachDatabase('DatabasePendingOperations', (ctx) => {
  const store = () => new DatabasePendingOperations(ctx.db());

  it('puts, lists by scope (oldest first, left in place) and gives the data back as stored', async () => {
    await store().put(operation({ sessionId: 's2', createdAt: at(2000) }));
    await store().put(operation({ sessionId: 's1', createdAt: at(1000) }));
    await store().put(operation({ sessionId: 's3', scope: 'other' }));
    await store().put(operation({ sessionId: 's4', vendor: 'other-vendor' }));
    const listed = await store().listByScope('genesys', '0000Na9B26EF006E');
    assert.deepEqual(listed.map((o) => o.sessionId), ['s1', 's2']);
    assert.deepEqual(listed[0], operation({ sessionId: 's1', createdAt: at(1000) }));
    assert.equal((await store().listByScope('genesys', '0000Na9B26EF006E')).length, 2);
  });

  it('put on the same vendor and session replaces it (the reference once the answer came), keeping its age', async () => {
    await store().put(operation());
    await store().put(operation({ reference: '35', data: { before: [] }, createdAt: at(5000) }));
    const listed = await store().listByScope('genesys', '0000Na9B26EF006E');
    assert.equal(listed.length, 1);
    assert.equal(listed[0]?.reference, '35');
    assert.deepEqual(listed[0]?.data, { before: [] });
    assert.deepEqual(listed[0]?.createdAt, T0);
  });

  it('update changes reference and data of one still there, and brings back none that was taken', async () => {
    await store().put(operation());
    assert.equal(await store().update('genesys', 'session-1', { reference: '35' }), true);
    assert.equal(await store().update('genesys', 'session-1', { data: { before: ['A', 'B'] } }), true);
    assert.deepEqual(await store().take('genesys', 'session-1'), operation({ reference: '35', data: { before: ['A', 'B'] } }));
    assert.equal(await store().update('genesys', 'session-1', { reference: '36' }), false);
    assert.deepEqual(await store().listByScope('genesys', '0000Na9B26EF006E'), []);
  });

  it('take removes it once: a second take, from another connection, gets nothing', async () => {
    await store().put(operation());
    const other = new DatabasePendingOperations(ctx.open());
    const [first, second] = await Promise.all([store().take('genesys', 'session-1'), other.take('genesys', 'session-1')]);
    assert.equal([first, second].filter(Boolean).length, 1);
    assert.equal((first ?? second)?.sessionId, 'session-1');
    assert.equal(await store().take('genesys', 'session-1'), undefined);
  });

  it('takeByReference finds the operation by the vendor\'s reference, once, and only for that vendor', async () => {
    await store().put(operation({ reference: '36' }));
    await store().put(operation({ sessionId: 'session-2', vendor: 'other', reference: '36' }));
    assert.equal(await store().takeByReference('genesys', '35'), undefined);
    assert.equal((await store().takeByReference('genesys', '36'))?.sessionId, 'session-1');
    assert.equal(await store().takeByReference('genesys', '36'), undefined);
    assert.equal((await store().takeByReference('other', '36'))?.sessionId, 'session-2');
  });

  it('listOlderThan gives those recorded before the instant, oldest first, up to the limit', async () => {
    await store().put(operation({ sessionId: 'old-2', createdAt: at(-30_000) }));
    await store().put(operation({ sessionId: 'old-1', createdAt: at(-90_000) }));
    await store().put(operation({ sessionId: 'old-3', createdAt: at(-61_000) }));
    await store().put(operation({ sessionId: 'new', createdAt: at(0) }));
    assert.deepEqual((await store().listOlderThan('genesys', at(-60_000), 10)).map((o) => o.sessionId), ['old-1', 'old-3']);
    assert.deepEqual((await store().listOlderThan('genesys', at(-1), 2)).map((o) => o.sessionId), ['old-1', 'old-3']);
    assert.deepEqual(await store().listOlderThan('other', at(1), 10), []);
  });
});
