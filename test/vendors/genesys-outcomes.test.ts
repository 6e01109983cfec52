import assert from 'node:assert/strict';
import type { Outcome } from '../../src/domain/outcome.js';
import type { Session } from '../../src/domain/session.js';
import type { TrackingPort } from '../../src/domain/vendor-module.js';
import { createLogger } from '../../src/logger.js';
import { MemoryPendingOperations } from '../../src/vendors/genesys/memory-pending.js';
import { GenesysOutcomes, smsSessionIdOf } from '../../src/vendors/genesys/outcomes.js';
import { SmsNotification } from '../../src/vendors/genesys/schemas.js';
import { sample } from '../contracts/contract-samples.js';
import { sessionFixture } from '../helpers/databases.js';
import { eventually } from '../helpers/eventually.js';

const SMS = '0000Na9B26EF006E';
const FAILED_SMS = '0000Na9B26EF006M';

/** The seed's samples (test/contracts/genesys), parsed as the listener parses them. */
const seed = {
  participantsUpdated: () => SmsNotification.parse(sample('genesys', 'invite-notification-participants-updated')),
  newMessages: () => SmsNotification.parse(sample('genesys', 'invite-notification-new-messages')),
  error: () => SmsNotification.parse(sample('genesys', 'invite-notification-error')),
};

/** The session before BFriend (009052CB05CA00EB) joined: the seed's first notification without them. */
function before(): SmsNotification {
  const notification = seed.participantsUpdated();
  assert.ok(notification.messageType === 'SMSsessionStateChangeMessage' && notification.smssession);
  notification.smssession.participants = notification.smssession.participants.filter((p) => p.nickname !== 'BFriend');
  return notification;
}

/** Sessions in memory; every apply is recorded (compare-and-set on the version, as the lifecycle does). */
class FakePort implements Pick<TrackingPort, 'get' | 'apply'> {
  readonly sessions = new Map<string, Session>();
  readonly applied: Array<{ id: string; outcome: Outcome }> = [];

  add(id: string, status: Session['status'] = 'requested'): void {
    this.sessions.set(id, sessionFixture({ id, vendor: 'genesys', kind: 'sms_invite', status }));
  }

  async get(id: string): Promise<Session | undefined> {
    const session = this.sessions.get(id);
    return session && structuredClone(session);
  }

  async apply(session: Session, outcome: Outcome): Promise<boolean> {
    const stored = this.sessions.get(session.id);
    if (!stored || stored.version !== session.version) return false;
    this.applied.push({ id: session.id, outcome });
    this.sessions.set(session.id, { ...stored, ...(outcome.status ? { status: outcome.status } : {}), version: stored.version + 1 });
    return true;
  }
}

const asPort = (port: FakePort) => port as unknown as TrackingPort;

