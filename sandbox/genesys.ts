/**
 * Local Genesys Web Services sandbox (SMS Session API + CometD notifications): a `node:http`
 * server that answers like the documents describe:
 *   - the seed document  /work/shared/vendor-docs/001_43d505de253696e5.txt  ("seed": Invite, sample notifications), and
 *   - section 2 of       /work/shared/vendor-docs/REFERENCE.md               ("REFERENCE §2").
 * Anything the documents do not state is marked "Assumption" where it is decided.
 *
 * REST: HTTP Basic on every call, a `JSESSIONID` session, CSRF on POSTs. Operations are only
 * acknowledged (`{statusCode, referenceId}`); their outcome is published `outcomeDelayMs` later on
 * the SMS topic of a Bayeux (CometD) long-polling endpoint at `/api/v2/notifications`.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { answerRequest, AnswerSender, faultAnswer, FaultControl, jsonOr, listen, readBody, requestLine } from './sandbox-http.js';
import type { Answer, FaultControls, FaultSpec } from './sandbox-http.js';

// ---------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------

export interface GenesysSandboxOptions {
  /** Port to listen on; 0 (default) picks a free one. The server binds 127.0.0.1 only. */
  port?: number;
  username?: string;
  password?: string;
  /** CSRF protection on POSTs (REFERENCE §2: "if enabled"); default true. */
  csrf?: boolean;
  /** SMS session ids Genesys knows; default the seed's `0000Na9B26EF006E`. */
  smsSessions?: string[];
  /** Agent or queue URIs an Invite may name; default two under the sandbox's own URL. */
  targets?: string[];
  /** Delay between the HTTP acknowledgement and the CometD outcome; default 300 ms. */
  outcomeDelayMs?: number;
  /** How long a `/meta/connect` is held when there is nothing to deliver; default 20 s. */
  connectTimeoutMs?: number;
  /**
   * What a successful Invite publishes, in the seed's order: its "First Notification"
   * (`ParticipantsUpdated`) and "Second Notification" (`NewMessages`); default both.
   */
  joinNotifications?: JoinNotification[];
}

export type JoinNotification = 'ParticipantsUpdated' | 'NewMessages';

export interface GenesysParticipant {
  nickname: string;
  type: 'Agent' | 'Customer';
  participantId: string;
}

export interface GenesysSandboxSmsSession {
  id: string;
  state: string;
  participants: GenesysParticipant[];
}

export interface GenesysRequestLogEntry {
  method: string;
  path: string;
  at: Date;
  status: number;
  /** Basic-auth user, when the credentials were right. */
  user?: string;
  /** The `JSESSIONID` the request carried, if any. */
  sessionId?: string;
  /** The value of the CSRF header the request carried, if any. */
  csrfToken?: string;
  /** REST POSTs: the JSON body as received. */
  body?: unknown;
  /** Notifications: the Bayeux channels of the messages in the request. */
  channels?: string[];
}

export interface GenesysOperationRecord {
  referenceId: number;
  operationName: 'Invite' | 'SendUrl';
  smsSessionId: string;
  path: string;
  targetUri?: string;
  targetPath?: string;
  /** The seed's sample request names the target `userUri`. */
  userUri?: string;
  url?: string;
}

export interface GenesysFaultSpec extends FaultSpec {
  /** JSON body; a string is sent verbatim as text/plain. Defaults to `{"statusMessage": <reason phrase>}`. */
  body?: unknown;
}

export interface GenesysFaultControl extends FaultControls<GenesysFaultSpec> {
  /** The next `times` requests whose path matches get this answer, before authentication. */
  failNext(pathPattern: RegExp, fault: GenesysFaultSpec): void;
}

