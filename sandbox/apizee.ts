/**
 * Local Apizee API sandbox: a `node:http` server that answers like the Apizee REST API described in
 *   - the seed document  /work/shared/vendor-docs/003_01ba85c3200b1726.txt  ("seed"; exact JSON examples), and
 *   - section 4 of       /work/shared/vendor-docs/REFERENCE.md               ("REFERENCE §4").
 * Anything the documents do not state is marked "Assumption" where it is decided.
 *
 * Video Meeting conferences, their media and the ticket statistics follow the same seed sections
 * ("Get a video meeting room (conference)", "Get detailed ticket statistics for a given day").
 *
 * Paths are the seed's unversioned ones (`/api/tickets`, not `/api/v3/tickets`): REFERENCE §4 says
 * "pin one and test it", and the seed is what the bot is written against.
 */
import { createHmac, randomBytes, randomInt, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { answerRequest, AnswerSender, faultAnswer, FaultControl, listen, readBody, requestLine, RouteTable } from './sandbox-http.js';
import type { Answer, FaultControls, FaultSpec } from './sandbox-http.js';

// ---------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------

export interface ApizeeSandboxAccount {
  username: string;
  password: string;
  enterpriseId: number;
  /** Display name as organizer, moderator or media owner (seed: `"name": "Agent 1"`); default: the username. */
  name?: string;
}

export interface ApizeeSandboxOptions {
  /** Port to listen on; 0 (default) picks a free one. The server binds 127.0.0.1 only. */
  port?: number;
  /** Requests allowed per account in any 60-second window (REFERENCE §4 "Rate limit": 10). */
  ratePerMinute?: number;
  accounts?: ApizeeSandboxAccount[];
  /** Clock in epoch milliseconds; inject it to drive token expiry and the rate-limit window. */
  now?: () => number;
  /** Time each request spends on its way before Apizee counts it, random in [min, max] ms (default none). */
  latencyMs?: ApizeeLatency;
}

/**
 * Network and queueing in front of the rate limiter: a request reaches the limiter (and is
 * counted) some time after the client sent it, and its answer is that much later too. A client
 * that counts its requests when it sends them sees them closer together or further apart than
 * Apizee does (issue 9).
 */
export interface ApizeeLatency {
  min: number;
  max: number;
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
  /** When the guest was invited (creation with invite, or a move to `invited`); null if never. */
  invitedAt: Date | null;
  /** When the ticket went `inprogress` (the guest joined); null if never. Feeds tickets-stats. */
  sessionStartedAt: Date | null;
  /** When it left `inprogress` (done or cancelled); null while the call lasts or if it never began. */
  sessionEndedAt: Date | null;
}

/**
 * Conference statuses. Seed 003 shows `scheduled` (creation) and `ongoing` (list); the full list
 * is [U] (REFERENCE §4). Assumption: a finished conference reads `ended`.
 */
export const APIZEE_CONFERENCE_STATUSES = ['scheduled', 'ongoing', 'ended'] as const;
export type ApizeeConferenceStatus = (typeof APIZEE_CONFERENCE_STATUSES)[number];

/** `organizer`, `created_by`, `moderator`, a media's `owner` (seed 003). */
export interface ApizeeSandboxUser {
  id: number;
  name: string;
}

/** A conference recording, as in the seed's `GET /conferences/{id}/media` example. */
export interface ApizeeSandboxConferenceMedia {
  id: number;
  hash: string;
  created: Date;
  owner: ApizeeSandboxUser;
  title: string;
  /** `<title>.mp4`. */
  filename: string;
  filesize: number;
  url: string;
  /** Seed: `geoloc {lat, lng}` and the same inside `metadata` (note `lng`, unlike ticket medias). */
  geoloc?: ApizeeGeoloc;
  /**
   * Seed 003 shows `"status": "completed"`; a recording is listed before it is ready, and reads
   * `processing` until then [I: the word is assumed, any other than `completed` means not ready].
   */
  status: ApizeeRecordingStatus;
}

export const APIZEE_RECORDING_STATUSES = ['processing', 'completed'] as const;
export type ApizeeRecordingStatus = (typeof APIZEE_RECORDING_STATUSES)[number];

export interface ApizeeSandboxConference {
  id: number;
  enterpriseId: number;
  name: string | null;
  /** As given, comma-split and trimmed. */
  participants: string[];
  message: string | null;
  password: string | null;
  moderation: boolean;
  invite: boolean;
  created: Date;
  modified: Date;
  startTime: Date;
  endTime: Date;
  status: ApizeeConferenceStatus;
  /** `<enterprise key>:<room key>`; the url is `…/private/<enterprise key>/<room key>` (seed). */
  roomName: string;
  url: string;
  shortUrl: string;
  sipPhoneNumber: string;
  /** Six digits (seed: "342543", "031092"). */
  sipDtmfCode: string;
  organizer: ApizeeSandboxUser;
  createdBy: ApizeeSandboxUser;
  serviceKey: string;
  moderator: ApizeeSandboxUser | null;
  /** Oldest first, as added. */
  media: ApizeeSandboxConferenceMedia[];
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

export interface ApizeeFaultSpec extends FaultSpec {
  /** JSON body; a string is sent verbatim as text/plain. Defaults to `{"error": <reason phrase>}`. */
  body?: unknown;
}

export interface ApizeeFaultControl extends FaultControls<ApizeeFaultSpec> {
  /**
   * The next `times` requests whose path matches get this answer instead. Faults act like a
   * failing gateway in front of the API: they are answered before authentication and are not
   * counted by the rate limiter.
   */
  failNext(pathPattern: RegExp, fault: ApizeeFaultSpec): void;
}

export type ApizeeLostAnswer = 'timeout' | 'unreadable';

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
  readonly conferences: ReadonlyMap<number, Readonly<ApizeeSandboxConference>>;
  /** scheduled → ongoing → ended (forward only, skipping allowed); throws otherwise. */
  setConferenceStatus(id: number, status: ApizeeConferenceStatus, at?: Date): void;
  /** Adds a completed video recording (`source_type: conf_record`), geolocated if `geoloc` is given. */
  addConferenceRecording(
    id: number,
    recording?: { title?: string; filesize?: number; geoloc?: ApizeeGeoloc; status?: ApizeeRecordingStatus },
  ): Readonly<ApizeeSandboxConferenceMedia>;
  /** A recording added as `processing` becomes `completed` (Apizee finished encoding it). */
  completeConferenceRecording(conferenceId: number, mediaId: number): void;
  /**
   * The next `times` (default 1) requests matching `method` and `pathPattern` are carried out
   * (a ticket is created, an SMS would go out) but their answer is lost: `timeout` never answers,
   * `unreadable` answers 200 with a body that is not JSON. Unlike faults, they count against the limit.
   */
  loseNextAnswer(method: string, pathPattern: RegExp, mode: ApizeeLostAnswer, times?: number): void;
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
/** A lost answer is held this long (longer than any client timeout), unless the server closes first. */
const LOST_ANSWER_HOLD_MS = 10 * 60_000;
/** Seed conference examples: end_time is start_time + 1 h when no duration is given. */
const DEFAULT_CONFERENCE_DURATION_MINUTES = 60;
/** Seed conference examples: both were created by `{"id": 1234, "name": "API"}`. */
const CONFERENCE_CREATED_BY: ApizeeSandboxUser = { id: 1234, name: 'API' };
/** Seed organizer example: `"id": 2888`; the sandbox numbers its accounts' users from there. */
const FIRST_USER_ID = 2888;
/** REFERENCE §4 "Conferences": name 2–255 characters, message at most 300. */
const CONFERENCE_NAME_MIN = 2;
const CONFERENCE_NAME_MAX = 255;
const CONFERENCE_MESSAGE_MAX = 300;
/** Assumption: REFERENCE §4 says "reminder (1–60 min)". */
const CONFERENCE_REMINDER_MAX = 60;

// Sandbox stand-ins for the seed's hosts (diag.apizee.com, cloud.apizee.com, apz.fr).
const REQUESTOR_HOST = 'https://diag.apizee.example';
/** The sandbox's agent portal (Apizee's `agent_url`): set as APIZEE_PORTAL_URL by the local stack. */
export const APIZEE_SANDBOX_PORTAL_URL = 'https://cloud.apizee.example';
const AGENT_URL = APIZEE_SANDBOX_PORTAL_URL;
const INFORMATION_PAGE_HOST = 'https://apz.example';
const MEET_HOST = 'https://meet.apizee.example';
/** Stand-in for the seed's "+33 2 57 57 97 61", in a French range kept for fiction (01 99 00…). */
const SIP_PHONE_NUMBER = '+33 1 99 00 97 61';
const SSO_ISSUER = 'cloud.apizee.example';

const DEFAULT_ACCOUNTS: ApizeeSandboxAccount[] = [
  { username: 'agent@example.com', password: 'secret', enterpriseId: 1 },
];

/**
 * `Etat` of a tickets-stats row. Only "Fermé" is in the seed (for a finished ticket); the other
 * labels are assumptions in plain French, and done and closed both read "Fermé".
 */
export const APIZEE_TICKET_STATS_STATE_LABELS: Readonly<Record<ApizeeTicketState, string>> = {
  new: 'Nouveau',
  open: 'Ouvert',
  invited: 'Invité',
  inprogress: 'En cours',
  done: 'Fermé',
  closed: 'Fermé',
  rejected: 'Rejeté',
  declined: 'Décliné',
  expired: 'Expiré',
  cancelled: 'Annulé',
};

/** Assumption: forward only along scheduled → ongoing → ended, skipping allowed (never held). */
const CONFERENCE_TRANSITIONS: Record<ApizeeConferenceStatus, readonly ApizeeConferenceStatus[]> = {
  scheduled: ['ongoing', 'ended'],
  ongoing: ['ended'],
  ended: [],
};

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
  user: ApizeeSandboxUser;
  /** Seed: the conference service_key differs from the tickets' one (another entry point). */
  conferenceServiceKey: string;
  /** Seed: both conference URLs share their first key (`7a3dc799…`), so it is per enterprise/account. */
  roomKey: string;
}

interface IssuedToken {
  account: Account;
  expiresAtMs: number;
}

type Params = ReadonlyMap<string, string>;

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

/** Parses an optional non-negative integer parameter; `undefined` when absent. */
function integerParam(params: Params, name: string, min: number, max: number, message: string): number | undefined {
  const raw = params.get(name);
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw)) throw new BadParameter(name, message);
  const value = Number(raw);
  if (value < min || value > max) throw new BadParameter(name, message);
  return value;
}