describe('GenesysOutcomes: Invite and SendUrl outcomes by SMS session (seed 001 "Notification")', () => {
  const logger = createLogger('silent');
  const running: GenesysOutcomes[] = [];
  let clock: number;

  function outcomes(pending = new MemoryPendingOperations(), options: { timeoutMs?: number; listen?: () => Promise<boolean> } = {}) {
    const made = new GenesysOutcomes({
      pending,
      logger,
      listen: options.listen ?? (async () => true),
      timeoutMs: options.timeoutMs ?? 60_000,
      now: () => new Date(clock),
      creationWaitMs: 2000,
    });
    running.push(made);
    return made;
  }

  beforeEach(() => {
    clock = Date.parse('2026-12-02T10:00:00.000Z');
  });

  afterEach(async () => {
    await Promise.all(running.splice(0).map((made) => made.stop()));
  });

  /** Hears `notifications` in order and lets every outcome they cause be applied. */
  async function hear(made: GenesysOutcomes, ...notifications: SmsNotification[]) {
    for (const notification of notifications) made.onNotification(notification);
    await made.idle();
  }

  it('the seed\'s First Notification (no referenceId) settles the Invite: a new Agent, named by its nickname', async () => {
    const port = new FakePort();
    port.add('s1');
    const made = outcomes();
    await made.tick(asPort(port));
    await hear(made, before());
    await made.inviteRequested({ sessionId: 's1', smsSessionId: SMS, target: 'agent-2' });
    await made.accepted('s1', 35);
    await hear(made, seed.participantsUpdated());
    await eventually('joined', () => port.applied.length === 1, 1000);
    const [{ id, outcome }] = port.applied as [{ id: string; outcome: Outcome }];
    assert.equal(id, 's1');
    assert.equal(outcome.status, 'joined');
    assert.equal(outcome.statusDetail, 'BFriend joined the SMS session.');
    assert.match(outcome.milestones?.[0]?.text ?? '', /^🟢 Genesys brought BFriend into the SMS session 0000Na9B26EF006E\. \(Asked for agent-2\.\)$/);
    // The second notification of the same join changes nothing more.
    await hear(made, seed.newMessages());
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(port.applied.length, 1);
  });

  it('a ParticipantsUpdated that shows no new Agent settles nothing', async () => {
    const port = new FakePort();
    port.add('s1');
    const made = outcomes();
    await made.tick(asPort(port));
    await hear(made, before());
    await made.inviteRequested({ sessionId: 's1', smsSessionId: SMS, target: 'agent-2' });
    await made.accepted('s1', 35);
    await hear(made, before());
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(port.applied.length, 0);
  });

  it('with nothing seen before the request, the seed\'s Second Notification (ParticipantJoined) settles it', async () => {
    const port = new FakePort();
    port.add('s1');
    const made = outcomes();
    await made.tick(asPort(port));
    await made.inviteRequested({ sessionId: 's1', smsSessionId: SMS, target: 'agent-2' });
    await made.accepted('s1', 35);
    // No baseline: the first notification only becomes it (the three agents might all be old).
    await hear(made, seed.participantsUpdated());
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(port.applied.length, 0);
    await hear(made, seed.newMessages());
    await eventually('joined', () => port.applied.length === 1, 1000);
    assert.equal(port.applied[0]?.outcome.statusDetail, 'BFriend joined the SMS session.');
  });

  it('the seed\'s Failed notification settles the operation with its referenceId as failed, with Genesys\'s words', async () => {
    const port = new FakePort();
    port.add('s1');
    port.add('s2');
    const made = outcomes();
    await made.tick(asPort(port));
    await made.inviteRequested({ sessionId: 's1', smsSessionId: FAILED_SMS, target: 'nobody' });
    await made.accepted('s1', 35);
    await made.inviteRequested({ sessionId: 's2', smsSessionId: FAILED_SMS, target: 'agent-3' });
    await made.accepted('s2', 36);
    await hear(made, seed.error());
    await eventually('failed', () => port.applied.length === 1, 1000);
    const [{ id, outcome }] = port.applied as [{ id: string; outcome: Outcome }];
    assert.equal(id, 's2', 'referenceId 36 is the second Invite');
    assert.equal(outcome.status, 'failed');
    assert.equal(outcome.statusDetail, 'Genesys said: Operation failed');
    assert.match(outcome.milestones?.[0]?.text ?? '', /^⚠️ Genesys could not bring agent-3 in \(Genesys SMS session 0000Na9B26EF006M\): Operation failed$/);
  });

  it('an Error heard before the answer was stored settles the operation once its referenceId is known', async () => {
    const port = new FakePort();
    port.add('s2');
    const made = outcomes();
    await made.tick(asPort(port));
    await made.inviteRequested({ sessionId: 's2', smsSessionId: FAILED_SMS, target: 'agent-3' });
    await hear(made, seed.error());
    assert.equal(port.applied.length, 0);
    await made.accepted('s2', 36);
    await eventually('failed', () => port.applied.length === 1, 1000);
    assert.equal(port.applied[0]?.outcome.status, 'failed');
  });

  it('after the wait, the Invite is "not confirmed by Genesys", never failed; a later notification changes nothing', async () => {
    const port = new FakePort();
    port.add('s1');
    const made = outcomes(undefined, { timeoutMs: 60_000 });
    await made.tick(asPort(port));
    await made.inviteRequested({ sessionId: 's1', smsSessionId: SMS, target: 'agent-2' });
    await made.accepted('s1', 35);
    clock += 59_000;
    await made.tick(asPort(port));
    assert.equal(port.applied.length, 0);
    clock += 2000;
    await made.tick(asPort(port));
    await eventually('unconfirmed', () => port.applied.length === 1, 1000);
    const { outcome } = port.applied[0]!;
    assert.equal(outcome.status, 'unconfirmed');
    assert.match(outcome.statusDetail ?? '', /^Not confirmed by Genesys: no outcome within 1 min\./);
    assert.equal(outcome.milestones?.[0]?.key, 'unconfirmed');
    await hear(made, seed.newMessages());
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(port.applied.length, 1);
  });

  it('SendUrl: an Error with its referenceId adds a thread reply; silence after statusCode 0 says nothing', async () => {
    const port = new FakePort();
    port.add('via-1', 'link_ready');
    port.add('via-2', 'link_ready');
    const made = outcomes();
    await made.tick(asPort(port));
    await made.sendUrlRequested({ sessionId: 'via-1', smsSessionId: FAILED_SMS });
    await made.accepted('via-1', 36);
    await made.sendUrlRequested({ sessionId: 'via-2', smsSessionId: SMS });
    await made.accepted('via-2', 37);
    await hear(made, seed.error(), seed.participantsUpdated(), seed.newMessages());
    await eventually('failure reply', () => port.applied.length === 1, 1000);
    assert.deepEqual(port.applied[0], {
      id: 'via-1',
      outcome: { milestones: [{ key: 'delivery_failed', text: '⚠️ The link did not reach the customer through Genesys SMS session 0000Na9B26EF006M: Genesys said Operation failed.' }] },
    });
    clock += 61_000;
    await made.tick(asPort(port));
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(port.applied.length, 1, 'no "not confirmed" for SendUrl');
  });

  it('two replicas hear the same notification: the Invite is settled once', async () => {
    const pending = new MemoryPendingOperations();
    const port = new FakePort();
    port.add('s1');
    const [a, b] = [outcomes(pending), outcomes(pending)];
    await a.tick(asPort(port));
    await b.tick(asPort(port));
    await hear(a, before());
    await a.inviteRequested({ sessionId: 's1', smsSessionId: SMS, target: 'agent-2' });
    await a.accepted('s1', 35);
    a.onNotification(seed.participantsUpdated());
    b.onNotification(seed.participantsUpdated());
    await Promise.all([a.idle(), b.idle()]);
    await eventually('joined', () => port.applied.length >= 1, 1000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(port.applied.length, 1);
  });

  it('after a restart, a new instance on the same store listens again and settles the Invite it did not send', async () => {
    const pending = new MemoryPendingOperations();
    const port = new FakePort();
    port.add('s1');
    const first = outcomes(pending);
    await first.tick(asPort(port));
    await hear(first, before());
    await first.inviteRequested({ sessionId: 's1', smsSessionId: SMS, target: 'agent-2' });
    await first.accepted('s1', 35);
    await first.stop();
    let listened = 0;
    const second = outcomes(pending, { listen: async () => (listened += 1) > 0 });
    await second.tick(asPort(port));
    assert.equal(listened, 1, 'something waits: the new instance listens');
    await hear(second, seed.participantsUpdated());
    await eventually('joined', () => port.applied.length === 1, 1000);
    assert.equal(port.applied[0]?.outcome.status, 'joined');
  });

  it('an outcome heard before the first pass is applied at that pass; one for a session still being created waits for it', async () => {
    const port = new FakePort();
    port.add('s2', 'creating');
    const made = outcomes();
    await made.inviteRequested({ sessionId: 's2', smsSessionId: FAILED_SMS, target: 'agent-3' });
    await made.accepted('s2', 36);
    await hear(made, seed.error());
    assert.equal(port.applied.length, 0);
    await made.tick(asPort(port));
    await new Promise((resolve) => setTimeout(resolve, 250));
    assert.equal(port.applied.length, 0, 'the creation answer comes first');
    port.sessions.set('s2', { ...port.sessions.get('s2')!, status: 'requested', version: 1 });
    await eventually('failed', () => port.applied.length === 1, 1000);
    assert.equal(port.applied[0]?.outcome.status, 'failed');
  });

  it('reads the SMS session from smssessionUri, even with the print\'s stray blanks', () => {
    assert.equal(smsSessionIdOf('http://localhost:8080/api/v2/smssessions/0000Na9B26EF006E'), SMS);
    assert.equal(smsSessionIdOf('http: //localhost: 8080/api/v2/smssessions/0000Na9B26EF006E'), SMS);
    assert.equal(smsSessionIdOf('http://localhost:8080/api/v2/me/smssessions/a%2Fb'), 'a/b');
    assert.equal(smsSessionIdOf('http://localhost:8080/api/v2/contacts/1'), undefined);
    assert.equal(smsSessionIdOf(undefined), undefined);
  });
});