export interface GenesysSandbox {
  /** The deployment root, e.g. `http://127.0.0.1:PORT` (the client's `apiUrl`). */
  readonly url: string;
  readonly notificationsUrl: string;
  readonly targets: readonly string[];
  close(): Promise<void>;
  readonly requests: readonly GenesysRequestLogEntry[];
  /** Accepted operations (statusCode 0), in order. */
  readonly operations: readonly GenesysOperationRecord[];
  readonly smsSessions: ReadonlyMap<string, Readonly<GenesysSandboxSmsSession>>;
  readonly faults: GenesysFaultControl;
  /** Forgets every HTTP session: old `JSESSIONID`s and CSRF tokens stop working, CometD clients die. */
  expireSession(): void;
  /** Bayeux clients currently handshaken. */
  readonly cometdClients: number;
  /** Delivers `data` on `channel` to every subscribed client. */
  publish(channel: string, data: unknown): void;
  /** What successful Invites publish from now on (an empty list: nothing, the outcome never comes). */
  setJoinNotifications(notifications: JoinNotification[]): void;
  /** The next `count` accepted operations (Invite or SendUrl) end with the seed's `Error` notification. */
  failNextOperations(count?: number): void;
  /** Publishes the SMS session's current participants (`ParticipantsUpdated`), as Genesys does when they change. */
  announceParticipants(smsSessionId: string): void;
}

// ---------------------------------------------------------------------------------------------
// Constants from the documents
// ---------------------------------------------------------------------------------------------

/**
 * Assumption: the SMS topic is not documented (REFERENCE §2 [U]); by analogy with
 * `/v2/me/im-sessions` it is `/v2/me/smssessions`, as the client assumes.
 */
export const GENESYS_SANDBOX_SMS_TOPIC = '/v2/me/smssessions';
/** REFERENCE §2: the handshake URL is an assumption based on [P:G11]. */
const NOTIFICATIONS_PATH = '/api/v2/notifications';
/** Both paths are accepted: the seed's table says `/api/v2/me/smssessions/{id}`, its sample `api/v2/smssessions/{id}`. */
const SMS_SESSION_PATH = /^\/api\/v2\/(?:me\/)?smssessions\/([^/]+)$/;
const SESSION_COOKIE = 'JSESSIONID';
/** [P:G2]: `X-CSRF-HEADER` names the header to send; Genesys names it `X-CSRF-TOKEN`. */
const CSRF_HEADER_NAME = 'X-CSRF-TOKEN';
/** REFERENCE §2: the 403 for a missing or wrong token. */
const CSRF_REFUSAL = 'Missing or invalid Csrf token';
/** Seed sample response: `"referenceId": 35`. */
const FIRST_REFERENCE_ID = 35;
/** Seed failed notification: `"errorMessage": "Operationfailed"` (whitespace repaired). */
const OPERATION_FAILED = 'Operation failed';
const DEFAULT_SMS_SESSIONS = ['0000Na9B26EF006E'];
const DEFAULT_OUTCOME_DELAY_MS = 300;
const DEFAULT_CONNECT_TIMEOUT_MS = 20_000;
/** Seed successful notification, `capabilities`. */
const SEED_CAPABILITIES = [
  'Transfer', 'Leave', 'Invite', 'Consult', 'SetInFocus', 'SetDisposition', 'AttachUserData', 'DeleteUserData',
  'UpdateUserData', 'SendToAgents', 'SendStartTypingToAgentsNotification', 'SendStopTypingToAgentsNotification',
  'Complete', 'SendMessage', 'SendStartTypingNotification', 'SendStopTypingNotification',
];

// ---------------------------------------------------------------------------------------------
// Internal model
// ---------------------------------------------------------------------------------------------

interface HttpSession {
  id: string;
  username: string;
  csrfToken: string;
}

type HoldEnd = 'messages' | 'timeout' | 'disconnect' | 'expired' | 'replaced' | 'gone';

interface BayeuxClient {
  id: string;
  sessionId: string;
  subscriptions: Set<string>;
  queue: object[];
  release?: (end: HoldEnd) => void;
}

/** A Bayeux message as received; only the fields the server reads. */
interface BayeuxMessage {
  id?: string;
  channel?: string;
  clientId?: string;
  connectionType?: string;
  supportedConnectionTypes?: unknown;
  subscription?: unknown;
  advice?: { timeout?: unknown };
}

