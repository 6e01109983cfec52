import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { CORRELATION_ID } from '../logger.js';
import { newCorrelation, type Correlation } from './correlation.js';

/** Answered even while stopping: liveness (the process is alive) and the last scrapes. */
const ALWAYS_OPEN = new Set(['/healthz', '/metrics']);

/**
 * Each request's correlation, given at the door and read by the receiver's
 * `customPropertiesExtractor`: a symbol-keyed property of the request (a WeakMap entry per
 * request costs the garbage collector more, seen in the help path's profile).
 */
const CORRELATION = Symbol('rendezvous.correlation');

type Correlated = IncomingMessage & { [CORRELATION]?: Correlation };

/** The correlation the gate gave this request (none when it did not pass the gate). */
export function correlationOf(req: IncomingMessage): Correlation | undefined {
  return (req as Correlated)[CORRELATION];
}

/** A request's path, without its query string (an origin-form target; no URL object per request). */
export function requestPath(req: IncomingMessage): string {
  return (req.url ?? '/').split('?', 1)[0]!;
}

/**
 * The correlation id of a request served by a route of ours (a webhook, a refusal, a 404): the
 * caller's `X-Request-Id` when it has the shape of one (so that its logs and ours meet), else
 * the one the gate gave the request, else (Socket Mode's small server has no gate) a new one,
 * kept on the request so that every line of it gets the same.
 */
export function requestCorrelationId(req: IncomingMessage): string {
  const header = req.headers['x-request-id'];
  const given = Array.isArray(header) ? header[0] : header;
  if (given !== undefined && CORRELATION_ID.test(given)) return given;
  const correlated = req as Correlated;
  correlated[CORRELATION] ??= newCorrelation();
  return correlated[CORRELATION].correlationId;
}

/**
 * The app's door. While open, it counts the requests in flight and gives each a correlation id;
 * once `close()` is called (shutdown), every new request but /healthz and /metrics is answered
 * 503 at once (Slack retries elsewhere, a load balancer takes the replica out), and `drained`
 * tells when the requests already inside have been answered.
 */
export class RequestGate {
  private closed = false;
  private inFlight = 0;
  private readonly waiters = new Set<() => void>();

  get stopping(): boolean {
    return this.closed;
  }

  /** Wraps the HTTP receiver's listener (Slack requests, webhooks, /readyz, /healthz, /metrics). */
  wrap(listener: RequestListener): RequestListener {
    return (req: IncomingMessage, res: ServerResponse) => {
      const startedAt = performance.now();
      if (this.closed && !ALWAYS_OPEN.has(requestPath(req))) {
        res.writeHead(503, { 'content-type': 'application/json', connection: 'close', 'retry-after': '5' });
        res.end(JSON.stringify({ ok: false, status: 'stopping' }));
        return;
      }
      this.enter();
      res.once('close', () => this.leave());
      (req as Correlated)[CORRELATION] = newCorrelation(startedAt);
      return listener(req, res);
    };
  }

  /** Counts work that is not an HTTP request (a Socket Mode event) as in flight until it settles. */
  track<T>(work: Promise<T>): Promise<T> {
    this.enter();
    return work.finally(() => this.leave());
  }

  close(): void {
    this.closed = true;
  }

  /** Resolves true once nothing is in flight, or false when `timeoutMs` passes first. */
  drained(timeoutMs: number): Promise<boolean> {
    if (this.inFlight === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(done);
        resolve(false);
      }, Math.max(0, timeoutMs));
      this.waiters.add(done);
    });
  }

  private enter(): void {
    this.inFlight += 1;
  }

  private leave(): void {
    this.inFlight -= 1;
    if (this.inFlight === 0) for (const waiter of [...this.waiters]) waiter();
  }
}
