import assert from 'node:assert/strict';
import type { Button, KnownBlock } from '@slack/types';
import { maskContact } from '../../src/domain/contact.js';
import { vendorModules } from '../../src/vendors/index.js';
import { homeView, noVendorModal, type HomeSession, type HomeViewInput } from '../../src/ui/home.js';
import { ACTION } from '../../src/ui/ids.js';
import type { VendorAccountLine } from '../../src/ui/vendor-accounts.js';
import { blockKitProblems } from '../helpers/block-kit.js';
import type { SessionStatus } from '../../src/domain/session.js';

const USER = 'U0AGENT';
const PHONE = '+33612345678';
const MASKED = maskContact({ kind: 'phone', e164: PHONE, country: 'FR' });
const CREATED_AT = '2025-03-04T10:00:00.000Z';
const PERMALINK = 'https://acme.slack.com/archives/C0SUPPORT/p1741082400000100';

function session(overrides: Partial<HomeSession> = {}): HomeSession {
  return {
    vendor: 'apizee',
    kind: 'ticket',
    reference: 'CASE-42',
    contactMasked: MASKED,
    status: 'invited',
    createdAt: new Date(CREATED_AT),
    ...overrides,
  };
}

const SAVED_AT = new Date('2026-12-02T10:00:00Z');
/** One account of each kind: checked, the default, none, saved unchecked, failed. */
const ACCOUNTS: VendorAccountLine[] = [
  { vendor: 'apizee', label: 'Apizee', source: 'workspace', savedBy: 'U0ADMIN', savedAt: SAVED_AT, check: { at: SAVED_AT, ok: true, detail: 'Apizee issued a token' } },
  { vendor: 'blitzz', label: 'Blitzz', source: 'environment' },
  { vendor: 'conpeek', label: 'Conpeek', source: 'none' },
  { vendor: 'imbee', label: 'Imbee', source: 'workspace', savedBy: 'U0ADMIN', savedAt: SAVED_AT, check: { at: SAVED_AT, ok: null, detail: 'Saved without a check: Imbee documents no call that creates nothing.' } },
  { vendor: 'genesys', label: 'Genesys', source: 'workspace', savedBy: 'U0ADMIN', savedAt: SAVED_AT, check: { at: SAVED_AT, ok: false, detail: 'Genesys refused the login' } },
];

function view(overrides: Partial<HomeViewInput> = {}) {
  return homeView({ userId: USER, active: [], recent: [], vendors: [], isAdmin: false, catalogue: vendorModules, ...overrides });
}

/** Every text a person could read in the view, one string per block. */
function texts(blocks: KnownBlock[]): string[] {
  return blocks.map((block) => JSON.stringify(block));
}

function sectionAfter(blocks: KnownBlock[], title: string): string {
  const json = texts(blocks);
  const at = json.findIndex((text) => text.includes(title));
  assert.ok(at >= 0, `no block titled ${title}: ${json.join('\n')}`);
  // The title's own section, and what follows up to the next divider.
  const next = blocks.findIndex((block, index) => index > at && block.type === 'divider');
  return json.slice(at, next < 0 ? undefined : next).join('\n');
}

function sectionTexts(blocks: KnownBlock[]): string[] {
  return blocks.flatMap((block) => (block.type === 'section' && block.text ? [block.text.text] : []));
}

