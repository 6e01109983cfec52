import { apizee } from './apizee/index.js';
import { blitzz } from './blitzz/index.js';
import { conpeek } from './conpeek/index.js';
import { genesys } from './genesys/index.js';
import { imbee } from './imbee/index.js';

/** Every vendor Rendezvous can drive, in the default-selection order of PRODUCT.md §1; adding one is one line here and one folder. */
export const vendorModules = [apizee, blitzz, conpeek, imbee, genesys] as const;
