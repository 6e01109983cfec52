import assert from 'node:assert/strict';
import type { InputBlock, KnownBlock } from '@slack/types';
import { CALLBACK, VENDOR_FIELD_ACTION } from '../../src/ui/ids.js';
import { readVendorAccountForm, vendorAccountModal, vendorAccountResultModal, vendorAccountSavingModal, type CheckVerdict } from '../../src/ui/vendor-accounts.js';
import { vendorModules } from '../../src/vendors/index.js';
import { blockKitProblems } from '../helpers/block-kit.js';

const apizeeFields = vendorModules.find((module) => module.name === 'apizee')!.settings.fields;
const inputs = (blocks: KnownBlock[]) => blocks.filter((block): block is InputBlock => block.type === 'input');

describe('vendorAccountModal', () => {
  for (const module of vendorModules) {
    it(`${module.name}: one input per setting field, within Block Kit limits`, () => {
      const modal = vendorAccountModal({ vendor: module.name, label: module.label, fields: module.settings.fields, saved: {}, savedSecrets: [], usingDefault: false });
      assert.equal(modal.callback_id, CALLBACK.vendorAccount);
      assert.ok(modal.title.text.length <= 24, modal.title.text);
      assert.deepEqual(JSON.parse(modal.private_metadata!), { vendor: module.name });
      const fields = inputs(modal.blocks as KnownBlock[]);
      assert.deepEqual(
        fields.map((block) => [block.block_id, (block.label as { text: string }).text]),
        module.settings.fields.map((field) => [field.env, field.label]),
      );
      for (const block of fields) {
        assert.equal((block.element as { action_id: string }).action_id, VENDOR_FIELD_ACTION);
        assert.equal(block.element.type, 'plain_text_input');
      }
      assert.deepEqual(blockKitProblems(modal.blocks as KnownBlock[], 100), []);
    });
  }

  it('pre-fills what is not secret, and says of a saved secret only that it is saved', () => {
    const modal = vendorAccountModal({
      vendor: 'apizee',
      label: 'Apizee',
      fields: apizeeFields,
      saved: { APIZEE_USERNAME: 'alpha@example.com', APIZEE_API_URL: 'https://apizee.example/api' },
      savedSecrets: ['APIZEE_PASSWORD'],
      usingDefault: false,
    });
    const byId = new Map(inputs(modal.blocks as KnownBlock[]).map((block) => [block.block_id, block]));
    assert.equal((byId.get('APIZEE_USERNAME')!.element as { initial_value?: string }).initial_value, 'alpha@example.com');
    const password = byId.get('APIZEE_PASSWORD')!;
    assert.equal((password.element as { initial_value?: string }).initial_value, undefined);
    assert.match(JSON.stringify(password), /saved; leave empty to keep/);
    assert.match((password.hint as { text: string }).text, /Saved; leave empty to keep it\./);
    const webhook = byId.get('APIZEE_WEBHOOK_SECRET')!;
    assert.doesNotMatch(JSON.stringify(webhook), /leave empty to keep/, 'a secret never saved is just empty');
  });

  it('says when the workspace uses the default account today', () => {
    const modal = vendorAccountModal({ vendor: 'apizee', label: 'Apizee', fields: apizeeFields, saved: {}, savedSecrets: [], usingDefault: true });
    assert.match(JSON.stringify(modal.blocks), /uses the default Apizee account today/);
  });
});

describe('vendor account result modals', () => {
  const verdicts: CheckVerdict[] = [
    { kind: 'ok', call: 'a token (POST /token)' },
    { kind: 'failed', call: 'a token (POST /token)', reason: 'Apizee refused <the> credentials & said so' },
    { kind: 'unchecked' },
    { kind: 'spaced', lastCheckedAt: new Date('2026-12-02T10:00:00Z'), everyMinutes: 10, why: 'Blitzz locks an account for 10 minutes after 5 failed logins' },
    { kind: 'not_saved', reason: 'Rendezvous could not write it to its database.' },
  ];
  it('says what happened, escaped, within Block Kit limits, with nothing to submit', () => {
    const words = verdicts.map((verdict) => {
      const modal = vendorAccountResultModal('Apizee', verdict);
      assert.equal(modal.submit, undefined);
      assert.deepEqual(blockKitProblems(modal.blocks as KnownBlock[], 100), []);
      return JSON.stringify(modal.blocks);
    });
    assert.match(words[0]!, /✅ Saved and checked: Apizee accepted the account \(asked for a token \(POST \/token\)\)/);
    assert.match(words[1]!, /⚠️ Saved, but the check failed \(asked for a token \(POST \/token\)\): Apizee refused &lt;the&gt; credentials &amp; said so/);
    assert.match(words[2]!, /Saved without a check/);
    assert.match(words[3]!, /at most once every 10 minutes \(Blitzz locks an account/);
    assert.match(words[4]!, /Not saved/);
    assert.match(JSON.stringify(vendorAccountSavingModal('Apizee').blocks), /Saving this workspace's Apizee account and checking it/);
  });
});

describe('readVendorAccountForm', () => {
  const fieldsOf = (vendor: string) => (vendor === 'apizee' ? apizeeFields : undefined);
  const state = (values: Record<string, string | null>) =>
    Object.fromEntries(Object.entries(values).map(([block, value]) => [block, { [VENDOR_FIELD_ACTION]: { type: 'plain_text_input', value } }]));

  it('reads the declared fields, trimmed, leaving out the empty ones and anything undeclared', () => {
    const read = readVendorAccountForm(
      state({ APIZEE_USERNAME: '  alpha@example.com ', APIZEE_PASSWORD: null, APIZEE_AGENT: '   ', EVIL_FIELD: 'x', APIZEE_ENTERPRISE_ID: '1' }),
      JSON.stringify({ vendor: 'apizee' }),
      fieldsOf,
    );
    assert.deepEqual(read, { vendor: 'apizee', submitted: { APIZEE_USERNAME: 'alpha@example.com', APIZEE_ENTERPRISE_ID: '1' } });
  });

  it('reads nothing from unknown metadata or an unknown vendor', () => {
    assert.equal(readVendorAccountForm({}, 'not json', fieldsOf), undefined);
    assert.equal(readVendorAccountForm({}, JSON.stringify({ vendor: 'acme' }), fieldsOf), undefined);
    assert.equal(readVendorAccountForm({}, undefined, fieldsOf), undefined);
  });
});
