/**
 * HTTP plumbing the local vendor sandboxes (Apizee, Blitzz, Conpeek, Imbee, Genesys) share: the
 * request line, a size-limited body, JSON parsing, a route table with `:param` segments, the
 * fault-injection control, answers sent at once or after a delay, and a server on 127.0.0.1.
 * What each vendor answers (error bodies, envelopes, authentication) stays in its sandbox.
 */
import { createServer, STATUS_CODES, type IncomingMessage, type OutgoingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// ---------------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------------

/** Upper-case method and parsed URL of a request (`/` and `GET` when missing). */
export function requestLine(req: IncomingMessage): { method: string; url: URL } {
  return { method: (req.method ?? 'GET').toUpperCase(), url: new URL(req.url ?? '/', 'http://sandbox.local') };
}

/** The body as UTF-8 text; rejects once it is over `maxBytes` (default 1 MB), after reading it all. */
export function readBody(req: IncomingMessage, maxBytes = 1_000_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) chunks.push(chunk);
    });
    req.on('end', () => (size > maxBytes ? reject(new Error('body too large')) : resolve(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', reject);
  });
}

/** The body as text; when there is one, `logEntry.body` gets it parsed as JSON, or as text if it is not JSON. */
export async function readLoggedBody(req: IncomingMessage, logEntry: { body?: unknown }): Promise<string> {
  const rawBody = await readBody(req);
  if (rawBody) logEntry.body = jsonOr(rawBody, rawBody);
  return rawBody;
}

// ---------------------------------------------------------------------------------------------
// JSON
// ---------------------------------------------------------------------------------------------

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

/** The parsed JSON, or `fallback` when the text is not JSON. */
export function jsonOr(text: string, fallback: unknown): unknown {
  const parsed = parseJson(text);
  return parsed.ok ? parsed.value : fallback;
}

export type JsonObjectProblem = 'content-type' | 'not-json' | 'not-object';

/** The body of a request sent as `application/json` when it is a JSON object; otherwise what is wrong with it. */
export function jsonObjectBody(
  req: IncomingMessage,
  rawBody: string,
): { ok: true; value: Record<string, unknown> } | { ok: false; problem: JsonObjectProblem } {
  if (!(req.headers['content-type'] ?? '').toLowerCase().startsWith('application/json')) return { ok: false, problem: 'content-type' };
  const parsed = parseJson(rawBody);
  if (!parsed.ok) return { ok: false, problem: 'not-json' };
  if (!isPlainObject(parsed.value)) return { ok: false, problem: 'not-object' };
  return { ok: true, value: parsed.value };
}

// ---------------------------------------------------------------------------------------------
// Routes
// ---------------------------------------------------------------------------------------------

export interface RouteSpec {
  method: string;
  /** Below the table's prefix; `:name` segments match one segment each, given raw (not URL-decoded). */
  path: string;
}

export type RouteMatch<R> =
  | { kind: 'found'; route: R; pathParams: Record<string, string> }
  | { kind: 'not-found' }
  /** The path exists under other methods, listed for an `Allow` header. */
  | { kind: 'wrong-method'; allow: string };

export class RouteTable<R extends RouteSpec> {
  private readonly compiled: Array<{ route: R; regex: RegExp }>;

  /** `prefix` (e.g. `/api`) is stripped first; a path not under it is not found. */
  constructor(
    routes: readonly R[],
    private readonly prefix = '',
  ) {
    this.compiled = routes.map((route) => ({ route, regex: compilePath(route.path) }));
  }

  match(method: string, pathname: string): RouteMatch<R> {
    if (!pathname.startsWith(`${this.prefix}/`)) return { kind: 'not-found' };
    const path = pathname.slice(this.prefix.length);
    const matching = this.compiled
      .map(({ route, regex }) => ({ route, match: regex.exec(path) }))
      .filter((m): m is { route: R; match: RegExpExecArray } => m.match !== null);
    if (matching.length === 0) return { kind: 'not-found' };
    const found = matching.find((m) => m.route.method === method);
    if (!found) return { kind: 'wrong-method', allow: [...new Set(matching.map((m) => m.route.method))].join(', ') };
    return { kind: 'found', route: found.route, pathParams: { ...found.match.groups } };
  }
}

