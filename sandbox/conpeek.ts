/**
 * Local Conpeek API sandbox: a `node:http` server that answers like the Conpeek API v1.3 described in
 *   - the seed document  /work/shared/vendor-docs/002_c0ffa5f80d17222d.txt  ("seed"; room invitation), and
 *   - section 3 of       /work/shared/vendor-docs/REFERENCE.md               ("REFERENCE §3"; Meets Create
 *     [P:C2] and Read Meetings [P:C3]).
 * Anything the documents do not state is marked "Assumption" where it is decided.
 *
 * The API sits under `/api`, so a client that drops CONPEEK_URL's path prefix (as the Python
 * samples' urljoin would) gets 404s here.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { answerRequest, AnswerSender, faultAnswer, FaultControl, isPlainObject, jsonObjectBody, listen, readLoggedBody, requestLine, RouteTable } from './sandbox-http.js';
import type { Answer, FaultControls, FaultSpec, JsonObjectProblem } from './sandbox-http.js';

// ---------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------

export interface ConpeekSandboxOptions {
  /** Port to listen on; 0 (default) picks a free one. The server binds 127.0.0.1 only. */
  port?: number;
  /** The key expected, raw, in `Authorization` (default `conpeek-sandbox-key`). */
  apiKey?: string;
  /** Conference bridge id → its room ids (default `{5: [11]}`, the seed's example). */
  bridges?: Record<number, number[]>;
  /** Project target identifiers (default `['PSKQMXUAZ']`, the Meets Create example). */
  projects?: string[];
  /** Clock in epoch milliseconds, for `created_date`. */
  now?: () => number;
}

export interface ConpeekSandboxMeet {
  id: string;
  url: string;
  projectIdentifier: string;
  /** Numeric project id, the `project_id` of `GET /meeting` filters (1-based position in `projects`). */
  projectId: number;
  startDate: Date;
  endDate: Date;
  title: string;
  status: string;
  createdDate: Date;
}

export interface ConpeekSandboxInvitation {
  bridgeId: number;
  roomId: number;
  name: string;
  at: Date;
}

export interface ConpeekRequestLogEntry {
  method: string;
  /** Full path, e.g. `/api/meets/meet`. */
  path: string;
  query: Record<string, string>;
  /** The parsed JSON body, when there was one. */
  body?: unknown;
  /** Whether `Authorization` carried the key exactly (the key itself is never recorded). */
  authorized: boolean;
  at: Date;
  status: number;
}

export interface ConpeekFaultSpec extends FaultSpec {
  /** JSON body; a string is sent verbatim as text/plain. Defaults to the reason phrase, as text. */
  body?: unknown;
}

export interface ConpeekFaultControl extends FaultControls<ConpeekFaultSpec> {
  /** The next `times` requests whose path matches get this answer instead, before authentication. */
  failNext(pathPattern: RegExp, fault: ConpeekFaultSpec): void;
}

export interface ConpeekSandbox {
  /** Base URL (CONPEEK_URL), e.g. `http://127.0.0.1:PORT/api`. */
  readonly url: string;
  close(): Promise<void>;
  readonly requests: readonly ConpeekRequestLogEntry[];
  /** Meets by `_id`, in creation order. */
  readonly meets: ReadonlyMap<string, Readonly<ConpeekSandboxMeet>>;
  readonly invitations: readonly Readonly<ConpeekSandboxInvitation>[];
  readonly faults: ConpeekFaultControl;
  /** Sets the `status` a meet shows in `GET /meeting` (e.g. `CLOSED`, the example of [P:C3]). */
  setMeetingStatus(id: string, status: string): void;
}

// ---------------------------------------------------------------------------------------------
// Constants from the documents
// ---------------------------------------------------------------------------------------------

const DEFAULT_API_KEY = 'conpeek-sandbox-key';
const DEFAULT_BRIDGES: Record<number, number[]> = { 5: [11] };
const DEFAULT_PROJECTS = ['PSKQMXUAZ'];

/** Meets Create example [P:C2]: end_date is start_date + 30 min. */
const MEET_DURATION_MS = 30 * 60_000;
/** Meets Create example title ("Meeting"). */
const MEET_TITLE = 'Spotkanie';
/** Assumption: a new meet's status. Only `CLOSED` appears in the documents [P:C3]. */
const NEW_MEETING_STATUS = 'OPEN';
/** Read Meetings [P:C3]: limit defaults to 1000, offset to 0. */
const DEFAULT_LIST_LIMIT = 1000;
/** Sandbox stand-in for the example's `https://meets.kontakt...` host. */
const MEETS_HOST = 'https://meets.conpeek.example';