interface RequestContext {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  text: string;
  entry: GenesysRequestLogEntry;
  /** Settles when the client goes away (or the answer is sent). */
  gone: Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

function ok(body: unknown, headers?: Record<string, string>): Answer {
  return { status: 200, body, headers };
}

/** REFERENCE §2: unauthenticated calls get `{"statusCode":20,…}`; the HTTP status is 401. */
function unauthenticated(): Answer {
  return {
    status: 401,
    body: { statusCode: 20, statusMessage: 'Not authenticated' },
    headers: { 'WWW-Authenticate': 'Basic realm="Genesys Web Services"' },
  };
}

/** Operation refusals travel in the body with HTTP 200 (REFERENCE §2 "Response and error model"). */
function refused(statusCode: number, statusMessage: string): Answer {
  return ok({ statusCode, statusMessage });
}

function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const equals = part.indexOf('=');
    if (equals > 0) cookies.set(part.slice(0, equals).trim(), part.slice(equals + 1).trim());
  }
  return cookies;
}

function basicCredentials(authorization: string | undefined): { username: string; password: string } | undefined {
  const match = /^Basic\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** Looks like the seed's participant ids: 16 upper-case hexadecimal digits. */
function participantId(): string {
  return randomBytes(8).toString('hex').toUpperCase();
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

/** Bayeux channel patterns: `/a/*` matches one more segment, `/a/**` any number. */
function channelMatches(pattern: string, channel: string): boolean {
  if (pattern === channel) return true;
  if (pattern.endsWith('/**')) return channel.startsWith(pattern.slice(0, -2));
  if (pattern.endsWith('/*')) {
    const prefix = pattern.slice(0, -1);
    return channel.startsWith(prefix) && !channel.slice(prefix.length).includes('/');
  }
  return false;
}

/** The JSON in `text`, or undefined when it is not JSON. */
function parseJson(text: string): unknown {
  return jsonOr(text, undefined);
}

// ---------------------------------------------------------------------------------------------
// Sandbox
// ---------------------------------------------------------------------------------------------

class GenesysSandboxServer {
  private readonly username: string;
  private readonly password: string;
  private readonly csrf: boolean;
  private readonly outcomeDelayMs: number;
  private readonly connectTimeoutMs: number;
  private readonly sessions = new Map<string, HttpSession>();
  private readonly clients = new Map<string, BayeuxClient>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private nextReferenceId = FIRST_REFERENCE_ID;
  private nextMessageId = 0;
  private readonly messageIndexes = new Map<string, number>();
  private readonly answers = new AnswerSender();
  private joinNotifications: JoinNotification[];
  private failing = 0;
  readonly faults = new FaultControl<GenesysFaultSpec>();

  readonly smsSessions = new Map<string, GenesysSandboxSmsSession>();
  readonly requests: GenesysRequestLogEntry[] = [];
  readonly operations: GenesysOperationRecord[] = [];
  baseUrl = '';
  targets: string[] = [];

  constructor(private readonly options: GenesysSandboxOptions) {
    this.username = options.username ?? 'agent1';
    this.password = options.password ?? 'secret';
    this.csrf = options.csrf ?? true;
    this.outcomeDelayMs = options.outcomeDelayMs ?? DEFAULT_OUTCOME_DELAY_MS;
    this.connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    this.joinNotifications = options.joinNotifications ?? ['ParticipantsUpdated', 'NewMessages'];
    for (const id of options.smsSessions ?? DEFAULT_SMS_SESSIONS) {
      // Seed failed notification: one agent and the customer before anyone is invited.
      this.smsSessions.set(id, {
        id,
        state: 'Chatting',
        participants: [
          { nickname: 'TestName', type: 'Agent', participantId: participantId() },
          { nickname: 'FirstL', type: 'Customer', participantId: participantId() },
        ],
      });
    }
  }

  /** Called once the port is known: default targets live under the sandbox's own URL. */
  listening(baseUrl: string): void {
    this.baseUrl = baseUrl;
    // Assumption: user and queue URIs look like `/api/v2/users/{id}` and `/api/v2/queues/{id}`.
    this.targets = this.options.targets ?? [`${baseUrl}/api/v2/users/agent-2`, `${baseUrl}/api/v2/queues/sms-overflow`];
  }

  // ----- HTTP plumbing --------------------------------------------------------------------

  async handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { method, url } = requestLine(req);
    const entry: GenesysRequestLogEntry = { method, path: url.pathname, at: new Date(), status: 0 };
    const gone = new Promise<void>((resolve) => res.once('close', () => resolve()));
    const { answer, delayMs } = await answerRequest(this.faults, url.pathname, {
      read: () => readBody(req),
      fault: (fault) => faultAnswer(fault, (reason) => ({ statusMessage: reason })),
      dispatch: (text) => this.dispatch({ method, path: url.pathname, headers: req.headers, text, entry, gone }),
      failed: () => ({ status: 400, body: { statusCode: 1, statusMessage: 'Bad request' } }),
    });
    entry.status = answer.status;
    this.requests.push(entry);
    this.answers.send(res, answer, delayMs);
  }

  private dispatch(ctx: RequestContext): Answer | Promise<Answer> {
    const cookieSession = parseCookies(ctx.headers.cookie).get(SESSION_COOKIE);
    if (cookieSession) ctx.entry.sessionId = cookieSession;
    const csrfToken = ctx.headers[CSRF_HEADER_NAME.toLowerCase()];
    if (typeof csrfToken === 'string') ctx.entry.csrfToken = csrfToken;
    if (ctx.path === NOTIFICATIONS_PATH || ctx.path.startsWith(`${NOTIFICATIONS_PATH}/`)) {
      return ctx.method === 'POST' ? this.bayeux(ctx) : { status: 405, body: { statusMessage: 'Method Not Allowed' }, headers: { Allow: 'POST' } };
    }
    return this.rest(ctx);
  }

  private later(run: () => void, ms: number): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      run();
    }, ms);
    this.timers.add(timer);
    return timer;
  }

  private cancel(timer: NodeJS.Timeout): void {
    clearTimeout(timer);
    this.timers.delete(timer);
  }

  // ----- Authentication and sessions (REFERENCE §2 "Authentication") ----------------------

  private basicUser(ctx: RequestContext): string | undefined {
    const credentials = basicCredentials(ctx.headers.authorization);
    if (credentials?.username !== this.username || credentials.password !== this.password) return undefined;
    ctx.entry.user = credentials.username;
    return credentials.username;
  }

  private cookieSession(ctx: RequestContext): HttpSession | undefined {
    return ctx.entry.sessionId ? this.sessions.get(ctx.entry.sessionId) : undefined;
  }

  /** The request's session, or a new one announced with `Set-Cookie`. */
  private sessionFor(ctx: RequestContext, username: string): { session: HttpSession; setCookie?: string } {
    const existing = this.cookieSession(ctx);
    if (existing?.username === username) return { session: existing };
    const session: HttpSession = { id: randomBytes(16).toString('hex').toUpperCase(), username, csrfToken: randomUUID() };
    this.sessions.set(session.id, session);
    return { session, setCookie: `${SESSION_COOKIE}=${session.id}; Path=/; HttpOnly` };
  }

  expireSession(): void {
    this.sessions.clear();
    for (const client of this.clients.values()) client.release?.('expired');
    this.clients.clear();
  }

  // ----- REST -----------------------------------------------------------------------------

  /** Basic credentials on every call (REFERENCE §2); the cookie only picks the session and its CSRF token. */
  private rest(ctx: RequestContext): Answer {
    const username = this.basicUser(ctx);
    if (!username) return unauthenticated();
    const { session, setCookie } = this.sessionFor(ctx, username);
    const answer = this.route(ctx, session);
    if (setCookie) answer.headers = { ...answer.headers, 'Set-Cookie': setCookie };
    return answer;
  }

  private route(ctx: RequestContext, session: HttpSession): Answer {
    if (ctx.path === '/api/v2/me') return ctx.method === 'GET' ? this.me(session) : methodNotAllowed('GET');
    const match = SMS_SESSION_PATH.exec(ctx.path);
    if (!match?.[1]) return { status: 404, body: { statusCode: 6, statusMessage: 'No such resource' } };
    if (ctx.method !== 'POST') return methodNotAllowed('POST');
    // The token belongs to the session, so a missing or unknown cookie fails here too.
    if (this.csrf && ctx.entry.csrfToken !== session.csrfToken) return { status: 403, body: CSRF_REFUSAL };
    const body = parseJson(ctx.text);
    ctx.entry.body = body;
    if (typeof body !== 'object' || body === null) return { status: 400, body: { statusCode: 1, statusMessage: 'The body must be JSON' } };
    return this.operate(decodeURIComponent(match[1]), body as Record<string, unknown>, ctx.path);
  }

  /** Any GET returns the CSRF header's name and value [P:G2]; `/api/v2/me` is the one served. */
  private me(session: HttpSession): Answer {
    const headers: Record<string, string> = this.csrf ? { 'X-CSRF-HEADER': CSRF_HEADER_NAME, 'X-CSRF-TOKEN': session.csrfToken } : {};
    const user = { id: session.username, userName: session.username, uri: `${this.baseUrl}/api/v2/users/${session.username}` };
    return ok({ statusCode: 0, user }, headers);
  }

  private operate(smsSessionId: string, body: Record<string, unknown>, path: string): Answer {
    const smsSession = this.smsSessions.get(smsSessionId);
    if (!smsSession) return refused(6, `SMS session ${smsSessionId} does not exist`);
    if (body.operationName === 'Invite') return this.invite(smsSession, body, path);
    if (body.operationName === 'SendUrl') return this.sendUrl(smsSession, body, path);
    // Assumption: an operation the resource does not offer is a bad parameter.
    return refused(1, `Unsupported operationName: ${String(body.operationName)}`);
  }

  /**
   * Seed "Invite": the parameter table makes `targetUri` or `targetPath` mandatory; its sample
   * request sends `userUri`. The seed contradicts itself, so each reading is accepted.
   */
  private invite(smsSession: GenesysSandboxSmsSession, body: Record<string, unknown>, path: string): Answer {
    const targetUri = nonEmptyString(body.targetUri);
    const targetPath = nonEmptyString(body.targetPath);
    const userUri = nonEmptyString(body.userUri);
    if (!targetUri && !targetPath && !userUri) return refused(1, 'Missing parameter: targetUri or targetPath');
    const referenceId = this.accept({
      operationName: 'Invite',
      smsSessionId: smsSession.id,
      path,
      ...(targetUri ? { targetUri } : {}),
      ...(targetPath ? { targetPath } : {}),
      ...(userUri ? { userUri } : {}),
    });
    const target = this.findTarget(targetUri ?? userUri, targetPath);
    const fails = this.takeFailure() || !target;
    this.later(() => (fails ? this.failed(smsSession, referenceId) : this.joined(smsSession, target)), this.outcomeDelayMs);
    return ok({ statusCode: 0, referenceId });
  }

  /**
   * REFERENCE §2 [P:G6]: `SendUrl` with `url`. The seed shows no notification for it: the
   * acknowledgement is all a success gets; a failure is the seed's `Error` (failNextOperations).
   */
  private sendUrl(smsSession: GenesysSandboxSmsSession, body: Record<string, unknown>, path: string): Answer {
    const url = nonEmptyString(body.url);
    if (!url) return refused(1, 'Missing parameter: url');
    const referenceId = this.accept({ operationName: 'SendUrl', smsSessionId: smsSession.id, path, url });
    if (this.takeFailure()) this.later(() => this.failed(smsSession, referenceId), this.outcomeDelayMs);
    return ok({ statusCode: 0, referenceId });
  }

  private accept(operation: Omit<GenesysOperationRecord, 'referenceId'>): number {
    const referenceId = this.nextReferenceId++;
    this.operations.push({ referenceId, ...operation });
    return referenceId;
  }

  private takeFailure(): boolean {
    if (this.failing <= 0) return false;
    this.failing -= 1;
    return true;
  }

  failNextOperations(count = 1): void {
    this.failing += count;
  }

  setJoinNotifications(notifications: JoinNotification[]): void {
    this.joinNotifications = [...notifications];
  }

  /** A target is known by its URI, or by its path with or without the `/api/v2` prefix. */
  private findTarget(targetUri: string | undefined, targetPath: string | undefined): string | undefined {
    return this.targets.find((target) => {
      if (targetUri !== undefined) return target === targetUri;
      const pathname = new URL(target, this.baseUrl).pathname;
      return pathname === targetPath || pathname === `/api/v2${targetPath}`;
    });
  }

  // ----- Outcomes (seed "Notification") ---------------------------------------------------

  /**
   * Seed "Successful": `ParticipantsUpdated` with the newcomer among the participants, then
   * `NewMessages` with a `ParticipantJoined` message from them. Neither carries `referenceId`:
   * the seed's successful samples show none. The newcomer's nickname is the target's last segment.
   */
  private joined(smsSession: GenesysSandboxSmsSession, target: string): void {
    const nickname = new URL(target, this.baseUrl).pathname.split('/').filter(Boolean).pop() ?? 'Agent';
    const participant: GenesysParticipant = { nickname, type: 'Agent', participantId: participantId() };
    smsSession.participants.push(participant);
    if (this.joinNotifications.includes('ParticipantsUpdated')) this.announceParticipants(smsSession.id);
    if (this.joinNotifications.includes('NewMessages')) this.publish(GENESYS_SANDBOX_SMS_TOPIC, this.messageLog(smsSession, participant, 'ParticipantJoined'));
  }

  announceParticipants(smsSessionId: string): void {
    const smsSession = this.smsSessions.get(smsSessionId);
    if (smsSession) this.publish(GENESYS_SANDBOX_SMS_TOPIC, this.stateChange(smsSession, 'ParticipantsUpdated', {}));
  }

  /** Seed "Failed": `Error` with `errorMessage` and the operation's `referenceId`. */
  private failed(smsSession: GenesysSandboxSmsSession, referenceId: number): void {
    this.publish(GENESYS_SANDBOX_SMS_TOPIC, this.stateChange(smsSession, 'Error', { errorMessage: OPERATION_FAILED, referenceId }));
  }

  /** Field set and order of the seed's `SMSsessionStateChangeMessage` samples. */
  private stateChange(smsSession: GenesysSandboxSmsSession, notificationType: string, extra: Record<string, unknown>): object {
    return {
      notificationType,
      messageType: 'SMSsessionStateChangeMessage',
      ...extra,
      smssession: {
        participants: smsSession.participants.map((p) => ({ ...p })),
        state: smsSession.state,
        id: smsSession.id,
        capabilities: SEED_CAPABILITIES,
        uri: `${this.baseUrl}/api/v2/smssessions/${smsSession.id}`,
      },
    };
  }

  /**
   * The seed's "Second Notification", field for field. Its timestamps are corrupted in the print
   * (REFERENCE §2); ISO 8601 with the offset is used here, and `timestampSeconds` holds
   * milliseconds as in the seed.
   */
  private messageLog(smsSession: GenesysSandboxSmsSession, from: GenesysParticipant, type: string): object {
    const index = (this.messageIndexes.get(smsSession.id) ?? 0) + 1;
    this.messageIndexes.set(smsSession.id, index);
    const now = new Date();
    return {
      messages: [{ index, from: { ...from }, timestamp: now.toISOString(), visibility: 'All', type, timestampSeconds: now.getTime() }],
      notificationType: 'NewMessages',
      messageType: 'MessageLogUpdated',
      smssessionUri: `${this.baseUrl}/api/v2/smssessions/${smsSession.id}`,
    };
  }

  // ----- CometD: the Bayeux protocol over long-polling (REFERENCE §2 "CometD notifications") --

  publish(channel: string, data: unknown): void {
    for (const client of this.clients.values()) {
      if (![...client.subscriptions].some((pattern) => channelMatches(pattern, channel))) continue;
      client.queue.push({ id: String(++this.nextMessageId), channel, data });
      client.release?.('messages');
    }
  }

  get cometdClients(): number {
    return this.clients.size;
  }

  /**
   * A POST carries a JSON array of messages; replies come back in one array. Assumption: the
   * CometD endpoint is not CSRF-protected (the documents only name REST operations).
   */
  private async bayeux(ctx: RequestContext): Promise<Answer> {
    const parsed = parseJson(ctx.text);
    const messages = (Array.isArray(parsed) ? parsed : [parsed]).filter((m): m is BayeuxMessage => typeof m === 'object' && m !== null);
    ctx.entry.channels = messages.map((m) => String(m.channel));
    if (messages.length === 0) return { status: 400, body: [{ successful: false, error: '400::Bad request' }] };
    const headers: Record<string, string> = {};
    const replies: object[] = [];
    for (const message of messages) {
      if (message.channel === '/meta/handshake') replies.push(this.handshake(ctx, message, headers));
      else if (message.channel === '/meta/connect') replies.push(...(await this.connect(message, ctx.gone)));
      else if (message.channel === '/meta/subscribe') replies.push(this.subscribe(message, true));
      else if (message.channel === '/meta/unsubscribe') replies.push(this.subscribe(message, false));
      else if (message.channel === '/meta/disconnect') replies.push(this.disconnect(message));
      else replies.push({ id: message.id, channel: message.channel, successful: false, error: '403::Publishing is not allowed' });
    }
    return ok(replies, headers);
  }

  /**
   * The session cookie or Basic credentials are required. WWE/GWS do not support WebSockets
   * [P:G10]: the server offers `long-polling` only, and refuses a client that cannot use it.
   */
  private handshake(ctx: RequestContext, message: BayeuxMessage, headers: Record<string, string>): object {
    const base = { id: message.id, channel: '/meta/handshake', version: '1.0', supportedConnectionTypes: ['long-polling'] };
    const username = this.basicUser(ctx);
    const known = this.cookieSession(ctx);
    if (!username && !known) return { ...base, successful: false, error: '401::Authentication required', advice: { reconnect: 'none' } };
    const types = Array.isArray(message.supportedConnectionTypes) ? message.supportedConnectionTypes : [];
    if (!types.includes('long-polling')) {
      return { ...base, successful: false, error: '400::Only long-polling is supported', advice: { reconnect: 'none' } };
    }
    const { session, setCookie } = this.sessionFor(ctx, username ?? known!.username);
    if (setCookie) headers['Set-Cookie'] = setCookie;
    const client: BayeuxClient = { id: randomBytes(12).toString('hex'), sessionId: session.id, subscriptions: new Set(), queue: [] };
    this.clients.set(client.id, client);
    return { ...base, clientId: client.id, successful: true, advice: this.advice() };
  }

  /** Held until there is something to deliver, the timeout, or a disconnect; a client's first poll (`timeout: 0`) is not held. */
  private async connect(message: BayeuxMessage, gone: Promise<void>): Promise<object[]> {
    const client = message.clientId ? this.clients.get(message.clientId) : undefined;
    if (!client) return [unknownClient(message)];
    if (message.connectionType !== 'long-polling') {
      return [{ id: message.id, channel: '/meta/connect', clientId: client.id, successful: false, error: '400::Unsupported connection type' }];
    }
    client.release?.('replaced');
    const holdMs = typeof message.advice?.timeout === 'number' ? Math.min(message.advice.timeout, this.connectTimeoutMs) : this.connectTimeoutMs;
    const end = client.queue.length > 0 || holdMs <= 0 ? 'messages' : await this.hold(client, holdMs, gone);
    if (end === 'expired') return [unknownClient(message)];
    const delivered = client.queue.splice(0);
    const advice = end === 'disconnect' ? { reconnect: 'none' } : this.advice();
    return [...delivered, { id: message.id, channel: '/meta/connect', clientId: client.id, successful: true, advice }];
  }

  private hold(client: BayeuxClient, ms: number, gone: Promise<void>): Promise<HoldEnd> {
    return new Promise((resolve) => {
      const timer = this.later(() => release('timeout'), ms);
      const release = (end: HoldEnd): void => {
        if (client.release !== release) return;
        client.release = undefined;
        this.cancel(timer);
        resolve(end);
      };
      client.release = release;
      void gone.then(() => release('gone'));
    });
  }

  private subscribe(message: BayeuxMessage, add: boolean): object {
    const channel = add ? '/meta/subscribe' : '/meta/unsubscribe';
    const client = message.clientId ? this.clients.get(message.clientId) : undefined;
    if (!client) return { ...unknownClient(message), channel, subscription: message.subscription };
    const wanted = Array.isArray(message.subscription) ? message.subscription : [message.subscription];
    const valid = wanted.every((s): s is string => typeof s === 'string' && s.startsWith('/') && !s.startsWith('/meta/'));
    if (!valid) return { id: message.id, channel, clientId: client.id, subscription: message.subscription, successful: false, error: '403::Invalid channel' };
    for (const subscription of wanted as string[]) {
      if (add) client.subscriptions.add(subscription);
      else client.subscriptions.delete(subscription);
    }
    return { id: message.id, channel, clientId: client.id, subscription: message.subscription, successful: true };
  }

  /** Ends the client and answers its held poll at once, so the client never waits on it. */
  private disconnect(message: BayeuxMessage): object {
    const client = message.clientId ? this.clients.get(message.clientId) : undefined;
    if (!client) return { ...unknownClient(message), channel: '/meta/disconnect' };
    this.clients.delete(client.id);
    client.release?.('disconnect');
    return { id: message.id, channel: '/meta/disconnect', clientId: client.id, successful: true };
  }

  private advice(): object {
    return { reconnect: 'retry', interval: 0, timeout: this.connectTimeoutMs };
  }

  // ----- Shutdown -------------------------------------------------------------------------

  /** Drops pending outcomes and delayed answers, and lets held polls go. */
  shutdown(): void {
    for (const client of this.clients.values()) client.release?.('gone');
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.answers.dropPending();
  }
}

