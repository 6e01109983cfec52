import assert from 'node:assert/strict';
import {
  maskContact,
  parseContact,
  parsePlainContact,
  unwrapSlackLinks,
  type Contact,
  type ContactParse,
} from '../../src/domain/contact.js';

const FR: Contact = { kind: 'phone', e164: '+33612345678', country: 'FR' };
const US: Contact = { kind: 'phone', e164: '+14155552671', country: 'US' };

function reasonOf(result: ContactParse): string {
  assert.equal(result.ok, false, `expected a refusal, got ${JSON.stringify(result)}`);
  return result.ok ? '' : result.reason;
}

describe('parseContact', () => {
  const valid: Array<[string, Contact]> = [
    ['+33612345678', FR],
    ['  +33612345678  ', FR],
    ['+33 6 12 34 56 78', FR],
    ['+33 6.12-34-56-78', FR],
    ['+33 (0)6 12 34 56 78', FR],
    ['+1 (415) 555-2671', US],
    ['+44 20 7946 0958', { kind: 'phone', e164: '+442079460958', country: 'GB' }],
    ['<tel:+33612345678|+33 6 12 34 56 78>', FR],
    ['jane.doe@example.com', { kind: 'email', address: 'jane.doe@example.com' }],
    ['Jane.Doe@Example.COM', { kind: 'email', address: 'Jane.Doe@example.com' }],
    ['o\'brien+tag@mail.example.co.uk', { kind: 'email', address: 'o\'brien+tag@mail.example.co.uk' }],
    ['<mailto:jane@example.com|jane@example.com>', { kind: 'email', address: 'jane@example.com' }],
    ['<mailto:jane@example.com>', { kind: 'email', address: 'jane@example.com' }],
    // In a message the label can be any text; the address is the link target.
    ['<mailto:jane@example.com|Jane>', { kind: 'email', address: 'jane@example.com' }],
  ];
  for (const [input, expected] of valid) {
    it(`accepts ${JSON.stringify(input)}`, () => {
      assert.deepEqual(parseContact(input), { ok: true, contact: expected });
    });
  }

  it('hints the international form of a French national number', () => {
    assert.equal(
      reasonOf(parseContact('0612345678')),
      '"0612345678" has no country code: write it as +33612345678 (international format).',
    );
    assert.equal(
      reasonOf(parseContact('06 12 34 56 78')),
      '"06 12 34 56 78" has no country code: write it as +33612345678 (international format).',
    );
  });

  it('asks for the country code when it cannot guess it', () => {
    assert.equal(
      reasonOf(parseContact('0123')),
      '"0123" has no country code: add it after a +, e.g. +33… (international format).',
    );
  });

  it('turns 00 into + in the hint', () => {
    assert.equal(
      reasonOf(parseContact('0033612345678')),
      '"0033612345678" has 00 instead of +: write it as +33612345678 (international format).',
    );
  });

  it('suggests the + when only the + is missing', () => {
    assert.equal(reasonOf(parseContact('14155552671')), '"14155552671" has no +: write it as +14155552671 (international format).');
  });

  it('refuses an impossible number', () => {
    assert.equal(
      reasonOf(parseContact('+3361234')),
      '"+3361234" is not a valid phone number: check the country code and the digits.',
    );
  });

  it('refuses text that is neither', () => {
    assert.equal(reasonOf(parseContact('jane')), '"jane" is neither a phone number nor an e-mail address.');
    assert.match(reasonOf(parseContact('   ')), /^No contact given/);
  });

  for (const bad of ['jane@', '@example.com', 'jane@example', 'jane@@example.com', '.jane@example.com', 'ja..ne@example.com', 'jane@exa_mple.com', 'jane doe@example.com', 'jane@-example.com', 'jane@example.c0m']) {
    it(`refuses the e-mail ${JSON.stringify(bad)}`, () => {
      assert.equal(reasonOf(parseContact(bad)), `"${bad}" is not a valid e-mail address.`);
    });
  }

  it('accepts 254 characters of e-mail and refuses 255', () => {
    const domain = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.com`; // 195 chars
    const at254 = `${'x'.repeat(254 - domain.length - 1)}@${domain}`;
    assert.equal(at254.length, 254);
    assert.deepEqual(parseContact(at254), { ok: true, contact: { kind: 'email', address: at254 } });
    const at255 = `y${at254}`;
    assert.equal(reasonOf(parseContact(at255)), 'That e-mail address is too long (254 characters at most).');
  });
});

describe('parsePlainContact', () => {
  it('does not unwrap link markup, which the grammar has already removed', () => {
    assert.equal(
      reasonOf(parsePlainContact('<mailto:jane@example.com|jane@example.com>')),
      '"<mailto:jane@example.com|jane@example.com>" is not a valid e-mail address.',
    );
    assert.deepEqual(parsePlainContact(' +33612345678 '), { ok: true, contact: FR });
  });
});

describe('unwrapSlackLinks', () => {
  it('keeps the label by default and the target on request', () => {
    const text = 'write <mailto:jane@example.com|Jane> or <tel:+33612345678|+33 6 12 34 56 78>';
    assert.equal(unwrapSlackLinks(text), 'write Jane or +33 6 12 34 56 78');
    assert.equal(unwrapSlackLinks(text, 'target'), 'write jane@example.com or +33612345678');
  });

  it('keeps a web link as typed and leaves other markup alone', () => {
    assert.equal(unwrapSlackLinks('<https://example.com/a|example.com/a> <https://x.org/b>'), 'example.com/a https://x.org/b');
    assert.equal(unwrapSlackLinks('hi <@U123> in <#C1|general>', 'target'), 'hi <@U123> in <#C1|general>');
  });

  it('drops the query of a mailto: target', () => {
    assert.equal(unwrapSlackLinks('<mailto:jane@example.com?subject=hi>', 'target'), 'jane@example.com');
  });
});

describe('maskContact', () => {
  const cases: Array<[Contact, string]> = [
    [FR, '+33 6•• •• •• 78'],
    [{ kind: 'phone', e164: '+33112345678', country: 'FR' }, '+33 1•• •• •• 78'],
    [US, '+1 4•• ••• ••71'],
    [{ kind: 'phone', e164: '+447400123456', country: 'GB' }, '+44 7••• ••••56'],
    [{ kind: 'phone', e164: '+442079460958', country: 'GB' }, '+44 2• •••• ••58'],
    [{ kind: 'email', address: 'jane.doe@example.com' }, 'j•••@example.com'],
    [{ kind: 'email', address: 'x@mail.example.co.uk' }, 'x•••@mail.example.co.uk'],
  ];
  for (const [contact, expected] of cases) {
    it(`${contact.kind === 'phone' ? contact.e164 : contact.address} → ${expected}`, () => {
      assert.equal(maskContact(contact), expected);
    });
  }

  it('shows only the country code, one national digit and the last two', () => {
    for (const e164 of ['+33612345678', '+14155552671', '+447400123456', '+8613812345678']) {
      const digits = maskContact({ kind: 'phone', e164 }).replace(/\D/g, '');
      const countryCode = e164 === '+14155552671' ? 1 : 2;
      assert.equal(digits.length, countryCode + 3, `${e164} → ${maskContact({ kind: 'phone', e164 })}`);
    }
  });
});
