import type { ModalView } from '@slack/types';
import type { Catalogue } from '../domain/product-catalogue.js';
import type { ViaChannel } from '../domain/vendor-module.js';
import { inviteModal, type InviteModalOptions, type ModalVendor } from '../ui/invite-modal.js';
import type { TeamVendors } from './team-vendors.js';

/** Builds the invite modal from settings only (in memory), so it opens within the trigger window. */
/** Channels whose modal is kept per workspace view; past this the workspace's are dropped and built again. */
const CHANNELS_KEPT = 1000;

export class InviteModals {
  /**
   * The plain command's modal (no pre-fill, no source message) by channel, per workspace vendors
   * view: building it cost ~50 µs and a good share of the garbage of every `/rendezvous`. The
   * views are immutable and replaced whenever the workspace's accounts change (VendorAccounts
   * builds a new one), so an entry can never outlive what it was drawn from. Kept views are frozen.
   */
  private readonly kept = new WeakMap<object, Map<string, ModalView>>();

  constructor(
    private readonly deps: {
      /** A workspace's vendors: its configured products, and the values that pre-fill their fields (`fieldDefaults`). */
      vendors(teamId: string): Pick<TeamVendors, 'providers' | 'fieldDefaults'>;
      /** Every module's declarations (labels, products, fields). */
      catalogue: Catalogue;
      defaultVendor?: string;
    },
  ) {}

  open(teamId: string, channelId?: string, prefill?: { phone?: string; email?: string }, source?: { channelId: string; ts: string }): ModalView | undefined {
    if (prefill || source) return this.draw(teamId, channelId, prefill, source);
    const team = this.deps.vendors(teamId);
    let byChannel = this.kept.get(team);
    const found = byChannel?.get(channelId ?? '');
    if (found) return found;
    const view = this.draw(teamId, channelId);
    if (!view) return undefined;
    if (!byChannel || byChannel.size >= CHANNELS_KEPT) {
      byChannel = new Map();
      this.kept.set(team, byChannel);
    }
    byChannel.set(channelId ?? '', deepFreeze(view));
    return view;
  }

  private draw(teamId: string, channelId?: string, prefill?: { phone?: string; email?: string }, source?: { channelId: string; ts: string }): ModalView | undefined {
    const vendors = this.vendors(teamId);
    if (vendors.length === 0) return undefined;
    // A default vendor that cannot take a contact (one with only a command form) is not a useful first choice.
    const contactVendors = vendors.filter((vendor) => vendor.products.some((product) => product.shape !== 'command'));
    const preferred = vendors.find((vendor) => vendor.name === this.deps.defaultVendor) ?? contactVendors[0] ?? vendors[0]!;
    return this.build(teamId, { vendor: preferred.name, channelId, source, defaults: prefill });
  }

  /** The same modal for another vendor or kind (dispatch_action on the selects). */
  switchTo(teamId: string, vendor: string, meeting: boolean, channelId?: string, source?: { channelId: string; ts: string }): ModalView | undefined {
    if (!this.vendors(teamId).some((item) => item.name === vendor)) return undefined;
    return this.build(teamId, { vendor, meeting, channelId, source });
  }

  /** The workspace's configured vendors, each with its configured products only. */
  private vendors(teamId: string): ModalVendor[] {
    const { providers, fieldDefaults } = this.deps.vendors(teamId);
    const configured = providers.vendors();
    return this.deps.catalogue
      .filter((module) => configured.includes(module.name))
      .map((module) => ({
        name: module.name,
        label: module.label,
        products: module.products.filter((product) => providers.get(module.name, product.kind)),
        fieldDefaults: fieldDefaults[module.name] ?? {},
      }));
  }

  /** The delivery channel for `via:`, when the workspace has the module offering it. */
  private via(teamId: string): ViaChannel | undefined {
    const configured = this.deps.vendors(teamId).providers.vendors();
    return this.deps.catalogue.find((module) => module.viaChannel && configured.includes(module.name))?.viaChannel;
  }

  private build(teamId: string, options: Pick<InviteModalOptions, 'vendor' | 'meeting' | 'channelId' | 'defaults' | 'source'>): ModalView {
    return inviteModal({ ...options, vendors: this.vendors(teamId), via: this.via(teamId) });
  }
}

/** Freezes a built view and everything in it: a kept view is shared by every request. */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item);
  }
  return value;
}
