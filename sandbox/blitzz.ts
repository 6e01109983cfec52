/**
 * Local Blitzz ShowMe REST API sandbox: a `node:http` server that answers like the API described in
 *   - the seed document  /work/shared/vendor-docs/000_db6e986492be341e.txt  ("seed"; the invitation schema), and
 *   - section 1 of       /work/shared/vendor-docs/REFERENCE.md               ("REFERENCE §1"; login, lockout, token expiry).
 * Anything the documents do not state is marked "Assumption" where it is decided. It shares no code
 * with the Blitzz client, so a client mistake cannot hide in a common schema.
 */
import { randomUUID } from 'node:crypto';
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import { answerRequest, AnswerSender, FaultControl, isPlainObject, listen, parseJson, readBody, requestLine, RouteTable } from './sandbox-http.js';
import type { Answer, FaultControls, FaultSpec } from './sandbox-http.js';

// ---------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------

export interface BlitzzSandboxAccount {
  secretKey: string;
  username: string;
  password: string;
}

export interface BlitzzSandboxOptions {
  /** Port to listen on; 0 (default) picks a free one. The server binds 127.0.0.1 only. */
  port?: number;
  /** Clock in epoch milliseconds; inject it to drive token expiry and account lockout. */
  now?: () => number;
  accounts?: BlitzzSandboxAccount[];
  /** Valid `SessionId`s (REFERENCE §1: a session has a 9-digit code). Default `['123456789']`. */
  sessions?: string[];
}

export interface BlitzzRequestLogEntry {
  method: string;
  /** Full path, e.g. `/api/login`. */
  path: string;
  /** Parsed JSON body (`Password` and `SecretKey` redacted), the raw text if not JSON, or undefined. */
  body: unknown;
  status: number;
  at: Date;
}

export interface BlitzzSandboxInvitation {
  sessionId: string;
  /** The accepted body, as sent. */
  body: Record<string, unknown>;
  at: Date;
}

export interface BlitzzFaultSpec extends Omit<FaultSpec, 'headers'> {
  /** JSON body; a string is sent verbatim as text/plain. Defaults to `{"Message": <reason phrase>}`. */
  body?: unknown;
}

export interface BlitzzFaultControl extends FaultControls<BlitzzFaultSpec> {
  /** The next `times` requests whose path matches get this answer, before authentication or validation. */
  failNext(pathPattern: RegExp, fault: BlitzzFaultSpec): void;
}

export interface BlitzzSandbox {
  /** Base URL, e.g. `http://127.0.0.1:PORT`; the API's paths are under `/api`, as on restapi.blitzz.co. */
  readonly url: string;
  close(): Promise<void>;
  readonly requests: readonly BlitzzRequestLogEntry[];
  readonly invitations: readonly BlitzzSandboxInvitation[];
  readonly faults: BlitzzFaultControl;
  /** Every issued token becomes invalid (answers 401 until the client logs in again). */
  expireTokens(): void;
  /** End of the account's lockout (epoch ms), or undefined when it is not locked now. */
  lockedUntil(username: string): number | undefined;
}

// ---------------------------------------------------------------------------------------------
// Constants from the documents
// ---------------------------------------------------------------------------------------------

/** REFERENCE §1: "Tokens expire 2 hours after the last request". */
const TOKEN_IDLE_MS = 2 * 60 * 60_000;
/** REFERENCE §1 ([P:B2]): failed logins lock the account for 10 minutes. */
const LOCKOUT_MS = 10 * 60_000;
/**
 * Assumption: REFERENCE §1 says "more than 5 failed logins lock the account": the 5th consecutive
 * failure locks it, so the 6th attempt and any later one inside the 10 minutes is refused.
 * Consecutive means since the last successful login or the end of the last lockout.
 */
const FAILURES_BEFORE_LOCK = 5;
/** REFERENCE §1: what a call with an expired token gets. */
const DENIED_TEXT = 'Access is denied. User is unauthorized.';
/** Seed schema: `Message` maxLength 100, `EmailAddress` maxLength 255. */
const MESSAGE_MAX = 100;
const EMAIL_MAX = 255;
/**
 * Seed: the prose defines 1 SMS, 2 WhatsApp, 3 e-mail; the schema's enum lists 1–6 and its `maximum`
 * says 5 (REFERENCE §1). Every reading is accepted, so 1–6, whichever numbering a client is set to;
 * 4–6 name no channel, so no channel field is required for them.
 */
