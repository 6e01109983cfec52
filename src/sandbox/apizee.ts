/**
 * Local Apizee API sandbox: a `node:http` server that answers like the Apizee REST API described in
 *   - the seed document  /work/shared/vendor-docs/003_01ba85c3200b1726.txt  ("seed"; exact JSON examples), and
 *   - section 4 of       /work/shared/vendor-docs/REFERENCE.md               ("REFERENCE §4").
 * Anything the documents do not state is marked "Assumption" where it is decided.
 *
 * Paths are the seed's unversioned ones (`/api/tickets`, not `/api/v3/tickets`): REFERENCE §4 says
 * "pin one and test it", and the seed is what the bot is written against.
 */
import { createHmac, randomBytes, randomInt, randomUUID } from 'node:crypto';
import {
  createServer,
  STATUS_CODES,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

// ---------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------

export interface ApizeeSandboxAccount {
  username: string;
  password: string;
  enterpriseId: number;
}

export interface ApizeeSandboxOptions {
  /** Port to listen on; 0 (default) picks a free one. The server binds 127.0.0.1 only. */
  port?: number;
  /** Requests allowed per account in any 60-second window (REFERENCE §4 "Rate limit": 10). */
  ratePerMinute?: number;
  accounts?: ApizeeSandboxAccount[];
  /** Clock in epoch milliseconds; inject it to drive token expiry and the rate-limit window. */
  now?: () => number;
}

/** Ticket states, REFERENCE §4 "States". */
export const APIZEE_TICKET_STATES = [
  'new',
  'open',
  'invited',
  'inprogress',
  'done',
  'closed',
  'rejected',
  'declined',
  'expired',
  'cancelled',
] as const;
export type ApizeeTicketState = (typeof APIZEE_TICKET_STATES)[number];

export interface ApizeeGeoloc {
  lat: number;
  lng: number;
}

export interface ApizeeSandboxMedia {
  id: number;
  title: string;
  /** MIME type, e.g. `video/mp4`, `image/jpeg` (seed, medias example). */
  type: string;
  hash: string;
  url: string;
  /** Seed medias example: photos may carry `location {lat, lon}` (note `lon`, not `lng`). */
  location?: { lat: number; lon: number };
}

export interface ApizeeSandboxTicket {
  id: number;
  /** Enterprise of the account that created the ticket; the medias path is scoped by it. */
  enterpriseId: number;
  state: ApizeeTicketState;
  reference: string | null;
  created: Date;
  modified: Date;
  startTime: Date;
  endTime: Date;
  subject: string | null;
  description: string | null;
  agent: string;
  requestor: { phone?: string; email?: string };
  requestorUrl: string;
  informationPageUrl: string;
  serviceKey: string;
  buttonId: number;
  geoloc: ApizeeGeoloc | null;
  /** Oldest first, as added. */
  medias: ApizeeSandboxMedia[];
}

export interface ApizeeRequestLogEntry {
  method: string;
  /** Full path, e.g. `/api/tickets`. */
  path: string;
  /** Query parameters (`password` is redacted). */
  query: Record<string, string>;
  at: Date;
  status: number;
  /** Username the request was attributed to (bearer token or token request), if any. */
  account?: string;
}

export interface ApizeeFaultSpec {
  status: number;
  /** JSON body; a string is sent verbatim as text/plain. Defaults to `{"error": <reason phrase>}`. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Answer after this many milliseconds. */
  delayMs?: number;
  /** How many matching requests fail (default 1). */
  times?: number;
}

export interface ApizeeFaultControl {
  /**
   * The next `times` requests whose path matches get this answer instead. Faults act like a
   * failing gateway in front of the API: they are answered before authentication and are not
   * counted by the rate limiter.
   */
  failNext(pathPattern: RegExp, fault: ApizeeFaultSpec): void;
  /** Hold every answer on a matching path for `ms` (0 removes). The request is processed at once. */
  setDelay(pathPattern: RegExp, ms: number): void;
  /** Removes all pending faults and delays. */
  clear(): void;
}

export interface ApizeeSandbox {
  /** Base URL, e.g. `http://127.0.0.1:PORT/api`. */
  readonly url: string;
  close(): Promise<void>;
  readonly tickets: ReadonlyMap<number, Readonly<ApizeeSandboxTicket>>;
  /** Moves a ticket along the life cycle; throws on an impossible transition. */
  setTicketState(id: number, state: ApizeeTicketState, at?: Date): void;
  addTicketMedia(id: number, media: { title: string; type: string; location?: { lat: number; lon: number } }): ApizeeSandboxMedia;
  /** Walks the ticket to `done`, adding one geolocated photo and one video. */
  completeWithMedia(id: number): Readonly<ApizeeSandboxTicket>;
  readonly requests: readonly ApizeeRequestLogEntry[];
  readonly faults: ApizeeFaultControl;
  /** Every issued token becomes invalid (answers 401 until a new token is fetched). */
  expireTokens(): void;
  setRatePerMinute(n: number): void;
  /** Number of 429 answers served. */
  readonly rateLimitedCount: number;
}

// ---------------------------------------------------------------------------------------------
// Constants from the documents
// ---------------------------------------------------------------------------------------------

/** REFERENCE §4 "Authentication": tokens last 24 h. */
const TOKEN_TTL_SECONDS = 86_400;
/** REFERENCE §4 "Room URLs": in the seed's sso_url JWT, exp − iat is 300 s. */
const SSO_TOKEN_TTL_SECONDS = 300;
/** Seed ticket example: end_time is start_time + 30 min (REFERENCE §4 also shows 30 min duration). */
const TICKET_DURATION_MS = 30 * 60_000;
/** REFERENCE §4 "Rate limit": "10 requests per minute per user". */
const DEFAULT_RATE_PER_MINUTE = 10;
const RATE_WINDOW_MS = 60_000;
/** Seed ticket example: `"button_id": 223`. */
const DEFAULT_BUTTON_ID = 223;
/** Assumption: the documents show `limit=10` but no maximum or default; 100 is pinned here. */
const MAX_LIST_LIMIT = 100;
const DEFAULT_LIST_LIMIT = 10;
/** Seed medias example: `"limit": 10, "offset": 0`. */
const DEFAULT_MEDIA_LIMIT = 10;

// Sandbox stand-ins for the seed's hosts (diag.apizee.com, cloud.apizee.com, apz.fr).
const REQUESTOR_HOST = 'https://diag.apizee.example';
const AGENT_URL = 'https://cloud.apizee.example';
const INFORMATION_PAGE_HOST = 'https://apz.example';
const SSO_ISSUER = 'cloud.apizee.example';

const DEFAULT_ACCOUNTS: ApizeeSandboxAccount[] = [
  { username: 'agent@example.com', password: 'secret', enterpriseId: 1 },
];

/** REFERENCE §4 "Rate limit": the 429 body. */
const RATE_LIMIT_MESSAGE = 'You have reached the maximum number of attempts. Please try again later.';

/**
 * Allowed moves of the life cycle in REFERENCE §4 "States": new → open → invited → inprogress →
 * done → closed, with side exits rejected, declined, expired, cancelled.
 * Assumptions: the main line may skip forward (a ticket created with invite=1 starts `invited`, a
 * `new` one can be invited later); rejected applies before an invitation, declined only to an
 * invitation, expired before the session starts, cancelled until done; side exits are final.
 */
const TICKET_TRANSITIONS: Record<ApizeeTicketState, readonly ApizeeTicketState[]> = {
  new: ['open', 'invited', 'inprogress', 'rejected', 'expired', 'cancelled'],
  open: ['invited', 'inprogress', 'rejected', 'expired', 'cancelled'],
  invited: ['inprogress', 'declined', 'expired', 'cancelled'],
  inprogress: ['done', 'cancelled'],
  done: ['closed'],
  closed: [],
  rejected: [],
  declined: [],
  expired: [],
  cancelled: [],
};

// ---------------------------------------------------------------------------------------------
// Internal model
// ---------------------------------------------------------------------------------------------

interface Account extends ApizeeSandboxAccount {
  serviceKey: string;
  buttonId: number;
}

interface IssuedToken {
  account: Account;
  expiresAtMs: number;
}

type Params = ReadonlyMap<string, string>;

interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

interface RouteContext {
  params: Params;
  pathParams: Record<string, string>;
  /** Arrival time of the request (epoch ms). */
  at: number;
}

interface BearerRouteContext extends RouteContext {
  account: Account;
}

/**
 * `credentials` routes carry the user's own username/password (the token request) and are
 * rate-limited under that username; `bearer` routes need a valid access token.
 */
type Route =
  | { method: HttpMethod; path: string; auth: 'credentials'; handle(ctx: RouteContext): Answer }
  | { method: HttpMethod; path: string; auth: 'bearer'; handle(ctx: BearerRouteContext): Answer };

type HttpMethod = 'GET' | 'POST';

type CompiledRoute = Route & { regex: RegExp };

interface PendingFault extends ApizeeFaultSpec {
  pattern: RegExp;
  remaining: number;
}

interface PathDelay {
  pattern: RegExp;
  ms: number;
}

class BadParameter extends Error {
  constructor(
    readonly parameter: string,
    message: string,
  ) {
    super(message);
  }
}

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

/** Seed dates look like `2023-07-12T15:48:11+00:00` (seconds, explicit UTC offset). */
function formatApizeeDate(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

/** REFERENCE §4 "Error model": the v2 error body `{"code":10,"message":…,"details":"Parameter x"}`. */
function validationError(parameter: string, message: string): Answer {
  return { status: 400, body: { code: 10, message, details: `Parameter ${parameter}` } };
}

function notFound(): Answer {
  return { status: 404, body: { error: 'Not found' } };
}

function base64UrlJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function randomAlphanumeric(length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

function withoutStatefulFlags(pattern: RegExp): RegExp {
  return new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ''));
}

/** `path` is under `/api`; its `:name` segments become `pathParams`. */
function compileRoute(route: Route): CompiledRoute {
  const source = route.path
    .split('/')
    .map((segment) => (segment.startsWith(':') ? `(?<${segment.slice(1)}>[^/]+)` : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return { ...route, regex: new RegExp(`^${source}$`) };
}

/** Parses an optional non-negative integer parameter; `undefined` when absent. */
function integerParam(params: Params, name: string, min: number, max: number, message: string): number | undefined {
  const raw = params.get(name);
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw)) throw new BadParameter(name, message);
  const value = Number(raw);
  if (value < min || value > max) throw new BadParameter(name, message);
  return value;
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

// ---------------------------------------------------------------------------------------------
// Sandbox
// ---------------------------------------------------------------------------------------------

class ApizeeSandboxServer {
  private readonly now: () => number;
  private readonly accounts: Account[];
  private readonly tokens = new Map<string, IssuedToken>();
  /** Accepted request times per rate-limit key (username), oldest first. */
  private readonly rateWindows = new Map<string, number[]>();
  private ratePerMinute: number;
  private readonly ssoSecret = randomBytes(32);
  private nextTicketId = 82_071;
  private nextMediaId = 1_973_401;

  readonly tickets = new Map<number, ApizeeSandboxTicket>();
  readonly requests: ApizeeRequestLogEntry[] = [];
  rateLimitedCount = 0;
  private pendingFaults: PendingFault[] = [];
  private pathDelays: PathDelay[] = [];
  private readonly pendingTimers = new Set<NodeJS.Timeout>();

  /**
   * Route table, all under `/api`. To add the Video Meeting API (seed "Get a video meeting room"),
   * append e.g. `{ method: 'POST', path: '/conferences', auth: 'bearer', handle: … }`.
   */
  private readonly routes: CompiledRoute[] = (
    [
      { method: 'POST', path: '/token', auth: 'credentials', handle: (ctx) => this.issueToken(ctx) },
      { method: 'POST', path: '/tickets', auth: 'bearer', handle: (ctx) => this.createTicket(ctx) },
      { method: 'GET', path: '/tickets', auth: 'bearer', handle: (ctx) => this.listTickets(ctx) },
      { method: 'GET', path: '/enterprises/:enterpriseId/tickets/:ticketId/medias', auth: 'bearer', handle: (ctx) => this.listTicketMedias(ctx) },
    ] satisfies Route[]
  ).map(compileRoute);

  constructor(options: ApizeeSandboxOptions) {
    this.now = options.now ?? Date.now;
    this.ratePerMinute = options.ratePerMinute ?? DEFAULT_RATE_PER_MINUTE;
    this.accounts = (options.accounts ?? DEFAULT_ACCOUNTS).map((account) => ({
      ...account,
      // Seed: both example tickets share one service_key, so it is per account/service.
      serviceKey: randomBytes(16).toString('hex'),
      buttonId: DEFAULT_BUTTON_ID,
    }));
  }

  // ----- HTTP plumbing --------------------------------------------------------------------

  async handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const arrivedAt = this.now();
    const url = new URL(req.url ?? '/', 'http://sandbox.local');
    const method = (req.method ?? 'GET').toUpperCase();
    const logEntry: ApizeeRequestLogEntry = {
      method,
      path: url.pathname,
      query: Object.fromEntries([...url.searchParams].map(([k, v]) => [k, k === 'password' ? '***' : v])),
      at: new Date(arrivedAt),
      status: 0,
    };

    let answer: Answer;
    let rateKey: string | undefined;
    let delayMs = this.delayFor(url.pathname);
    try {
      const params = await this.readParams(req, url);
      const fault = this.takeFault(url.pathname);
      if (fault) {
        // Faults answer before routing, authentication and the limiter (not counted).
        answer = { status: fault.status, body: fault.body ?? { error: STATUS_CODES[fault.status] ?? 'Error' }, headers: fault.headers };
        rateKey = this.identify(url.pathname, params, req.headers.authorization, arrivedAt);
        delayMs = fault.delayMs ?? delayMs;
      } else {
        ({ answer, rateKey } = this.dispatch(method, url.pathname, params, req.headers.authorization, arrivedAt));
      }
    } catch {
      answer = { status: 400, body: { error: 'Bad request' } };
    }
    if (rateKey) logEntry.account = rateKey;
    answer.headers = { ...this.rateLimitHeaders(rateKey, arrivedAt), ...answer.headers };
    this.send(res, logEntry, answer, delayMs);
  }

  /** Who a request would be counted against, without counting it. */
  private identify(pathname: string, params: Params, authorization: string | undefined, at: number): string | undefined {
    if (pathname === '/api/token') return params.get('username');
    return this.authenticate(authorization, at)?.username;
  }

  /**
   * Query parameters, plus an `application/x-www-form-urlencoded` body. The documents pass
   * everything in the query (seed curls, REFERENCE §4), which wins on conflict; the form body is
   * accepted because third-party clients post the token request that way (REFERENCE §4). JSON
   * bodies are not documented and are ignored.
   */
  private async readParams(req: IncomingMessage, url: URL): Promise<Params> {
    const params = new Map<string, string>();
    const body = await readBody(req, 1_000_000);
    if (body && (req.headers['content-type'] ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded')) {
      for (const [key, value] of new URLSearchParams(body)) params.set(key, value);
    }
    for (const [key, value] of url.searchParams) params.set(key, value);
    return params;
  }

  private dispatch(
    method: string,
    pathname: string,
    params: Params,
    authorization: string | undefined,
    at: number,
  ): { answer: Answer; rateKey?: string } {
    if (!pathname.startsWith('/api/')) return { answer: notFound() };
    const apiPath = pathname.slice('/api'.length);
    const matching = this.routes
      .map((route) => ({ route, match: route.regex.exec(apiPath) }))
      .filter((m): m is { route: CompiledRoute; match: RegExpExecArray } => m.match !== null);
    if (matching.length === 0) return { answer: notFound() };
    const found = matching.find((m) => m.route.method === method);
    if (!found) {
      const allow = [...new Set(matching.map((m) => m.route.method))].join(', ');
      return { answer: { status: 405, body: { error: 'Method Not Allowed' }, headers: { Allow: allow } } };
    }
    const { route, match } = found;
    const context: RouteContext = { params, pathParams: { ...match.groups }, at };

    // REFERENCE §4 "Rate limit" counts every endpoint per user: token requests count under the
    // username they name (even with a wrong password), other requests under the token's account,
    // once authenticated (a 401 is answered before the limiter and not counted).
    let rateKey: string;
    let handle: () => Answer;
    if (route.auth === 'credentials') {
      rateKey = params.get('username') ?? '';
      handle = () => route.handle(context);
    } else {
      const account = this.authenticate(authorization, at);
      if (!account) {
        return { answer: { status: 401, body: { error: 'Unauthenticated.' }, headers: { 'WWW-Authenticate': 'Bearer' } } };
      }
      rateKey = account.username;
      handle = () => route.handle({ ...context, account });
    }

    const refused = this.rateLimited(rateKey, at);
    if (refused) return { rateKey, answer: refused };
    try {
      return { rateKey, answer: handle() };
    } catch (error) {
      if (error instanceof BadParameter) return { rateKey, answer: validationError(error.parameter, error.message) };
      return { rateKey, answer: { status: 500, body: { error: 'Server Error' } } };
    }
  }

  private send(res: ServerResponse, logEntry: ApizeeRequestLogEntry, answer: Answer, delayMs: number): void {
    logEntry.status = answer.status;
    this.requests.push(logEntry);
    if (answer.status === 429) this.rateLimitedCount++;

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

  readonly faults: ApizeeFaultControl = {
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

  // ----- Authentication (REFERENCE §4 "Authentication") -----------------------------------

  private issueToken({ params, at }: RouteContext): Answer {
    // REFERENCE §4 also documents the jwt-bearer grant; the sandbox only implements `password`.
    if (params.get('grant_type') !== 'password') {
      return { status: 400, body: { error: 'unsupported_grant_type', error_description: 'The authorization grant type is not supported.' } };
    }
    const account = this.accounts.find((a) => a.username === params.get('username') && a.password === params.get('password'));
    if (!account) {
      return { status: 401, body: { error: 'invalid_grant', error_description: 'The user credentials were incorrect.' } };
    }
    const accessToken = randomUUID();
    this.tokens.set(accessToken, { account, expiresAtMs: at + TOKEN_TTL_SECONDS * 1000 });
    // Assumption: created_at is epoch seconds (OAuth convention); the documents only name the field.
    return { status: 200, body: { access_token: accessToken, created_at: Math.floor(at / 1000), expires_in: TOKEN_TTL_SECONDS } };
  }

  private authenticate(authorization: string | undefined, at: number): Account | undefined {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    const token = match?.[1] ? this.tokens.get(match[1]) : undefined;
    if (!token || at >= token.expiresAtMs) return undefined;
    return token.account;
  }

  expireTokens(): void {
    this.tokens.clear();
  }

  // ----- Rate limit (REFERENCE §4 "Rate limit") -------------------------------------------

  setRatePerMinute(n: number): void {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`setRatePerMinute: expected a positive integer, got ${n}`);
    this.ratePerMinute = n;
  }

  /** Accepted requests of `key` inside the sliding window (at − 60 s, at]. */
  private windowFor(key: string, at: number): number[] {
    const recent = (this.rateWindows.get(key) ?? []).filter((t) => at - t < RATE_WINDOW_MS);
    this.rateWindows.set(key, recent);
    return recent;
  }

  /** Records the request and returns undefined, or returns the 429 answer (refusals are not recorded). */
  private rateLimited(key: string, at: number): Answer | undefined {
    const window = this.windowFor(key, at);
    if (window.length < this.ratePerMinute) {
      window.push(at);
      return undefined;
    }
    // The slot that frees first is the one taken `ratePerMinute` requests ago.
    const oldestBlocking = window[window.length - this.ratePerMinute] ?? at;
    const resetSeconds = Math.max(1, Math.ceil((oldestBlocking + RATE_WINDOW_MS - at) / 1000));
    return { status: 429, body: { error: RATE_LIMIT_MESSAGE }, headers: { 'X-RateLimit-Reset': String(resetSeconds) } };
  }

  /** Sent on every answer; a request not attributed to any user shows the full allowance. */
  private rateLimitHeaders(key: string | undefined, at: number): Record<string, string> {
    const used = key === undefined ? 0 : this.windowFor(key, at).length;
    return {
      'X-RateLimit-Limit': String(this.ratePerMinute),
      'X-RateLimit-Remaining': String(Math.max(0, this.ratePerMinute - used)),
    };
  }

  // ----- Tickets (seed "Get a video assistance room"; REFERENCE §4 "Tickets") -------------

  private createTicket({ params, account, at }: BearerRouteContext): Answer {
    const email = params.get('email') || undefined;
    const phone = params.get('phone') || undefined;
    if (!email && !phone) throw new BadParameter('phone', 'The email or phone field is required.');
    if (phone && !/^\+[1-9]\d{6,14}$/.test(phone)) {
      throw new BadParameter('phone', 'The phone field must be in international format (+ and digits).');
    }
    if (email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) throw new BadParameter('email', 'The email must be a valid email address.');
    const agent = params.get('agent');
    if (!agent) throw new BadParameter('agent', 'The agent field is required.');
    const invite = this.parseInvite(params.get('invite'));

    const now = new Date(at);
    const ticket: ApizeeSandboxTicket = {
      id: this.nextTicketId++,
      enterpriseId: account.enterpriseId,
      state: invite ? 'invited' : 'new',
      reference: params.get('reference') ?? null,
      created: now,
      modified: now,
      startTime: now,
      endTime: new Date(now.getTime() + TICKET_DURATION_MS),
      subject: params.get('subject') ?? null,
      description: params.get('description') ?? null,
      agent,
      requestor: { ...(phone ? { phone } : {}), ...(email ? { email } : {}) },
      requestorUrl: `${REQUESTOR_HOST}?convId=${randomUUID()}&pwd=${String(randomInt(1_000_000)).padStart(6, '0')}`,
      informationPageUrl: `${INFORMATION_PAGE_HOST}/${randomAlphanumeric(10)}`,
      serviceKey: account.serviceKey,
      buttonId: account.buttonId,
      geoloc: null,
      medias: [],
    };
    this.tickets.set(ticket.id, ticket);

    // Field set and order of the seed's creation example (the list item ends with service_key);
    // sso_url only with scope=sso (seed: "To retrieve the agent's URL, use the value sso").
    return {
      status: 200,
      body: {
        ...this.ticketListItem(ticket),
        agent_url: AGENT_URL,
        ...(params.get('scope') === 'sso' ? { sso_url: `${AGENT_URL}?access_token=${this.ssoToken(now)}` } : {}),
        status: ticket.state,
        name: null,
        button_id: ticket.buttonId,
      },
    };
  }

  /** REFERENCE §4: `invite=1`, and [P:A2] also accepts `true`/`TRUE`. */
  private parseInvite(raw: string | undefined): boolean {
    if (raw === undefined || raw === '' || raw === '0' || raw.toLowerCase() === 'false') return false;
    if (raw === '1' || raw.toLowerCase() === 'true') return true;
    throw new BadParameter('invite', 'The invite field must be true or false.');
  }

  /** A JWT shaped like the seed's sso_url token (HS256; iss, iat, sub, sso, exp = iat + 300). */
  private ssoToken(issuedAt: Date): string {
    const iat = Math.floor(issuedAt.getTime() / 1000);
    const header = base64UrlJson({ typ: 'JWT', alg: 'HS256' });
    const payload = base64UrlJson({ iss: SSO_ISSUER, iat, sub: `user:${randomAlphanumeric(16)}`, sso: true, exp: iat + SSO_TOKEN_TTL_SECONDS });
    const signature = createHmac('sha256', this.ssoSecret).update(`${header}.${payload}`).digest('base64url');
    return `${header}.${payload}.${signature}`;
  }

  /** Field set and order of the seed's list example (`geoloc` only when known). */
  private ticketListItem(ticket: ApizeeSandboxTicket): Record<string, unknown> {
    return {
      id: ticket.id,
      state: ticket.state,
      reference: ticket.reference,
      created: formatApizeeDate(ticket.created),
      modified: formatApizeeDate(ticket.modified),
      start_time: formatApizeeDate(ticket.startTime),
      end_time: formatApizeeDate(ticket.endTime),
      subject: ticket.subject,
      type: '',
      description: ticket.description,
      agent: ticket.agent,
      requestor_url: ticket.requestorUrl,
      requestor: { ...ticket.requestor },
      information_page_url: ticket.informationPageUrl,
      ...(ticket.geoloc ? { geoloc: { ...ticket.geoloc } } : {}),
      service_key: ticket.serviceKey,
    };
  }

  /** Seed "Get a ticket ID from a reference": `GET /tickets?orderby=date&order=desc&limit=10&reference=…`. */
  private listTickets({ params, account }: BearerRouteContext): Answer {
    const limitMessage = `The limit must be an integer between 1 and ${MAX_LIST_LIMIT}.`;
    const limit = integerParam(params, 'limit', 1, MAX_LIST_LIMIT, limitMessage) ?? DEFAULT_LIST_LIMIT;
    const offset = integerParam(params, 'offset', 0, Number.MAX_SAFE_INTEGER, 'The offset must be a non-negative integer.') ?? 0;
    const orderBy = params.get('orderby') ?? 'date';
    if (orderBy !== 'date') throw new BadParameter('orderby', 'The selected orderby is invalid.');
    const order = params.get('order') ?? 'desc';
    if (order !== 'desc' && order !== 'asc') throw new BadParameter('order', 'The selected order is invalid.');
    const reference = params.get('reference');

    const direction = order === 'desc' ? -1 : 1;
    const matching = [...this.tickets.values()]
      .filter((t) => t.enterpriseId === account.enterpriseId && (reference === undefined || t.reference === reference))
      .sort((a, b) => direction * (a.created.getTime() - b.created.getTime() || a.id - b.id));
    return {
      status: 200,
      body: { total: matching.length, data: matching.slice(offset, offset + limit).map((t) => this.ticketListItem(t)) },
    };
  }

  /** Seed "Get the recorded media for a given ticket". */
  private listTicketMedias({ params, pathParams, account }: BearerRouteContext): Answer {
    if (pathParams.enterpriseId !== String(account.enterpriseId)) {
      return { status: 403, body: { error: 'Forbidden' } };
    }
    const ticketId = pathParams.ticketId ?? '';
    const ticket = /^\d+$/.test(ticketId) ? this.tickets.get(Number(ticketId)) : undefined;
    if (!ticket || ticket.enterpriseId !== account.enterpriseId) return notFound();

    // Assumption: `limit`/`offset` query parameters page the list (the response echoes them) and
    // `count` is the total. Newest first, as in the seed (ids descending).
    const limit = integerParam(params, 'limit', 1, MAX_LIST_LIMIT, `The limit must be an integer between 1 and ${MAX_LIST_LIMIT}.`) ?? DEFAULT_MEDIA_LIMIT;
    const offset = integerParam(params, 'offset', 0, Number.MAX_SAFE_INTEGER, 'The offset must be a non-negative integer.') ?? 0;
    const newestFirst = [...ticket.medias].reverse();
    return {
      status: 200,
      body: {
        limit,
        offset,
        medias: newestFirst.slice(offset, offset + limit).map((m) => ({
          id: m.id,
          title: m.title,
          type: m.type,
          hash: m.hash,
          description: null,
          source_type: 'unknown',
          ...(m.location ? { location: { ...m.location } } : {}),
          url: m.url,
        })),
        count: ticket.medias.length,
      },
    };
  }

  // ----- Test controls --------------------------------------------------------------------

  private requireTicket(id: number): ApizeeSandboxTicket {
    const ticket = this.tickets.get(id);
    if (!ticket) throw new Error(`Apizee sandbox: no ticket ${id}`);
    return ticket;
  }

  setTicketState(id: number, state: ApizeeTicketState, at: Date = new Date(this.now())): void {
    const ticket = this.requireTicket(id);
    if (!TICKET_TRANSITIONS[ticket.state].includes(state)) {
      throw new Error(`Apizee sandbox: ticket ${id} cannot go from ${ticket.state} to ${state}`);
    }
    ticket.state = state;
    ticket.modified = at;
    if (state === 'done') ticket.endTime = at;
  }

  addTicketMedia(id: number, media: { title: string; type: string; location?: { lat: number; lon: number } }): ApizeeSandboxMedia {
    const ticket = this.requireTicket(id);
    const hash = randomUUID();
    const stored: ApizeeSandboxMedia = {
      id: this.nextMediaId++,
      title: media.title,
      type: media.type,
      hash,
      // Seed: https://cloud.apizee.com/media/showVideo/1/hash/<hash> (1 = the enterprise id).
      url: `${AGENT_URL}/media/showVideo/${ticket.enterpriseId}/hash/${hash}`,
      ...(media.location ? { location: { ...media.location } } : {}),
    };
    ticket.medias.push(stored);
    // Assumption: the seed's list example shows geoloc 48.7/-3.5 for the same ticket whose photo is
    // located at 48.77/-3.51, so the ticket's geoloc is taken from its first located media.
    if (media.location && !ticket.geoloc) ticket.geoloc = { lat: media.location.lat, lng: media.location.lon };
    return stored;
  }

  completeWithMedia(id: number): ApizeeSandboxTicket {
    const ticket = this.requireTicket(id);
    if (ticket.state !== 'inprogress') this.setTicketState(id, 'inprogress');
    // Same pair as the seed medias example: a geolocated snapshot, then the video.
    this.addTicketMedia(id, { title: `diag_snapshot_${this.now()}`, type: 'image/jpeg', location: { lat: 48.7703337, lon: -3.5149756 } });
    this.addTicketMedia(id, { title: `${randomAlphanumeric(8)}-${randomInt(1000, 10_000)}-${randomInt(100, 1000)}`, type: 'video/mp4' });
    this.setTicketState(id, 'done');
    return ticket;
  }
}

// ---------------------------------------------------------------------------------------------
// Entry point
// ---------------------------------------------------------------------------------------------

export async function startApizeeSandbox(options: ApizeeSandboxOptions = {}): Promise<ApizeeSandbox> {
  const sandbox = new ApizeeSandboxServer(options);
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
    url: `http://127.0.0.1:${port}/api`,
    // Idempotent; drops delayed answers and destroys open sockets so it never waits on a client.
    close: () =>
      (closing ??= new Promise<void>((resolve, reject) => {
        sandbox.cancelPendingAnswers();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      })),
    tickets: sandbox.tickets,
    setTicketState: (id, state, at) => sandbox.setTicketState(id, state, at),
    addTicketMedia: (id, media) => sandbox.addTicketMedia(id, media),
    completeWithMedia: (id) => sandbox.completeWithMedia(id),
    requests: sandbox.requests,
    faults: sandbox.faults,
    expireTokens: () => sandbox.expireTokens(),
    setRatePerMinute: (n) => sandbox.setRatePerMinute(n),
    get rateLimitedCount() {
      return sandbox.rateLimitedCount;
    },
  };
}
