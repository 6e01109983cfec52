/** Every drill, in the order of the table. */
import { apizeeDrills } from './apizee-faults.js';
import { archivedDrills } from './archived.js';
import { crashDrills } from './crashes.js';
import { duplicateDrills } from './duplicates.js';
import type { Drill } from './harness.js';
import { postgresDrills } from './postgres-pause.js';
import { slackDrills } from './slack-faults.js';
import { viewsOpenDrills } from './views-open.js';

export const ALL_DRILLS: Drill[] = [...apizeeDrills, ...slackDrills, ...viewsOpenDrills, ...duplicateDrills, ...crashDrills, ...archivedDrills, ...postgresDrills];
