import assert from 'node:assert/strict';
import { INPUT } from '../../src/ui/ids.js';
import { readInviteForm as readWith, type InviteForm } from '../../src/ui/invite-form.js';
import { SLACK_CALL_VALUE } from '../../src/ui/invite-modal.js';
import { vendorModules } from '../../src/vendors/index.js';
import { PRODUCT_INPUT } from '../helpers/product-inputs.js';

/** The form is read against the modules' declared products. */
const readInviteForm = (raw: unknown, metadata: string | undefined) => readWith(raw, metadata, vendorModules);

const ALL_INPUTS = { ...INPUT, ...PRODUCT_INPUT };
type Field = keyof typeof ALL_INPUTS;
const SELECTS: Partial<Record<Field, string>> = { vendor: 'static_select', delivery: 'static_select' };

/** `view.state.values` as Slack sends it: every input present, empty ones null. */
function values(filled: Partial<Record<Field, string>>) {
  const state: Record<string, Record<string, unknown>> = {};
  for (const field of Object.keys(ALL_INPUTS) as Field[]) {
    const { block, action } = ALL_INPUTS[field];
    const value = filled[field] ?? null;
    if (field === 'conversation') {
      state[block] = { [action]: { type: 'conversations_select', selected_conversation: value } };
    } else if (SELECTS[field]) {
      state[block] = { [action]: { type: SELECTS[field], selected_option: value === null ? null : { text: {}, value } } };
    } else {
      state[block] = { [action]: { type: 'plain_text_input', value } };
    }
  }
  return state;
}

const BASE = { vendor: 'apizee', agent: 'agent@example.com', conversation: 'C0123CHAN' };

function errorsOf(form: InviteForm): Record<string, string> {
  assert.equal(form.ok, false, `expected errors, got ${JSON.stringify(form)}`);
  return form.ok ? {} : form.errors;
}