const INVITATION_TYPES = [1, 2, 3, 4, 5, 6] as const;
const EMAIL = 3;
/** The prose's phone channels, which need `MobileNo` and `IsoCode`. */
const PHONE_CHANNELS: Record<number, string> = { 1: 'an SMS invitation (InvitationType 1)', 2: 'a WhatsApp invitation (InvitationType 2)' };
/** Seed schema: the invitation body's properties; `additionalProperties: false`. */
const INVITATION_FIELDS = ['InvitationType', 'IsoCode', 'MobileNo', 'EmailAddress', 'Message', 'QueryStringParameter'] as const;
const NULLABLE_STRING_FIELDS = ['IsoCode', 'MobileNo', 'EmailAddress', 'Message', 'QueryStringParameter'] as const;
/** Seed prose: the allowed values of each `QueryStringParameter` option. */
const MEDIA_OPTIONS: Record<string, readonly string[]> = {
  m: ['0', '1'],
  c: ['0', '1', '2'],
  o: ['0', '1'],
  s: ['1', '2', '3', '4'],
};

const DEFAULT_ACCOUNTS: BlitzzSandboxAccount[] = [{ secretKey: 'sandbox-secret-key', username: 'agent@example.com', password: 'secret' }];
const DEFAULT_SESSIONS = ['123456789'];
const REDACTED_FIELDS = new Set(['Password', 'SecretKey']);

// ---------------------------------------------------------------------------------------------
// Internal model
// ---------------------------------------------------------------------------------------------

interface IssuedToken {
  account: BlitzzSandboxAccount;
  lastUsedAt: number;
}

interface LoginRecord {
  failures: number;
  lockedUntil: number;
}

interface RouteContext {
  body: unknown;
  pathParams: Record<string, string>;
  /** Arrival time of the request (epoch ms). */
  at: number;
}

type HttpMethod = 'GET' | 'POST';

/** `none` routes are open (login); `token` routes need a valid `UserToken` header. */
interface Route {
  method: HttpMethod;
  path: string;
  auth: 'none' | 'token';
  handle(ctx: RouteContext): Answer;
}

/** A body the API refuses, naming the field at fault. */
class InvalidBody extends Error {}

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

/**
 * Assumption: error bodies are [U] (REFERENCE §1). Blitzz runs on ASP.NET (seed's C# sample), whose
 * Web API errors are `{"Message": "…"}`; the sandbox answers that way.
 */
function message(status: number, text: string): Answer {
  return { status, body: { Message: text } };
}

function redact(body: unknown): unknown {
  if (!isPlainObject(body)) return body;
  return Object.fromEntries(Object.entries(body).map(([key, value]) => [key, REDACTED_FIELDS.has(key) ? '***' : value]));
}

/** JSON when it parses; otherwise the raw text (undefined when empty), which the routes refuse. */
function parseBody(text: string): { ok: true; value: unknown } | { ok: false; raw?: string } {
  if (text.trim() === '') return { ok: false };
  const parsed = parseJson(text);
  return parsed.ok ? parsed : { ok: false, raw: text };
}

// ----- Invitation body validation (seed schema, strict) ---------------------------------------

function checkInvitationBody(body: unknown): Record<string, unknown> {
  if (!isPlainObject(body)) throw new InvalidBody('The request body must be a JSON object.');
  // Assumption: property names are matched exactly (ASP.NET would ignore case); strictness catches client mistakes.
  const unknown = Object.keys(body).find((key) => !(INVITATION_FIELDS as readonly string[]).includes(key));
  if (unknown !== undefined) throw new InvalidBody(`The property '${unknown}' is not allowed (additionalProperties: false).`);
  checkInvitationType(body.InvitationType);
  for (const field of NULLABLE_STRING_FIELDS) {
    const value = body[field];
    if (value !== undefined && value !== null && typeof value !== 'string') throw new InvalidBody(`${field} must be a string or null.`);
  }
  checkLengthsAndFormats(body);
  checkChannel(body);
  return body;
}