/** Characters as a PHP backend counts them (mb_strlen: code points) [I]. */
function codePoints(text: string): number {
  return [...text].length;
}

function isEmail(value: string): boolean {
  return /^[^\s@,]+@[^\s@,]+\.[^\s@,]+$/.test(value);
}

/** Optional boolean: `true`/`false`/`1`/`0`, any case ([P:A2] accepts `TRUE`). */
function booleanParam(params: Params, name: string): boolean | undefined {
  const raw = params.get(name);
  if (raw === undefined) return undefined;
  const value = raw.toLowerCase();
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new BadParameter(name, `The ${name} field must be true or false.`);
}

/** REFERENCE §4: `startTime` is ISO 8601 in UTC (`Z` or `+00:00`). Epoch ms, or undefined when absent. */
function utcDateTimeParam(params: Params, name: string): Date | undefined {
  const raw = params.get(name);
  if (raw === undefined) return undefined;
  const ms = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|\+00:00)$/.test(raw) ? Date.parse(raw) : NaN;
  if (Number.isNaN(ms)) throw new BadParameter(name, `The ${name} must be a date in ISO 8601 format, in UTC.`);
  return new Date(ms);
}

/** `since` of a list: ISO 8601 with an offset, or a bare day (00:00 UTC). */
function sinceParam(params: Params): number | undefined {
  const raw = params.get('since');
  if (raw === undefined) return undefined;
  const pattern = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2}))?$/;
  const ms = pattern.test(raw) ? Date.parse(raw.length === 10 ? `${raw}T00:00:00Z` : raw) : NaN;
  if (Number.isNaN(ms)) throw new BadParameter('since', 'The since is not a valid date.');
  return ms;
}