function methodNotAllowed(allow: string): Answer {
  return { status: 405, body: { statusMessage: 'Method Not Allowed' }, headers: { Allow: allow } };
}

/** Bayeux's answer to an unknown or expired client: handshake again. */
function unknownClient(message: BayeuxMessage): { [key: string]: unknown } {
  return {
    id: message.id,
    channel: message.channel,
    successful: false,
    error: '402::Unknown client',
    advice: { reconnect: 'handshake', interval: 0 },
  };
}

// ---------------------------------------------------------------------------------------------
// Entry point
// ---------------------------------------------------------------------------------------------

export async function startGenesysSandbox(options: GenesysSandboxOptions = {}): Promise<GenesysSandbox> {
  const sandbox = new GenesysSandboxServer(options);
  // close() destroys open sockets so it never waits on a client's long poll.
  const http = await listen((req, res) => sandbox.handleRequest(req, res), { port: options.port, onClose: () => sandbox.shutdown() });
  // No WebSocket upgrade is offered (WWE/GWS do not support WebSockets, [P:G10]); no connection
  // has been accepted yet (only microtasks ran since the server started listening).
  http.server.on('upgrade', (_req, socket) => socket.destroy());
  const url = http.url;
  sandbox.listening(url);

  return {
    url,
    notificationsUrl: `${url}${NOTIFICATIONS_PATH}`,
    targets: sandbox.targets,
    close: http.close,
    requests: sandbox.requests,
    operations: sandbox.operations,
    smsSessions: sandbox.smsSessions,
    faults: sandbox.faults.controls,
    expireSession: () => sandbox.expireSession(),
    get cometdClients() {
      return sandbox.cometdClients;
    },
    publish: (channel, data) => sandbox.publish(channel, data),
    setJoinNotifications: (notifications) => sandbox.setJoinNotifications(notifications),
    failNextOperations: (count) => sandbox.failNextOperations(count),
    announceParticipants: (smsSessionId) => sandbox.announceParticipants(smsSessionId),
  };
}
