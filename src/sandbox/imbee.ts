/**
 * Local Imbee API sandbox: a `node:http` server that answers like the Imbee REST API described in
 *   - the seed document  /work/shared/vendor-docs/004_63ef09629be84b58.txt  ("seed"; exact JSON examples), and
 *   - section 5 of       /work/shared/vendor-docs/REFERENCE.md               ("REFERENCE §5").
 * Anything the documents do not state is marked "Assumption" where it is decided.
 *
 * Only `POST /token/new` (the web chat link) is served; the external-user and chat calls are not
 * used by Rendezvous.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, STATUS_CODES, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

// ---------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------

export interface ImbeeSandboxOptions {
  /** Port to listen on; 0 (default) picks a free one. The server binds 127.0.0.1 only. */
  port?: number;
  /** `myAuth`, expected raw in `Authorization` (default `imbee-sandbox-auth`). */
  auth?: string;
  /** `myCorporateToken`, expected in `X-WOOS-KEY` (default `imbee-sandbox-corporate-token`). */
  corporateToken?: string;
  /** The only `bot_idsha` accepted (default `imbee-sandbox-bot`). */
  botIdsha?: string;
  /** Clock in epoch milliseconds, for the default `date_limit`. */
  now?: () => number;
}

export interface ImbeeSandboxToken {
  virtualUser: string;
  botIdsha: string;
  /** The access token inside `url`. */
  token: string;
  url: string;
  userIdsha: string;
  dateLimit: string;
  maxRetries: number;
  /** Where Imbee would send the link (recorded for tests; a sandbox sends nothing). */
  mail?: string;
  celullar?: string;
  createdAt: Date;
  /** Requests that asked for this link, the first included (later ones get `previously_created`). */
  requestCount: number;
}

export interface ImbeeRequestLogEntry {
  method: string;
  path: string;
  /** The parsed JSON body, when there was one. */
  body?: unknown;
  /** Whether both `Authorization` and `X-WOOS-KEY` were right (the values are never recorded). */
  authorized: boolean;
  at: Date;
  status: number;
  /** The envelope's `code`, when the answer had one. */
  code?: number;
}

export interface ImbeeFaultSpec {
  status: number;
  /** JSON body; a string is sent verbatim as text/plain. Defaults to an envelope with code 1. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Answer after this many milliseconds. */
  delayMs?: number;
  /** How many matching requests fail (default 1). */
  times?: number;
}

export interface ImbeeFaultControl {
  /** The next `times` requests whose path matches get this answer instead, before authentication. */
  failNext(pathPattern: RegExp, fault: ImbeeFaultSpec): void;
  /** Hold every answer on a matching path for `ms` (0 removes). The request is processed at once. */
  setDelay(pathPattern: RegExp, ms: number): void;
  /** Removes all pending faults and delays. */
  clear(): void;
}

export interface ImbeeSandbox {
  /** Base URL (`https://HOST` of the seed), e.g. `http://127.0.0.1:PORT`. */
  readonly url: string;
  close(): Promise<void>;
  readonly requests: readonly ImbeeRequestLogEntry[];
  /** Issued links, oldest first; a repeated request does not add one. */
  readonly tokens: readonly Readonly<ImbeeSandboxToken>[];
  readonly faults: ImbeeFaultControl;
}

// ---------------------------------------------------------------------------------------------
// Constants from the documents
// ---------------------------------------------------------------------------------------------

const DEFAULT_AUTH = 'imbee-sandbox-auth';
const DEFAULT_CORPORATE_TOKEN = 'imbee-sandbox-corporate-token';
const DEFAULT_BOT_IDSHA = 'imbee-sandbox-bot';

/**
 * Assumption [U]: the seed says "the default limit will be set" for both but its sentence about
 * them is cut off (its example shows the placeholder `2000-01-01`). A week and the curl's 10 are used.
 */
const DEFAULT_DATE_LIMIT_DAYS = 7;
const DEFAULT_MAX_RETRIES = 10;

/** Sandbox stand-in for the seed's `url_with_token`. */
const WEB_CHAT_HOST = 'https://webchat.imbee.example';