function checkInvitationType(value: unknown): void {
  if (value === undefined || value === null) throw new InvalidBody('InvitationType is required.');
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new InvalidBody('InvitationType must be an integer.');
  if (!(INVITATION_TYPES as readonly number[]).includes(value)) {
    throw new InvalidBody('InvitationType must be 1 (SMS), 2 (WhatsApp), 3 (Email), or 4 to 6 (listed by the schema).');
  }
}

function checkLengthsAndFormats(body: Record<string, unknown>): void {
  const { Message: text, EmailAddress: email, QueryStringParameter: query } = body as Record<string, string | null | undefined>;
  // The seed's JSON schema says `maxLength: 100`; JSON Schema counts characters (code points).
  if (text && [...text].length > MESSAGE_MAX) throw new InvalidBody(`Message must be at most ${MESSAGE_MAX} characters.`);
  if (email && email.length > EMAIL_MAX) throw new InvalidBody(`EmailAddress must be at most ${EMAIL_MAX} characters.`);
  if (email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) throw new InvalidBody('EmailAddress is not a valid e-mail address.');
  if (query) checkQueryString(query);
}

/**
 * Seed: `"?m=0&c=1&o=0&s=3"`, every option optional. Assumption: Blitzz's reaction to other keys or
 * values is [U]; the sandbox refuses them so a client mistake shows.
 */
function checkQueryString(query: string): void {
  const invalid = () => new InvalidBody('QueryStringParameter must look like "?m=0&c=1&o=0&s=3" (m 0–1, c 0–2, o 0–1, s 1–4).');
  if (!query.startsWith('?')) throw invalid();
  const seen = new Set<string>();
  for (const pair of query.slice(1).split('&')) {
    const [key = '', value = '', ...rest] = pair.split('=');
    if (rest.length > 0 || seen.has(key) || !MEDIA_OPTIONS[key]?.includes(value)) throw invalid();
    seen.add(key);
  }
}

/**
 * The fields the invitation's channel needs. Assumptions: `MobileNo`'s format is [U] (REFERENCE §1),
 * so national digits and E.164 are both accepted; `IsoCode` is any two letters, "UK" (the seed's
 * spelling) and "GB" (ISO 3166) alike, since which one Blitzz accepts is [U]. Fields of another
 * channel, and a WhatsApp `Message`, are ignored rather than refused (seed: "only one invitation
 * will work"; "For WhatsApp, Message is static"). Types 4–6 name no channel: nothing is required,
 * and a phone sent with one is checked as for SMS.
 */
function checkChannel(body: Record<string, unknown>): void {
  const type = body.InvitationType;
  if (type === EMAIL) {
    if (!body.EmailAddress) throw new InvalidBody('EmailAddress is required for an e-mail invitation (InvitationType 3).');
    return;
  }
  const channel = PHONE_CHANNELS[type as number];
  if (channel && !body.MobileNo) throw new InvalidBody(`MobileNo is required for ${channel}.`);
  if (channel && !body.IsoCode) throw new InvalidBody(`IsoCode is required for ${channel}.`);
  if (body.MobileNo && !/^\+?\d{4,15}$/.test(body.MobileNo as string)) {
    throw new InvalidBody('MobileNo must be digits (a national number, or + and an international one).');
  }
  if (body.IsoCode && !/^[A-Za-z]{2}$/.test(body.IsoCode as string)) throw new InvalidBody('IsoCode must be a two-letter country code such as US, UK or IN.');
}

/** The seed's 200 representation repeats the request schema: every documented field, null when not sent. */
function echo(body: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(INVITATION_FIELDS.map((field) => [field, body[field] ?? null]));
}

// ---------------------------------------------------------------------------------------------
// Sandbox
// ---------------------------------------------------------------------------------------------

class BlitzzSandboxServer {
  private readonly now: () => number;
  private readonly accounts: BlitzzSandboxAccount[];
  private readonly sessions: Set<string>;
  private readonly tokens = new Map<string, IssuedToken>();
  private readonly logins = new Map<string, LoginRecord>();
  private nextLoginId = 1001;

