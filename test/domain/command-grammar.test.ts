import assert from 'node:assert/strict';
import { parseCommand as parseWith, usageText as usageWith, type CommandRequest } from '../../src/domain/command-grammar.js';
import type { Contact } from '../../src/domain/contact.js';
import { vendorModules } from '../../src/vendors/index.js';

/** The grammar reads the vendors from the modules' declarations. */
const parseCommand = (text: string) => parseWith(text, vendorModules);
const usageText = () => usageWith(vendorModules);

const FR: Contact = { kind: 'phone', e164: '+33612345678', country: 'FR' };
const FR2: Contact = { kind: 'phone', e164: '+33698765432', country: 'FR' };
const US: Contact = { kind: 'phone', e164: '+14155552671', country: 'US' };
const JANE: Contact = { kind: 'email', address: 'jane@example.com' };
const BOB: Contact = { kind: 'email', address: 'bob@example.org' };

/** An expected refusal: the reason must contain this text. */
type Refused = { invalid: string };
type Row = [input: string, expected: CommandRequest | Refused];

const ROWS: Row[] = [
  // Empty text and help
  ['', { kind: 'modal' }],
  ['   ', { kind: 'modal' }],
  ['help', { kind: 'help' }],
  ['HELP', { kind: 'help' }],
  ['vendors', { kind: 'vendors' }],
  ['Vendors extra', { invalid: '`vendors` takes nothing more: unexpected "extra".' }],

  // One-to-one: contacts
  ['+33612345678', { kind: 'invite', contact: FR }],
  ['  +33612345678  ', { kind: 'invite', contact: FR }],
  ['+33 6 12 34 56 78', { kind: 'invite', contact: FR }],
  ['+33 6.12-34-56-78', { kind: 'invite', contact: FR }],
  ['+33 (0)6 12 34 56 78 sms', { kind: 'invite', contact: FR, delivery: 'sms' }],
  ['+1 (415) 555-2671', { kind: 'invite', contact: US }],
  ['jane@Example.COM', { kind: 'invite', contact: JANE }],
  ['<mailto:jane@example.com|jane@example.com>', { kind: 'invite', contact: JANE }],
  ['<tel:+33612345678|+33 6 12 34 56 78> whatsapp', { kind: 'invite', contact: FR, delivery: 'whatsapp' }],
  ['0612345678', { invalid: '"0612345678" has no country code: write it as +33612345678 (international format).' }],
  ['06 12 34 56 78 sms', { invalid: '"06 12 34 56 78" has no country code: write it as +33612345678' }],
  ['0033612345678', { invalid: 'write it as +33612345678' }],
  ['+3361234', { invalid: '"+3361234" is not a valid phone number' }],
  ['jane@', { invalid: '"jane@" is not a valid e-mail address.' }],
  ['"just a message"', { invalid: 'No contact given' }],
  ['sms', { invalid: 'No contact given' }],
  ['+33612345678 jane@example.com', { invalid: 'A one-to-one session takes one contact' }],
  ['+33612345678 sms +33698765432', { invalid: 'A one-to-one session takes one contact' }],
  ['+33612345678,+33698765432', { invalid: 'A one-to-one session takes one contact' }],

  // One-to-one: options, in any order and any case
  [
    '+33612345678 apizee sms ref:CASE-1234 "Your video call"',
    { kind: 'invite', contact: FR, vendor: 'apizee', delivery: 'sms', reference: 'CASE-1234', message: 'Your video call' },
  ],
  [
    '"Your video call" ref:CASE-1234 sms apizee +33 6 12 34 56 78',
    { kind: 'invite', contact: FR, vendor: 'apizee', delivery: 'sms', reference: 'CASE-1234', message: 'Your video call' },
  ],
  ['APIZEE SMS REF:abc +33612345678', { kind: 'invite', contact: FR, vendor: 'apizee', delivery: 'sms', reference: 'abc' }],
  ['jane@example.com Blitzz EMAIL', { kind: 'invite', contact: JANE, vendor: 'blitzz', delivery: 'email' }],
  ['+33612345678 ref: CASE-9', { kind: 'invite', contact: FR, reference: 'CASE-9' }],
  ['+33612345678 ref:INC#42/b', { kind: 'invite', contact: FR, reference: 'INC#42/b' }],
  ['+33612345678 conpeek via:6f1c-22ab', { kind: 'invite', contact: FR, vendor: 'conpeek', via: '6f1c-22ab' }],
  ['VIA:abc imbee jane@example.com', { kind: 'invite', contact: JANE, vendor: 'imbee', via: 'abc' }],

  // Messages: curly quotes, first quote to last quote, anything inside
  ['+33612345678 “Bonjour, à tout de suite”', { kind: 'invite', contact: FR, message: 'Bonjour, à tout de suite' }],
  [
    '+33612345678 blitzz "Use ref:x and say "hi" by sms"',
    { kind: 'invite', contact: FR, vendor: 'blitzz', message: 'Use ref:x and say "hi" by sms' },
  ],
  ['+33612345678 "a" ref:CASE-1 "b"', { kind: 'invite', contact: FR, message: 'a" ref:CASE-1 "b' }],
  ['+33612345678 “mixed quotes"', { kind: 'invite', contact: FR, message: 'mixed quotes' }],
  ['+33612345678 "unterminated', { invalid: 'The quoted text has no closing quote' }],
  ['+33612345678 “unterminated', { invalid: 'The quoted text has no closing quote' }],
  ['+33612345678 ""', { invalid: 'The quoted text is empty' }],

  // Slack escaping and links
  ['jane@example.com "Tom &amp; Jerry &lt;3 &gt;_&lt;"', { kind: 'invite', contact: JANE, message: 'Tom & Jerry <3 >_<' }],
  ['+33612345678 "a &amp;lt; b"', { kind: 'invite', contact: FR, message: 'a &lt; b' }],
  ['+33612345678 "see <https://example.com/help|example.com/help>"', { kind: 'invite', contact: FR, message: 'see example.com/help' }],
  ['&lt;mailto:evil@example.com|jane@example.com&gt;', { invalid: 'is not a valid e-mail address' }],
  ['+33612345678 "&lt;tel:+33698765432|x&gt;"', { kind: 'invite', contact: FR, message: '<tel:+33698765432|x>' }],

  // One-to-one: refusals
  ['+33612345678 foo', { invalid: 'Unknown word "foo".' }],
  ['frobnicate', { invalid: 'Unknown word "frobnicate".' }],
  ['sms sms +33612345678', { invalid: 'Delivery given twice ("sms" and "sms")' }],
  ['+33612345678 sms email', { invalid: 'Delivery given twice ("sms" and "email")' }],
  ['+33612345678 apizee Blitzz', { invalid: 'Vendor given twice ("apizee" and "blitzz")' }],
  ['+33612345678 ref:a ref:b', { invalid: '`ref:` given twice' }],
  ['+33612345678 ref:héllo', { invalid: 'Reference "héllo" is not valid' }],
  ['+33612345678 ref:', { invalid: '`ref:` needs a value' }],
  ['+33612345678 conpeek via:a via:b', { invalid: '`via:` given twice' }],
  ['+33612345678 conpeek via:a/b', { invalid: '"a/b" is not a Genesys SMS session id.' }],
  ['jane@example.com sms', { invalid: 'SMS needs a phone number, not an e-mail address.' }],
  ['jane@example.com whatsapp', { invalid: 'WhatsApp needs a phone number, not an e-mail address.' }],
  ['+33612345678 email', { invalid: 'E-mail delivery needs an e-mail address, not a phone number.' }],
  ['+33612345678 apizee via:abc', { invalid: '`via:` only works with a link-only vendor (conpeek or imbee), not Apizee.' }],
  ['+33612345678 via:abc', { invalid: '`via:` needs a link-only vendor named in the command' }],
  ['+33612345678 genesys', { invalid: 'Genesys takes no contact' }],

  // Meetings
  [
    'meet jane@example.com,+33 6 12 34 56 78, bob@example.org apizee "Site survey"',
    { kind: 'meet', contacts: [JANE, FR, BOB], vendor: 'apizee', name: 'Site survey' },
  ],
  ['MEET +33612345678 , +33698765432 CONPEEK', { kind: 'meet', contacts: [FR, FR2], vendor: 'conpeek' }],
  ['meet jane@example.com', { kind: 'meet', contacts: [JANE] }],
  // `call`: a meeting shown as a Slack call, where its room link is one for everyone (issue 12)
  ['meet jane@example.com, +33612345678 apizee call', { kind: 'meet', contacts: [JANE, FR], vendor: 'apizee', call: true }],
  ['meet CALL jane@example.com "Site survey"', { kind: 'meet', contacts: [JANE], name: 'Site survey', call: true }],
  ['meet jane@example.com call, +33612345678', { kind: 'meet', contacts: [JANE, FR], call: true }],
  ['meet jane@example.com conpeek call', { invalid: 'Conpeek meetings cannot be shown as a Slack call: `call` works with Apizee meetings' }],
  ['meet jane@example.com call call', { invalid: '`call` given twice: keep one.' }],
  ['+33612345678 call', { invalid: '`call` shows a meeting as a Slack call: use it with `meet`, e.g. `meet jane@example.com, +33612345678 apizee call`.' }],
  ['jane@example.com apizee call ref:CASE-1', { invalid: '`call` shows a meeting as a Slack call: use it with `meet`' }],
  ['meet <mailto:jane@example.com|jane@example.com>,<tel:+33612345678|+33 6 12 34 56 78>', { kind: 'meet', contacts: [JANE, FR] }],
  ['meet jane@example.com, Jane@EXAMPLE.com,', { kind: 'meet', contacts: [JANE] }],
  ['meet jane@example.com bob@example.org', { invalid: 'Separate the contacts with commas' }],
  ['meet +33612345678 jane@example.com', { invalid: 'Separate the contacts with commas' }],
  ['meet', { invalid: '`meet` needs at least one contact' }],
  ['meet "Weekly"', { invalid: '`meet` needs at least one contact' }],
  ['meet jane@example.com blitzz', { invalid: 'Blitzz cannot host a meeting: use apizee or conpeek.' }],
  ['meet jane@example.com genesys', { invalid: 'Genesys cannot host a meeting' }],
  ['meet jane@example.com apizee conpeek', { invalid: 'Vendor given twice ("apizee" and "conpeek")' }],
  ['meet jane@example.com sms', { invalid: '"sms" does not apply to a meeting.' }],
  ['meet jane@example.com ref:X', { invalid: '"ref:X" does not apply to a meeting.' }],
  ['meet jane@example.com, 0612345678', { invalid: 'write it as +33612345678' }],
  ['meet jane@example.com, hello', { invalid: 'Unknown word "hello".' }],

  // Genesys
  [
    'genesys 6f1c-22ab agent:agent-2',
    { kind: 'command', vendor: 'genesys', product: 'sms_invite', options: { smsSessionId: '6f1c-22ab', target: 'agent:agent-2' } },
  ],
  [
    'Genesys 6f1c-22ab queue:sms-overflow',
    { kind: 'command', vendor: 'genesys', product: 'sms_invite', options: { smsSessionId: '6f1c-22ab', target: 'queue:sms-overflow' } },
  ],
  [
    'genesys 6f1c-22ab https://gws.example/api/v2/users/7f3a',
    { kind: 'command', vendor: 'genesys', product: 'sms_invite', options: { smsSessionId: '6f1c-22ab', target: 'https://gws.example/api/v2/users/7f3a' } },
  ],
  [
    'genesys 6f1c-22ab /queues/sms-overflow',
    { kind: 'command', vendor: 'genesys', product: 'sms_invite', options: { smsSessionId: '6f1c-22ab', target: '/queues/sms-overflow' } },
  ],
  ['Genesys 6f1c-22ab Support FR', { invalid: '"Support FR" is not a Genesys user or queue. Give agent:<id>, queue:<id>' }],
  ['genesys 6f1c-22ab agent@example.com', { invalid: '"agent@example.com" is not a Genesys user or queue.' }],
  ['genesys 6f1c-22ab', { invalid: '`genesys` needs an SMS session id and an agent or queue' }],
  ['genesys', { invalid: '`genesys` needs an SMS session id and an agent or queue' }],
  ['genesys 6f1c-22ab "Support FR"', { invalid: '`genesys` takes no quoted text.' }],
  ['genesys a/b queue', { invalid: '"a/b" is not a Genesys SMS session id.' }],

  // Status
  ['status CASE-1234', { kind: 'status', reference: 'CASE-1234' }],
  ['STATUS RDV-NBSWY3DP', { kind: 'status', reference: 'RDV-NBSWY3DP' }],
  ['status', { invalid: '`status` needs a reference' }],
  ['status a b', { invalid: '`status` takes one reference: unexpected "b".' }],
  ['status <b>', { invalid: 'Reference "<b>" is not valid' }],

  // Stats
  ['stats', { kind: 'stats' }],
  ['stats 2025-01-01', { kind: 'stats', from: '2025-01-01' }],
  ['Stats 2025-01-01 2025-01-31', { kind: 'stats', from: '2025-01-01', to: '2025-01-31' }],
  ['stats 2025-01-31 2025-01-31', { kind: 'stats', from: '2025-01-31', to: '2025-01-31' }],
  ['stats 2024-02-29', { kind: 'stats', from: '2024-02-29' }],
  ['stats 2025-02-29', { invalid: '"2025-02-29" is not a date: write it as YYYY-MM-DD' }],
  ['stats 2025-13-01', { invalid: '"2025-13-01" is not a date' }],
  ['stats 2025-1-5', { invalid: '"2025-1-5" is not a date' }],
  ['stats 2025-01-01 yesterday', { invalid: '"yesterday" is not a date' }],
  ['stats 2025-02-01 2025-01-01', { invalid: 'The start date 2025-02-01 is after the end date 2025-01-01.' }],
  ['stats 2025-01-01 2025-01-02 2025-01-03', { invalid: '`stats` takes at most two dates: unexpected "2025-01-03".' }],
  ['stats "last week"', { invalid: '`stats` takes no quoted text.' }],
];

