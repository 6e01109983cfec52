import type { VendorModule } from '../domain/vendor-module.js';
import { apizee } from './apizee/index.js';
import { blitzz } from './blitzz/index.js';
import { conpeek } from './conpeek/index.js';
import { genesys } from './genesys/index.js';
import { imbee } from './imbee/index.js';

/** Every vendor Rendezvous can drive, in the default-selection order of PRODUCT.md §1; adding one is one line here and one folder. */
export const vendorModules = [apizee, blitzz, conpeek, imbee, genesys] as const;

/**
 * The values that pre-fill each configured module's product fields, from the settings it read
 * (`config.vendors`): the modal opens from settings alone.
 */
export function fieldDefaultsOf(
  settings: Record<string, unknown>,
  modules: readonly VendorModule<unknown>[] = vendorModules,
): Record<string, Record<string, string | number | undefined>> {
  const defaults: Record<string, Record<string, string | number | undefined>> = {};
  for (const module of modules) {
    const own = settings[module.name];
    // Each module reads back the settings its own `settings.read` produced.
    if (own !== undefined) defaults[module.name] = module.fieldDefaults(own);
  }
  return defaults;
}