  readonly requests: BlitzzRequestLogEntry[] = [];
  readonly invitations: BlitzzSandboxInvitation[] = [];
  readonly faults = new FaultControl<BlitzzFaultSpec>();
  readonly answers = new AnswerSender('application/json; charset=utf-8');

  /** Route table, all under `/api`; `:name` segments become `pathParams` (URL-decoded). Other ShowMe endpoints (country list, refresh token) are [U]. */
  private readonly routes = new RouteTable<Route>(
    [
      { method: 'POST', path: '/login', auth: 'none', handle: (ctx) => this.login(ctx) },
      { method: 'POST', path: '/session/:sessionId/invitation', auth: 'token', handle: (ctx) => this.invite(ctx) },
    ],
    '/api',
  );

  constructor(options: BlitzzSandboxOptions) {
    this.now = options.now ?? Date.now;
    this.accounts = (options.accounts ?? DEFAULT_ACCOUNTS).map((account) => ({ ...account }));
    this.sessions = new Set(options.sessions ?? DEFAULT_SESSIONS);
  }

  // ----- HTTP plumbing --------------------------------------------------------------------

  async handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = this.now();
    const { method, url } = requestLine(req);
    const logEntry: BlitzzRequestLogEntry = { method, path: url.pathname, body: undefined, status: 0, at: new Date(at) };

