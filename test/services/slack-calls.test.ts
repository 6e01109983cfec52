import assert from 'node:assert/strict';
import type { Outcome } from '../../src/domain/outcome.js';
import type { Session, SlackCall } from '../../src/domain/session.js';
import { callDuration, callTitle, nextCallStep, SlackCalls } from '../../src/services/slack-calls.js';
import { SlackPostError, type SlackCallArgs } from '../../src/slack/gateway.js';
import type { SlackCallChange } from '../../src/store/slack-calls-repository.js';
import { createLogger } from '../../src/logger.js';
import { vendorModules } from '../../src/vendors/index.js';
import { sessionFixture } from '../helpers/databases.js';

const NOW = new Date('2026-12-02T12:00:00.000Z');
const ROOM = 'https://meet.apizee.com/private/7a3dc799/ae226154';

function meeting(overrides: Partial<Session> = {}, call: Partial<SlackCall> = {}): Session {
  return sessionFixture({
    vendor: 'apizee',
    kind: 'conference',
    status: 'scheduled',
    reference: 'RDV-ABCDEFGH',
    startedBy: 'U0AGENT',
    agentUrl: ROOM,
    createdAt: new Date(NOW.getTime() - 60_000),
    slackCall: { state: 'pending', id: null, title: null, ...call },
    ...overrides,
  });
}

describe('nextCallStep', () => {
  it('registers a created meeting with its session id, room link, title, start, starter and reference', () => {
    const session = meeting();
    assert.deepEqual(nextCallStep(session, vendorModules), {
      kind: 'add',
      args: {
        externalUniqueId: session.id,
        joinUrl: ROOM,
        title: 'Apizee video meeting · RDV-ABCDEFGH · Scheduled, waiting for participants',
        dateStart: Math.floor(session.createdAt.getTime() / 1000),
        createdBy: 'U0AGENT',
        externalDisplayId: 'RDV-ABCDEFGH',
      },
    });
  });

  it('waits while creating, and registers nothing for a session that failed, a non-shared link or no call', () => {
    assert.deepEqual(nextCallStep(meeting({ status: 'creating' }), vendorModules), { kind: 'none' });
    assert.equal(nextCallStep(meeting({ status: 'failed' }), vendorModules).kind, 'skip');
    assert.equal(nextCallStep(meeting({ kind: 'ticket' }), vendorModules).kind, 'skip');
    assert.equal(nextCallStep(meeting({ agentUrl: null }), vendorModules).kind, 'skip');
    assert.deepEqual(nextCallStep(meeting({ slackCall: undefined }), vendorModules), { kind: 'none' });
  });

  it('never registers twice: a call found `adding` is in doubt', () => {
    assert.deepEqual(nextCallStep(meeting({}, { state: 'adding' }), vendorModules), { kind: 'in_doubt' });
  });

  it('updates only when the title changed, and ends a meeting that is over with its duration', () => {
    const scheduled = meeting({}, { state: 'added', id: 'R1' });
    const title = callTitle(scheduled, vendorModules);
    assert.deepEqual(nextCallStep({ ...scheduled, slackCall: { state: 'added', id: 'R1', title } }, vendorModules), { kind: 'current' });
    const started = { ...scheduled, status: 'joined' as const, slackCall: { state: 'added' as const, id: 'R1', title } };
    assert.deepEqual(nextCallStep(started, vendorModules), { kind: 'update', id: 'R1', title: 'Apizee video meeting · RDV-ABCDEFGH · In progress' });
    const joinedAt = new Date(NOW.getTime() - 754_400);
    assert.deepEqual(nextCallStep({ ...started, status: 'ended', joinedAt, endedAt: NOW }, vendorModules), { kind: 'end', id: 'R1', durationSeconds: 754 });
    // Cancelled before it started: ended, with no duration to give.
    assert.deepEqual(nextCallStep({ ...started, status: 'cancelled', endedAt: NOW }, vendorModules), { kind: 'end', id: 'R1' });
    for (const state of ['ended', 'unknown', 'failed'] as const) assert.deepEqual(nextCallStep(meeting({}, { state, id: 'R1' }), vendorModules), { kind: 'none' });
  });

  it('counts the duration from joined to ended, in whole seconds', () => {
    assert.equal(callDuration({ joinedAt: new Date(0), endedAt: new Date(90_600) }), 90);
    assert.equal(callDuration({ joinedAt: null, endedAt: NOW }), undefined);
  });
});