/**
 * Seed 002 status texts. The documents print no error body [U], only a status and these words, so
 * an error is answered with the words alone, as text: no JSON field the documents do not show.
 * Why the sandbox refused goes in the `X-Sandbox-Reason` header, for tests and people reading logs.
 */
const NOT_ALLOWED = 'Nie można wykonać takiej akcji';
const NOT_FOUND = 'Nie znaleziono zasobu';
export const SANDBOX_REASON_HEADER = 'X-Sandbox-Reason';

const CONPEEK_DATE = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;
const CONPEEK_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Read Meetings [P:C3]: the filterable properties; only the dates take an operator. */
const PLAIN_FILTER_PROPERTIES = ['status', 'contact_id', 'crm_id', 'ticket_id', 'tenant_user_id', 'project_id'] as const;
const DATE_FILTER_PROPERTIES = ['startDate', 'endDate', 'created_date'] as const;
const OPERATORS = ['lt', 'lte', 'gt', 'gte'] as const;
type Operator = (typeof OPERATORS)[number];

// ---------------------------------------------------------------------------------------------
// Internal model
// ---------------------------------------------------------------------------------------------

interface RouteContext {
  pathParams: Record<string, string>;
  query: URLSearchParams;
  request: IncomingMessage;
  rawBody: string;
  at: number;
}

type HttpMethod = 'GET' | 'POST';
interface Route {
  method: HttpMethod;
  path: string;
  handle(ctx: RouteContext): Answer;
}

type MeetingFilter =
  | { kind: 'plain'; property: (typeof PLAIN_FILTER_PROPERTIES)[number]; value: string }
  | { kind: 'date'; property: (typeof DATE_FILTER_PROPERTIES)[number]; value: number; operator?: Operator };

/** A request the documents would refuse: answered with `status` and the seed's words; `detail` says why. */
class Refusal extends Error {
  constructor(
    readonly status: 400 | 403 | 404,
    readonly detail: string,
  ) {
    super(detail);
  }
}

/**
 * "Nie można wykonać takiej akcji" (the action cannot be performed) sits under 403 for Invitation
 * Add (seed 002) and under 400 for Meets Create [P:C2]; Read Meetings [P:C3] lists it under 403.
 */
type NotAllowedStatus = 400 | 403;

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