/** A required `YYYY-MM-DD` day, as epoch ms of its 00:00 UTC. */
function dayParam(params: Params, name: string): number {
  const raw = params.get(name) ?? '';
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(raw) ? Date.parse(`${raw}T00:00:00Z`) : NaN;
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== raw) {
    throw new BadParameter(name, `The ${name} must be a date in the format YYYY-MM-DD.`);
  }
  return ms;
}

/** `orderby=date` (the only value documented) and `order=asc|desc` (default desc): the sort direction. */
function orderParams(params: Params): 1 | -1 {
  if ((params.get('orderby') ?? 'date') !== 'date') throw new BadParameter('orderby', 'The selected orderby is invalid.');
  const order = params.get('order') ?? 'desc';
  if (order !== 'desc' && order !== 'asc') throw new BadParameter('order', 'The selected order is invalid.');
  return order === 'desc' ? -1 : 1;
}

/** tickets-stats dates: `2023-07-13 18:03:13` (seed); UTC here, the real time zone is [U]. */
function formatStatsDate(date: Date): string {
  return date.toISOString().slice(0, 19).replace('T', ' ');
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
  private readonly latency: ApizeeLatency | undefined;
  private readonly ssoSecret = randomBytes(32);
  private nextTicketId = 82_071;
  private nextMediaId = 1_973_401;
  /** Seed conference example ids: 842199, media 2343988. */
  private nextConferenceId = 842_199;
  private nextConferenceMediaId = 2_343_988;

  readonly tickets = new Map<number, ApizeeSandboxTicket>();
  readonly conferences = new Map<number, ApizeeSandboxConference>();
  readonly requests: ApizeeRequestLogEntry[] = [];
  rateLimitedCount = 0;
  readonly faults = new FaultControl<ApizeeFaultSpec>();
  readonly answers = new AnswerSender();

  /**
   * Route table, all under `/api`; `:name` segments become `pathParams`. Every route goes through
   * authentication and the per-minute limit.
   */
  private readonly routes = new RouteTable<Route>(
    [
      { method: 'POST', path: '/token', auth: 'credentials', handle: (ctx) => this.issueToken(ctx) },
      { method: 'POST', path: '/tickets', auth: 'bearer', handle: (ctx) => this.createTicket(ctx) },
      { method: 'GET', path: '/tickets', auth: 'bearer', handle: (ctx) => this.listTickets(ctx) },
      { method: 'GET', path: '/enterprises/:enterpriseId/tickets/:ticketId/medias', auth: 'bearer', handle: (ctx) => this.listTicketMedias(ctx) },
      { method: 'GET', path: '/enterprises/:enterpriseId/tickets-stats', auth: 'bearer', handle: (ctx) => this.ticketStats(ctx) },
      // Video Meeting (seed "Get a video meeting room (conference)").
      { method: 'POST', path: '/conferences', auth: 'bearer', handle: (ctx) => this.createConference(ctx) },
      { method: 'GET', path: '/conferences', auth: 'bearer', handle: (ctx) => this.listConferences(ctx) },
      { method: 'GET', path: '/conferences/:conferenceId/media', auth: 'bearer', handle: (ctx) => this.listConferenceMedia(ctx) },
    ],
    '/api',
  );

  constructor(options: ApizeeSandboxOptions) {
    this.now = options.now ?? Date.now;
    this.ratePerMinute = options.ratePerMinute ?? DEFAULT_RATE_PER_MINUTE;
    this.latency = options.latencyMs;
    this.accounts = (options.accounts ?? DEFAULT_ACCOUNTS).map((account, index) => ({
      ...account,
      // Seed: both example tickets share one service_key, so it is per account/service.
      serviceKey: randomBytes(16).toString('hex'),
      buttonId: DEFAULT_BUTTON_ID,
      user: { id: FIRST_USER_ID + index, name: account.name ?? account.username },
      conferenceServiceKey: randomBytes(16).toString('hex'),
      roomKey: randomBytes(16).toString('hex'),
    }));
  }

  // ----- HTTP plumbing --------------------------------------------------------------------

  async handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    await this.onTheWay();
    const arrivedAt = this.now();
    const { method, url } = requestLine(req);
    const logEntry: ApizeeRequestLogEntry = {
      method,
      path: url.pathname,
      query: Object.fromEntries([...url.searchParams].map(([k, v]) => [k, k === 'password' ? '***' : v])),
      at: new Date(arrivedAt),
      status: 0,
    };

    let rateKey: string | undefined;
    const { answer, delayMs } = await answerRequest(this.faults, url.pathname, {
      read: () => this.readParams(req, url),
      // Faults answer before routing, authentication and the limiter (not counted).
      fault: (fault, params) => {
        const faulted = faultAnswer(fault, (reason) => ({ error: reason }));
        rateKey = this.identify(url.pathname, params, req.headers.authorization, arrivedAt);
        return faulted;
      },
      dispatch: (params) => {
        const dispatched = this.dispatch(method, url.pathname, params, req.headers.authorization, arrivedAt);
        rateKey = dispatched.rateKey;
        return dispatched.answer;
      },
      failed: () => ({ status: 400, body: { error: 'Bad request' } }),
    });
    if (rateKey) logEntry.account = rateKey;
    const sent = this.loseAnswer(method, url.pathname, answer);
    sent.answer.headers = { ...this.rateLimitHeaders(rateKey, arrivedAt), ...sent.answer.headers };
    logEntry.status = answer.status;
    this.requests.push(logEntry);
    if (answer.status === 429) this.rateLimitedCount++;
    this.answers.send(res, sent.answer, sent.delayMs ?? delayMs);
  }

  /** The request's time on its way to the limiter (`latencyMs`). */
  private async onTheWay(): Promise<void> {
    if (!this.latency) return;
    const { min, max } = this.latency;
    await new Promise((resolve) => setTimeout(resolve, min + Math.random() * Math.max(0, max - min)));
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
    const body = await readBody(req);
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
    const found = this.routes.match(method, pathname);
    if (found.kind === 'not-found') return { answer: notFound() };
    if (found.kind === 'wrong-method') return { answer: { status: 405, body: { error: 'Method Not Allowed' }, headers: { Allow: found.allow } } };
    const { route, pathParams } = found;
    const context: RouteContext = { params, pathParams, at };

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
      invitedAt: invite ? now : null,
      sessionStartedAt: null,
      sessionEndedAt: null,
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
      // The document shows `requestor: {phone}` only; an e-mail is kept for tickets-stats but not answered.
      requestor: ticket.requestor.phone ? { phone: ticket.requestor.phone } : {},
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

  // ----- Ticket statistics (seed "Get detailed ticket statistics for a given day") ----------

  /**
   * `GET /enterprises/{eid}/tickets-stats?format=JSON&since=YYYY-MM-DD&until=YYYY-MM-DD`: one row
   * per ticket created in the range, oldest first, in the seed's French shape.
   * Assumptions: days are UTC and `until` is inclusive (the seed's /session example runs `since`
   * 00:00:00 to `until` 23:59:59); only `format=JSON` is served (other formats are [U]).
   */
  private ticketStats({ params, pathParams, account }: BearerRouteContext): Answer {
    if (pathParams.enterpriseId !== String(account.enterpriseId)) {
      return { status: 403, body: { error: 'Forbidden' } };
    }
    if ((params.get('format') ?? '').toUpperCase() !== 'JSON') throw new BadParameter('format', 'The selected format is invalid.');
    const since = dayParam(params, 'since');
    const until = dayParam(params, 'until');
    if (since > until) throw new BadParameter('until', 'The until date must be a date after or equal to since.');
    const end = until + 86_400_000;
    const rows = [...this.tickets.values()]
      .filter((t) => t.enterpriseId === account.enterpriseId && t.created.getTime() >= since && t.created.getTime() < end)
      .sort((a, b) => a.created.getTime() - b.created.getTime() || a.id - b.id)
      .map((t) => this.ticketStatsRow(t));
    return { status: 200, body: rows };
  }

  /**
   * Key set and order of the seed's row. Derived from the sandbox ticket:
   * - "Date de début de session"/"Date de fin" are start_time/end_time (the seed's pair is 30 min
   *   apart, like a ticket's), written `YYYY-MM-DD HH:mm:ss` in UTC (time zone [U]);
   * - "Répondues" is "oui" once the ticket reached inprogress (assumption; the seed's row says "non"
   *   next to a 335 s call, so Apizee's meaning is [U]); "Nombre Appels" is 1 then, else 0;
   * - "Durée totale des appels (secondes)" runs from inprogress to leaving it (0 until then);
   * - one SMS (phone) and/or e-mail invitation once invited; "Nombre d'invitations" stays 0 as in
   *   the seed, where it is 0 next to 1 SMS invitation (what it counts is [U]);
   * - Photos/Vidéos count medias by MIME type (image/…, video/…);
   * - "Ref" is a number when the reference is all digits (seed: 1234), else the string, or null;
   * - fixed: Priorité "Immédiat", Groupe "Support", Type null, Service "Tickets", Scans 0, and the
   *   seed's device/OS/browser once the guest joined (null before); Demandeur "" (no name is kept).
   */
  private ticketStatsRow(ticket: ApizeeSandboxTicket): Record<string, unknown> {
    const joined = ticket.sessionStartedAt !== null;
    const invited = ticket.invitedAt !== null;
    const callSeconds =
      ticket.sessionStartedAt && ticket.sessionEndedAt
        ? Math.round((ticket.sessionEndedAt.getTime() - ticket.sessionStartedAt.getTime()) / 1000)
        : 0;
    const reference = ticket.reference !== null && /^\d{1,15}$/.test(ticket.reference) ? Number(ticket.reference) : ticket.reference;
    return {
      ID: ticket.id,
      Ref: reference,
      Description: ticket.description ?? '',
      'Priorité': 'Immédiat',
      Demandeur: '',
      Contact: ticket.requestor.phone ?? ticket.requestor.email ?? '',
      Etat: APIZEE_TICKET_STATS_STATE_LABELS[ticket.state],
      'Assigné à': ticket.agent,
      Groupe: 'Support',
      Type: null,
      'Date de début de session': formatStatsDate(ticket.startTime),
      'Date de fin': formatStatsDate(ticket.endTime),
      'Répondues': joined ? 'oui' : 'non',
      "Nombre d'invitations": 0,
      "Nombre d'invitations email": invited && ticket.requestor.email ? 1 : 0,
      "Nombre d'invitations SMS": invited && ticket.requestor.phone ? 1 : 0,
      'Nombre Appels': joined ? 1 : 0,
      'Durée totale des appels (secondes)': callSeconds,
      Photos: ticket.medias.filter((m) => m.type.startsWith('image/')).length,
      'Vidéos': ticket.medias.filter((m) => m.type.startsWith('video/')).length,
      Identifiant: ticket.agent,
      Service: 'Tickets',
      Scans: 0,
      Appareil: joined ? 'K' : null,
      "Système d'exploitation": joined ? 'Android 10' : null,
      Navigateur: joined ? 'Chrome 114.0.0.0' : null,
    };
  }

  // ----- Conferences (seed "Get a video meeting room (conference)"; REFERENCE §4) -----------

  /**
   * `POST /conferences`, parameters in the query (or a form body). Rules from REFERENCE §4:
   * participants required (e-mails and/or phones, comma-separated; the seed passes the national
   * "0612345678", so a leading + is optional), name 2–255, message ≤300, password of digits, `*` and `#`,
   * booleans, duration ≥1 min, reminder 1–60, startTime ISO 8601 UTC, invite default true.
   * Assumptions: `moderator` must name an account of the enterprise (username or user id) and
   * answers `moderator: null` when absent; `entryMode`, `templateId`, `language`, `service` and
   * `scope` are accepted and ignored (their values are [U]). A new conference is `scheduled`, as
   * in the seed, even when it starts now.
   */
  private createConference({ params, account, at }: BearerRouteContext): Answer {
    const participants = (params.get('participants') ?? '').split(',').map((p) => p.trim());
    if (participants.length === 0 || participants.some((p) => !isEmail(p) && !/^\+?\d{6,15}$/.test(p))) {
      throw new BadParameter('participants', 'The participants field must list e-mail addresses or phone numbers separated by commas.');
    }
    const name = params.get('name');
    if (name !== undefined && (codePoints(name) < CONFERENCE_NAME_MIN || codePoints(name) > CONFERENCE_NAME_MAX)) {
      throw new BadParameter('name', `The name must be between ${CONFERENCE_NAME_MIN} and ${CONFERENCE_NAME_MAX} characters.`);
    }
    const message = params.get('message');
    if (message !== undefined && codePoints(message) > CONFERENCE_MESSAGE_MAX) {
      throw new BadParameter('message', `The message may not be greater than ${CONFERENCE_MESSAGE_MAX} characters.`);
    }
    const password = params.get('password');
    if (password !== undefined && !/^[0-9*#]+$/.test(password)) {
      throw new BadParameter('password', 'The password may only contain digits, * and #.');
    }
    const moderation = booleanParam(params, 'moderation') ?? false;
    const invite = booleanParam(params, 'invite') ?? true;
    booleanParam(params, 'open');
    const duration = integerParam(params, 'duration', 1, Number.MAX_SAFE_INTEGER, 'The duration must be an integer of at least 1.');
    integerParam(params, 'reminder', 1, CONFERENCE_REMINDER_MAX, `The reminder must be an integer between 1 and ${CONFERENCE_REMINDER_MAX}.`);
    const startTime = utcDateTimeParam(params, 'startTime');
    const moderatorParam = params.get('moderator');
    let moderator: ApizeeSandboxUser | null = null;
    if (moderatorParam !== undefined) {
      const found = this.accounts.find(
        (a) => a.enterpriseId === account.enterpriseId && (a.username === moderatorParam || String(a.user.id) === moderatorParam),
      );
      if (!found) throw new BadParameter('moderator', 'The selected moderator is invalid.');
      moderator = { ...found.user };
    }

    const now = new Date(at);
    const start = startTime ?? now;
    const roomKey = randomBytes(16).toString('hex');
    const conference: ApizeeSandboxConference = {
      id: this.nextConferenceId++,
      enterpriseId: account.enterpriseId,
      name: name ?? null,
      participants,
      message: message ?? null,
      password: password ?? null,
      moderation,
      invite,
      created: now,
      modified: now,
      startTime: start,
      endTime: new Date(start.getTime() + (duration ?? DEFAULT_CONFERENCE_DURATION_MINUTES) * 60_000),
      status: 'scheduled',
      roomName: `${account.roomKey}:${roomKey}`,
      url: `${MEET_HOST}/private/${account.roomKey}/${roomKey}`,
      shortUrl: `${INFORMATION_PAGE_HOST}/${randomAlphanumeric(10)}`,
      sipPhoneNumber: SIP_PHONE_NUMBER,
      sipDtmfCode: String(randomInt(1_000_000)).padStart(6, '0'),
      organizer: { ...account.user },
      createdBy: { ...CONFERENCE_CREATED_BY },
      serviceKey: account.conferenceServiceKey,
      moderator,
      media: [],
    };
    this.conferences.set(conference.id, conference);
    return { status: 200, body: this.conferenceBody(conference) };
  }

  /** Field set and order of the seed's creation and list examples (the same). */
  private conferenceBody(c: ApizeeSandboxConference): Record<string, unknown> {
    return {
      id: c.id,
      name: c.name,
      created: formatApizeeDate(c.created),
      modified: formatApizeeDate(c.modified),
      start_time: formatApizeeDate(c.startTime),
      end_time: formatApizeeDate(c.endTime),
      status: c.status,
      room_name: c.roomName,
      url: c.url,
      short_url: c.shortUrl,
      sip_phone_number: c.sipPhoneNumber,
      sip_dtmf_code: c.sipDtmfCode,
      organizer: { ...c.organizer },
      created_by: { ...c.createdBy },
      service_key: c.serviceKey,
      moderator: c.moderator ? { ...c.moderator } : null,
    };
  }

  /**
   * Seed "Get a Conference ID by name": `GET /conferences?limit=&since=&search=&orderby=date&order=desc`.
   * Assumptions: `search` is a case-insensitive substring of the name; `since` (ISO 8601, or a
   * bare day at 00:00 UTC) keeps conferences created at or after it; `date` is the creation date.
   */
  private listConferences({ params, account }: BearerRouteContext): Answer {
    const limit = integerParam(params, 'limit', 1, MAX_LIST_LIMIT, `The limit must be an integer between 1 and ${MAX_LIST_LIMIT}.`) ?? DEFAULT_LIST_LIMIT;
    const offset = integerParam(params, 'offset', 0, Number.MAX_SAFE_INTEGER, 'The offset must be a non-negative integer.') ?? 0;
    const direction = orderParams(params);
    const search = params.get('search')?.toLowerCase();
    const since = sinceParam(params);
    const matching = [...this.conferences.values()]
      .filter(
        (c) =>
          c.enterpriseId === account.enterpriseId &&
          (!search || (c.name ?? '').toLowerCase().includes(search)) &&
          (since === undefined || c.created.getTime() >= since),
      )
      .sort((a, b) => direction * (a.created.getTime() - b.created.getTime() || a.id - b.id));
    return {
      status: 200,
      body: { total: matching.length, data: matching.slice(offset, offset + limit).map((c) => this.conferenceBody(c)) },
    };
  }

  /** Seed "Get the recorded or shared files": `GET /conferences/{id}/media?limit=10&orderby=date&order=desc`. */
  private listConferenceMedia({ params, pathParams, account }: BearerRouteContext): Answer {
    const conferenceId = pathParams.conferenceId ?? '';
    const conference = /^\d+$/.test(conferenceId) ? this.conferences.get(Number(conferenceId)) : undefined;
    if (!conference || conference.enterpriseId !== account.enterpriseId) return notFound();
    const limit = integerParam(params, 'limit', 1, MAX_LIST_LIMIT, `The limit must be an integer between 1 and ${MAX_LIST_LIMIT}.`) ?? DEFAULT_MEDIA_LIMIT;
    const offset = integerParam(params, 'offset', 0, Number.MAX_SAFE_INTEGER, 'The offset must be a non-negative integer.') ?? 0;
    const direction = orderParams(params);
    const sorted = [...conference.media].sort((a, b) => direction * (a.created.getTime() - b.created.getTime() || a.id - b.id));
    return {
      status: 200,
      body: {
        total: conference.media.length,
        // Field order of the seed's item; geoloc and metadata only for a located file.
        data: sorted.slice(offset, offset + limit).map((m) => ({
          id: m.id,
          hash: m.hash,
          created: formatApizeeDate(m.created),
          owner: { ...m.owner },
          title: m.title,
          description: null,
          filename: m.filename,
          status: m.status,
          media_type: 'video',
          url: m.url,
          filesize: m.filesize,
          source_type: 'conf_record',
          ...(m.geoloc ? { geoloc: { ...m.geoloc }, metadata: { geoloc: { ...m.geoloc } } } : {}),
        })),
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
    if (ticket.state === 'inprogress') ticket.sessionEndedAt = at;
    ticket.state = state;
    ticket.modified = at;
    if (state === 'done') ticket.endTime = at;
    if (state === 'invited') ticket.invitedAt = at;
    if (state === 'inprogress') ticket.sessionStartedAt = at;
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

  private requireConference(id: number): ApizeeSandboxConference {
    const conference = this.conferences.get(id);
    if (!conference) throw new Error(`Apizee sandbox: no conference ${id}`);
    return conference;
  }

  /** Stamps `modified`; `ended` also stamps `end_time`, as `done` does for a ticket (assumption). */
  setConferenceStatus(id: number, status: ApizeeConferenceStatus, at: Date = new Date(this.now())): void {
    const conference = this.requireConference(id);
    if (!CONFERENCE_TRANSITIONS[conference.status].includes(status)) {
      throw new Error(`Apizee sandbox: conference ${id} cannot go from ${conference.status} to ${status}`);
    }
    conference.status = status;
    conference.modified = at;
    if (status === 'ended') conference.endTime = at;
  }

  /**
   * Like the seed's media: title `<8 chars>-<4 digits>-composite`, `.mp4` file, owned by the
   * moderator, else the organizer (in the seed the owner is the moderator).
   */
  addConferenceRecording(
    id: number,
    recording: { title?: string; filesize?: number; geoloc?: ApizeeGeoloc; status?: ApizeeRecordingStatus } = {},
  ): ApizeeSandboxConferenceMedia {
    const conference = this.requireConference(id);
    const hash = randomUUID();
    const title = recording.title ?? `${randomAlphanumeric(8).toUpperCase()}-${randomInt(1000, 10_000)}-composite`;
    const media: ApizeeSandboxConferenceMedia = {
      id: this.nextConferenceMediaId++,
      hash,
      created: new Date(this.now()),
      owner: { ...(conference.moderator ?? conference.organizer) },
      title,
      filename: `${title}.mp4`,
      filesize: recording.filesize ?? 2_270_386,
      url: `${AGENT_URL}/media/showVideo/${conference.enterpriseId}/hash/${hash}`,
      ...(recording.geoloc ? { geoloc: { ...recording.geoloc } } : {}),
      status: recording.status ?? 'completed',
    };
    conference.media.push(media);
    return media;
  }

  // ----- Media timing: recordings processing then completed; answers lost after the work --

  completeConferenceRecording(conferenceId: number, mediaId: number): void {
    const media = this.requireConference(conferenceId).media.find((item) => item.id === mediaId);
    if (!media) throw new Error(`Apizee sandbox: conference ${conferenceId} has no media ${mediaId}`);
    media.status = 'completed';
  }

  private readonly lostAnswers: Array<{ method: string; pathPattern: RegExp; mode: ApizeeLostAnswer; times: number }> = [];

  loseNextAnswer(method: string, pathPattern: RegExp, mode: ApizeeLostAnswer, times = 1): void {
    this.lostAnswers.push({ method: method.toUpperCase(), pathPattern, mode, times });
  }

  /** After the request was carried out: its answer, or a lost one (never answered, or not JSON). */
  private loseAnswer(method: string, pathname: string, answer: Answer): { answer: Answer; delayMs?: number } {
    const index = this.lostAnswers.findIndex((lost) => lost.method === method && lost.pathPattern.test(pathname));
    const lost = this.lostAnswers[index];
    if (!lost || answer.status < 200 || answer.status >= 300) return { answer };
    if (--lost.times <= 0) this.lostAnswers.splice(index, 1);
    if (lost.mode === 'unreadable') return { answer: { status: 200, body: '<html><body>Gateway: upstream answer dropped</body></html>' } };
    // Held until the server closes: the client's own timeout fires first.
    return { answer, delayMs: LOST_ANSWER_HOLD_MS };
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
  // close() drops delayed answers and destroys open sockets so it never waits on a client.
  const server = await listen((req, res) => sandbox.handleRequest(req, res), { port: options.port, onClose: () => sandbox.answers.dropPending() });
  return {
    url: `${server.url}/api`,
    close: server.close,
    tickets: sandbox.tickets,
    setTicketState: (id, state, at) => sandbox.setTicketState(id, state, at),
    addTicketMedia: (id, media) => sandbox.addTicketMedia(id, media),
    completeWithMedia: (id) => sandbox.completeWithMedia(id),
    conferences: sandbox.conferences,
    setConferenceStatus: (id, status, at) => sandbox.setConferenceStatus(id, status, at),
    addConferenceRecording: (id, recording) => sandbox.addConferenceRecording(id, recording),
    completeConferenceRecording: (conferenceId, mediaId) => sandbox.completeConferenceRecording(conferenceId, mediaId),
    loseNextAnswer: (method, pathPattern, mode, times) => sandbox.loseNextAnswer(method, pathPattern, mode, times),
    requests: sandbox.requests,
    faults: sandbox.faults.controls,
    expireTokens: () => sandbox.expireTokens(),
    setRatePerMinute: (n) => sandbox.setRatePerMinute(n),
    get rateLimitedCount() {
      return sandbox.rateLimitedCount;
    },
  };
}
