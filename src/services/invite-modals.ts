import type { ModalView } from '@slack/types';
import type { Catalogue } from '../domain/product-catalogue.js';
import type { ViaChannel } from '../domain/vendor-module.js';
import { inviteModal, type InviteModalOptions, type ModalVendor } from '../ui/invite-modal.js';
import type { ProviderRegistry } from './provider-registry.js';

/** Builds the invite modal from settings only, so it opens within the trigger window. */
export class InviteModals {
  constructor(
    private readonly deps: {
      providers: ProviderRegistry;
      /** Every module's declarations (labels, products, fields). */
      catalogue: Catalogue;
      defaultVendor?: string;
      /** Per vendor, the values that pre-fill its products' fields (the modules' `fieldDefaults`). */
      fieldDefaults: Record<string, Record<string, string | number | undefined>>;
    },
  ) {}

  open(channelId?: string, prefill?: { phone?: string; email?: string }, source?: { channelId: string; ts: string }): ModalView | undefined {
    const vendors = this.vendors();
    if (vendors.length === 0) return undefined;
    // A default vendor that cannot take a contact (one with only a command form) is not a useful first choice.
    const contactVendors = vendors.filter((vendor) => vendor.products.some((product) => product.shape !== 'command'));
    const preferred = vendors.find((vendor) => vendor.name === this.deps.defaultVendor) ?? contactVendors[0] ?? vendors[0]!;
    return this.build({ vendor: preferred.name, channelId, source, defaults: prefill });
  }

  /** The same modal for another vendor or kind (dispatch_action on the selects). */
  switchTo(vendor: string, meeting: boolean, channelId?: string, source?: { channelId: string; ts: string }): ModalView | undefined {
    if (!this.vendors().some((item) => item.name === vendor)) return undefined;
    return this.build({ vendor, meeting, channelId, source });
  }

  /** Configured vendors, each with its configured products only. */
  private vendors(): ModalVendor[] {
    const configured = this.deps.providers.vendors();
    return this.deps.catalogue
      .filter((module) => configured.includes(module.name))
      .map((module) => ({
        name: module.name,
        label: module.label,
        products: module.products.filter((product) => this.deps.providers.get(module.name, product.kind)),
        fieldDefaults: this.deps.fieldDefaults[module.name] ?? {},
      }));
  }

  /** The delivery channel for `via:`, when the module offering it is configured. */
  private via(): ViaChannel | undefined {
    const configured = this.deps.providers.vendors();
    return this.deps.catalogue.find((module) => module.viaChannel && configured.includes(module.name))?.viaChannel;
  }

  private build(options: Pick<InviteModalOptions, 'vendor' | 'meeting' | 'channelId' | 'defaults' | 'source'>): ModalView {
    return inviteModal({ ...options, vendors: this.vendors(), via: this.via() });
  }
}
