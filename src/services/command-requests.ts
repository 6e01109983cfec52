import type { CommandRequest } from '../domain/command-grammar.js';
import { checkInvite, deliveryFor } from '../domain/invite-rules.js';
import { contactVendors, meetingVendors, orList, productOf, vendorLabel, viaProvider, type Catalogue } from '../domain/product-catalogue.js';
import type { StartRequest } from '../domain/start-request.js';

export interface CommandDefaults {
  /** Every module's declarations, in PRODUCT.md's order. */
  catalogue: Catalogue;
  /** Configured vendors, in the same order. */
  vendors: string[];
  defaultVendor?: string;
  /** Whether the module that delivers `via:` links is set up. */
  canDeliverVia: boolean;
}

/** `call` asked where no configured vendor's meeting has one room link for everyone. */
const NO_CALL_HERE =
  'only a meeting with one room link for everyone can be a Slack call, and no vendor set up in this workspace has one. Leave out `call`: the room link then goes to you alone.';

type Command = Extract<CommandRequest, { kind: 'invite' | 'meet' | 'command' }>;
export type CommandStart = { ok: true; request: StartRequest } | { ok: false; reason: string };

/**
 * The vendor when the command names none: DEFAULT_VENDOR, else the first configured vendor, in
 * PRODUCT.md's order, that can do what was asked (PRODUCT.md §1).
 */
export function pickVendor(command: Extract<Command, { kind: 'invite' | 'meet' }>, defaults: CommandDefaults): string | undefined {
  const shape = command.kind === 'meet' ? 'meeting' : 'invite';
  const canDo = (vendor: string) => {
    if (!defaults.vendors.includes(vendor)) return false;
    const product = productOf(defaults.catalogue, vendor, shape);
    if (!product) return false;
    if (command.kind === 'invite') {
      if (command.delivery && !product.deliveries.includes(command.delivery)) return false;
      if (command.via && !product.acceptsVia) return false;
    }
    if (command.kind === 'meet' && command.call && product.roomLink !== 'shared') return false;
    return true;
  };
  if (command.vendor) return command.vendor;
  const candidates = contactVendors(defaults.catalogue).map((module) => module.name);
  const preferred = candidates.find((vendor) => vendor === defaults.defaultVendor);
  if (preferred && canDo(preferred)) return preferred;
  return candidates.find(canDo);
}

/** Turns a parsed command into a session request, with the defaults that need configuration. */
export function commandToStart(command: Command, defaults: CommandDefaults): CommandStart {
  const { catalogue } = defaults;
  if (command.kind === 'command') {
    if (!defaults.vendors.includes(command.vendor)) return { ok: false, reason: `${vendorLabel(catalogue, command.vendor)} is not set up in this workspace.` };
    return { ok: true, request: { vendor: command.vendor, kind: command.product, shape: 'command', options: command.options } };
  }
  const vendor = pickVendor(command, defaults);
  if (!vendor && command.kind === 'meet' && command.call && pickVendor({ ...command, call: false }, defaults)) {
    return { ok: false, reason: NO_CALL_HERE };
  }
  if (!vendor) return { ok: false, reason: 'No vendor set up in this workspace can do that. `/rendezvous vendors` lists what is.' };
  const label = vendorLabel(catalogue, vendor);
  if (!defaults.vendors.includes(vendor)) return { ok: false, reason: `${label} is not set up in this workspace.` };
  if (command.kind === 'meet') {
    const product = productOf(catalogue, vendor, 'meeting');
    if (!product) {
      const hosts = meetingVendors(catalogue).map((module) => module.label);
      return { ok: false, reason: `${label} has no meetings: use ${orList(hosts)} for \`meet\`.` };
    }
    if (command.call && product.roomLink !== 'shared') {
      return { ok: false, reason: `${label} meetings cannot be shown as a Slack call (\`call\`): ${NO_CALL_HERE}` };
    }
    // A product that takes names (a Conpeek room invitation carries only a name, seed 002) names each participant by their masked contact.
    return { ok: true, request: { vendor, kind: product.kind, shape: 'meeting', participants: command.contacts, name: command.name, options: {}, ...(command.call ? { slackCall: true } : {}) } };
  }
  if (command.via && !defaults.canDeliverVia) {
    return { ok: false, reason: `\`via:\` needs ${viaProvider(catalogue)?.label ?? 'a delivery channel'}, which is not set up in this workspace.` };
  }
  const product = productOf(catalogue, vendor, 'invite')!;
  const phone = command.contact.kind === 'phone' ? command.contact : undefined;
  const email = command.contact.kind === 'email' ? command.contact : undefined;
  const base: StartRequest = { vendor, kind: product.kind, shape: 'invite', phone, email, reference: command.reference, message: command.message, via: command.via, options: {} };
  const problems = checkInvite(product, label, { ...base, delivery: command.delivery });
  if (problems.length > 0) return { ok: false, reason: problems.map((problem) => problem.reason).join('\n') };
  return { ok: true, request: { ...base, delivery: deliveryFor(product, command.delivery, phone, email) } };
}
