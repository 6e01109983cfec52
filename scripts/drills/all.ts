/** Every drill, in the order of the table. */
import { apizeeDrills } from './apizee-faults.js';
import type { Drill } from './harness.js';

export const ALL_DRILLS: Drill[] = [...apizeeDrills];
