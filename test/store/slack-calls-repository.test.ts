import assert from 'node:assert/strict';
import { SessionsRepository } from '../../src/store/sessions-repository.js';
import { SlackCallsRepository } from '../../src/store/slack-calls-repository.js';
import { eachDatabase, sessionFixture } from '../helpers/databases.js';

const NOW = new Date('2026-12-02T12:00:00.000Z');
const at = (offsetMs: number) => new Date(NOW.getTime() + offsetMs);

eachDatabase('SlackCallsRepository', (ctx) => {
  const sessions = () => new SessionsRepository(ctx.db(), ctx.kind);
  const calls = () => new SlackCallsRepository(ctx.db());
  const meeting = (overrides: Parameters<typeof sessionFixture>[0] = {}) =>
    sessionFixture({ kind: 'conference', status: 'scheduled', slackCall: { state: 'pending', id: null, title: null }, ...overrides });

  it('stores the call asked for with the session, and reads it back', async () => {
    const session = meeting();
    await sessions().insert(session);
    assert.deepEqual((await sessions().get(session.id))?.slackCall, { state: 'pending', id: null, title: null });
    const plain = sessionFixture({ kind: 'conference' });
    await sessions().insert(plain);
    assert.equal((await sessions().get(plain.id))?.slackCall, undefined);
  });

  it('lists what is due: pending once created, added and behind the session, not waiting nor held', async () => {
    const creating = meeting({ status: 'creating' });
    const pending = meeting({ createdAt: at(-3000) });
    const added = meeting({ createdAt: at(-2000), slackCall: { state: 'added', id: 'R1', title: 't' } });
    const ended = meeting({ slackCall: { state: 'ended', id: 'R2', title: 't' } });
    const none = sessionFixture({ kind: 'conference', status: 'scheduled' });
    for (const session of [creating, pending, added, ended, none]) await sessions().insert(session);
    assert.deepEqual(await calls().due(NOW, 10), [pending.id, added.id]);

    // The call reflects the session's version: no longer due, until the session changes.
    await calls().record(added.id, { version: 0 });
    assert.deepEqual(await calls().due(NOW, 10), [pending.id]);
    assert.ok(await sessions().apply(added.id, { status: 'joined' }, { basedOn: 0 }));
    assert.deepEqual(await calls().due(NOW, 10), [pending.id, added.id]);

    // Waiting for Slack's Retry-After, then due again.
    await calls().record(pending.id, { retryAt: at(1000), error: 'ratelimited' });
    assert.deepEqual(await calls().due(NOW, 10), [added.id]);
    assert.deepEqual(await calls().due(at(1000), 10), [pending.id, added.id]);
  });

  it('lets one holder at a time sync a call, until it records and releases', async () => {
    const session = meeting();
    await sessions().insert(session);
    assert.equal(await calls().lease(session.id, NOW, 30_000), true);
    assert.equal(await calls().lease(session.id, at(1000), 30_000), false, 'held');
    assert.deepEqual(await calls().due(at(1000), 10), []);
    await calls().record(session.id, { state: 'adding' }, false);
    assert.equal(await calls().lease(session.id, at(2000), 30_000), false, 'still held while calls.add is out');
    // Its holder died: the lease runs out and the next one finds `adding`.
    assert.equal(await calls().lease(session.id, at(31_000), 30_000), true);
    await calls().record(session.id, { state: 'added', id: 'R0E69JAIF', title: 'Meeting · RDV-1 · Scheduled', version: 0 });
    assert.deepEqual((await sessions().get(session.id))?.slackCall, { state: 'added', id: 'R0E69JAIF', title: 'Meeting · RDV-1 · Scheduled' });
    assert.equal(await calls().lease(session.id, at(31_001), 30_000), true, 'released');
    const plain = sessionFixture({ kind: 'conference' });
    await sessions().insert(plain);
    assert.equal(await calls().lease(plain.id, NOW, 30_000), false, 'no call asked');
  });
});
