/**
 * A bounded HTTP load generator: `concurrency` keep-alive connections each send the next prepared
 * request as soon as their previous one was answered, until every request was sent or the time
 * bound passed. Latency is measured from just before the request is written to the end of the
 * response. Runs inside a worker thread (load-worker.ts), so that the client's own work does not
 * share an event loop with the servers it measures.
 */
import { Agent, request } from 'node:http';

export interface PreparedRequest {
  body: string;
  headers: Record<string, string>;
}

export interface LoadOptions {
  /** Full URL, e.g. `http://127.0.0.1:PORT/slack/events`. */
  url: string;
  requests: PreparedRequest[];
  concurrency: number;
  /** No new request starts after this many ms. */
  timeBoundMs: number;
  /** A request unanswered after this long counts as an error (default 15 s). */
  requestTimeoutMs?: number;
}

export interface LoadResult {
  latenciesMs: number[];
  /** HTTP status → count; `error` for connection errors and timeouts. */
  statuses: Record<string, number>;
  sent: number;
  wallMs: number;
  /** Whether the time bound stopped the round before every request was sent. */
  timeBounded: boolean;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const target = new URL(options.url);
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency, maxFreeSockets: options.concurrency });
  const latenciesMs: number[] = [];
  const statuses: Record<string, number> = {};
  const count = (key: string) => (statuses[key] = (statuses[key] ?? 0) + 1);
  const timeoutMs = options.requestTimeoutMs ?? 15_000;
  const startedAt = performance.now();
  let next = 0;
  let sent = 0;
  let timeBounded = false;

  const sendOne = (prepared: PreparedRequest): Promise<void> =>
    new Promise((resolve) => {
      sent += 1;
      const sentAt = performance.now();
      const req = request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          path: target.pathname + target.search,
          method: 'POST',
          headers: { ...prepared.headers, 'Content-Length': String(Buffer.byteLength(prepared.body)) },
        },
        (res) => {
          res.on('data', () => undefined);
          res.on('end', () => {
            latenciesMs.push(performance.now() - sentAt);
            count(String(res.statusCode ?? 0));
            resolve();
          });
          res.on('error', () => {
            count('error');
            resolve();
          });
        },
      );
      req.setTimeout(timeoutMs, () => req.destroy(new Error('timeout')));
      req.on('error', () => {
        count('error');
        resolve();
      });
      req.end(prepared.body);
    });

  const lane = async () => {
    for (;;) {
      if (performance.now() - startedAt >= options.timeBoundMs) {
        if (next < options.requests.length) timeBounded = true;
        return;
      }
      const index = next++;
      const prepared = options.requests[index];
      if (prepared === undefined) return;
      await sendOne(prepared);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, lane));
  agent.destroy();
  return { latenciesMs, statuses, sent, wallMs: performance.now() - startedAt, timeBounded };
}

/**
 * Runs one round in a worker thread. tsx's hooks do not reach worker threads on Node 20, so the
 * worker registers them itself before importing the TypeScript entry.
 */
export async function runLoadInWorker(options: LoadOptions): Promise<LoadResult> {
  const { Worker } = await import('node:worker_threads');
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./load-worker.ts', import.meta.url).href;
  const code = `import { register } from ${JSON.stringify(tsxApi)}; register(); await import(${JSON.stringify(entry)});`;
  return new Promise((resolve, reject) => {
    const worker = new Worker(code, { eval: true, workerData: options });
    worker.once('message', (result: LoadResult) => resolve(result));
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`load worker exited with code ${code}`));
    });
  });
}