    const { answer, delayMs } = await answerRequest(this.faults, url.pathname, {
      read: async () => {
        const parsed = parseBody(await readBody(req));
        logEntry.body = parsed.ok ? redact(parsed.value) : parsed.raw;
        return parsed;
      },
      fault: (fault) => ({ status: fault.status, body: fault.body ?? { Message: STATUS_CODES[fault.status] ?? 'Error' } }),
      dispatch: (parsed) => this.dispatch(method, url.pathname, parsed, headerValue(req.headers.usertoken), at),
      failed: () => message(400, 'The request is invalid.'),
    });
    logEntry.status = answer.status;
    this.requests.push(logEntry);
    this.answers.send(res, answer, delayMs);
  }

  private dispatch(method: string, pathname: string, parsed: ReturnType<typeof parseBody>, token: string | undefined, at: number): Answer {
    const found = this.routes.match(method, pathname);
    if (found.kind === 'not-found') return message(404, 'No HTTP resource was found that matches the request URI.');
    if (found.kind === 'wrong-method') {
      return { ...message(405, 'The requested resource does not support this HTTP method.'), headers: { Allow: found.allow } };
    }
    // Authentication first, then the body (as an ASP.NET filter pipeline would).
    if (found.route.auth === 'token' && !this.authenticate(token, at)) return { status: 401, body: DENIED_TEXT };
    if (!parsed.ok) return message(400, 'The request body must be JSON.');
    const pathParams = Object.fromEntries(Object.entries(found.pathParams).map(([k, v]) => [k, decodeURIComponent(v)]));
    try {
      return found.route.handle({ body: parsed.value, pathParams, at });
    } catch (error) {
      if (error instanceof InvalidBody) return message(400, error.message);
      return message(500, 'An error has occurred.');
    }
  }

  // ----- Login and lockout (REFERENCE §1 "Authentication") --------------------------------

  private login({ body, at }: RouteContext): Answer {
    const credentials = loginCredentials(body);
    const record = this.loginRecord(credentials.UserName, at);
    // Assumption: the lockout's status and text are [U]; 401 with a body that says what happened.
    if (record.lockedUntil > at) {
      const minutes = Math.ceil((record.lockedUntil - at) / 60_000);
      return message(401, `The account is locked after ${FAILURES_BEFORE_LOCK} failed login attempts. Try again in ${minutes} minute(s).`);
    }
    const account = this.accounts.find(
      (a) => a.secretKey === credentials.SecretKey && a.username === credentials.UserName && a.password === credentials.Password,
    );
    if (!account) return this.failedLogin(record, at);
    record.failures = 0;
    return { status: 200, body: this.loginAnswer(account, at) };
  }

  /** Keyed by the user name tried, known or not; an expired lockout starts a fresh count. */
  private loginRecord(username: string, at: number): LoginRecord {
    let record = this.logins.get(username);
    if (!record || (record.lockedUntil !== 0 && record.lockedUntil <= at)) {
      record = { failures: 0, lockedUntil: 0 };
      this.logins.set(username, record);
    }
    return record;
  }

  private failedLogin(record: LoginRecord, at: number): Answer {
    record.failures += 1;
    if (record.failures >= FAILURES_BEFORE_LOCK) record.lockedUntil = at + LOCKOUT_MS;
    // Assumption: the refusal's status and text are [U].
    return message(401, 'Invalid SecretKey, UserName or Password.');
  }

  /**
   * REFERENCE §1 ([P:B2]) lists the answer's fields, and seed 000 prints no login at all: exactly the
   * listed fields (its unnamed "profile fields" are left out), their values made up, typed as listed.
   */
  private loginAnswer(account: BlitzzSandboxAccount, at: number): Record<string, unknown> {
    const userToken = randomUUID();
    this.tokens.set(userToken, { account, lastUsedAt: at });
    return {
      UserToken: userToken,
      RefreshToken: randomUUID(),
      UserId: randomUUID(),
      LoginId: this.nextLoginId++,
      DomainId: 1,
      DomainName: 'sandbox',
      RoleCode: 'AGENT',
      CountryCode: 'US',
      PhoneNo: null,
    };
  }

  /** A token is good until 2 h after its last use; each use (any authenticated request) restarts that. */
  private authenticate(token: string | undefined, at: number): BlitzzSandboxAccount | undefined {
    const issued = token ? this.tokens.get(token) : undefined;
    if (!issued || at >= issued.lastUsedAt + TOKEN_IDLE_MS) return undefined;
    issued.lastUsedAt = at;
    return issued.account;
  }

  expireTokens(): void {
    this.tokens.clear();
  }

  lockedUntil(username: string): number | undefined {
    const until = this.logins.get(username)?.lockedUntil ?? 0;
    return until > this.now() ? until : undefined;
  }

  // ----- Invitation (seed "Session invitation") -------------------------------------------

  /** Assumption: the body is validated before the session is looked up (ASP.NET model binding runs first). */
  private invite({ body, pathParams, at }: RouteContext): Answer {
    const accepted = checkInvitationBody(body);
    const sessionId = pathParams.sessionId ?? '';
    // Assumption: an unknown session's status and text are [U]; 404 is the natural answer.
    if (!this.sessions.has(sessionId)) return message(404, `Session '${sessionId}' was not found.`);
    this.invitations.push({ sessionId, body: { ...accepted }, at: new Date(at) });
    return { status: 200, body: echo(accepted) };
  }
}

/** Seed/[P:B2]: the login body's three required strings. */
function loginCredentials(body: unknown): { SecretKey: string; UserName: string; Password: string } {
  if (!isPlainObject(body)) throw new InvalidBody('The request body must be a JSON object.');
  for (const field of ['SecretKey', 'UserName', 'Password'] as const) {
    if (typeof body[field] !== 'string' || body[field] === '') throw new InvalidBody(`${field} is required.`);
  }
  return body as { SecretKey: string; UserName: string; Password: string };
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

// ---------------------------------------------------------------------------------------------
// Entry point
// ---------------------------------------------------------------------------------------------

export async function startBlitzzSandbox(options: BlitzzSandboxOptions = {}): Promise<BlitzzSandbox> {
  const sandbox = new BlitzzSandboxServer(options);
  // close() drops delayed answers and destroys open sockets so it never waits on a client.
  const server = await listen((req, res) => sandbox.handleRequest(req, res), { port: options.port, onClose: () => sandbox.answers.dropPending() });
  return {
    url: server.url,
    close: server.close,
    requests: sandbox.requests,
    invitations: sandbox.invitations,
    faults: sandbox.faults.controls,
    expireTokens: () => sandbox.expireTokens(),
    lockedUntil: (username) => sandbox.lockedUntil(username),
  };
}
