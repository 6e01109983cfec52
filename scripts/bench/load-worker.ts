/** Worker-thread entry: runs one load round (load.ts) and posts its result back. */
import { parentPort, workerData } from 'node:worker_threads';
import { runLoad, type LoadOptions } from './load.js';

const result = await runLoad(workerData as LoadOptions);
parentPort?.postMessage(result);
