/**
 * Local Imbee API sandbox: a `node:http` server that answers like the Imbee REST API described in
 *   - the seed document  /work/shared/vendor-docs/004_63ef09629be84b58.txt  ("seed"; exact JSON examples), and
 *   - section 5 of       /work/shared/vendor-docs/REFERENCE.md               ("REFERENCE §5").
 * Anything the documents do not state is marked "Assumption" where it is decided.
 *
 * All three of the seed's calls are served, so each answer it prints has a sandbox counterpart:
 * `POST /token/new` (the web chat link, which Rendezvous uses), `POST /third_parties/user/new` and
 * `POST /chat/create` (which it does not use). Answers carry exactly the seed's fields.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { answerRequest, AnswerSender, faultAnswer, FaultControl, isPlainObject, jsonObjectBody, listen, readLoggedBody, requestLine, RouteTable } from './sandbox-http.js';
import type { Answer, FaultControls, FaultSpec, JsonObjectProblem, RouteMatch } from './sandbox-http.js';

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

/** An external user (`POST /third_parties/user/new`). */
export interface ImbeeSandboxUser {
  uniqueIdSha: string;
  /** Imbee's id for the user: the `idsha` of chat contacts. */
  virtualUser: string;
  pass: string;
  /** What the user sends as `X-WOOS-KEY` to create a chat. */
  apikey: string;
}

/** A chat (`POST /chat/create`); `contacts[0]` is its creator, the admin. */
export interface ImbeeSandboxChat {
  conversationId: string;
  contacts: Array<{ idsha: string; isadmin: 0 | 1 }>;
}

export interface ImbeeRequestLogEntry {
  method: string;
  path: string;
  /** The parsed JSON body, when there was one. */
  body?: unknown;
  /** Whether `Authorization` and the route's `X-WOOS-KEY` were right (the values are never recorded). */
  authorized: boolean;
  at: Date;
  status: number;
  /** The envelope's `code`, when the answer had one. */
  code?: number;
}

export interface ImbeeFaultSpec extends FaultSpec {
  /** JSON body; a string is sent verbatim as text/plain. Defaults to an envelope with code 1. */
  body?: unknown;
}

export interface ImbeeFaultControl extends FaultControls<ImbeeFaultSpec> {
  /** The next `times` requests whose path matches get this answer instead, before authentication. */
  failNext(pathPattern: RegExp, fault: ImbeeFaultSpec): void;
}

