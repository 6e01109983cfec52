import assert from 'node:assert/strict';
import { parseInviteStepInputs } from '../../src/domain/workflow-step.js';

const base = { contacts: '+33 6 12 34 56 78', channel: 'C0FLOW', acting_user: 'U0AGENT' };

describe('Workflow step inputs', () => {
  it('reads a one-to-one request as the command would: one contact, optional vendor, reference and message', () => {
    const parsed = parseInviteStepInputs({ ...base, vendor: ' Apizee ', reference: 'CASE-1', message: 'Hello' });
    assert.deepEqual(parsed, {
      ok: true,
      request: {
        channelId: 'C0FLOW',
        userId: 'U0AGENT',
        command: { kind: 'invite', contact: { kind: 'phone', e164: '+33612345678', country: 'FR' }, vendor: 'apizee', reference: 'CASE-1', message: 'Hello' },
      },
    });
  });

  it('takes empty strings (unset optional variables) as not given, and one-to-one by default', () => {
    const parsed = parseInviteStepInputs({ ...base, vendor: '', kind: '', reference: ' ', message: '' });
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.request.command, { kind: 'invite', contact: { kind: 'phone', e164: '+33612345678', country: 'FR' }, vendor: undefined, reference: undefined, message: undefined });
  });

  it('reads a meeting: contacts split on commas, semicolons and lines; the message is its name', () => {
    const parsed = parseInviteStepInputs({ ...base, kind: 'Meeting', contacts: '+33612345678, jane@example.com;\n+33698765432', message: 'Weekly' });
    assert.ok(parsed.ok);
    const command = parsed.request.command;
    assert.equal(command.kind, 'meet');
    assert.equal(command.kind === 'meet' && command.contacts.length, 3);
    assert.equal(command.kind === 'meet' && command.name, 'Weekly');
  });

  const refused: Array<[string, Record<string, unknown>, RegExp]> = [
    ['no contact', { contacts: '' }, /Give the invitee/],
    ['a number without country code', { contacts: '0612345678' }, /country code/],
    ['a bad e-mail', { contacts: 'jane@' }, /not a valid e-mail address/],
    ['two contacts one-to-one', { contacts: '+33612345678,+33698765432' }, /invites one person; 2 contacts/],
    ['an unknown kind', { kind: 'webinar' }, /kind must be "one-to-one" or "meeting"/],
    ['a bad channel id', { channel: '#support' }, /not a Slack channel id/],
    ['no channel', { channel: undefined }, /Choose the channel/],
    ['a bad user id', { acting_user: 'jane' }, /not a Slack user id/],
    ['a reference with spaces', { reference: 'CASE 1' }, /reference takes up to 64/],
    ['a meeting with a reference', { kind: 'meeting', reference: 'CASE-1' }, /A meeting takes no reference/],
    ['too many participants', { kind: 'meeting', contacts: Array.from({ length: 21 }, (_, i) => `p${i}@example.com`).join(',') }, /at most 20 participants; 21/],
    ['a message over 1000 characters', { message: 'x'.repeat(1001) }, /at most 1000 characters/],
  ];
  for (const [what, overrides, reason] of refused) {
    it(`refuses ${what} with a plain reason`, () => {
      const parsed = parseInviteStepInputs({ ...base, ...overrides });
      assert.equal(parsed.ok, false);
      assert.match(!parsed.ok ? parsed.reason : '', reason);
    });
  }

  it('lists every problem of the inputs at once, once each', () => {
    const parsed = parseInviteStepInputs({ contacts: '', channel: 'x', acting_user: 'y' });
    assert.ok(!parsed.ok);
    assert.equal(parsed.reason.split('\n').length, 3);
  });

  it('refuses inputs that are not an object', () => {
    assert.equal(parseInviteStepInputs('text').ok, false);
    assert.equal(parseInviteStepInputs(undefined).ok, false);
  });
});