describe('parseCommand', () => {
  for (const [input, expected] of ROWS) {
    it(`${JSON.stringify(input)} → ${'invalid' in expected ? `invalid: ${expected.invalid}` : expected.kind}`, () => {
      const actual = parseCommand(input);
      if ('invalid' in expected) {
        assert.equal(actual.kind, 'invalid', `expected a refusal, got ${JSON.stringify(actual)}`);
        assert.ok(
          actual.kind === 'invalid' && actual.reason.includes(expected.invalid),
          `reason ${JSON.stringify(actual.kind === 'invalid' ? actual.reason : '')} lacks ${JSON.stringify(expected.invalid)}`,
        );
      } else {
        assert.deepEqual(actual, expected);
      }
    });
  }

  it('has a table covering every kind of request', () => {
    const kinds = new Set(ROWS.map(([, e]) => ('invalid' in e ? 'invalid' : e.kind)));
    assert.deepEqual([...kinds].sort(), ['command', 'help', 'invalid', 'invite', 'meet', 'modal', 'stats', 'status', 'vendors']);
  });

  it('reports unknown words as the user wrote them', () => {
    assert.deepEqual(parseCommand('+33612345678 Tomorrow'), { kind: 'invalid', reason: 'Unknown word "Tomorrow".' });
  });

  it('knows only the vendors it is given: a sixth module is one more entry', () => {
    const sixth = { name: 'zoomish', label: 'Zoomish', products: [{ ...vendorModules[1].products[0]!, kind: 'showme' as const }] };
    assert.deepEqual(parseWith('+33612345678 zoomish', [...vendorModules, sixth]), { kind: 'invite', contact: FR, vendor: 'zoomish' });
    assert.equal(parseWith('+33612345678 zoomish', vendorModules).kind, 'invalid');
    assert.match(usageWith([...vendorModules, sixth]), /Vendors: apizee, blitzz, conpeek, imbee, zoomish\./);
  });
});