export interface ImbeeSandbox {
  /** Base URL (`https://HOST` of the seed), e.g. `http://127.0.0.1:PORT`. */
  readonly url: string;
  close(): Promise<void>;
  readonly requests: readonly ImbeeRequestLogEntry[];
  /** Issued links, oldest first; a repeated request does not add one. */
  readonly tokens: readonly Readonly<ImbeeSandboxToken>[];
  /** External users, oldest first; a repeated `uniqueIdSha` does not add one. */
  readonly users: readonly Readonly<ImbeeSandboxUser>[];
  readonly chats: readonly Readonly<ImbeeSandboxChat>[];
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

interface RouteContext {
  request: IncomingMessage;
  rawBody: string;
  at: number;
  /** The external user whose `apikey` came as `X-WOOS-KEY`, on routes keyed by user. */
  user?: ImbeeSandboxUser;
}

type HttpMethod = 'POST';
interface Route {
  method: HttpMethod;
  path: string;
  /**
   * What `X-WOOS-KEY` must carry: the corporate token (`myCorporateToken`), or an external user's
   * `apikey` (seed: Create a Chat sends `X-WOOS-KEY: apikey_user1`).
   */
  key: 'corporate' | 'user';
  /** Returns the envelope's `body`; throws a Refusal for an error envelope. */
  handle(ctx: RouteContext): Record<string, unknown>;
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

const JSON_PROBLEMS: Record<JsonObjectProblem, string> = {
  'content-type': 'Content-Type must be application/json',
  'not-json': 'The body is not valid JSON',
  'not-object': 'The body must be a JSON object',
};

/** Seed: "All requests must use the header Content-Type with value application/json". */
function jsonObject({ request, rawBody }: RouteContext): Record<string, unknown> {
  const parsed = jsonObjectBody(request, rawBody);
  if (!parsed.ok) throw new Refusal(JSON_PROBLEMS[parsed.problem]);
  return parsed.value;
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
  readonly users: ImbeeSandboxUser[] = [];
  readonly chats: ImbeeSandboxChat[] = [];
  readonly requests: ImbeeRequestLogEntry[] = [];
  readonly faults = new FaultControl<ImbeeFaultSpec>();
  readonly answers = new AnswerSender();

  /** Route table; paths are at the host's root (seed: `https://HOST/token/new`). */
  private readonly routes = new RouteTable<Route>([
    { method: 'POST', path: '/token/new', key: 'corporate', handle: (ctx) => this.newToken(ctx) },
    { method: 'POST', path: '/third_parties/user/new', key: 'corporate', handle: (ctx) => this.newUser(ctx) },
    { method: 'POST', path: '/chat/create', key: 'user', handle: (ctx) => this.createChat(ctx) },
  ]);

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
    const { method, url } = requestLine(req);
    const found = this.routes.match(method, url.pathname);
    const user = this.users.find((candidate) => candidate.apikey === req.headers['x-woos-key']);
    const authorized = found.kind === 'found' && this.isAuthorized(req, found.route, user);
    const logEntry: ImbeeRequestLogEntry = { method, path: url.pathname, authorized, at: new Date(at), status: 0 };

    const { answer, delayMs } = await answerRequest(this.faults, url.pathname, {
      read: () => readLoggedBody(req, logEntry),
      // Faults act like a failing gateway in front of the API: before routing and authentication.
      fault: (fault) => faultAnswer(fault, (message) => envelope(started, ERROR_CODE, message, null)),
      dispatch: (rawBody) => this.dispatch(found, { request: req, rawBody, at, user }, authorized, started),
      failed: () => ({ status: 400, body: envelope(started, ERROR_CODE, 'Bad request', null) }),
    });
    logEntry.status = answer.status;
    if (isPlainObject(answer.body) && typeof answer.body.code === 'number') logEntry.code = answer.body.code;
    this.requests.push(logEntry);
    this.answers.send(res, answer, delayMs);
  }

  /** Seed: `Authorization: myAuth` (raw, no scheme), and `X-WOOS-KEY` as the route wants it. */
  private isAuthorized(req: IncomingMessage, route: Route, user: ImbeeSandboxUser | undefined): boolean {
    if (req.headers.authorization !== this.auth) return false;
    return route.key === 'corporate' ? req.headers['x-woos-key'] === this.corporateToken : user !== undefined;
  }

  private dispatch(found: RouteMatch<Route>, ctx: RouteContext, authorized: boolean, started: number): Answer {
    // Assumption [U]: an unknown path or method is a plain HTTP error, still in the envelope.
    if (found.kind === 'not-found') return { status: 404, body: envelope(started, ERROR_CODE, 'Not found', null) };
    if (found.kind === 'wrong-method') {
      return { status: 405, body: envelope(started, ERROR_CODE, 'Method Not Allowed', null), headers: { Allow: found.allow } };
    }
    try {
      if (!authorized) throw new Refusal('Unauthorized');
      const body = found.route.handle(ctx);
      return { status: 200, body: envelope(started, 0, 'Ok', body) };
    } catch (error) {
      if (error instanceof Refusal) return { status: 200, body: envelope(started, ERROR_CODE, error.message, null) };
      return { status: 500, body: envelope(started, ERROR_CODE, 'Internal Server Error', null) };
    }
  }

  // ----- Generate an access token (seed "Generate a Access Token") ------------------------

