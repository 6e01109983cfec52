import assert from 'node:assert/strict';
import { parseCommand } from '../../src/domain/command-grammar.js';
import { commandToStart, type CommandDefaults } from '../../src/services/command-requests.js';
import { vendorModules } from '../../src/vendors/index.js';

const ALL = ['apizee', 'blitzz', 'conpeek', 'imbee', 'genesys'];
const defaults = (changes: Partial<CommandDefaults> = {}): CommandDefaults => ({ catalogue: vendorModules, vendors: ALL, canDeliverVia: true, ...changes });

function start(text: string, changes: Partial<CommandDefaults> = {}) {
  const command = parseCommand(text, vendorModules);
  assert.ok(command.kind === 'invite' || command.kind === 'meet' || command.kind === 'command', JSON.stringify(command));
  return commandToStart(command, defaults(changes));
}

describe('commandToStart', () => {
  it('builds the generic request of the first configured vendor that can do it', () => {
    assert.deepEqual(start('+33612345678 "Hello"'), {
      ok: true,
      request: {
        vendor: 'apizee',
        kind: 'ticket',
        shape: 'invite',
        phone: { kind: 'phone', e164: '+33612345678', country: 'FR' },
        email: undefined,
        reference: undefined,
        message: 'Hello',
        via: undefined,
        options: {},
        delivery: 'sms',
      },
    });
    const whatsapp = start('+33612345678 whatsapp');
    assert.equal(whatsapp.ok && whatsapp.request.vendor, 'blitzz');
    const preferred = start('+33612345678', { defaultVendor: 'imbee' });
    assert.equal(preferred.ok && preferred.request.kind, 'webchat');
  });

  it('starts a meeting or a command-form product', () => {
    const meeting = start('meet jane@example.com, +33612345678 conpeek');
    assert.equal(meeting.ok && `${meeting.request.kind} ${meeting.request.participants?.length}`, 'room 2');
    const genesys = start('genesys abc-1 queue:support-fr');
    assert.deepEqual(genesys.ok && genesys.request, { vendor: 'genesys', kind: 'sms_invite', shape: 'command', options: { smsSessionId: 'abc-1', target: 'queue:support-fr' } });
  });

  it('asks for a Slack call only of a meeting whose room link is one for everyone', () => {
    const call = start('meet jane@example.com, +33612345678 call "Site survey"');
    assert.deepEqual(call.ok && [call.request.vendor, call.request.kind, call.request.slackCall], ['apizee', 'conference', true]);
    const plain = start('meet jane@example.com');
    assert.equal(plain.ok && 'slackCall' in plain.request, false);
    // Apizee is not set up: the default meeting vendor (Conpeek) cannot be a call, and the words say why.
    const refused = start('meet jane@example.com call', { vendors: ['conpeek'] });
    assert.equal(refused.ok, false);
    assert.match(!refused.ok ? refused.reason : '', /only a meeting with one room link for everyone can be a Slack call/);
  });

  it('says what is missing, in the same words as before', () => {
    assert.deepEqual(start('genesys abc-1 queue:support-fr', { vendors: ['apizee'] }), { ok: false, reason: 'Genesys is not set up in this workspace.' });
    assert.deepEqual(start('+33612345678 conpeek via:abc', { canDeliverVia: false }), {
      ok: false,
      reason: '`via:` needs Genesys, which is not set up in this workspace.',
    });
    assert.deepEqual(start('meet jane@example.com', { vendors: ['blitzz'] }), {
      ok: false,
      reason: 'No vendor set up in this workspace can do that. `/rendezvous vendors` lists what is.',
    });
    assert.deepEqual(start(`+33612345678 blitzz "${'x'.repeat(101)}"`), { ok: false, reason: 'Blitzz takes at most 100 characters; this message has 101.' });
  });
});