/** The store, the gateway and the lifecycle in memory: what `sync` sent, recorded and said. */
function harness(initial: Session, gateway: Partial<{ add: (args: SlackCallArgs) => Promise<string>; update: () => Promise<void>; end: () => Promise<void> }> = {}) {
  let session = initial;
  let held = false;
  const sent: string[] = [];
  const notes: Outcome[] = [];
  const refreshed: string[] = [];
  const record = async (_id: string, change: SlackCallChange, release = true) => {
    const call = session.slackCall!;
    session = { ...session, slackCall: { state: change.state ?? call.state, id: change.id ?? call.id, title: change.title ?? call.title } };
    if (change.retryAt) sent.push(`retry at +${change.retryAt.getTime() - NOW.getTime()} ms`);
    if (release) held = false;
  };
  const calls = new SlackCalls({
    store: {
      due: async () => [session.id],
      lease: async () => (held ? false : (held = true)),
      record,
    },
    sessions: { get: async () => session },
    gateways: {
      of: () => ({
        addCall: async (args) => {
          sent.push('calls.add');
          return (gateway.add ?? (async () => 'R0NEW'))(args);
        },
        updateCall: async (_id, title) => {
          sent.push(`calls.update ${title}`);
          await gateway.update?.();
        },
        endCall: async (id, duration) => {
          sent.push(`calls.end ${id} ${duration}`);
          await gateway.end?.();
        },
      }),
    },
    refreshCard: async (id) => void refreshed.push(id),
    note: async (_session, outcome) => void notes.push(outcome),
    catalogue: vendorModules,
    logger: createLogger('silent'),
    now: () => NOW,
  });
  return { calls, sent, notes, refreshed, current: () => session, change: (next: Partial<Session>) => (session = { ...session, ...next }) };
}

describe('SlackCalls.sync', () => {
  it('adds once, shows it on the card, then follows the session only when it changed', async () => {
    const h = harness(meeting());
    await h.calls.sync(h.current().id);
    assert.deepEqual(h.current().slackCall, { state: 'added', id: 'R0NEW', title: 'Apizee video meeting · RDV-ABCDEFGH · Scheduled, waiting for participants' });
    assert.deepEqual(h.refreshed, [h.current().id]);
    await h.calls.sync(h.current().id);
    h.change({ status: 'joined', joinedAt: new Date(NOW.getTime() - 30_000) });
    await h.calls.sync(h.current().id);
    await h.calls.sync(h.current().id);
    h.change({ status: 'ended', endedAt: NOW });
    await h.calls.sync(h.current().id);
    await h.calls.sync(h.current().id);
    assert.deepEqual(h.sent, ['calls.add', 'calls.update Apizee video meeting · RDV-ABCDEFGH · In progress', 'calls.end R0NEW 30']);
    assert.equal(h.current().slackCall?.state, 'ended');
  });

  it('waits as a 429 asks and tries again; a plain refusal waits too (nothing was registered)', async () => {
    const answers = [new SlackPostError('ratelimited', { retryAfterMs: 2000 }), new SlackPostError('internal_error')];
    const h = harness(meeting(), {
      add: async () => {
        const error = answers.shift();
        if (error) throw error;
        return 'R0LATER';
      },
    });
    await h.calls.sync(h.current().id);
    assert.equal(h.current().slackCall?.state, 'pending');
    await h.calls.sync(h.current().id);
    await h.calls.sync(h.current().id);
    assert.deepEqual(h.sent, ['calls.add', 'retry at +2000 ms', 'calls.add', 'retry at +30000 ms', 'calls.add']);
    assert.equal(h.current().slackCall?.id, 'R0LATER');
  });

  it('never sends calls.add again after a lost answer or a 5xx, and tells the thread', async () => {
    for (const error of [new SlackPostError('request_failed'), new SlackPostError('http_503')]) {
      const h = harness(meeting(), { add: async () => Promise.reject(error) });
      await h.calls.sync(h.current().id);
      await h.calls.sync(h.current().id);
      assert.deepEqual(h.sent, ['calls.add'], error.code);
      assert.equal(h.current().slackCall?.state, 'unknown');
      assert.match(h.notes[0]?.milestones?.[0]?.text ?? '', /not shown as a Slack call: Slack did not confirm/);
      assert.deepEqual(h.refreshed, []);
    }
  });

  it('finds `adding` left by a replica that died mid-call: in doubt, not sent again', async () => {
    const h = harness(meeting({}, { state: 'adding' }));
    await h.calls.sync(h.current().id);
    assert.deepEqual(h.sent, []);
    assert.equal(h.current().slackCall?.state, 'unknown');
    assert.equal(h.notes.length, 1);
  });

  it('gives up on a permanent refusal, and leaves alone a call Slack no longer knows', async () => {
    const refused = harness(meeting(), { add: async () => Promise.reject(new SlackPostError('missing_scope')) });
    await refused.calls.sync(refused.current().id);
    assert.equal(refused.current().slackCall?.state, 'failed');
    assert.match(refused.notes[0]?.milestones?.[0]?.text ?? '', /Slack refused it \(missing_scope\)/);
    const gone = harness(meeting({ status: 'joined' }, { state: 'added', id: 'R9', title: 'old' }), { update: async () => Promise.reject(new SlackPostError('invalid_call_id')) });
    await gone.calls.sync(gone.current().id);
    await gone.calls.sync(gone.current().id);
    assert.equal(gone.current().slackCall?.state, 'ended');
    assert.equal(gone.sent.length, 1);
  });

  it('does nothing while another holder has the lease', async () => {
    const h = harness(meeting());
    await Promise.all([h.calls.sync(h.current().id), h.calls.sync(h.current().id)]);
    assert.deepEqual(h.sent, ['calls.add']);
  });
});