  private newToken(ctx: RouteContext): Record<string, unknown> {
    const body = jsonObject(ctx);
    // The seed contradicts itself: its params list says `virutal_user`, its curl sends
    // `virtual_user`. Both readings are accepted (the curl's first); the client sends the curl's.
    const virtualUser = body.virtual_user ?? body.virutal_user;
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

  // ----- Create an external user (seed "Create a External User") -----------------------------

  /**
   * Seed body: `uniqueIdSha`, `platform`, `deviceName`, `hardwareId`, `osVersion`. Assumption [U]:
   * only `uniqueIdSha` is required; the others are strings when given. A repeated `uniqueIdSha`
   * gets the same user back with `previously_registered` (the seed's flag), as a token does.
   */
  private newUser(ctx: RouteContext): Record<string, unknown> {
    const body = jsonObject(ctx);
    const uniqueIdSha = body.uniqueIdSha;
    if (typeof uniqueIdSha !== 'string' || uniqueIdSha.trim() === '') throw new Refusal('uniqueIdSha can not be null or empty');
    for (const key of ['platform', 'deviceName', 'hardwareId', 'osVersion']) optionalString(body, key);
    const existing = this.users.find((user) => user.uniqueIdSha === uniqueIdSha);
    const user = existing ?? {
      uniqueIdSha,
      // Assumption [I]: Imbee's own id for the user, a SHA-1 here like user_idsha.
      virtualUser: createHash('sha1').update(`user:${uniqueIdSha}`).digest('hex'),
      pass: randomBytes(8).toString('hex'),
      apikey: randomBytes(16).toString('hex'),
    };
    if (!existing) this.users.push(user);
    // Field set and order of the seed's example answer.
    return { virtualUser: user.virtualUser, pass: user.pass, apikey: user.apikey, previously_registered: existing !== undefined };
  }

  // ----- Create a chat (seed "Create a Chat between users") ----------------------------------

  /**
   * Seed body `{"type": "chat", "contacts": [{"idsha": …}]}`, sent with the creating user's apikey;
   * the answer lists the creator first with `isadmin` 1, the others with 0. Assumption [U]: every
   * contact must be a known user (its `virtualUser`), `type` must be "chat", and the same creator
   * with the same contacts gets the same conversation back with `previously_created`.
   */
  private createChat(ctx: RouteContext): Record<string, unknown> {
    const creator = ctx.user!;
    const body = jsonObject(ctx);
    if (body.type !== 'chat') throw new Refusal('type must be chat');
    const contacts = body.contacts;
    if (!Array.isArray(contacts) || contacts.length === 0) throw new Refusal('contacts can not be null or empty');
    const others = contacts.map((contact) => {
      const idsha = isPlainObject(contact) ? contact.idsha : undefined;
      if (typeof idsha !== 'string' || !this.users.some((user) => user.virtualUser === idsha)) throw new Refusal('Unknown contact');
      return idsha;
    });
    const members: ImbeeSandboxChat['contacts'] = [
      { idsha: creator.virtualUser, isadmin: 1 },
      ...[...new Set(others)].filter((idsha) => idsha !== creator.virtualUser).map((idsha) => ({ idsha, isadmin: 0 as const })),
    ];
    const key = (chat: ImbeeSandboxChat) => chat.contacts.map((contact) => `${contact.idsha}:${contact.isadmin}`).sort().join(',');
    const wanted = key({ conversationId: '', contacts: members });
    const existing = this.chats.find((chat) => key(chat) === wanted);
    const chat = existing ?? { conversationId: randomBytes(12).toString('hex'), contacts: members };
    if (!existing) this.chats.push(chat);
    // Field set of the seed's example answer.
    return { contacts: chat.contacts.map((contact) => ({ ...contact })), conversationId: chat.conversationId, previously_created: existing !== undefined };
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
  // close() drops delayed answers and destroys open sockets so it never waits on a client.
  const server = await listen((req, res) => sandbox.handleRequest(req, res), { port: options.port, onClose: () => sandbox.answers.dropPending() });
  return {
    url: server.url,
    close: server.close,
    requests: sandbox.requests,
    tokens: sandbox.tokens,
    users: sandbox.users,
    chats: sandbox.chats,
    faults: sandbox.faults.controls,
  };
}
