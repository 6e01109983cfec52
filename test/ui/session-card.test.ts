import assert from 'node:assert/strict';
import type { ActionsBlock, Button, KnownBlock } from '@slack/types';
import { maskContact } from '../../src/domain/contact.js';
import { ACTION } from '../../src/ui/ids.js';
import { cardText, sessionCard, type CardSession } from '../../src/ui/session-card.js';
import { vendorModules } from '../../src/vendors/index.js';
import { blockKitProblems, HOSTILE_INPUT, liveTokensFrom, messageProblems } from '../helpers/block-kit.js';

const CREATED_AT = '2025-03-04T10:00:00.000Z';
const CUSTOMER_URL = 'https://diag.apizee.com?convId=88a2c81a-2b5a-496f-8546-0d7bdde8&pwd=798042';

function card(overrides: Partial<CardSession> = {}): CardSession {
  return {
    id: 'session-1',
    vendor: 'apizee',
    kind: 'ticket',
    reference: 'CASE-42',
    contactMasked: maskContact({ kind: 'phone', e164: '+33612345678', country: 'FR' }),
    status: 'invited',
    statusDetail: null,
    startedBy: 'U0123ABCD',
    createdAt: new Date(CREATED_AT),
    agentUrl: 'https://cloud.apizee.com/entrypoint/223/tickets/82070',
    customerUrl: CUSTOMER_URL,
    details: {},
    ...overrides,
  };
}

const actionsOf = (blocks: KnownBlock[]) => blocks.find((block): block is ActionsBlock => block.type === 'actions');
const buttons = (blocks: KnownBlock[]) => (actionsOf(blocks)?.elements ?? []) as Button[];