/**
 * Assumption [U]: the seed documents no HTTP status. Every refusal of a well-routed request is
 * HTTP 200 with the generic error code 1 (seed: "1 if an error was detected"), wrong credentials included.
 */
const ERROR_CODE = 1;

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
/** Assumption [I]: `celullar` in E.164, the form Rendezvous sends. */
const E164 = /^\+[1-9]\d{6,14}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

// ---------------------------------------------------------------------------------------------
// Internal model
// ---------------------------------------------------------------------------------------------

interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

interface RouteContext {
  request: IncomingMessage;
  rawBody: string;
  at: number;
}

type HttpMethod = 'POST';
interface Route {
  method: HttpMethod;
  path: string;
  /** Returns the envelope's `body`; throws a Refusal for an error envelope. */
  handle(ctx: RouteContext): Record<string, unknown>;
}

interface PendingFault extends ImbeeFaultSpec {
  pattern: RegExp;
  remaining: number;
}

interface PathDelay {
  pattern: RegExp;
  ms: number;
}

/** A request Imbee would refuse: answered HTTP 200 with envelope code 1 and this message. */
class Refusal extends Error {}

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

/** The seed's envelope; `time` is the seconds spent answering. */
function envelope(started: number, code: number, message: string, body: unknown): Record<string, unknown> {
  const time = Number(((performance.now() - started) / 1000).toFixed(5));
  return { time, code, message, body };
}

function isCalendarDay(text: string): boolean {
  const match = DAY.exec(text);
  if (!match) return false;
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(text);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function withoutStatefulFlags(pattern: RegExp): RegExp {
  return new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ''));
}

