import assert from 'node:assert/strict';
import type { ModalView, StaticSelect } from '@slack/types';
import type { Provider } from '../../src/domain/vendor-module.js';
import { InviteModals } from '../../src/services/invite-modals.js';
import { ProviderRegistry } from '../../src/services/provider-registry.js';
import { vendorModules } from '../../src/vendors/index.js';

/** A workspace's vendors view as VendorAccounts builds it: every product of the vendors named. */
function teamView(vendors: string[], fieldDefaults: Record<string, Record<string, string>> = {}) {
  const providers = new ProviderRegistry();
  for (const module of vendorModules.filter((item) => vendors.includes(item.name))) {
    for (const product of module.products) providers.add(module.name, { kind: product.kind } as unknown as Provider);
  }
  return { providers, fieldDefaults };
}

const vendorOptions = (view: ModalView) => {
  const block = view.blocks.find((item) => item.block_id === 'vendor');
  const select = (block as { element?: StaticSelect } | undefined)?.element;
  return (select?.options ?? []).map((option) => option.value);
};

describe('InviteModals: the plain command modal kept per workspace view and channel', () => {
  it('draws a channel’s modal once per vendors view, frozen, and again once the workspace’s accounts change', () => {
    const views = new Map([['T1', teamView(['apizee', 'blitzz'])]]);
    let lookups = 0;
    const modals = new InviteModals({
      vendors: (teamId) => {
        lookups += 1;
        return views.get(teamId)!;
      },
      catalogue: vendorModules,
    });
    const first = modals.open('T1', 'C1')!;
    assert.deepEqual(vendorOptions(first), ['apizee', 'blitzz']);
    assert.equal(JSON.parse(first.private_metadata!).channelId, 'C1');
    const drawn = lookups;
    assert.equal(modals.open('T1', 'C1'), first, 'the same view, not drawn again');
    assert.equal(lookups, drawn + 1, 'only the view was looked up');
    assert.ok(Object.isFrozen(first) && Object.isFrozen(first.blocks[0]), 'shared, so frozen');
    assert.throws(() => (first.blocks as unknown[]).push({}));

    const other = modals.open('T1', 'C2')!;
    assert.notEqual(other, first);
    assert.equal(JSON.parse(other.private_metadata!).channelId, 'C2');

    // An admin saved an account: VendorAccounts builds a new view for the workspace.
    views.set('T1', teamView(['blitzz']));
    assert.deepEqual(vendorOptions(modals.open('T1', 'C1')!), ['blitzz']);
  });

  it('draws a pre-filled modal (message shortcut) every time, and keeps none for a workspace without vendors', () => {
    const team = teamView(['apizee']);
    const modals = new InviteModals({ vendors: () => team, catalogue: vendorModules });
    const prefilled = modals.open('T1', 'C1', { phone: '+33612345678' }, { channelId: 'C1', ts: '1.2' })!;
    assert.equal(Object.isFrozen(prefilled), false);
    assert.notEqual(modals.open('T1', 'C1', { phone: '+33612345678' }, { channelId: 'C1', ts: '1.2' }), prefilled);
    assert.equal(new InviteModals({ vendors: () => teamView([]), catalogue: vendorModules }).open('T1', 'C1'), undefined);
  });
});