function compilePath(path: string): RegExp {
  const source = path
    .split('/')
    .map((segment) => (segment.startsWith(':') ? `(?<${segment.slice(1)}>[^/]+)` : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${source}$`);
}

// ---------------------------------------------------------------------------------------------
// Faults and delays
// ---------------------------------------------------------------------------------------------

export interface FaultSpec {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Answer after this many milliseconds. */
  delayMs?: number;
  /** How many matching requests fail (default 1). */
  times?: number;
}

/** What a sandbox hands out as its `faults`. */
export interface FaultControls<S extends FaultSpec> {
  /** The next `times` requests whose path matches get this answer instead. */
  failNext(pathPattern: RegExp, fault: S): void;
  /** Hold every answer on a matching path for `ms` (0 removes). The request is processed at once. */
  setDelay(pathPattern: RegExp, ms: number): void;
  /** Removes all pending faults and delays. */
  clear(): void;
}

/** Pending faults and path delays: `controls` for the tests, `take` and `delayFor` for answering a request. */
export class FaultControl<S extends FaultSpec> {
  private pending: Array<S & { pattern: RegExp; remaining: number }> = [];
  private delays: Array<{ pattern: RegExp; ms: number }> = [];

  readonly controls: FaultControls<S> = {
    failNext: (pathPattern, fault) => {
      const times = fault.times ?? 1;
      if (!Number.isInteger(times) || times < 1) throw new RangeError(`failNext: times must be a positive integer, got ${times}`);
      this.pending.push({ ...fault, pattern: withoutStatefulFlags(pathPattern), remaining: times });
    },
    setDelay: (pathPattern, ms) => {
      const pattern = withoutStatefulFlags(pathPattern);
      this.delays = this.delays.filter((d) => d.pattern.source !== pattern.source || d.pattern.flags !== pattern.flags);
      if (ms > 0) this.delays.push({ pattern, ms });
    },
    clear: () => {
      this.pending = [];
      this.delays = [];
    },
  };

  /** The first pending fault whose pattern matches `pathname`, with one use taken off it. */
  take(pathname: string): S | undefined {
    const fault = this.pending.find((f) => f.pattern.test(pathname));
    if (!fault) return undefined;
    fault.remaining--;
    if (fault.remaining === 0) this.pending = this.pending.filter((f) => f !== fault);
    return fault;
  }

  /** The delay set for `pathname` (0 when none). */
  delayFor(pathname: string): number {
    return this.delays.find((d) => d.pattern.test(pathname))?.ms ?? 0;
  }
}

function withoutStatefulFlags(pattern: RegExp): RegExp {
  return new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ''));
}

// ---------------------------------------------------------------------------------------------
// Answers
// ---------------------------------------------------------------------------------------------

export interface Answer {
  status: number;
  /** A string is sent verbatim as text/plain; anything else as JSON. */
  body: unknown;
  headers?: Record<string, string>;
}

/** A fault's answer; without a body, `defaultBody` gets the status's reason phrase. */
export function faultAnswer(fault: FaultSpec, defaultBody: (reason: string) => unknown): Answer {
  return { status: fault.status, body: fault.body ?? defaultBody(STATUS_CODES[fault.status] ?? 'Error'), headers: fault.headers };
}

export interface AnswerSteps<S extends FaultSpec, B> {
  /** Reads the request (its body); throwing makes the answer `failed()`. */
  read(): Promise<B>;
  /** The answer of a pending fault, given instead of the API's: faults act like a failing gateway in front of it. */
  fault(fault: S, input: B): Answer;
  /** The API's answer. */
  dispatch(input: B): Answer | Promise<Answer>;
  /** The answer when reading or answering throws. */
  failed(): Answer;
}

/**
 * Reads a request on `pathname` and answers it, or a pending fault answers it. The answer is sent
 * after the fault's `delayMs`, else after the delay set for the path when the request came in.
 */
export async function answerRequest<S extends FaultSpec, B>(
  faults: FaultControl<S>,
  pathname: string,
  steps: AnswerSteps<S, B>,
): Promise<{ answer: Answer; delayMs: number }> {
  const delayMs = faults.delayFor(pathname);
  try {
    const input = await steps.read();
    const fault = faults.take(pathname);
    if (!fault) return { answer: await steps.dispatch(input), delayMs };
    return { answer: steps.fault(fault, input), delayMs: fault.delayMs ?? delayMs };
  } catch {
    return { answer: steps.failed(), delayMs };
  }
}

/** Writes answers, at once or after a delay; a delayed one is dropped if the client goes first. */
export class AnswerSender {
  private readonly pendingTimers = new Set<NodeJS.Timeout>();

  /** `jsonContentType` is the Content-Type of JSON bodies. */
  constructor(private readonly jsonContentType = 'application/json') {}

  send(res: ServerResponse, answer: Answer, delayMs: number): void {
    const isText = typeof answer.body === 'string';
    const payload = isText ? (answer.body as string) : JSON.stringify(answer.body);
    const headers: OutgoingHttpHeaders = {
      'Content-Type': isText ? 'text/plain; charset=utf-8' : this.jsonContentType,
      'Content-Length': Buffer.byteLength(payload),
      ...answer.headers,
    };
    const write = (): void => {
      if (!res.destroyed) res.writeHead(answer.status, headers).end(payload);
    };
    if (delayMs <= 0) return write();

    const timer = setTimeout(() => {
      this.pendingTimers.delete(timer);
      write();
    }, delayMs);
    this.pendingTimers.add(timer);
    res.on('close', () => {
      clearTimeout(timer);
      this.pendingTimers.delete(timer);
    });
  }

  /** Drops every delayed answer not sent yet. */
  dropPending(): void {
    for (const timer of this.pendingTimers) clearTimeout(timer);
    this.pendingTimers.clear();
  }
}

// ---------------------------------------------------------------------------------------------
// Server
// ---------------------------------------------------------------------------------------------

export interface ListenOptions {
  /** Port to listen on; 0 (default) picks a free one. The server binds 127.0.0.1 only. */
  port?: number;
  /** Runs once, first thing when closing (e.g. drop delayed answers). */
  onClose?: () => void;
}

export interface Listening {
  readonly server: Server;
  readonly port: number;
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  /** Idempotent; destroys open sockets so it never waits on a client. */
  close(): Promise<void>;
}

export async function listen(
  handler: (req: IncomingMessage, res: ServerResponse) => Promise<void> | void,
  options: ListenOptions = {},
): Promise<Listening> {
  const server = createServer((req, res) => {
    void handler(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  let closing: Promise<void> | undefined;
  return {
    server,
    port,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      (closing ??= new Promise<void>((resolve, reject) => {
        options.onClose?.();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      })),
  };
}
