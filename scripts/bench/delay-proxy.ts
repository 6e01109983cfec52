/**
 * A small HTTP proxy in front of the Apizee sandbox that holds matching answers for a random time
 * (uniform between minMs and maxMs, counted from the request's arrival). The sandbox's own
 * `faults.setDelay` holds every matching answer for one fixed time; this gives each request its
 * own delay without changing the sandbox.
 */
import { Agent, createServer, request, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface DelayProxyOptions {
  /** Which requests are held. */
  match: (method: string, path: string) => boolean;
  minMs: number;
  maxMs: number;
}

export interface DelayProxy {
  /** Base URL of the proxy (no path). */
  readonly url: string;
  /** Where requests go: the sandbox's origin. Requests before it is set get 503. */
  setTarget(origin: string): void;
  /** Holds requests arriving from now on this long instead (those already held keep their time). */
  setDelay(minMs: number, maxMs: number): void;
  /** Requests received and not yet answered. */
  readonly pending: number;
  /** Delays given to held requests, in ms. */
  readonly delays: readonly number[];
  /** TCP connections accepted so far. */
  readonly connections: number;
  close(): Promise<void>;
}

export async function startDelayProxy(options: DelayProxyOptions): Promise<DelayProxy> {
  const agent = new Agent({ keepAlive: true });
  const timers = new Set<NodeJS.Timeout>();
  const delays: number[] = [];
  let target: URL | undefined;
  let pending = 0;
  let { minMs, maxMs } = options;

  const server = createServer((req, res) => {
    const arrivedAt = Date.now();
    pending += 1;
    res.on('close', () => (pending -= 1));
    if (target === undefined) {
      res.writeHead(503).end();
      return;
    }
    const held = options.match(req.method ?? 'GET', (req.url ?? '/').split('?')[0]!);
    const delayMs = held ? minMs + Math.random() * (maxMs - minMs) : 0;
    if (held) delays.push(delayMs);
    const headers: IncomingHttpHeaders = { ...req.headers, host: target.host };
    const upstream = request(
      { agent, host: target.hostname, port: target.port, method: req.method, path: req.url, headers },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => {
          const reply = () => {
            if (!res.destroyed) res.writeHead(answer.statusCode ?? 502, answer.headers).end(Buffer.concat(chunks));
          };
          const wait = arrivedAt + delayMs - Date.now();
          if (wait <= 0) return reply();
          const timer = setTimeout(() => {
            timers.delete(timer);
            reply();
          }, wait);
          timers.add(timer);
        });
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502).end();
    });
    req.pipe(upstream);
  });
  let connections = 0;
  server.on('connection', () => (connections += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    setTarget(origin) {
      target = new URL(origin);
    },
    setDelay(min, max) {
      minMs = min;
      maxMs = max;
    },
    get pending() {
      return pending;
    },
    delays,
    get connections() {
      return connections;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close(() => resolve());
        server.closeAllConnections();
        agent.destroy();
      }),
  };
}