function formatConpeekDate(date: Date): string {
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

/** `YYYY-MM-DD HH:mm:ss` (or, in filters, `YYYY-MM-DD`) as UTC epoch ms; undefined when not a real date. */
function parseConpeekDate(text: string, allowDayOnly: boolean): number | undefined {
  const match = CONPEEK_DATE.exec(text) ?? (allowDayOnly ? CONPEEK_DAY.exec(text) : null);
  if (!match) return undefined;
  const [year, month, day, hour = 0, minute = 0, second = 0] = match.slice(1).map(Number) as number[];
  const epoch = Date.UTC(year!, month! - 1, day!, hour, minute, second);
  // Date.UTC rolls 2025-02-30 over to March: a real date formats back to itself.
  const roundTrip = formatConpeekDate(new Date(epoch));
  return roundTrip.startsWith(text) ? epoch : undefined;
}

/** An error answer: the status, the documented words as text, and the reason in a header. */
function errorAnswer(status: number, words: string, reason: string, headers: Record<string, string> = {}): Answer {
  return { status, body: words, headers: { ...headers, [SANDBOX_REASON_HEADER]: reason } };
}

function refusalAnswer(refusal: Refusal): Answer {
  return errorAnswer(refusal.status, refusal.status === 404 ? NOT_FOUND : NOT_ALLOWED, refusal.detail);
}

const JSON_PROBLEMS: Record<JsonObjectProblem, string> = {
  'content-type': 'Content-Type must be application/json',
  'not-json': 'the body is not valid JSON',
  'not-object': 'the body must be a JSON object',
};

/** The JSON object of a POST; the seed's samples all send `Content-Type: application/json`. */
function jsonObject({ request, rawBody }: RouteContext, notAllowed: NotAllowedStatus): Record<string, unknown> {
  const parsed = jsonObjectBody(request, rawBody);
  if (!parsed.ok) throw new Refusal(notAllowed, JSON_PROBLEMS[parsed.problem]);
  return parsed.value;
}

// ---------------------------------------------------------------------------------------------
// Sandbox
// ---------------------------------------------------------------------------------------------

class ConpeekSandboxServer {
  private readonly now: () => number;
  private readonly apiKey: string;
  private readonly bridges: Map<number, Set<number>>;
  private readonly projects: string[];

  readonly meets = new Map<string, ConpeekSandboxMeet>();
  readonly invitations: ConpeekSandboxInvitation[] = [];
  readonly requests: ConpeekRequestLogEntry[] = [];
  readonly faults = new FaultControl<ConpeekFaultSpec>();
  readonly answers = new AnswerSender();

  /** Route table, all under `/api`. */
  private readonly routes = new RouteTable<Route>(
    [
      { method: 'POST', path: '/meets/meet', handle: (ctx) => this.createMeet(ctx) },
      { method: 'POST', path: '/conference-bridge/:bridgeId/room/:roomId/invitation', handle: (ctx) => this.addInvitation(ctx) },
      { method: 'GET', path: '/meeting', handle: (ctx) => this.readMeetings(ctx) },
    ],
    '/api',
  );

  constructor(options: ConpeekSandboxOptions) {
    this.now = options.now ?? Date.now;
    this.apiKey = options.apiKey ?? DEFAULT_API_KEY;
    this.projects = [...(options.projects ?? DEFAULT_PROJECTS)];
    this.bridges = new Map(Object.entries(options.bridges ?? DEFAULT_BRIDGES).map(([bridge, rooms]) => [Number(bridge), new Set(rooms)]));
  }

  // ----- HTTP plumbing --------------------------------------------------------------------

  async handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = this.now();
    const { method, url } = requestLine(req);
    const authorized = this.isAuthorized(req.headers.authorization);
    const logEntry: ConpeekRequestLogEntry = {
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      authorized,
      at: new Date(at),
      status: 0,
    };

    const { answer, delayMs } = await answerRequest(this.faults, url.pathname, {
      read: () => readLoggedBody(req, logEntry),
      // Faults act like a failing gateway in front of the API: before routing and authentication.
      fault: (fault) => faultAnswer(fault, (reason) => reason),
      dispatch: (rawBody) => this.dispatch(method, url, { request: req, rawBody, at }, authorized),
      failed: () => errorAnswer(400, NOT_ALLOWED, 'the request could not be read'),
    });
    logEntry.status = answer.status;
    this.requests.push(logEntry);
    this.answers.send(res, answer, delayMs);
  }

  /**
   * Seed 002: `Authorization: <CONPEEK_KEY>`, the raw key. A `Bearer <key>` value is not the key.
   * Assumption: the documents list no 401 [U]; a missing or wrong key is answered 401 (not 403,
   * which the seed uses for an action that is not allowed).
   */
  private isAuthorized(authorization: string | undefined): boolean {
    return authorization === this.apiKey;
  }

  private dispatch(method: string, url: URL, partial: Omit<RouteContext, 'pathParams' | 'query'>, authorized: boolean): Answer {
    const found = this.routes.match(method, url.pathname);
    if (found.kind === 'not-found') return errorAnswer(404, NOT_FOUND, 'no such path');
    if (found.kind === 'wrong-method') return errorAnswer(405, 'Method Not Allowed', 'wrong method', { Allow: found.allow });
    if (!authorized) return errorAnswer(401, 'Unauthorized', 'missing or wrong key');
    try {
      return found.route.handle({ ...partial, query: url.searchParams, pathParams: found.pathParams });
    } catch (error) {
      if (error instanceof Refusal) return refusalAnswer(error);
      return errorAnswer(500, 'Internal Server Error', 'the sandbox failed');
    }
  }

  // ----- Meets Create (REFERENCE §3 [P:C2]) -----------------------------------------------

  /**
   * The page's body is bare `{from_date, project_target_identifier}`, with no `{data: …}` wrapper,
   * and so is its answer; a wrapped body has no `from_date` and is refused like any body without one.
   */
  private createMeet(ctx: RouteContext): Answer {
    const body = jsonObject(ctx, 400);
    const fromDate = body.from_date;
    if (typeof fromDate !== 'string') throw new Refusal(400, 'from_date is required');
    const start = parseConpeekDate(fromDate, false);
    if (start === undefined) throw new Refusal(400, 'from_date must be a UTC date written YYYY-MM-DD HH:mm:ss');
    const project = body.project_target_identifier;
    if (typeof project !== 'string' || project === '') throw new Refusal(400, 'project_target_identifier is required');
    const projectIndex = this.projects.indexOf(project);
    // Assumption: an unknown project is "not allowed" under the status the Meets Create page gives
    // those words, 400 (it lists no 403).
    if (projectIndex < 0) throw new Refusal(400, 'unknown project_target_identifier');

    const id = randomBytes(12).toString('hex'); // 24 hex digits, like the example's `_id`.
    const meet: ConpeekSandboxMeet = {
      id,
      url: `${MEETS_HOST}/${id}`,
      projectIdentifier: project,
      projectId: projectIndex + 1,
      startDate: new Date(start),
      endDate: new Date(start + MEET_DURATION_MS),
      title: MEET_TITLE,
      status: NEW_MEETING_STATUS,
      createdDate: new Date(ctx.at),
    };
    this.meets.set(id, meet);
    return {
      status: 200,
      body: {
        _id: meet.id,
        _url: meet.url,
        start_date: formatConpeekDate(meet.startDate),
        end_date: formatConpeekDate(meet.endDate),
        title: meet.title,
      },
    };
  }

  // ----- Invitation Add (seed 002) --------------------------------------------------------

  /** Seed 002 lists 200, 403 and 404 only: a body it cannot take is 403 "Nie można wykonać takiej akcji". */
  private addInvitation(ctx: RouteContext): Answer {
    const bridgeId = this.knownRoom(ctx.pathParams.bridgeId, ctx.pathParams.roomId);
    const body = jsonObject(ctx, 403);
    if (!isPlainObject(body.data)) throw new Refusal(403, 'the body must be {"data": ConferenceRoomInvitation}');
    const name = body.data.name;
    // Assumption [U]: the only field the seed shows, `name`, is required.
    if (typeof name !== 'string' || name.trim() === '') throw new Refusal(403, 'data.name is required');
    this.invitations.push({ bridgeId, roomId: Number(ctx.pathParams.roomId), name, at: new Date(ctx.at) });
    // Seed 002: the answer echoes `{"data": ConferenceRoomInvitation}`.
    return { status: 200, body: { data: { name } } };
  }

  /** Both ids are <INTEGER> (seed 002); an unknown bridge or room is 404 "Nie znaleziono zasobu". */
  private knownRoom(bridgeParam: string | undefined, roomParam: string | undefined): number {
    const integer = /^\d+$/;
    if (!integer.test(bridgeParam ?? '') || !integer.test(roomParam ?? '')) throw new Refusal(404, 'no such conference bridge or room');
    const rooms = this.bridges.get(Number(bridgeParam));
    if (!rooms) throw new Refusal(404, 'no such conference bridge');
    if (!rooms.has(Number(roomParam))) throw new Refusal(404, 'no such room on this conference bridge');
    return Number(bridgeParam);
  }

  // ----- Read Meetings (REFERENCE §3 [P:C3]) ----------------------------------------------

  /** [P:C3] lists 200, 403 and 404 only: a query it cannot take is 403 "Nie można wykonać takiej akcji". */
  private readMeetings({ query }: RouteContext): Answer {
    const limit = this.countParam(query, 'limit') ?? DEFAULT_LIST_LIMIT;
    const offset = this.countParam(query, 'offset') ?? 0;
    const filters = this.parseFilters(query.get('filter'));
    const matching = [...this.meets.values()].filter((meet) => filters.every((filter) => this.matches(meet, filter)));
    return { status: 200, body: { data: matching.slice(offset, offset + limit).map((meet) => this.meetingItem(meet)) } };
  }

  private countParam(query: URLSearchParams, name: string): number | undefined {
    const raw = query.get(name);
    if (raw === null) return undefined;
    if (!/^\d+$/.test(raw)) throw new Refusal(403, `${name} must be a non-negative integer`);
    return Number(raw);
  }

  /** `filter` is a JSON array of `{property, value[, operator]}`; each must have property and value [P:C3]. */
  private parseFilters(raw: string | null): MeetingFilter[] {
    if (raw === null || raw === '') return [];
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      throw new Refusal(403, 'filter must be a JSON array');
    }
    if (!Array.isArray(parsed)) throw new Refusal(403, 'filter must be a JSON array');
    return parsed.map((item) => this.parseFilter(item));
  }

  private parseFilter(item: unknown): MeetingFilter {
    if (!isPlainObject(item) || typeof item.property !== 'string' || !('value' in item)) {
      throw new Refusal(403, 'each filter needs a property and a value');
    }
    const { property, value, operator } = item;
    const dateProperty = DATE_FILTER_PROPERTIES.find((p) => p === property);
    if (dateProperty) {
      if (operator !== undefined && !OPERATORS.includes(operator as Operator)) throw new Refusal(403, `unknown operator for ${property}`);
      const epoch = typeof value === 'string' ? parseConpeekDate(value, true) : undefined;
      if (epoch === undefined) throw new Refusal(403, `${property} must be a date written YYYY-MM-DD HH:mm:ss`);
      return { kind: 'date', property: dateProperty, value: epoch, operator: operator as Operator | undefined };
    }
    const plainProperty = PLAIN_FILTER_PROPERTIES.find((p) => p === property);
    if (!plainProperty) throw new Refusal(403, `unknown filter property ${property}`);
    // Read Meetings [P:C3] gives the operator key only to startDate, endDate and created_date.
    if (operator !== undefined) throw new Refusal(403, `${property} takes no operator`);
    if (typeof value !== 'string' && typeof value !== 'number') throw new Refusal(403, `${property} must be a string or a number`);
    return { kind: 'plain', property: plainProperty, value: String(value) };
  }

  private matches(meet: ConpeekSandboxMeet, filter: MeetingFilter): boolean {
    if (filter.kind === 'plain') {
      const actual = this.meetingItem(meet)[filter.property];
      return actual !== null && actual !== undefined && String(actual) === filter.value;
    }
    const actual = { startDate: meet.startDate, endDate: meet.endDate, created_date: meet.createdDate }[filter.property].getTime();
    switch (filter.operator) {
      case 'lt':
        return actual < filter.value;
      case 'lte':
        return actual <= filter.value;
      case 'gt':
        return actual > filter.value;
      case 'gte':
        return actual >= filter.value;
      default:
        return actual === filter.value;
    }
  }

  /**
   * Assumption: [P:C3] names the Meeting resource but not its fields; a meeting carries the
   * filterable properties under the same names, plus the meet's `_id`, `_url` and `title`.
   * A meet has no contact, CRM, ticket or tenant user here, so those are null.
   */
  private meetingItem(meet: ConpeekSandboxMeet): Record<string, string | number | null> {
    return {
      _id: meet.id,
      _url: meet.url,
      title: meet.title,
      status: meet.status,
      contact_id: null,
      crm_id: null,
      ticket_id: null,
      tenant_user_id: null,
      project_id: meet.projectId,
      startDate: formatConpeekDate(meet.startDate),
      endDate: formatConpeekDate(meet.endDate),
      created_date: formatConpeekDate(meet.createdDate),
    };
  }

  // ----- Test controls --------------------------------------------------------------------

  setMeetingStatus(id: string, status: string): void {
    const meet = this.meets.get(id);
    if (!meet) throw new Error(`Conpeek sandbox: no meet ${id}`);
    meet.status = status;
  }
}

// ---------------------------------------------------------------------------------------------
// Entry point
// ---------------------------------------------------------------------------------------------

export async function startConpeekSandbox(options: ConpeekSandboxOptions = {}): Promise<ConpeekSandbox> {
  const sandbox = new ConpeekSandboxServer(options);
  // close() drops delayed answers and destroys open sockets so it never waits on a client.
  const server = await listen((req, res) => sandbox.handleRequest(req, res), { port: options.port, onClose: () => sandbox.answers.dropPending() });
  return {
    url: `${server.url}/api`,
    close: server.close,
    requests: sandbox.requests,
    meets: sandbox.meets,
    invitations: sandbox.invitations,
    faults: sandbox.faults.controls,
    setMeetingStatus: (id, status) => sandbox.setMeetingStatus(id, status),
  };
}
