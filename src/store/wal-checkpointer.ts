import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** What one checkpoint did: SQLite's `wal_checkpoint` answer (frames in the WAL, frames copied). */
export interface CheckpointResult {
  busy: number;
  log: number;
  checkpointed: number;
}

export interface WalCheckpointer {
  /** Ends the worker (the database's own connection may then checkpoint on close as usual). */
  stop(): Promise<void>;
}

/** Frames the app's own connection lets pile up before it checkpoints itself: the net under the worker. */
export const FALLBACK_AUTOCHECKPOINT_PAGES = 20_000;

/**
 * The worker's code (plain JavaScript, so it runs the same under tsx, mocha and the compiled
 * app): its own connection to the same file, a PASSIVE checkpoint every `everyMs`. PASSIVE
 * never waits for, nor blocks, the app's readers and writer.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const SQLite = require(workerData.driver);
const db = new SQLite(workerData.path);
db.pragma('busy_timeout = 1000');
const checkpoint = () => {
  try {
    const [row] = db.pragma('wal_checkpoint(PASSIVE)');
    if (row && row.log > 0) parentPort.postMessage(row);
  } catch (error) {
    parentPort.postMessage({ error: String(error) });
  }
};
const timer = setInterval(checkpoint, workerData.everyMs);
parentPort.on('message', (message) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.close();
});
`;

/**
 * Checkpoints a SQLite database in WAL mode from a worker thread. SQLite's automatic checkpoint
 * runs inside whichever commit crosses its threshold, and with synchronous=NORMAL it fsyncs the
 * WAL and the database file there: on the event loop, stalling every request behind it (measured:
 * a creation's pre-ack write took ~2.5x its CPU in wall time, and the stalls were the acks' p99).
 * Here the fsyncs happen on a thread of their own; the app's connection keeps a far higher
 * threshold (FALLBACK_AUTOCHECKPOINT_PAGES) in case the worker falls behind or dies.
 */
export function startWalCheckpointer(path: string, options: { everyMs?: number; onCheckpoint?: (result: CheckpointResult) => void; onError?: (error: string) => void } = {}): WalCheckpointer {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    // Plain JavaScript: none of the parent's node options (a TypeScript loader under tsx) to start.
    execArgv: [],
    workerData: { path, everyMs: options.everyMs ?? 100, driver: createRequire(import.meta.url).resolve('better-sqlite3') },
  });
  // Never what keeps the process alive.
  worker.unref();
  worker.on('message', (message: CheckpointResult | { error: string }) => {
    if ('error' in message) options.onError?.(message.error);
    else options.onCheckpoint?.(message);
  });
  worker.on('error', (error) => options.onError?.(String(error)));
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  let stopping: Promise<void> | undefined;
  return {
    stop() {
      stopping ??= (async () => {
        worker.postMessage('stop');
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, 2000)))]);
        clearTimeout(timer);
        await worker.terminate();
      })();
      return stopping;
    },
  };
}