function readBody(req: IncomingMessage, maxBytes: number): Promise<string> {
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

function tryParseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Seed: "All requests must use the header Content-Type with value application/json". */
function jsonObject({ request, rawBody }: RouteContext): Record<string, unknown> {
  if (!(request.headers['content-type'] ?? '').toLowerCase().startsWith('application/json')) {
    throw new Refusal('Content-Type must be application/json');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(rawBody);
  } catch {
    throw new Refusal('The body is not valid JSON');
  }
  if (!isObject(parsed)) throw new Refusal('The body must be a JSON object');
  return parsed;
}

function optionalString(body: Record<string, unknown>, key: string): string | undefined {
  const value = body[key];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new Refusal(`${key} must be a string`);
  return value;
}

// ---------------------------------------------------------------------------------------------
// Sandbox
// ---------------------------------------------------------------------------------------------

class ImbeeSandboxServer {
  private readonly now: () => number;
  private readonly auth: string;
  private readonly corporateToken: string;
  private readonly botIdsha: string;

  readonly tokens: ImbeeSandboxToken[] = [];
  readonly requests: ImbeeRequestLogEntry[] = [];
  private pendingFaults: PendingFault[] = [];
  private pathDelays: PathDelay[] = [];
  private readonly pendingTimers = new Set<NodeJS.Timeout>();

  /** Route table; paths are at the host's root (seed: `https://HOST/token/new`). */
  private readonly routes: Route[] = [{ method: 'POST', path: '/token/new', handle: (ctx) => this.newToken(ctx) }];

  constructor(options: ImbeeSandboxOptions) {
    this.now = options.now ?? Date.now;
    this.auth = options.auth ?? DEFAULT_AUTH;
    this.corporateToken = options.corporateToken ?? DEFAULT_CORPORATE_TOKEN;
    this.botIdsha = options.botIdsha ?? DEFAULT_BOT_IDSHA;
  }

  // ----- HTTP plumbing --------------------------------------------------------------------

  async handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const at = this.now();
    const url = new URL(req.url ?? '/', 'http://sandbox.local');
    const method = (req.method ?? 'GET').toUpperCase();
    // Seed: `Authorization: myAuth` (raw, no scheme) and `X-WOOS-KEY: myCorporateToken`.
    const authorized = req.headers.authorization === this.auth && req.headers['x-woos-key'] === this.corporateToken;
    const logEntry: ImbeeRequestLogEntry = { method, path: url.pathname, authorized, at: new Date(at), status: 0 };

    let answer: Answer;
    let delayMs = this.delayFor(url.pathname);
    try {
      const rawBody = await readBody(req, 1_000_000);
      if (rawBody) logEntry.body = tryParseJson(rawBody);
      const fault = this.takeFault(url.pathname);
      if (fault) {
        // Faults act like a failing gateway in front of the API: before routing and authentication.
        const message = STATUS_CODES[fault.status] ?? 'Error';
        answer = { status: fault.status, body: fault.body ?? envelope(started, ERROR_CODE, message, null), headers: fault.headers };
        delayMs = fault.delayMs ?? delayMs;
      } else {
        answer = this.dispatch(method, url.pathname, { request: req, rawBody, at }, authorized, started);
      }
    } catch {
      answer = { status: 400, body: envelope(started, ERROR_CODE, 'Bad request', null) };
    }
    this.send(res, logEntry, answer, delayMs);
  }

  private dispatch(method: string, pathname: string, ctx: RouteContext, authorized: boolean, started: number): Answer {
    const matching = this.routes.filter((route) => route.path === pathname);
    // Assumption [U]: an unknown path or method is a plain HTTP error, still in the envelope.
    if (matching.length === 0) return { status: 404, body: envelope(started, ERROR_CODE, 'Not found', null) };
    const route = matching.find((r) => r.method === method);
    if (!route) {
      const allow = matching.map((r) => r.method).join(', ');
      return { status: 405, body: envelope(started, ERROR_CODE, 'Method Not Allowed', null), headers: { Allow: allow } };
    }
    try {
      if (!authorized) throw new Refusal('Unauthorized');
      const body = route.handle(ctx);
      return { status: 200, body: envelope(started, 0, 'Ok', body) };
    } catch (error) {
      if (error instanceof Refusal) return { status: 200, body: envelope(started, ERROR_CODE, error.message, null) };
      return { status: 500, body: envelope(started, ERROR_CODE, 'Internal Server Error', null) };
    }
  }

  private send(res: ServerResponse, logEntry: ImbeeRequestLogEntry, answer: Answer, delayMs: number): void {
    logEntry.status = answer.status;
    if (isObject(answer.body) && typeof answer.body.code === 'number') logEntry.code = answer.body.code;
    this.requests.push(logEntry);

    const isText = typeof answer.body === 'string';
    const payload = isText ? (answer.body as string) : JSON.stringify(answer.body);
    const headers: OutgoingHttpHeaders = {
      'Content-Type': isText ? 'text/plain; charset=utf-8' : 'application/json',
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

  cancelPendingAnswers(): void {
    for (const timer of this.pendingTimers) clearTimeout(timer);
    this.pendingTimers.clear();
  }

  // ----- Faults and delays ----------------------------------------------------------------

  readonly faults: ImbeeFaultControl = {
    failNext: (pathPattern, fault) => {
      const times = fault.times ?? 1;
      if (!Number.isInteger(times) || times < 1) throw new RangeError(`failNext: times must be a positive integer, got ${times}`);
      this.pendingFaults.push({ ...fault, pattern: withoutStatefulFlags(pathPattern), remaining: times });
    },
    setDelay: (pathPattern, ms) => {
      const pattern = withoutStatefulFlags(pathPattern);
      this.pathDelays = this.pathDelays.filter((d) => d.pattern.source !== pattern.source || d.pattern.flags !== pattern.flags);
      if (ms > 0) this.pathDelays.push({ pattern, ms });
    },
    clear: () => {
      this.pendingFaults = [];
      this.pathDelays = [];
    },
  };

  private takeFault(pathname: string): PendingFault | undefined {
    const fault = this.pendingFaults.find((f) => f.pattern.test(pathname));
    if (!fault) return undefined;
    fault.remaining--;
    if (fault.remaining === 0) this.pendingFaults = this.pendingFaults.filter((f) => f !== fault);
    return fault;
  }

  private delayFor(pathname: string): number {
    return this.pathDelays.find((d) => d.pattern.test(pathname))?.ms ?? 0;
  }

  // ----- Generate an access token (seed "Generate a Access Token") ------------------------

  private newToken(ctx: RouteContext): Record<string, unknown> {
    const body = jsonObject(ctx);
    // The seed's list says `virutal_user`, its curl `virtual_user`; the sandbox reads the curl's
    // key only, so a client sending the misspelling is told the virtual user is missing.
    const virtualUser = body.virtual_user;
    if (typeof virtualUser !== 'string' || virtualUser.trim() === '') throw new Refusal('virtual_user can not be null or empty');
    if (body.bot_idsha !== this.botIdsha) throw new Refusal('Unknown bot_idsha');
    const mail = optionalString(body, 'mail');
    const celullar = optionalString(body, 'celullar');
    if (!mail && !celullar) throw new Refusal('mail or celullar is required');
    if (mail && !EMAIL.test(mail)) throw new Refusal('mail is not a valid address');
    if (celullar && !E164.test(celullar)) throw new Refusal('celullar must be an international number');
    const maxRetries = this.maxRetries(body.max_retries);
    const dateLimit = this.dateLimit(body.date_limit, ctx.at);

    // Seed: `previously_created`. Assumption [I]: a link is keyed by virtual user and bot, and a
    // repeated request gets the same link with its first limits back.
    const existing = this.tokens.find((t) => t.virtualUser === virtualUser && t.botIdsha === this.botIdsha);
    if (existing) {
      existing.requestCount++;
      return this.tokenBody(existing, true);
    }
    const token = randomBytes(16).toString('hex');
    const issued: ImbeeSandboxToken = {
      virtualUser,
      botIdsha: this.botIdsha,
      token,
      url: `${WEB_CHAT_HOST}/?token=${token}`,
      // Assumption [I]: user_idsha is Imbee's own id for the virtual user of this bot (a SHA-1 here).
      userIdsha: createHash('sha1').update(`${this.botIdsha}:${virtualUser}`).digest('hex'),
      dateLimit,
      maxRetries,
      ...(mail ? { mail } : {}),
      ...(celullar ? { celullar } : {}),
      createdAt: new Date(ctx.at),
      requestCount: 1,
    };
    this.tokens.push(issued);
    return this.tokenBody(issued, false);
  }

  /** Seed: "amount of retries that a user can use the access token"; assumed a positive integer [I]. */
  private maxRetries(value: unknown): number {
    if (value === undefined || value === null) return DEFAULT_MAX_RETRIES;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) throw new Refusal('max_retries must be a positive integer');
    return value;
  }

  /** Seed: "date format YYYY-MM-DD". */
  private dateLimit(value: unknown, at: number): string {
    if (value === undefined || value === null) {
      return new Date(at + DEFAULT_DATE_LIMIT_DAYS * 86_400_000).toISOString().slice(0, 10);
    }
    if (typeof value !== 'string' || !isCalendarDay(value)) throw new Refusal('date_limit must be a date with format YYYY-MM-DD');
    return value;
  }

  /** Field set and order of the seed's example answer. */
  private tokenBody(token: ImbeeSandboxToken, previouslyCreated: boolean): Record<string, unknown> {
    return {
      url: token.url,
      user_idsha: token.userIdsha,
      date_limit: token.dateLimit,
      max_retries: token.maxRetries,
      previously_created: previouslyCreated,
    };
  }
}

// ---------------------------------------------------------------------------------------------
// Entry point
// ---------------------------------------------------------------------------------------------

export async function startImbeeSandbox(options: ImbeeSandboxOptions = {}): Promise<ImbeeSandbox> {
  const sandbox = new ImbeeSandboxServer(options);
  const server = createServer((req, res) => {
    void sandbox.handleRequest(req, res);
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
    url: `http://127.0.0.1:${port}`,
    // Idempotent; drops delayed answers and destroys open sockets so it never waits on a client.
    close: () =>
      (closing ??= new Promise<void>((resolve, reject) => {
        sandbox.cancelPendingAnswers();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      })),
    requests: sandbox.requests,
    tokens: sandbox.tokens,
    faults: sandbox.faults,
  };
}
