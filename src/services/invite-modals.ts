import type { ModalView } from '@slack/types';
import { kindFor } from '../domain/vendor-capabilities.js';
import type { VendorName } from '../domain/vendors.js';
import { inviteModal, type InviteModalOptions } from '../ui/invite-modal.js';
import type { ProviderRegistry } from './provider-registry.js';

/** Builds the invite modal from settings only, so it opens within the trigger window. */
export class InviteModals {
  constructor(
    private readonly deps: {
      providers: ProviderRegistry;
      defaultVendor?: string;
      defaults: InviteModalOptions['defaults'];
    },
  ) {}

  open(channelId?: string, prefill?: { phone?: string; email?: string }, source?: { channelId: string; ts: string }): ModalView | undefined {
    const vendors = this.deps.providers.vendors();
    if (vendors.length === 0) return undefined;
    // A default vendor that cannot take a contact (Genesys) is not a useful first choice.
    const contactVendors = vendors.filter((vendor) => vendor !== 'genesys');
    const preferred = vendors.find((vendor) => vendor === this.deps.defaultVendor) ? (this.deps.defaultVendor as VendorName) : (contactVendors[0] ?? vendors[0]!);
    return this.build({ vendor: preferred, channelId, source, defaults: { ...this.deps.defaults, ...prefill } });
  }

  /** The same modal for another vendor or kind (dispatch_action on the selects). */
  switchTo(vendor: VendorName, meeting: boolean, channelId?: string, source?: { channelId: string; ts: string }): ModalView | undefined {
    if (!this.deps.providers.vendors().includes(vendor)) return undefined;
    return this.build({ vendor, meeting, channelId, source, defaults: this.deps.defaults });
  }

  private build(options: Pick<InviteModalOptions, 'vendor' | 'meeting' | 'channelId' | 'defaults' | 'source'>): ModalView {
    const vendors = this.deps.providers.vendors();
    const meetingVendors = vendors.filter((vendor) => kindFor(vendor, true) && this.deps.providers.get(vendor, kindFor(vendor, true)!.kind));
    return inviteModal({
      ...options,
      vendors,
      meetingVendors,
      meeting: Boolean(options.meeting && meetingVendors.includes(options.vendor)),
      genesysDelivery: vendors.includes('genesys'),
    });
  }
}
