import assert from 'node:assert/strict';
import type { ActionsBlock, Button } from '@slack/types';
import { maskContact } from '../../src/domain/contact.js';
import { ACTION } from '../../src/ui/ids.js';
import { sessionUnfurl, type UnfurlSession } from '../../src/ui/session-unfurl.js';
import { vendorModules } from '../../src/vendors/index.js';
import { blockKitProblems, HOSTILE_INPUT, liveTokensFrom } from '../helpers/block-kit.js';

const PERMALINK = 'https://acme.slack.com/archives/C0SUPPORT/p1700000000000100';

function session(overrides: Partial<UnfurlSession> = {}): UnfurlSession {
  return {
    id: 'session-1',
    vendor: 'apizee',
    kind: 'ticket',
    reference: 'CASE-42',
    contactMasked: maskContact({ kind: 'phone', e164: '+33612345678', country: 'FR' }),
    status: 'invited',
    startedBy: 'U0123ABCD',
    createdAt: new Date('2025-03-04T10:00:00.000Z'),
    joinedAt: null,
    endedAt: null,
    details: {},
    ...overrides,
  };
}

const button = (blocks: ReturnType<typeof sessionUnfurl>['blocks']) =>
  (blocks.find((block): block is ActionsBlock => block.type === 'actions')?.elements[0] as Button | undefined);

describe('sessionUnfurl', () => {
  it('shows status, vendor, reference, masked invitee, duration and media count, and a button to the card', () => {
    const { blocks } = sessionUnfurl(session(), vendorModules, { permalink: PERMALINK });
    const json = JSON.stringify(blocks);
    for (const words of ['Apizee video assistance · CASE-42', '*Status*\\n📨 Invited, waiting for the guest', '*Vendor*\\nApizee', '*Reference*\\nCASE-42', '*Invitee*\\n+33 6•• •• •• 78', '*Duration*\\nnot started', '*Photos and recordings*\\nnone yet']) {
      assert.ok(json.includes(words), `${words} in ${json}`);
    }
    assert.ok(!json.includes('612345678'));
    assert.deepEqual(button(blocks), { type: 'button', action_id: ACTION.unfurlOpenCard, text: { type: 'plain_text', text: 'Open the card' }, url: PERMALINK, value: 'session-1' });
    assert.deepEqual(blockKitProblems(blocks), []);
  });

  it('counts the files the thread listed, and says how long the session lasted once it ended', () => {
    const ended = sessionUnfurl(
      session({ status: 'ended', joinedAt: new Date('2025-03-04T10:01:00Z'), endedAt: new Date('2025-03-04T10:03:15Z'), details: { media_posted: ['1', '2', '3'] } }),
      vendorModules,
    );
    const json = JSON.stringify(ended.blocks);
    assert.ok(json.includes('*Duration*\\n2 minutes 15 seconds'), json);
    assert.ok(json.includes('*Photos and recordings*\\n3'), json);
    assert.ok(json.includes('✅ Ended'), json);
  });

  it('while in progress, says since when (a preview does not tick) and how long it had lasted when made', () => {
    const joinedAt = new Date('2025-03-04T10:01:00Z');
    const { blocks } = sessionUnfurl(session({ status: 'joined', joinedAt }), vendorModules, { now: new Date('2025-03-04T10:06:00Z') });
    const json = JSON.stringify(blocks);
    assert.ok(json.includes(`in progress since <!date^${joinedAt.getTime() / 1000}^{time}|`), json);
    assert.ok(json.includes('5 minutes when this preview was made'), json);
  });

  it('leaves the media count out for a product that keeps none, and the button out without a card', () => {
    const { blocks } = sessionUnfurl(session({ vendor: 'blitzz', kind: 'showme', status: 'sent' }), vendorModules);
    assert.ok(!JSON.stringify(blocks).includes('Photos and recordings'));
    assert.equal(button(blocks), undefined);
  });

  it('drops a button whose URL Slack would refuse (over 3000 characters) rather than the whole unfurl', () => {
    const { blocks } = sessionUnfurl(session(), vendorModules, { permalink: `${PERMALINK}?x=${'a'.repeat(3000)}` });
    assert.equal(button(blocks), undefined);
    assert.deepEqual(blockKitProblems(blocks), []);
  });

  for (const [what, overrides] of [
    ['a reference', { reference: HOSTILE_INPUT }],
    ['an invitee', { contactMasked: `Jane ${HOSTILE_INPUT}` }],
  ] as Array<[string, Partial<UnfurlSession>]>) {
    it(`makes no live mention or link of ${what}, and still shows it escaped`, () => {
      const { blocks } = sessionUnfurl(session(overrides), vendorModules, { permalink: PERMALINK });
      assert.deepEqual(liveTokensFrom({ blocks }), [], JSON.stringify(blocks));
      assert.ok(JSON.stringify(blocks).includes('&lt;!channel&gt;'));
    });
  }

  it('fits a huge reference and invitee within Block Kit limits', () => {
    const { blocks } = sessionUnfurl(session({ reference: 'R'.repeat(5000), contactMasked: '&'.repeat(3000) }), vendorModules, { permalink: PERMALINK });
    assert.deepEqual(blockKitProblems(blocks), []);
    assert.ok(blocks.length <= 5);
  });
});