describe('usageText', () => {
  const text = usageText();

  it('shows an example of every form', () => {
    for (const example of [
      '`/rendezvous`',
      '`/rendezvous +33612345678`',
      '`/rendezvous jane@example.com apizee ref:CASE-1234 "Your video call with support"`',
      'whatsapp',
      'via:&lt;sms-session-id&gt;',
      '`/rendezvous meet jane@example.com, +33612345678 apizee "Site survey"`',
      '`/rendezvous genesys &lt;sms-session-id&gt; &lt;agent-or-queue&gt;`',
      '`/rendezvous status CASE-1234`',
      '`/rendezvous stats 2025-01-01 2025-01-31`',
      '`/rendezvous vendors`',
    ]) {
      assert.ok(text.includes(example), `usage lacks ${example}`);
    }
  });

  it('has no raw angle brackets, which Slack would read as links', () => {
    assert.doesNotMatch(text, /[<>]/);
  });

  it('shows examples that parse as documented', () => {
    const bullets = text.split('\n').filter((line) => line.startsWith('• '));
    const examples = bullets.map((line) => /`\/rendezvous ?([^`]*)`/.exec(line)?.[1] ?? 'missing');
    const kinds = examples.filter((e) => !e.includes('&lt;')).map((e) => parseCommand(e).kind);
    assert.deepEqual(kinds, ['modal', 'invite', 'invite', 'invite', 'meet', 'meet', 'status', 'stats', 'vendors']);
  });
});