describe('sessionCard', () => {
  it('shows the title, masked invitee, reference, status, starter and date', () => {
    const json = JSON.stringify(sessionCard(card(), vendorModules));
    assert.ok(json.includes('*Apizee video assistance* · `CASE-42`'), json);
    assert.ok(json.includes('*Invitee*\\n+33 6•• •• •• 78'), json);
    assert.ok(json.includes('*Status*\\n📨 Invited, waiting for the guest'), json);
    assert.ok(json.includes('*Reference*\\nCASE-42'), json);
    assert.ok(json.includes(`*Started by*\\n<@U0123ABCD> <!date^${Date.parse(CREATED_AT) / 1000}^{date_short_pretty} at {time}|2025-03-04 10:00 UTC>`), json);
  });

  it('offers Join as agent, Customer link, Refresh and Cancel while active', () => {
    const all = buttons(sessionCard(card(), vendorModules));
    assert.deepEqual(all.map((button) => button.action_id), [ACTION.joinAsAgent, ACTION.customerLink, ACTION.refresh, ACTION.cancel]);
    const [join, customer, refresh, cancel] = all;
    assert.equal(join!.text.text, 'Join as agent');
    assert.equal(join!.url, 'https://cloud.apizee.com/entrypoint/223/tickets/82070');
    assert.equal(customer!.text.text, 'Customer link');
    assert.equal(customer!.url, undefined, 'the customer link is only ever shown ephemerally');
    assert.equal(refresh!.text.text, 'Refresh');
    assert.equal(cancel!.text.text, 'Cancel');
    assert.equal(cancel!.confirm?.title?.text, 'Cancel this session?');
    for (const button of [join, customer, refresh, cancel]) assert.equal(button!.value, 'session-1');
  });

  it("keeps a meeting's shared room link off the card, and shows its Slack call once registered", () => {
    const roomUrl = 'https://meet.apizee.com/private/7a3dc799/ae226154';
    const meeting = card({ kind: 'conference', status: 'scheduled', agentUrl: roomUrl, customerUrl: 'https://apz.fr/v639BqrklV' });
    const plain = sessionCard(meeting, vendorModules);
    assert.ok(!JSON.stringify(plain).includes(roomUrl), 'no URL button with the room link');
    assert.deepEqual(buttons(plain).map((button) => button.action_id), [ACTION.customerLink, ACTION.refresh, ACTION.cancel]);
    assert.ok(!plain.some((block) => (block.type as string) === 'call'));
    // Asked for but not registered yet (or never confirmed): no call block.
    for (const state of ['pending', 'adding', 'unknown', 'failed'] as const) {
      const blocks = sessionCard({ ...meeting, slackCall: { state, id: null, title: null } }, vendorModules);
      assert.ok(!blocks.some((block) => (block.type as string) === 'call'), state);
    }
    for (const state of ['added', 'ended'] as const) {
      const blocks = sessionCard({ ...meeting, slackCall: { state, id: 'R0E69JAIF', title: 'x' } }, vendorModules);
      assert.deepEqual(blocks.filter((block) => (block.type as string) === 'call'), [{ type: 'call', call_id: 'R0E69JAIF' }], state);
      assert.ok(!JSON.stringify(blocks).includes(roomUrl));
    }
  });

  it('leaves out the link buttons when the vendor gave no links', () => {
    const ids = buttons(sessionCard(card({ agentUrl: null, customerUrl: null }), vendorModules)).map((button) => button.action_id);
    assert.deepEqual(ids, [ACTION.refresh, ACTION.cancel]);
  });

  for (const status of ['ended', 'declined', 'expired', 'cancelled', 'rejected', 'failed', 'creating'] as const) {
    it(`has no buttons when ${status}`, () => {
      assert.equal(actionsOf(sessionCard(card({ status }), vendorModules)), undefined);
    });
  }

  it('shows a final status with its emoji', () => {
    assert.ok(JSON.stringify(sessionCard(card({ status: 'ended' }), vendorModules)).includes('*Status*\\n✅ Ended'));
  });

  it('never contains a raw phone, the customer URL, an SSO URL or an access token', () => {
    const json = JSON.stringify(sessionCard(card(), vendorModules)) + cardText(card(), vendorModules);
    for (const secret of ['+33612345678', '612345678', CUSTOMER_URL, 'pwd=', 'access_token', 'sso']) {
      assert.equal(json.includes(secret), false, secret);
    }
  });

  it('escapes user and vendor text', () => {
    const blocks = sessionCard(card({ contactMasked: 'a<b>&c', statusDetail: 'Apizee said <!channel> & <@U1>' }), vendorModules);
    const json = JSON.stringify(blocks);
    assert.ok(json.includes('*Invitee*\\na&lt;b&gt;&amp;c'), json);
    assert.ok(json.includes('Apizee said &lt;!channel&gt; &amp; &lt;@U1&gt;'), json);
    assert.equal(json.includes('<!channel>'), false);
  });

  it('stays within Block Kit limits with a very long detail', () => {
    const blocks = sessionCard(card({ statusDetail: '&'.repeat(5000) }), vendorModules);
    assert.deepEqual(blockKitProblems(blocks), []);
    assert.equal(blocks.length, 4);
  });

  // A Conpeek participant name, a Genesys target or nickname, a reference: whatever the user or
  // the vendor wrote, the card shows it and Slack acts on none of it, in the blocks or the text.
  for (const [what, overrides] of [
    ['a Conpeek participant name', { vendor: 'conpeek', kind: 'room', contactMasked: `Jane ${HOSTILE_INPUT}` }],
    ['a Genesys target', { vendor: 'genesys', kind: 'invite', contactMasked: `${HOSTILE_INPUT} → SMS session 0000Na9B26EF006E` }],
    ['a reference', { reference: HOSTILE_INPUT }],
    ['a vendor status detail', { statusDetail: `Genesys said ${HOSTILE_INPUT}` }],
  ] as Array<[string, Partial<CardSession>]>) {
    it(`makes no live mention or link of ${what}, in the blocks or the notification text`, () => {
      for (const status of ['invited', 'failed'] as const) {
        const message = { text: cardText(card({ status, ...overrides }), vendorModules), blocks: sessionCard(card({ status, ...overrides }), vendorModules) };
        assert.deepEqual(liveTokensFrom(message), [], JSON.stringify(message));
        assert.ok(message.text.includes('&lt;!channel&gt;') || JSON.stringify(message.blocks).includes('&lt;!channel&gt;'), 'still shown, escaped');
      }
    });
  }

  it('keeps the starter mention and the date live', () => {
    const json = JSON.stringify(sessionCard(card({ contactMasked: HOSTILE_INPUT }), vendorModules));
    assert.ok(json.includes('<@U0123ABCD>'));
    assert.ok(json.includes('<!date^'));
  });

  it('fits every text to Slack: a huge invitee, reference, detail and notes', () => {
    const huge = `${'&<>'.repeat(3000)}${'x'.repeat(40_000)}`;
    const session = card({ contactMasked: huge, reference: huge, statusDetail: huge, agentUrl: `https://x.test/${'a'.repeat(3001)}` });
    const message = { text: cardText(session, vendorModules), blocks: sessionCard(session, vendorModules) };
    assert.deepEqual(messageProblems(message), []);
    assert.deepEqual(liveTokensFrom(message), []);
    assert.ok(message.text.endsWith('…') || message.text.length <= 40_000);
    assert.equal(buttons(message.blocks).some((button) => button.action_id === ACTION.joinAsAgent), false, 'no button Slack would refuse');
  });

  it('cardText names the session without a contact in clear', () => {
    assert.equal(cardText(card(), vendorModules), 'Apizee video assistance CASE-42 for +33 6•• •• •• 78: 📨 Invited, waiting for the guest');
  });
});