describe('homeView', () => {
  it('is a home view with a header and the start button', () => {
    const home = view();
    assert.equal(home.type, 'home');
    assert.equal(home.blocks[0]?.type, 'header');
    const buttons = (home.blocks as KnownBlock[]).flatMap((block) => (block.type === 'actions' ? (block.elements as Button[]) : []));
    assert.deepEqual(
      buttons.map((button) => [button.action_id, button.text.text]),
      [[ACTION.homeStartSession, 'Start a remote session']],
    );
    assert.equal(ACTION.homeStartSession, 'home_start_session');
    assert.deepEqual(blockKitProblems(home.blocks as KnownBlock[], 100), []);
  });

  it('says in friendly words that there is nothing yet', () => {
    const blocks = view().blocks as KnownBlock[];
    assert.match(sectionAfter(blocks, 'Your active sessions'), /Nothing in progress\. Start a session with the button above/);
    assert.match(sectionAfter(blocks, 'Recently finished'), /Nothing finished yet/);
    assert.match(sectionAfter(blocks, 'Vendor health'), /No vendor is set up in this workspace yet/);
  });

  it('lists active sessions with status, title, masked invitee, reference, date and card link', () => {
    const blocks = view({ active: [session({ permalink: PERMALINK })] }).blocks as KnownBlock[];
    const active = sectionAfter(blocks, 'Your active sessions');
    assert.ok(active.includes('📨 *Apizee video assistance* · `CASE-42`'), active);
    assert.ok(active.includes('Invited, waiting for the guest'), active);
    assert.ok(active.includes(MASKED), active);
    assert.ok(active.includes(`started <!date^${Date.parse(CREATED_AT) / 1000}^`), active);
    assert.ok(active.includes(`<${PERMALINK}|open the card>`), active);
    assert.ok(!active.includes('Nothing in progress'), active);
  });

  it('leaves the card link out when the permalink is unknown', () => {
    const blocks = view({ active: [session()] }).blocks as KnownBlock[];
    assert.ok(!sectionAfter(blocks, 'Your active sessions').includes('open the card'));
  });

  it('keeps active and finished sessions apart, and shows only the last ten finished', () => {
    const active = [session({ reference: 'LIVE-1', status: 'joined' })];
    const recent = Array.from({ length: 12 }, (_, i) => session({ reference: `DONE-${i + 1}`, status: i % 2 ? 'ended' : 'cancelled' }));
    const blocks = view({ active, recent }).blocks as KnownBlock[];
    const activeText = sectionAfter(blocks, 'Your active sessions');
    const recentText = sectionAfter(blocks, 'Recently finished');
    assert.ok(activeText.includes('🟢 *Apizee video assistance* · `LIVE-1`'), activeText);
    assert.ok(!activeText.includes('DONE-'), activeText);
    assert.ok(!recentText.includes('LIVE-1'), recentText);
    for (let i = 1; i <= 10; i++) assert.ok(recentText.includes(`\`DONE-${i}\``), `DONE-${i} missing: ${recentText}`);
    assert.ok(!recentText.includes('DONE-11') && !recentText.includes('DONE-12'), recentText);
    assert.ok(recentText.includes('✖️') && recentText.includes('Cancelled') && recentText.includes('✅'), recentText);
  });

  it('escapes user and vendor text', () => {
    const evil = '<!channel> & <https://evil.example|click>';
    const blocks = view({
      active: [session({ reference: evil, contactMasked: evil, status: evil as SessionStatus, vendor: evil })],
      recent: [session({ reference: evil, contactMasked: evil, status: 'ended' })],
      vendors: [{ vendor: 'apizee', lastCall: { operation: evil, ok: false, at: CREATED_AT, code: evil } }],
    }).blocks as KnownBlock[];
    const all = sectionTexts(blocks).join('\n');
    assert.ok(!all.includes('<!channel>'), all);
    assert.ok(!all.includes('<https://evil'), all);
    assert.ok(all.includes('&lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;'), all);
  });

  it('shows one compact health line per configured vendor', () => {
    const blocks = view({
      vendors: [
        { vendor: 'apizee', lastCall: { operation: 'create ticket', ok: true, at: CREATED_AT } },
        { vendor: 'blitzz', lastCall: { operation: 'create session', ok: false, at: CREATED_AT, code: 'http_503' } },
        { vendor: 'imbee' },
      ],
    }).blocks as KnownBlock[];
    const health = sectionAfter(blocks, 'Vendor health');
    assert.match(health, /\*Apizee\* — ✅ last call worked <!date\^\d+\^[^>]+> \(create ticket\)/);
    assert.match(health, /\*Blitzz\* — ⚠️ last call failed \(http_503\)/);
    assert.match(health, /\*Imbee\* — ◻️ not called since the app started/);
    assert.ok(!health.includes('Conpeek') && !health.includes('Genesys'), 'only configured vendors');
    assert.ok(!health.includes('No vendor is set up'), health);
  });

  it('shows the Vendors section to admins only, with a button per vendor and never a credential', () => {
    const vendors: HomeViewInput['vendors'] = [{ vendor: 'apizee' }, { vendor: 'genesys' }];
    const member = JSON.stringify(view({ vendors, isAdmin: false, vendorAccounts: ACCOUNTS }).blocks);
    assert.ok(!member.includes('*Vendors*'), member);
    assert.ok(!member.includes(ACTION.homeVendorAccount), member);
    const admin = view({ vendors, isAdmin: true, vendorAccounts: ACCOUNTS }).blocks as KnownBlock[];
    const section = sectionAfter(admin, '*Vendors*');
    assert.match(section, /\*Apizee\* — this workspace's own account, saved by <@U0ADMIN> <!date\^\d+\^[^>]+>\. ✅ Checked/);
    assert.match(section, /\*Blitzz\* — the default account/);
    assert.match(section, /\*Conpeek\* — ◻️ not set up in this workspace/);
    assert.match(section, /\*Imbee\* — this workspace's own account.*ℹ️ Saved without a check/);
    assert.match(section, /\*Genesys\* — this workspace's own account.*⚠️ Its check failed <!date[^>]+>: Genesys refused the login/);
    assert.match(section, /never shown again/);
    const buttons = admin.flatMap((block) => (block.type === 'section' && block.accessory?.type === 'button' ? [block.accessory as Button] : []));
    assert.deepEqual(
      buttons.map((button) => [button.action_id, button.value, button.text.text]),
      [
        [ACTION.homeVendorAccount, 'apizee', 'Change'],
        [ACTION.homeVendorAccount, 'blitzz', 'Set up'],
        [ACTION.homeVendorAccount, 'conpeek', 'Set up'],
        [ACTION.homeVendorAccount, 'imbee', 'Change'],
        [ACTION.homeVendorAccount, 'genesys', 'Change'],
      ],
    );
    assert.deepEqual(blockKitProblems(admin, 100), []);
  });

  it('shows the masked contact only, never the contact in clear', () => {
    // A row straight from the store carries more than the view needs; none of it may leak.
    const row = { ...session({ permalink: PERMALINK }), contact: PHONE, contact_encrypted: `enc:${PHONE}`, customerUrl: 'https://diag.apizee.com?pwd=798042' };
    const json = JSON.stringify(view({ active: [row], recent: [{ ...row, status: 'ended' }] }));
    assert.ok(json.includes(MASKED), json);
    assert.ok(!json.includes('612345678'), json);
    assert.ok(!json.includes('0612345678'), json);
    assert.ok(!json.includes('pwd=798042'), json);
  });

  it('shortens an overlong field but keeps the rest of the line and the card link', () => {
    const blocks = view({ active: [session({ reference: '&'.repeat(3000), permalink: PERMALINK })] }).blocks as KnownBlock[];
    const line = sectionTexts(blocks).find((text) => text.includes('Apizee video assistance'))!;
    assert.ok(line.length < 1000, `line of ${line.length}`);
    assert.ok(line.includes('&amp;…`'), line);
    assert.ok(line.includes(MASKED) && line.includes(`<${PERMALINK}|open the card>`), line);
  });

  it('stays within Block Kit limits with 200 sessions and very long fields', () => {
    const long = '&'.repeat(3000);
    const many = (status: SessionStatus) =>
      Array.from({ length: 200 }, (_, i) =>
        session({ reference: i % 7 ? `CASE-${i}` : long, contactMasked: i % 5 ? MASKED : long, status, permalink: `${PERMALINK}${i}${'x'.repeat(i % 3 ? 0 : 2000)}` }),
      );
    const home = view({
      active: many('joined'),
      recent: many('ended'),
      vendors: (['apizee', 'blitzz', 'conpeek', 'imbee', 'genesys'] as const).map((vendor) => ({
        vendor,
        lastCall: { operation: long, ok: false, at: CREATED_AT, code: long },
      })),
      isAdmin: true,
      vendorAccounts: ACCOUNTS.map((line) => ({ ...line, unusable: line.unusable && long, check: line.check && { ...line.check, detail: long } })),
    });
    const blocks = home.blocks as KnownBlock[];
    assert.ok(blocks.length <= 100, `${blocks.length} blocks`);
    assert.deepEqual(blockKitProblems(blocks, 100), []);
    for (const text of sectionTexts(blocks)) assert.ok(text.length <= 3000, `section of ${text.length}`);
    const all = JSON.stringify(blocks);
    assert.match(all, /…and 180 more active sessions/);
    assert.ok(all.includes('*Vendors*') && all.includes('vendor_account_genesys'), 'the admin part is not cut off');
  });
});

describe('noVendorModal', () => {
  it('is a valid modal that says why no session can start', () => {
    const modal = noVendorModal();
    assert.equal(modal.type, 'modal');
    assert.ok(modal.title.text.length <= 24);
    assert.match(JSON.stringify(modal.blocks), /No vendor is set up/);
  });
});
