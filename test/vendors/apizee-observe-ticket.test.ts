import assert from 'node:assert/strict';
import { durationWords, milestoneWords } from '../../src/domain/milestones.js';
import { outcomePatch } from '../../src/store/session-mapper.js';
import type { TicketState } from '../../src/vendors/apizee/schemas.js';
import { observeTicket, type ObservedTicketSession } from '../../src/vendors/apizee/ticket-tracker.js';
import { APIZEE_TICKET_STATUS } from '../../src/vendors/apizee/ticket-status.js';

const NOW = new Date('2025-03-04T10:05:35.000Z');
const JOINED = '2025-03-04T10:00:00.000Z'; // 335 s before NOW

function session(status: string, vendorState: string | null, joinedAt: string | null = null): ObservedTicketSession {
  return {
    status: status as ObservedTicketSession['status'],
    vendorState,
    joinedAt: joinedAt ? new Date(joinedAt) : null,
    contactMasked: '+33 6•• •• •• 78',
    delivery: 'sms',
  };
}

/** The observed change as it is stored (the columns it sets), with each milestone reduced to what the table decides. */
function observe(observed: ObservedTicketSession, state: TicketState) {
  const outcome = observeTicket(observed, { state }, NOW);
  if (!outcome) return undefined;
  return { patch: outcomePatch(outcome), milestones: (outcome.milestones ?? []).map((milestone) => [milestone.key, milestone.text]) };
}

describe('APIZEE_TICKET_STATUS', () => {
  it('maps every ticket state to a session status', () => {
    assert.deepEqual(APIZEE_TICKET_STATUS, {
      new: 'created',
      open: 'created',
      invited: 'invited',
      inprogress: 'joined',
      done: 'ended',
      closed: 'ended',
      rejected: 'rejected',
      declined: 'declined',
      expired: 'expired',
      cancelled: 'cancelled',
    });
  });
});

describe('observeTicket', () => {
  it('invited → inprogress: joined, with joined_at', () => {
    assert.deepEqual(observe(session('invited', 'invited'), 'inprogress'), {
      patch: { vendor_state: 'inprogress', status: 'joined', status_detail: null, joined_at: NOW.toISOString() },
      milestones: [['joined', '🟢 The guest joined the session.']],
    });
  });

  it('inprogress → done: ended, with the observed duration', () => {
    assert.deepEqual(observe(session('joined', 'inprogress', JOINED), 'done'), {
      patch: { vendor_state: 'done', status: 'ended', status_detail: null, ended_at: NOW.toISOString() },
      milestones: [['ended', '✅ The session ended after 5 minutes 35 seconds.']],
    });
  });

  it('inprogress → closed ends the session too', () => {
    assert.deepEqual(observe(session('joined', 'inprogress', JOINED), 'closed')?.milestones, [
      ['ended', '✅ The session ended after 5 minutes 35 seconds.'],
    ]);
  });

  it('invited → done: ended, length unknown', () => {
    assert.deepEqual(observe(session('invited', 'invited'), 'done'), {
      patch: { vendor_state: 'done', status: 'ended', status_detail: null, ended_at: NOW.toISOString() },
      milestones: [['ended', '✅ The session ended (the guest joining was not observed, so its length is unknown).']],
    });
  });

  const failures: Array<[TicketState, string]> = [
    ['declined', '🚫 The guest declined the invitation.'],
    ['expired', '⌛ The invitation expired before the guest joined.'],
    ['cancelled', '✖️ Apizee reports that the session was cancelled.'],
    ['rejected', '⛔ Apizee rejected the session: it was not accepted for processing.'],
  ];
  for (const [state, words] of failures) {
    it(`invited → ${state}: a final ${state} milestone`, () => {
      assert.deepEqual(observe(session('invited', 'invited'), state), {
        patch: { vendor_state: state, status: state, status_detail: null, ended_at: NOW.toISOString() },
        milestones: [[state, words]],
      });
    });
  }

  it('new → open keeps the status and posts nothing', () => {
    assert.deepEqual(observe(session('created', 'new'), 'open'), { patch: { vendor_state: 'open' }, milestones: [] });
  });

  it('creating → new: created, and no milestone', () => {
    assert.deepEqual(observe(session('creating', null), 'new'), {
      patch: { vendor_state: 'new', status: 'created', status_detail: null },
      milestones: [],
    });
  });

  it('the same state twice changes nothing', () => {
    assert.equal(observe(session('invited', 'invited'), 'invited'), undefined);
    assert.equal(observe(session('joined', 'inprogress', JOINED), 'inprogress'), undefined);
  });

  it('an ended session never goes back, nor ends twice', () => {
    assert.deepEqual(observe(session('ended', 'done', JOINED), 'inprogress'), { patch: { vendor_state: 'inprogress' }, milestones: [] });
    assert.deepEqual(observe(session('ended', 'done', JOINED), 'closed'), { patch: { vendor_state: 'closed' }, milestones: [] });
  });

  it('a cancelled session does not become ended', () => {
    assert.deepEqual(observe(session('cancelled', 'invited'), 'done'), { patch: { vendor_state: 'done' }, milestones: [] });
  });
});

describe('durationWords', () => {
  const at = (seconds: number) => new Date(Date.UTC(2025, 0, 1) + seconds * 1000);

  it('spells hours, minutes and seconds', () => {
    assert.equal(durationWords(at(0), at(335)), '5 minutes 35 seconds');
    assert.equal(durationWords(at(0), at(3600 + 60 + 1)), '1 hour 1 minute 1 second');
    assert.equal(durationWords(at(0), at(7200)), '2 hours');
  });

  it('says "less than a second" for nothing', () => {
    assert.equal(durationWords(at(0), new Date(at(0).getTime() + 400)), 'less than a second');
  });

  it('counts more than a day', () => {
    assert.equal(durationWords(at(0), at(25 * 3600)), '1 day 1 hour');
  });
});

describe('milestoneWords', () => {
  const context = { vendorLabel: 'Apizee', invitee: '+33 6•• •• •• 78' };

  it('says how the invitation went out', () => {
    assert.equal(milestoneWords('invited', { ...context, delivery: 'sms' }), '📨 Apizee sent the invitation by SMS to +33 6•• •• •• 78.');
    assert.equal(milestoneWords('invited', { ...context, delivery: 'email' }), '📨 Apizee sent the invitation by e-mail to +33 6•• •• •• 78.');
    assert.equal(milestoneWords('invited', context), '📨 Apizee sent the invitation to +33 6•• •• •• 78.');
  });

  it('uses the given words for a cancellation', () => {
    assert.equal(milestoneWords('cancelled', { ...context, detail: 'Cancelled by <@U1>.' }), '✖️ Cancelled by <@U1>.');
  });
});