describe('readInviteForm', () => {
  it('reads a phone invitation, delivered by SMS', () => {
    assert.deepEqual(readInviteForm(values({ ...BASE, phone: ' +33 6 12 34 56 78 ', reference: 'CASE-42' }), undefined), {
      ok: true,
      channelId: 'C0123CHAN',
      request: {
        vendor: 'apizee',
        kind: 'ticket',
        shape: 'invite',
        phone: { kind: 'phone', e164: '+33612345678', country: 'FR' },
        email: undefined,
        delivery: 'sms',
        reference: 'CASE-42',
        message: undefined,
        via: undefined,
        options: { agent: 'agent@example.com' },
      },
    });
  });

  it('reads an e-mail invitation, delivered by e-mail', () => {
    const form = readInviteForm(values({ ...BASE, email: 'jane@example.com', message: 'See you soon' }), undefined);
    assert.equal(form.ok, true);
    if (!form.ok || form.request.shape !== 'invite') return assert.fail('expected an invitation');
    assert.equal(form.request.delivery, 'email');
    assert.deepEqual(form.request.email, { kind: 'email', address: 'jane@example.com' });
    assert.equal(form.request.phone, undefined);
    assert.equal(form.request.message, 'See you soon');
  });

  it('falls back to the channel in private_metadata', () => {
    const form = readInviteForm(values({ ...BASE, conversation: undefined, phone: '+33612345678' }), '{"channelId":"C0999META"}');
    assert.equal(form.ok && form.channelId, 'C0999META');
  });

  const invalid: Array<[string, Partial<Record<Field, string>>, Record<string, string>]> = [
    ['no phone and no e-mail', {}, { phone: 'Give a phone number or an e-mail address.' }],
    [
      'a phone without country code',
      { phone: '0612345678' },
      { phone: '"0612345678" has no country code: write it as +33612345678 (international format).' },
    ],
    ['an invalid e-mail', { email: 'jane@' }, { email: '"jane@" is not a valid e-mail address.' }],
    ['an e-mail in the phone field', { phone: 'jane@example.com' }, { phone: 'This looks like an e-mail address: put it in the e-mail field.' }],
    [
      'SMS with only an e-mail',
      { email: 'jane@example.com', delivery: 'sms' },
      { phone: 'A phone number is needed to send the invitation by SMS.' },
    ],
    [
      'WhatsApp, which Apizee does not deliver by',
      { phone: '+33612345678', delivery: 'whatsapp' },
      { delivery: 'Apizee delivers by SMS or e-mail only.' },
    ],
    [
      'a message of 301 characters',
      { phone: '+33612345678', message: 'x'.repeat(301) },
      { message: 'Apizee takes at most 300 characters; this message has 301.' },
    ],
    [
      'a bad reference',
      { phone: '+33612345678', reference: 'CASE 42' },
      { reference: 'Use at most 64 letters, digits and - _ . / # : for the reference.' },
    ],
    ['a missing agent', { phone: '+33612345678', agent: undefined }, { agent: 'Give the Apizee login of the agent who takes the session.' }],
    ['an unknown vendor', { phone: '+33612345678', vendor: 'zoom' }, { vendor: 'Choose a vendor.' }],
    ['no conversation', { phone: '+33612345678', conversation: undefined }, { conversation: 'Choose where to post the session card.' }],
  ];
  for (const [name, filled, errors] of invalid) {
    it(`refuses ${name}`, () => {
      assert.deepEqual(errorsOf(readInviteForm(values({ ...BASE, ...filled }), '{}')), errors);
    });
  }

  it('accepts a message of exactly 300 characters', () => {
    assert.equal(readInviteForm(values({ ...BASE, phone: '+33612345678', message: 'x'.repeat(300) }), undefined).ok, true);
  });

  it('counts a message in code points, as the vendors do (one emoji is one character)', () => {
    assert.equal(readInviteForm(values({ ...BASE, phone: '+33612345678', message: '📷'.repeat(300) }), undefined).ok, true);
    assert.deepEqual(errorsOf(readInviteForm(values({ ...BASE, phone: '+33612345678', message: '📷'.repeat(301) }), undefined)), {
      message: 'Apizee takes at most 300 characters; this message has 301.',
    });
  });

  it("reads a product's own fields into options, with their declared rules", () => {
    const form = readInviteForm(values({ vendor: 'imbee', conversation: 'C0123CHAN', email: 'jane@example.com', imbeeMaxUses: '3' }), undefined);
    assert.equal(form.ok && form.request.kind, 'webchat');
    assert.deepEqual(form.ok && form.request.options, { maxUses: 3 });
    assert.deepEqual(errorsOf(readInviteForm(values({ vendor: 'imbee', conversation: 'C0123CHAN', email: 'jane@example.com', imbeeExpiry: '2000-01-01' }), undefined)), {
      imbee_expiry: 'Choose a date from today on.',
    });
    assert.deepEqual(errorsOf(readInviteForm(values({ vendor: 'blitzz', conversation: 'C0123CHAN', phone: '+33612345678', delivery: 'whatsapp', message: 'hi' }), undefined)), {
      blitzz_session: 'Give the Blitzz session code.',
      message: 'Blitzz fixes the WhatsApp text itself: leave the message empty for WhatsApp.',
    });
  });

  it("reads a command-form product (Genesys) from its two fields", () => {
    const form = readInviteForm(values({ vendor: 'genesys', conversation: 'C0123CHAN', genesysSession: 'abc-1', genesysTarget: 'queue:support-fr' }), undefined);
    assert.deepEqual(form.ok && form.request, { vendor: 'genesys', kind: 'sms_invite', shape: 'command', options: { smsSessionId: 'abc-1', target: 'queue:support-fr' } });
    // A queue's name is not something Genesys can resolve: the field says which forms work.
    assert.match(errorsOf(readInviteForm(values({ vendor: 'genesys', conversation: 'C0123CHAN', genesysSession: 'abc-1', genesysTarget: 'Support FR' }), undefined)).genesys_target ?? '', /agent:<id>, queue:<id>/);
    assert.deepEqual(errorsOf(readInviteForm(values({ vendor: 'genesys', conversation: 'C0123CHAN', genesysSession: 'a/b' }), undefined)), {
      genesys_session: 'Give the SMS session id (one word of letters and digits).',
      genesys_target: 'Give the agent or queue to bring in.',
    });
  });

  it('reads "Show as a Slack call" on a meeting whose room link is shared, and nowhere else', () => {
    const ticked = (filled: Partial<Record<Field, string>>) => ({
      ...values(filled),
      [INPUT.slackCall.block]: { [INPUT.slackCall.action]: { type: 'checkboxes', selected_options: [{ text: {}, value: SLACK_CALL_VALUE }] } },
    });
    const meeting = JSON.stringify({ meeting: true });
    const apizee = readInviteForm(ticked({ ...BASE, participants: 'jane@example.com' }), meeting);
    assert.deepEqual(apizee.ok && [apizee.request.kind, apizee.request.slackCall], ['conference', true]);
    const unticked = readInviteForm(values({ ...BASE, participants: 'jane@example.com' }), meeting);
    assert.equal(unticked.ok && unticked.request.slackCall, undefined);
    // A forged tick on a Conpeek room (one invitation each, no shared link) or a ticket is ignored.
    const conpeek = readInviteForm(ticked({ vendor: 'conpeek', participants: 'Jane', conversation: 'C0123CHAN', conpeekBridge: '4', conpeekRoom: '5' }), meeting);
    assert.equal(conpeek.ok && conpeek.request.kind, 'room');
    assert.equal(conpeek.ok && conpeek.request.slackCall, undefined);
    const ticket = readInviteForm(ticked({ ...BASE, phone: '+33612345678' }), undefined);
    assert.equal(ticket.ok && ticket.request.slackCall, undefined);
  });

  it('survives unreadable private_metadata', () => {
    assert.deepEqual(errorsOf(readInviteForm(values({ ...BASE, phone: '+33612345678', conversation: undefined }), 'not json')), {
      conversation: 'Choose where to post the session card.',
    });
  });

  for (const garbage of ['values', null, 42, [], { phone: 'x' }, { phone: { phone_input: { value: 7 } } }]) {
    it(`answers garbage state ${JSON.stringify(garbage)} with an error, not a throw`, () => {
      assert.deepEqual(readInviteForm(garbage, undefined), {
        ok: false,
        errors: { phone: 'The form could not be read. Please try again.' },
      });
    });
  }
});
