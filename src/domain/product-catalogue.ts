import type { SessionKind } from './session.js';
import type { CommandForm, Product, VendorModule } from './vendor-module.js';

/**
 * What the grammar, modal, card and replies know of the vendors: the modules' declarations as
 * data, passed in (never imported), in PRODUCT.md's default-selection order.
 */
export type CatalogueModule = Pick<VendorModule, 'name' | 'label' | 'products' | 'viaChannel'>;
export type Catalogue = readonly CatalogueModule[];

export function moduleNamed(catalogue: Catalogue, name: string): CatalogueModule | undefined {
  return catalogue.find((module) => module.name === name);
}

/** The module's label, or the stored word itself for a module no longer listed. */
export function vendorLabel(catalogue: Catalogue, name: string): string {
  return moduleNamed(catalogue, name)?.label ?? name;
}

export function productOf(catalogue: Catalogue, vendor: string, shape: Product['shape']): Product | undefined {
  return moduleNamed(catalogue, vendor)?.products.find((product) => product.shape === shape);
}

export function productByKind(catalogue: Catalogue, vendor: string, kind: string): Product | undefined {
  return moduleNamed(catalogue, vendor)?.products.find((product) => product.kind === kind);
}

/**
 * Reads a stored session's details through its product's `parseDetails` (the module's zod
 * schema); details of a product no longer listed are kept only if they are a plain object.
 */
export function detailsParserOf(catalogue: Catalogue): (vendor: string, kind: string, raw: unknown) => Record<string, unknown> {
  return (vendor, kind, raw) => {
    const parse = productByKind(catalogue, vendor, kind)?.parseDetails;
    if (parse) return parse(raw);
    return raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
  };
}

/** Modules with a one-to-one product: the `<vendor>` word of the slash command. */
export function contactVendors(catalogue: Catalogue): CatalogueModule[] {
  return catalogue.filter((module) => productOf(catalogue, module.name, 'invite'));
}

/** Modules that can host a multi-party meeting (`meet`). */
export function meetingVendors(catalogue: Catalogue): CatalogueModule[] {
  return catalogue.filter((module) => productOf(catalogue, module.name, 'meeting'));
}

/** Modules whose one-to-one link can also go through another module's delivery channel (`via:`). */
export function viaVendors(catalogue: Catalogue): CatalogueModule[] {
  return catalogue.filter((module) => productOf(catalogue, module.name, 'invite')?.acceptsVia);
}

/** The module that delivers other modules' links (`via:`), if any. */
export function viaProvider(catalogue: Catalogue): (CatalogueModule & { viaChannel: NonNullable<CatalogueModule['viaChannel']> }) | undefined {
  return catalogue.find((module): module is CatalogueModule & { viaChannel: NonNullable<CatalogueModule['viaChannel']> } => Boolean(module.viaChannel));
}

export type CommandFormOf = { module: CatalogueModule; kind: SessionKind; command: CommandForm };

const formsByCatalogue = new WeakMap<Catalogue, CommandFormOf[]>();

/**
 * Products with a command form of their own (`genesys <sms-session-id> <agent-or-queue>`).
 * Worked out once per catalogue (it never changes while the app runs): every command's parse
 * asks for them, and the profile of the ack path showed the rebuild.
 */
export function commandForms(catalogue: Catalogue): CommandFormOf[] {
  let forms = formsByCatalogue.get(catalogue);
  if (!forms) {
    forms = catalogue.flatMap((module) =>
      module.products.flatMap((product) => (product.command ? [{ module, kind: product.kind, command: product.command }] : [])),
    );
    formsByCatalogue.set(catalogue, forms);
  }
  return forms;
}

/** The command form a first word opens, if any. */
export function commandFormNamed(catalogue: Catalogue, keyword: string): CommandFormOf | undefined {
  return commandForms(catalogue).find((form) => form.command.keyword === keyword);
}

/** "a or b", "a, b or c". */
export function orList(words: string[]): string {
  return words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`;
}