describe('blockKitProblems (test helper)', () => {
  it('reports each breach', () => {
    const blocks: KnownBlock[] = [
      { type: 'section', text: { type: 'mrkdwn', text: 'x'.repeat(3001) } },
      { type: 'actions', elements: [{ type: 'button', action_id: 'a', text: { type: 'plain_text', text: 'y'.repeat(76) } }] },
    ];
    assert.deepEqual(blockKitProblems(blocks, 1), ['2 blocks (max 1)', 'block 0: section text of 3001', 'block 1: button text of 76 (max 75)']);
  });

  it('reports a long header, context, field, confirm text and message text', () => {
    const blocks: KnownBlock[] = [
      { type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } },
      { type: 'context', elements: Array.from({ length: 11 }, () => ({ type: 'mrkdwn' as const, text: 'c' })) },
      { type: 'section', fields: [{ type: 'mrkdwn', text: 'f'.repeat(2001) }] },
      {
        type: 'actions',
        elements: [
          {
            type: 'button',
            action_id: 'b',
            text: { type: 'plain_text', text: 'ok' },
            confirm: { title: { type: 'plain_text', text: 't' }, text: { type: 'mrkdwn', text: 'x'.repeat(301) }, confirm: { type: 'plain_text', text: 'y' }, deny: { type: 'plain_text', text: 'n' } },
          },
        ],
      },
    ];
    assert.deepEqual(messageProblems({ text: 'm'.repeat(40_001), blocks }), [
      'block 0: header text of 151',
      'block 1: 11 context elements',
      'block 2: field of 2001',
      'block 3: confirm text of 301 (max 300)',
      'text of 40001 (max 40000)',
    ]);
  });
});

describe('liveTokensFrom (test helper)', () => {
  it('finds each live token a hostile input carries, and none once escaped', () => {
    const found = liveTokensFrom({ text: HOSTILE_INPUT, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'ok' } }] });
    assert.deepEqual(found.slice(0, 5), ['<!channel>', '<@U123>', '<http://evil|click>', '<!here>', '<#C999>']);
    assert.equal(found.length, 6, 'and the bare &');
    assert.deepEqual(liveTokensFrom({ text: HOSTILE_INPUT.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;') }), []);
  });
});
