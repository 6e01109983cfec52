import type { CommandRequest } from '../domain/command-grammar.js';
import { checkInvite, defaultDelivery, type StartRequest } from '../domain/invite-request.js';
import { kindFor } from '../domain/vendor-capabilities.js';
import { CONTACT_VENDORS, LINK_ONLY_VENDORS, VENDOR_LABELS, type ContactVendor, type VendorName } from '../domain/vendors.js';

export interface CommandDefaults {
  /** Configured vendors (in PRODUCT.md's order). */
  vendors: VendorName[];
  defaultVendor?: string;
  canDeliverThroughGenesys: boolean;
}

type Command = Extract<CommandRequest, { kind: 'invite' | 'meet' | 'genesys' }>;
export type CommandStart = { ok: true; request: StartRequest } | { ok: false; reason: string };

/**
 * The vendor when the command names none: DEFAULT_VENDOR, else the first configured vendor, in
 * PRODUCT.md's order, that can do what was asked (PRODUCT.md §1).
 */
export function pickVendor(command: Extract<Command, { kind: 'invite' | 'meet' }>, defaults: CommandDefaults): ContactVendor | undefined {
  const meeting = command.kind === 'meet';
  const canDo = (vendor: ContactVendor) => {
    if (!defaults.vendors.includes(vendor)) return false;
    const capability = kindFor(vendor, meeting);
    if (!capability) return false;
    if (command.kind === 'invite') {
      if (command.delivery && !capability.deliveries.includes(command.delivery)) return false;
      if (command.via && !(LINK_ONLY_VENDORS as readonly string[]).includes(vendor)) return false;
    }
    return true;
  };
  if (command.vendor) return command.vendor;
  const preferred = CONTACT_VENDORS.find((vendor) => vendor === defaults.defaultVendor);
  if (preferred && canDo(preferred)) return preferred;
  return CONTACT_VENDORS.find(canDo);
}

/** Turns a parsed command into a session request, with the defaults that need configuration. */
export function commandToStart(command: Command, defaults: CommandDefaults): CommandStart {
  if (command.kind === 'genesys') {
    if (!defaults.vendors.includes('genesys')) return { ok: false, reason: 'Genesys is not set up in this workspace.' };
    return { ok: true, request: { type: 'genesys', smsSessionId: command.smsSessionId, target: command.target } };
  }
  const vendor = pickVendor(command, defaults);
  if (!vendor) return { ok: false, reason: 'No vendor set up in this workspace can do that. `/rendezvous vendors` lists what is.' };
  const label = VENDOR_LABELS[vendor];
  if (!defaults.vendors.includes(vendor)) return { ok: false, reason: `${label} is not set up in this workspace.` };
  if (command.kind === 'meet') {
    if (!kindFor(vendor, true)) return { ok: false, reason: `${label} has no meetings: use Apizee or Conpeek for \`meet\`.` };
    if (vendor === 'conpeek') {
      // A Conpeek room invitation carries only a name (seed 002): each participant's masked contact names it.
      return { ok: true, request: { type: 'meet', vendor, participants: command.contacts, name: command.name } };
    }
    return { ok: true, request: { type: 'meet', vendor: vendor as 'apizee', participants: command.contacts, name: command.name } };
  }
  if (command.via && !defaults.canDeliverThroughGenesys) return { ok: false, reason: '`via:` needs Genesys, which is not set up in this workspace.' };
  const phone = command.contact.kind === 'phone' ? command.contact : undefined;
  const email = command.contact.kind === 'email' ? command.contact : undefined;
  const capability = kindFor(vendor, false)!;
  const delivery = capability.deliveries.length > 0 ? (command.delivery ?? defaultDelivery(phone, email)) : undefined;
  const problems = checkInvite({ vendor, phone, email, delivery: command.delivery ?? delivery, message: command.message, reference: command.reference });
  if (problems.length > 0) return { ok: false, reason: problems.map((problem) => problem.reason).join('\n') };
  return {
    ok: true,
    request: { type: 'invite', vendor, phone, email, delivery, reference: command.reference, message: command.message, via: command.via },
  };
}
