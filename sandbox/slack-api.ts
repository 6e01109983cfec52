/**
 * A local stand-in for Slack's Web API, used by the offline demo and the end-to-end tests.
 *
 * The app talks to it through its real WebClient (`clientOptions.slackApiUrl = `${fake.url}/api/``), so
 * requests arrive exactly as Slack would receive them: form-encoded bodies whose object fields are JSON
 * strings, or JSON bodies, with the bot token in `Authorization: Bearer …`. Answers follow Slack's shapes
 * and error codes closely enough that the app cannot tell the difference, and the fake enforces the
 * Block Kit limits Slack enforces, because an over-long button label that passes a unit test still
 * fails in production.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { types } from '@slack/bolt';
import { SlackOAuthDesk, SlackRefusal, type IssuedBot, type OAuthApp } from './slack-oauth.js';
import { FUNCTION_METHODS, FunctionRefusal, SlackFunctionDesk, type FunctionExecution } from './slack-functions.js';
import { CallsRefusal, FakeCalls } from './slack-calls.js';

/**
 * Arguments and answers as plain JSON. They are whatever the app sent, so tests read them freely.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type SlackArgs = Record<string, any>;

export interface FakeSlackApiOptions {
  /** Port to listen on (127.0.0.1); 0 or absent picks a free one. */
  port?: number;
  /** The only token accepted; anything else gets `invalid_auth`. */
  botToken?: string;
  teamId?: string;
  teamDomain?: string;
  botUserId?: string;
  botId?: string;
  appId?: string;
  /** User ids that are workspace admins (`users.info` → `is_admin: true`). */
  admins?: string[];
  /** User group id → member user ids, for `usergroups.users.list`. */
  usergroups?: Record<string, string[]>;
  /** Private channels the app was never invited to: posting fails with `not_in_channel`. */
  channelsWithoutApp?: string[];
  /**
   * Slack honours a trigger_id for 3 s after the user's action: set this (3000) and views.open and
   * views.push answer `expired_trigger_id` for a trigger minted longer ago. Unset, triggers never
   * expire, so a test slowed by a busy machine does not fail for it.
   */
  triggerTtlMs?: number;
  /**
   * Private channels and DMs the app is not in, as Slack really hides them: every call naming
   * one (post, ephemeral, read) answers `channel_not_found`.
   */
  hiddenConversations?: string[];
  /** Per user: their own team (Slack Connect guests belong to another) and their roles there, for `users.info`. */
  users?: Record<string, FakeUser>;
  /** The app's OAuth registration (also settable later with `registerOAuthApp`, once its URL is known). */
  oauth?: OAuthApp;
  /** Token rotation on: tokens issued through OAuth expire after this many seconds (Slack: 43200). */
  tokenLifetimeSeconds?: number;
}

/** What `users.info` says of one user; unset fields default to a plain member of the fake's team. */
export interface FakeUser {
  teamId?: string;
  admin?: boolean;
  owner?: boolean;
  primaryOwner?: boolean;
}

export interface FakeSlackCall {
  /** Web API method name, or `response_url` for posts to a response URL. */
  method: string;
  /** Parsed arguments; JSON-encoded fields (blocks, metadata, view, …) are decoded back to objects. */
  args: SlackArgs;
  token?: string;
  /** The workspace (or org-wide, the organisation) the token was issued for, when the stand-in knows it. */
  teamId?: string;
  /** When the call was answered, in epoch milliseconds. */
  at: number;
  /** HTTP status the fake answered with. */
  status: number;
  /** JSON body the fake answered with. */
  response: SlackArgs;
}

/** A payload Slack would refuse as malformed: broken Block Kit, an invalid view or missing arguments. */
export interface FakeSlackRejection {
  method: string;
  error: string;
  problems: string[];
  args: SlackArgs;
  at: number;
}

export interface FakeMessage {
  channel: string;
  ts: string;
  text: string;
  blocks?: types.AnyBlock[];
  metadata?: types.MessageMetadata;
  /** Author: the bot user for everything the app posts. */
  user: string;
  /** Set on thread replies: the root message's ts. */
  thread_ts?: string;
  /** True once the message was changed by chat.update or a response_url `replace_original`. */
  edited: boolean;
}

export interface FakeThread extends FakeMessage {
  replies: FakeMessage[];
}

export interface FakeEphemeral {
  channel?: string;
  user?: string;
  ts: string;
  text: string;
  blocks?: types.AnyBlock[];
  thread_ts?: string;
  via: 'chat.postEphemeral' | 'response_url';
}

/** A view as Slack returns it from views.open/update/push/publish. */
export interface FakeView {
  id: string;
  hash: string;
  type: string;
  blocks: types.AnyBlock[];
  callback_id: string;
  private_metadata: string;
  external_id: string;
  root_view_id: string;
  previous_view_id: string | null;
  state: { values: SlackArgs };
  [field: string]: unknown;
}

/** Where posts to a response URL land, as Slack knows from the command or interaction that created it. */
export interface ResponseUrlTarget {
  channelId?: string;
  userId?: string;
  /** The message the interaction came from, for `replace_original` / `delete_original`. */
  messageTs?: string;
}

export interface FailNextOptions {
  /** HTTP status to answer with (200 by default, like Slack's ordinary errors; 429 for rate limits). */
  status?: number;
  /** Seconds for the `Retry-After` header of a 429 (1 by default). */
  retryAfter?: number;
  /** How many consecutive calls fail (1 by default). */
  times?: number;
}

export interface FakeSlackApi {
  /** Base URL, e.g. `http://127.0.0.1:PORT`. */
  readonly url: string;
  /** What to give Bolt as `clientOptions.slackApiUrl`: `${url}/api/`. */
  readonly apiUrl: string;
  readonly teamId: string;
  readonly teamDomain: string;
  readonly botUserId: string;
  readonly botId: string;
  readonly appId: string;
  /** Every request received, in order, including failed ones. */
  readonly calls: readonly FakeSlackCall[];
  /** The Slack calls registered with calls.add (sandbox/slack-calls.ts): ids, titles, durations. */
  readonly callsApi: FakeCalls;
  readonly rejections: readonly FakeSlackRejection[];

  /** Stops listening and destroys open sockets; pending `waitFor`s reject. */
  close(): Promise<void>;
  /** Forgets calls, messages, views, faults and rejections (the server keeps running). */
  reset(): void;

  /** A response URL on the fake, to put in slash command and interaction payloads. */
  responseUrl(id?: string, target?: ResponseUrlTarget): string;
  /** A trigger id remembered as belonging to `userId`, so views opened with it are found by user. */
  triggerId(userId: string): string;

  /**
   * Makes the next call(s) to `method` fail with `error`. A 429 is answered the way Slack rate-limits:
   * HTTP 429, a `Retry-After` header and `{ ok: false, error: 'ratelimited' }` whatever `error` says.
   */
  failNext(method: string, error: string, options?: FailNextOptions): void;
  /**
   * Archives a channel: posts and updates there fail with `is_archived` (reading still works,
   * as on Slack). `unarchive` undoes it.
   */
  archiveChannel(channel: string): void;
  unarchiveChannel(channel: string): void;
  /** What `users.info` says of a user from now on. */
  setUser(userId: string, user: FakeUser): void;
  /** A user group's members from now on. */
  setUsergroup(usergroupId: string, members: string[]): void;
  /**
   * The next call(s) to `method` are carried out (a message is stored, the call recorded) but
   * their answer is lost: `hang` never answers (the client times out), `reset` closes the
   * connection instead of answering.
   */
  loseAnswerNext(method: string, options?: { times?: number; mode?: 'hang' | 'reset' }): void;

  /**
   * OAuth install: the app as registered on api.slack.com. The consent page
   * (`/oauth/v2/authorize`) sends the browser back to `redirectUrl` with a code; `oauth.v2.access`
   * trades it for a bot token of the workspace named by the page's `team` parameter.
   */
  registerOAuthApp(app: OAuthApp): void;
  /** Token rotation: tokens issued from now on expire after this many seconds (undefined: rotation off). */
  setTokenLifetime(seconds: number | undefined): void;
  /** The workspace (or organisation, org-wide) a token was issued for. */
  teamOf(token: string | undefined): string | undefined;
  /** Tokens issued to a workspace (or organisation), oldest first. */
  tokensOf(teamOrEnterpriseId: string): string[];
  /** The workspace removes the app: its tokens are refused from now on (`token_revoked`). */
  revokeTokens(teamOrEnterpriseId: string): void;

  // --- Workflow Builder custom steps (sandbox/slack-functions.ts) ---------------------------------
  /** Starts an execution of a custom step: its id and its own token, for a `function_executed` event. */
  startFunctionExecution(callbackId: string): FunctionExecution;
  /** An execution and how it was completed (functions.completeSuccess / completeError), if it was. */
  functionExecution(functionExecutionId: string): FunctionExecution | undefined;
  /** Execution tokens are refused with `token_expired` this long after they were issued (undefined: never). */
  setFunctionTokenLifetime(ms: number | undefined): void;

  callsTo(method: string): FakeSlackCall[];
  /** Resolves with the first matching call, past or future; rejects after `timeoutMs` listing recent calls. */
  waitFor(method: string, predicate?: (call: FakeSlackCall) => boolean, timeoutMs?: number): Promise<FakeSlackCall>;
  /** Root messages of a channel (or of the DM with a user id), oldest first, each with its thread replies. */
  messages(channel: string): FakeThread[];
  message(channel: string, ts: string): FakeMessage | undefined;
  ephemerals(user?: string): FakeEphemeral[];
  /** The most recently opened/updated/published view, optionally of a user or with a view id. */
  lastView(userOrViewId?: string): FakeView | undefined;
  /** What a person would read in the channel (or in every channel), as plain text. */
  transcript(channel?: string): string;

  // --- Link unfurls (chat.unfurl; the link_shared event comes from SlackRequester.linkShared) ---
  /**
   * A user pastes links: posted (`conversations_history`, the default) as a message of theirs in the
   * channel, or still in the composer (`composer`). Returns where Slack says they are, as its
   * link_shared event carries it; only these links may be unfurled there.
   */
  shareLinks(options: { channel: string; user: string; urls: string[]; source?: 'conversations_history' | 'composer' }): SharedLinksPlace;
  /** What chat.unfurl attached to shared links, by URL (the latest call's attachment for each). */
  unfurlsOf(place: { channel: string; ts: string } | { unfurlId: string }): Record<string, SlackArgs>;
  /** The user deletes a message of theirs: unfurling it afterwards answers `message_not_found`. */
  deleteUserMessage(channel: string, ts: string): void;
}

/** Where shared links are, as a link_shared event names it. */
export interface SharedLinksPlace {
  channel: string;
  messageTs: string;
  unfurlId: string;
  source: 'conversations_history' | 'composer';
  urls: string[];
}

export async function startFakeSlackApi(options: FakeSlackApiOptions = {}): Promise<FakeSlackApi> {
  const fake = new FakeSlackServer(options);
  await fake.listen(options.port ?? 0);
  return fake;
}

// ---------------------------------------------------------------------------------------------------
// Server
// ---------------------------------------------------------------------------------------------------

/** Slack's message ts values are seconds.microseconds; starting at a fixed point keeps runs reproducible. */
const FIRST_TS_SECONDS = 1_700_000_000;
const TS_STEP_MICROS = 100;
/** Slack honours a response URL five times, then answers 404 `used_url`. */
const RESPONSE_URL_MAX_USES = 5;
/** Fields Slack decodes from JSON strings when they arrive form-encoded. */
const JSON_ENCODED_FIELDS = ['blocks', 'attachments', 'metadata', 'view', 'user_auth_blocks', 'unfurls'];
/** Channel for `in_channel` responses on a response URL created without a target channel. */
const UNROUTED_CHANNEL = 'C0UNROUTED';
const RECENT_CALLS_IN_ERRORS = 12;

interface Answer {
  status: number;
  body: SlackArgs;
  headers?: Record<string, string>;
}

interface Fault {
  error: string;
  status: number;
  retryAfter: number;
  remaining: number;
}

interface Waiter {
  method: string;
  predicate?: (call: FakeSlackCall) => boolean;
  resolve: (call: FakeSlackCall) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

interface StoredView {
  view: FakeView;
  userId?: string;
}

type Handler = (args: SlackArgs, caller: IssuedBot) => SlackArgs;

/** Thrown by handlers to answer `{ ok: false, error }`, with Slack's human-readable detail messages. */
class SlackApiError extends Error {
  constructor(
    readonly error: string,
    readonly problems: string[] = [],
    readonly status = 200,
  ) {
    super(error);
  }
}

class FakeSlackServer implements FakeSlackApi {
  readonly teamId: string;
  readonly teamDomain: string;
  readonly botUserId: string;
  readonly botId: string;
  readonly appId: string;

  private readonly oauth: SlackOAuthDesk;
  /** Custom steps' executions and their completions. */
  private readonly functions = new SlackFunctionDesk();
  /** The bot of the single-workspace token: what answers response URLs and the default team. */
  private readonly defaultBot: IssuedBot;
  /** Whose token the call being answered carries (handlers run synchronously, one at a time). */
  private caller: IssuedBot;
  private readonly admins: ReadonlySet<string>;
  private readonly usergroups: Record<string, string[]>;
  private readonly channelsWithoutApp: ReadonlySet<string>;
  private readonly hiddenConversations: ReadonlySet<string>;
  private readonly users: Map<string, FakeUser>;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly methods: Record<string, Handler>;
  private baseUrl = '';

  private recordedCalls: FakeSlackCall[] = [];
  private recordedRejections: FakeSlackRejection[] = [];
  private waiters: Waiter[] = [];
  private faults = new Map<string, Fault[]>();
  private archived = new Set<string>();
  private lostAnswers = new Map<string, Array<{ remaining: number; mode: 'hang' | 'reset' }>>();
  private hungResponses = new Set<ServerResponse>();
  /** Per channel, every message (roots and replies) in posting order. */
  private channels = new Map<string, FakeMessage[]>();
  private dmUsers = new Map<string, string>();
  private ephemeralMessages: FakeEphemeral[] = [];
  /** Insertion order is recency order: a changed view is moved to the end. */
  private views = new Map<string, StoredView>();
  private triggers = new Map<string, { userId: string; mintedAt: number }>();
  private readonly triggerTtlMs: number | undefined;
  private responseTargets = new Map<string, ResponseUrlTarget>();
  private responseUrlUses = new Map<string, number>();
  private sequence = 0;
  /** Calls registered with calls.add (sandbox/slack-calls.ts). */
  readonly callsApi = new FakeCalls();
  /** Link unfurls: shared links by place (`ts:<channel>:<ts>` or `id:<unfurl_id>`), and what was attached. */
  private sharedLinks = new Map<string, { place: SharedLinksPlace; unfurls: Record<string, SlackArgs> }>();

  constructor(options: FakeSlackApiOptions) {
    this.teamId = options.teamId ?? 'T0001';
    this.teamDomain = options.teamDomain ?? 'rendezvous-sandbox';
    this.botUserId = options.botUserId ?? 'U0BOT';
    this.botId = options.botId ?? 'B0BOT';
    this.appId = options.appId ?? 'A0RENDEZVOUS';
    this.oauth = new SlackOAuthDesk();
    if (options.oauth) this.oauth.register(options.oauth);
    this.oauth.tokenLifetimeSeconds = options.tokenLifetimeSeconds;
    this.defaultBot = {
      token: options.botToken ?? 'xoxb-test',
      teamId: this.teamId,
      teamName: 'Rendezvous Sandbox',
      enterpriseId: null,
      enterpriseName: null,
      orgWide: false,
      botUserId: this.botUserId,
      botId: this.botId,
      appId: this.appId,
      scope: '',
      revoked: false,
      userId: 'U0INSTALLER',
    };
    this.oauth.adopt(this.defaultBot);
    this.caller = this.defaultBot;
    this.admins = new Set(options.admins ?? []);
    this.usergroups = { ...options.usergroups };
    this.channelsWithoutApp = new Set(options.channelsWithoutApp ?? []);
    this.triggerTtlMs = options.triggerTtlMs;
    this.hiddenConversations = new Set(options.hiddenConversations ?? []);
    this.users = new Map(Object.entries(options.users ?? {}));
    this.methods = this.buildMethods();
    this.server = createServer((req, res) => {
      // Only a broken connection gets here (handle() answers every other failure itself).
      this.handle(req, res).catch(() => res.destroy());
    });
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        const address = this.server.address();
        if (address === null || typeof address === 'string') {
          reject(new Error('fake Slack API: unexpected server address'));
          return;
        }
        this.baseUrl = `http://127.0.0.1:${address.port}`;
        resolve();
      });
    });
  }

  get url(): string {
    return this.baseUrl;
  }

  get apiUrl(): string {
    return `${this.baseUrl}/api/`;
  }

  get calls(): readonly FakeSlackCall[] {
    return this.recordedCalls;
  }

  get rejections(): readonly FakeSlackRejection[] {
    return this.recordedRejections;
  }

  close(): Promise<void> {
    for (const res of this.hungResponses) res.destroy();
    this.hungResponses.clear();
    for (const waiter of this.waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(new Error(`fake Slack API closed while waiting for ${waiter.method}`));
    }
    this.waiters = [];
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      // Keep-alive sockets (the WebClient's fetch keeps them open) would hold close() forever.
      for (const socket of this.sockets) socket.destroy();
    });
  }

  reset(): void {
    this.functions.reset();
    this.recordedCalls = [];
    this.recordedRejections = [];
    this.faults.clear();
    this.archived.clear();
    this.lostAnswers.clear();
    this.channels.clear();
    this.dmUsers.clear();
    this.ephemeralMessages = [];
    this.views.clear();
    this.triggers.clear();
    this.responseTargets.clear();
    this.responseUrlUses.clear();
    this.sharedLinks.clear();
  }

  responseUrl(id?: string, target?: ResponseUrlTarget): string {
    const urlId = id ?? `${this.nextId()}-${randomBytes(4).toString('hex')}`;
    if (target !== undefined || !this.responseTargets.has(urlId)) {
      this.responseTargets.set(urlId, { ...target });
    }
    return `${this.baseUrl}/response/${encodeURIComponent(urlId)}`;
  }

  triggerId(userId: string): string {
    // Same shape as Slack's trigger ids: digits.digits.hex
    const triggerId = `${this.nextId()}.${Date.now()}.${randomBytes(16).toString('hex')}`;
    this.triggers.set(triggerId, { userId, mintedAt: Date.now() });
    return triggerId;
  }

  /** Whose trigger this is (undefined for one the fake never minted); refused once past `triggerTtlMs`. */
  private triggerUser(triggerId: unknown): string | undefined {
    const trigger = this.triggers.get(String(triggerId));
    if (trigger && this.triggerTtlMs !== undefined && Date.now() - trigger.mintedAt > this.triggerTtlMs) throw new SlackApiError('expired_trigger_id');
    return trigger?.userId;
  }

  failNext(method: string, error: string, options: FailNextOptions = {}): void {
    const queue = this.faults.get(method) ?? [];
    queue.push({
      error,
      status: options.status ?? 200,
      retryAfter: options.retryAfter ?? 1,
      remaining: options.times ?? 1,
    });
    this.faults.set(method, queue);
  }

  /** Changes what `users.info` says of a user from now on (roles change while the app runs). */
  setUser(userId: string, user: FakeUser): void {
    this.users.set(userId, user);
  }

  /** Replaces a user group's members from now on (`usergroups.users.list`). */
  setUsergroup(usergroupId: string, members: string[]): void {
    this.usergroups[usergroupId] = [...members];
  }

  archiveChannel(channel: string): void {
    this.archived.add(channel);
  }

  unarchiveChannel(channel: string): void {
    this.archived.delete(channel);
  }

  loseAnswerNext(method: string, options: { times?: number; mode?: 'hang' | 'reset' } = {}): void {
    const queue = this.lostAnswers.get(method) ?? [];
    queue.push({ remaining: options.times ?? 1, mode: options.mode ?? 'hang' });
    this.lostAnswers.set(method, queue);
  }

  private takeLostAnswer(method: string): 'hang' | 'reset' | undefined {
    const queue = this.lostAnswers.get(method);
    const lost = queue?.[0];
    if (queue === undefined || lost === undefined) return undefined;
    lost.remaining -= 1;
    if (lost.remaining <= 0) queue.shift();
    return lost.mode;
  }

  registerOAuthApp(app: OAuthApp): void {
    this.oauth.register(app);
  }

  setTokenLifetime(seconds: number | undefined): void {
    this.oauth.tokenLifetimeSeconds = seconds;
  }

  teamOf(token: string | undefined): string | undefined {
    return this.oauth.teamOf(token);
  }

  tokensOf(teamOrEnterpriseId: string): string[] {
    return this.oauth.tokensOf(teamOrEnterpriseId);
  }

  revokeTokens(teamOrEnterpriseId: string): void {
    this.oauth.revoke(teamOrEnterpriseId);
  }

  callsTo(method: string): FakeSlackCall[] {
    return this.recordedCalls.filter((call) => call.method === method);
  }

  waitFor(
    method: string,
    predicate?: (call: FakeSlackCall) => boolean,
    timeoutMs = 5000,
  ): Promise<FakeSlackCall> {
    const existing = this.recordedCalls.find((call) => callMatches(call, method, predicate));
    if (existing !== undefined) return Promise.resolve(existing);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        method,
        predicate,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((other) => other !== waiter);
          reject(new Error(this.describeTimeout(method, predicate !== undefined, timeoutMs)));
        }, timeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  messages(channel: string): FakeThread[] {
    const messages = this.storedMessages(this.resolveChannel(channel));
    return messages
      .filter((message) => message.thread_ts === undefined)
      .map((root) => ({
        ...structuredClone(root),
        replies: messages.filter((reply) => reply.thread_ts === root.ts).map((reply) => structuredClone(reply)),
      }));
  }

  message(channel: string, ts: string): FakeMessage | undefined {
    const found = this.findMessage(this.resolveChannel(channel), ts);
    return found === undefined ? undefined : structuredClone(found);
  }

  ephemerals(user?: string): FakeEphemeral[] {
    return this.ephemeralMessages
      .filter((ephemeral) => user === undefined || ephemeral.user === user)
      .map((ephemeral) => structuredClone(ephemeral));
  }

  startFunctionExecution(callbackId: string): FunctionExecution {
    return structuredClone(this.functions.start(callbackId));
  }

  functionExecution(functionExecutionId: string): FunctionExecution | undefined {
    const execution = this.functions.execution(functionExecutionId);
    return execution && structuredClone(execution);
  }

  setFunctionTokenLifetime(ms: number | undefined): void {
    this.functions.tokenLifetimeMs = ms;
  }

  lastView(userOrViewId?: string): FakeView | undefined {
    const stored = [...this.views.values()].reverse();
    const found = stored.find(
      ({ view, userId }) => userOrViewId === undefined || view.id === userOrViewId || userId === userOrViewId,
    );
    return found === undefined ? undefined : structuredClone(found.view);
  }

  transcript(channel?: string): string {
    if (channel !== undefined) return this.renderChannel(this.resolveChannel(channel));
    const channelIds = new Set([
      ...this.channels.keys(),
      ...this.ephemeralMessages.map((ephemeral) => ephemeral.channel ?? ''),
    ]);
    const sections = [...channelIds].sort().map((id) => {
      const body = this.renderChannel(id);
      return id === '' ? body : `── ${this.describeChannel(id)} ──\n${body}`;
    });
    return sections.join('\n\n');
  }

  // -------------------------------------------------------------------------------------------------
  // HTTP
  // -------------------------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.baseUrl);
    const rawBody = await readBody(req);
    const contentType = req.headers['content-type'] ?? '';

    if (url.pathname === '/oauth/v2/authorize' && req.method === 'GET') {
      const page = this.oauth.authorize(url.searchParams);
      res.writeHead(page.status, page.location ? { Location: page.location } : { 'Content-Type': 'text/plain' });
      res.end(page.text ?? '');
      return;
    }
    const apiMethod = /^\/api\/([\w.-]+)$/.exec(url.pathname)?.[1];
    const responseUrlId = /^\/response\/([^/]+)$/.exec(url.pathname)?.[1];
    if (apiMethod === undefined && responseUrlId === undefined) {
      send(res, { status: 404, body: { ok: false, error: 'not_found' } });
      return;
    }

    const method = apiMethod ?? 'response_url';
    let args: SlackArgs = {};
    let token: string | undefined;
    let answer: Answer;
    this.caller = this.defaultBot;
    try {
      args = parseArgs(rawBody, contentType, url.searchParams);
      token = bearerToken(req.headers.authorization) ?? (typeof args.token === 'string' ? args.token : undefined);
      delete args.token;
      answer =
        this.takeFault(method) ??
        (responseUrlId === undefined
          ? this.answerApiCall(method, args, token)
          : this.answerResponseUrl(decodeURIComponent(responseUrlId), args));
    } catch (error) {
      answer = this.answerError(method, args, error);
    }
    const call: FakeSlackCall = { method, args, at: Date.now(), status: answer.status, response: answer.body };
    if (token !== undefined) call.token = token;
    const teamId = this.oauth.teamOf(token);
    if (teamId !== undefined) call.teamId = teamId;
    this.record(call);
    const lost = answer.status === 200 && answer.body.ok === true ? this.takeLostAnswer(method) : undefined;
    if (lost === 'reset') {
      res.destroy();
      return;
    }
    if (lost === 'hang') {
      // Never answered; destroyed by close() (or by the client giving up).
      this.hungResponses.add(res);
      res.on('close', () => this.hungResponses.delete(res));
      return;
    }
    send(res, answer);
  }

  private answerApiCall(method: string, args: SlackArgs, token: string | undefined): Answer {
    // Custom steps: answered with the execution's own token, which the bot-token desk does not know.
    if ((FUNCTION_METHODS as readonly string[]).includes(method)) return this.answerFunctionCall(method as (typeof FUNCTION_METHODS)[number], args, token);
    const handler = this.methods[method];
    if (handler === undefined) throw new SlackApiError('unknown_method');
    try {
      // The app authenticates oauth.v2.access with its client id and secret, not a token.
      if (method === 'oauth.v2.access') return { status: 200, body: { ok: true, ...this.oauth.access(args) } };
      this.caller = this.oauth.caller(token);
    } catch (error) {
      if (error instanceof SlackRefusal) throw new SlackApiError(error.error);
      throw error;
    }
    return { status: 200, body: { ok: true, ...handler(args, this.caller) } };
  }

  private answerFunctionCall(method: (typeof FUNCTION_METHODS)[number], args: SlackArgs, token: string | undefined): Answer {
    try {
      return { status: 200, body: { ok: true, ...this.functions.answer(method, args, token) } };
    } catch (error) {
      if (error instanceof FunctionRefusal) throw new SlackApiError(error.error, error.problems);
      throw error;
    }
  }

  private answerError(method: string, args: SlackArgs, error: unknown): Answer {
    if (!(error instanceof SlackApiError)) {
      // A bug in the fake (or a body it cannot read) must not look like a Slack answer the app should handle.
      const detail = error instanceof Error ? error.message : String(error);
      return { status: 500, body: { ok: false, error: 'fatal_error', detail } };
    }
    if (error.error === 'invalid_blocks' || error.error === 'invalid_arguments') {
      this.recordedRejections.push({ method, error: error.error, problems: error.problems, args, at: Date.now() });
    }
    const body: SlackArgs = { ok: false, error: error.error };
    if (error.problems.length > 0) {
      if (error.error === 'invalid_blocks') body.errors = error.problems;
      body.response_metadata = { messages: error.problems.map((problem) => `[ERROR] ${problem}`) };
    }
    return { status: error.status, body };
  }

  private takeFault(method: string): Answer | undefined {
    const queue = this.faults.get(method);
    const fault = queue?.[0];
    if (queue === undefined || fault === undefined) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) queue.shift();
    if (fault.status === 429) {
      return {
        status: 429,
        body: { ok: false, error: 'ratelimited' },
        headers: { 'Retry-After': String(fault.retryAfter) },
      };
    }
    return { status: fault.status, body: { ok: false, error: fault.error } };
  }

  private record(call: FakeSlackCall): void {
    this.recordedCalls.push(call);
    const satisfied = this.waiters.filter((waiter) => callMatches(call, waiter.method, waiter.predicate));
    if (satisfied.length === 0) return;
    this.waiters = this.waiters.filter((waiter) => !satisfied.includes(waiter));
    for (const waiter of satisfied) {
      clearTimeout(waiter.timer);
      waiter.resolve(call);
    }
  }

  private describeTimeout(method: string, withPredicate: boolean, timeoutMs: number): string {
    const wanted = withPredicate ? `a ${method} call matching the predicate` : `a ${method} call`;
    const recent = this.recordedCalls.slice(-RECENT_CALLS_IN_ERRORS);
    const listing =
      recent.length === 0
        ? 'No calls were received.'
        : `Recent calls (last ${recent.length} of ${this.recordedCalls.length}):\n` +
          recent.map((call) => `  ${summarizeCall(call)}`).join('\n');
    return `Timed out after ${timeoutMs}ms waiting for ${wanted}. ${listing}`;
  }

  // -------------------------------------------------------------------------------------------------
  // Web API methods
  // -------------------------------------------------------------------------------------------------

  private buildMethods(): Record<string, Handler> {
    return {
      'api.test': (args) => ({ args }),
      // Answered for the workspace the token belongs to.
      'auth.test': (_args, caller) => ({
        url: caller === this.defaultBot ? `https://${this.teamDomain}.slack.com/` : `https://${(caller.teamId ?? caller.enterpriseId ?? '').toLowerCase()}.slack.com/`,
        team: caller.teamName,
        user: 'rendezvous',
        team_id: caller.teamId ?? caller.enterpriseId,
        user_id: caller.botUserId,
        bot_id: caller.botId,
        is_enterprise_install: caller.orgWide,
        ...(caller.enterpriseId ? { enterprise_id: caller.enterpriseId } : {}),
      }),
      'oauth.v2.access': () => ({}),
      'chat.postMessage': (args) => this.postMessage(args),
      'chat.update': (args) => this.updateMessage(args),
      'chat.delete': (args) => this.deleteMessage(args),
      'chat.postEphemeral': (args) => this.postEphemeral(args),
      'chat.getPermalink': (args) => this.getPermalink(args),
      // Link unfurls (s5-unfurl): see the "Link unfurls" block below.
      'chat.unfurl': (args) => this.unfurl(args),
      'conversations.replies': (args) => this.conversationReplies(args),
      'conversations.history': (args) => this.conversationHistory(args),
      'conversations.info': (args) => this.conversationInfo(args),
      'conversations.open': (args) => this.conversationOpen(args),
      'users.info': (args) => this.userInfo(args),
      'usergroups.users.list': (args) => this.usergroupUsers(args),
      'views.open': (args) => this.openView(args),
      'views.push': (args) => this.pushView(args),
      'views.update': (args) => this.updateView(args),
      'views.publish': (args) => this.publishView(args),
      ...this.callsMethods(),
    };
  }

  // --- Calls API (issue 12): sandbox/slack-calls.ts --------------------------------------------

  private callsMethods(): Record<string, Handler> {
    const refusals = (run: (args: SlackArgs, caller: IssuedBot) => SlackArgs): Handler => (args, caller) => {
      try {
        return run(args, caller);
      } catch (error) {
        if (error instanceof CallsRefusal) throw new SlackApiError(error.error, error.problems);
        throw error;
      }
    };
    return {
      'calls.add': refusals((args, caller) => this.callsApi.add(args, caller.teamId ?? undefined)),
      'calls.update': refusals((args) => this.callsApi.update(args)),
      'calls.end': refusals((args) => this.callsApi.end(args)),
      'calls.info': refusals((args) => this.callsApi.info(args)),
    };
  }

  /** A `call` block must name a call registered with calls.add. */
  private assertKnownCalls(args: SlackArgs): void {
    const problems = this.callsApi.callBlockProblems(args.blocks);
    if (problems.length > 0) throw new SlackApiError('invalid_blocks', problems);
  }

  private postMessage(args: SlackArgs): SlackArgs {
    requireArgs(args, 'channel');
    requireContent(args);
    assertValidMessagePayload(args);
    this.assertKnownCalls(args);
    const channel = this.resolveChannel(String(args.channel));
    this.assertAppIsMember(channel);
    const message = this.storeMessage(channel, args);
    if (args.metadata !== undefined) message.metadata = args.metadata;
    return { channel, ts: message.ts, message: this.toApiMessage(message, true) };
  }

  private updateMessage(args: SlackArgs): SlackArgs {
    requireArgs(args, 'channel', 'ts');
    requireContent(args);
    assertValidMessagePayload(args);
    this.assertKnownCalls(args);
    const channel = this.resolveChannel(String(args.channel));
    if (this.archived.has(channel)) throw new SlackApiError('is_archived');
    const message = this.findMessage(channel, String(args.ts));
    if (message === undefined) throw new SlackApiError('message_not_found');
    // A bot edits its own messages only: another workspace's token cannot touch this card.
    if (message.user !== this.caller.botUserId) throw new SlackApiError('cant_update_message');
    this.applyEdit(message, args);
    return { channel, ts: message.ts, text: message.text, message: this.toApiMessage(message, true) };
  }

  private deleteMessage(args: SlackArgs): SlackArgs {
    requireArgs(args, 'channel', 'ts');
    const channel = this.resolveChannel(String(args.channel));
    const message = this.findMessage(channel, String(args.ts));
    if (message === undefined) throw new SlackApiError('message_not_found');
    this.removeMessage(message);
    return { channel, ts: message.ts };
  }

  private postEphemeral(args: SlackArgs): SlackArgs {
    requireArgs(args, 'channel', 'user');
    requireContent(args);
    assertValidMessagePayload(args);
    const channel = this.resolveChannel(String(args.channel));
    this.assertAppIsMember(channel);
    const ephemeral: FakeEphemeral = {
      channel,
      user: String(args.user),
      ts: this.nextTs(),
      text: stringArg(args.text) ?? '',
      via: 'chat.postEphemeral',
    };
    if (Array.isArray(args.blocks)) ephemeral.blocks = args.blocks;
    const threadTs = stringArg(args.thread_ts);
    if (threadTs !== undefined && threadTs !== '') ephemeral.thread_ts = threadTs;
    this.ephemeralMessages.push(ephemeral);
    return { message_ts: ephemeral.ts };
  }

  private getPermalink(args: SlackArgs): SlackArgs {
    requireArgs(args, 'channel', 'message_ts');
    const channel = this.resolveChannel(String(args.channel));
    const message = this.findMessage(channel, String(args.message_ts));
    if (message === undefined) throw new SlackApiError('message_not_found');
    const base = `https://${this.teamDomain}.slack.com/archives/${channel}/p${message.ts.replace('.', '')}`;
    const permalink =
      message.thread_ts === undefined ? base : `${base}?thread_ts=${message.thread_ts}&cid=${channel}`;
    return { channel, permalink };
  }

  private conversationReplies(args: SlackArgs): SlackArgs {
    requireArgs(args, 'channel', 'ts');
    const channel = this.resolveChannel(String(args.channel));
    this.assertAppCanRead(channel);
    const message = this.findMessage(channel, String(args.ts));
    if (message === undefined) throw new SlackApiError('thread_not_found');
    const root = this.findMessage(channel, message.thread_ts ?? message.ts) ?? message;
    const includeMetadata = isTrue(args.include_all_metadata);
    const thread = [root, ...this.repliesTo(root)];
    return {
      messages: applyLimit(thread, args.limit).map((item) => this.toApiMessage(item, includeMetadata)),
      has_more: false,
      response_metadata: { next_cursor: '' },
    };
  }

  private conversationHistory(args: SlackArgs): SlackArgs {
    requireArgs(args, 'channel');
    const channel = this.resolveChannel(String(args.channel));
    this.assertAppCanRead(channel);
    const includeMetadata = isTrue(args.include_all_metadata);
    const roots = this.storedMessages(channel)
      .filter((message) => message.thread_ts === undefined)
      .reverse();
    return {
      messages: applyLimit(roots, args.limit).map((message) => this.toApiMessage(message, includeMetadata)),
      has_more: false,
      pin_count: 0,
      response_metadata: { next_cursor: '' },
    };
  }

  private conversationInfo(args: SlackArgs): SlackArgs {
    requireArgs(args, 'channel');
    const channel = this.resolveChannel(String(args.channel));
    this.assertAppCanRead(channel);
    const dmUser = this.dmUsers.get(channel);
    if (dmUser !== undefined) {
      return {
        channel: {
          id: channel,
          created: FIRST_TS_SECONDS,
          is_im: true,
          is_org_shared: false,
          user: dmUser,
          is_open: true,
        },
      };
    }
    const name = channelName(channel);
    const isPrivate = channel.startsWith('G');
    return {
      channel: {
        id: channel,
        name,
        name_normalized: name,
        is_channel: !isPrivate,
        is_group: isPrivate,
        is_im: false,
        is_mpim: false,
        is_private: isPrivate,
        is_archived: false,
        is_general: false,
        is_member: true,
        is_shared: false,
        is_org_shared: false,
        created: FIRST_TS_SECONDS,
        creator: 'U0OWNER',
        context_team_id: this.teamId,
        topic: { value: '', creator: '', last_set: 0 },
        purpose: { value: '', creator: '', last_set: 0 },
      },
    };
  }

  private conversationOpen(args: SlackArgs): SlackArgs {
    requireArgs(args, 'users');
    const users = String(args.users).split(',').map((user) => user.trim());
    const [user] = users;
    // Only one-to-one DMs exist in the fake: group DMs are out of the app's scope.
    if (users.length !== 1 || user === undefined || !isUserId(user)) throw new SlackApiError('user_not_found');
    return { channel: { id: this.resolveChannel(user) } };
  }

  private userInfo(args: SlackArgs): SlackArgs {
    requireArgs(args, 'user');
    const id = String(args.user);
    if (!isUserId(id)) throw new SlackApiError('user_not_found');
    const isBot = id === this.botUserId;
    const known = this.users.get(id) ?? {};
    const teamId = known.teamId ?? this.teamId;
    const name = isBot ? 'rendezvous' : userName(id);
    const realName = capitalize(name);
    const { offsetSeconds, label } = parisTimeZone(new Date());
    return {
      user: {
        id,
        team_id: teamId,
        name,
        deleted: false,
        real_name: realName,
        tz: 'Europe/Paris',
        tz_label: label,
        tz_offset: offsetSeconds,
        is_admin: this.admins.has(id) || Boolean(known.admin),
        is_owner: Boolean(known.owner),
        is_primary_owner: Boolean(known.primaryOwner),
        is_restricted: false,
        is_ultra_restricted: false,
        is_bot: isBot,
        is_app_user: false,
        updated: FIRST_TS_SECONDS,
        profile: {
          real_name: realName,
          real_name_normalized: realName,
          display_name: name,
          display_name_normalized: name,
          ...(isBot ? { bot_id: this.botId } : { email: `${name}@example.com` }),
          team: teamId,
        },
      },
    };
  }

  private usergroupUsers(args: SlackArgs): SlackArgs {
    requireArgs(args, 'usergroup');
    const users = this.usergroups[String(args.usergroup)];
    if (users === undefined) throw new SlackApiError('no_such_subteam');
    return { users: [...users] };
  }

  private openView(args: SlackArgs): SlackArgs {
    requireArgs(args, 'trigger_id', 'view');
    assertValidView(args.view);
    const userId = this.triggerUser(args.trigger_id);
    return { view: this.saveView(args.view, { userId }) };
  }

  private pushView(args: SlackArgs): SlackArgs {
    requireArgs(args, 'trigger_id', 'view');
    assertValidView(args.view);
    const userId = this.triggerUser(args.trigger_id);
    const previous = userId === undefined ? undefined : this.lastStoredView(userId);
    return { view: this.saveView(args.view, { userId, previous }) };
  }

  private updateView(args: SlackArgs): SlackArgs {
    const viewId = stringArg(args.view_id);
    const externalId = stringArg(args.external_id);
    if (!viewId && !externalId) {
      throw new SlackApiError('invalid_arguments', ['missing required field: view_id or external_id']);
    }
    requireArgs(args, 'view');
    assertValidView(args.view);
    const stored = [...this.views.values()]
      .reverse()
      .find(({ view }) => (viewId ? view.id === viewId : view.external_id === externalId));
    if (stored === undefined) throw new SlackApiError('not_found');
    assertFreshHash(stored.view, args.hash);
    return { view: this.saveView(args.view, { userId: stored.userId, replacing: stored.view }) };
  }

  private publishView(args: SlackArgs): SlackArgs {
    requireArgs(args, 'user_id', 'view');
    assertValidView(args.view);
    if (isObject(args.view) && args.view.type !== 'home') {
      throw new SlackApiError('invalid_arguments', ['views.publish only accepts home views [json-pointer:/view/type]']);
    }
    const userId = String(args.user_id);
    const home = [...this.views.values()].find((stored) => stored.userId === userId && stored.view.type === 'home');
    if (home !== undefined) assertFreshHash(home.view, args.hash);
    return { view: this.saveView(args.view, { userId, replacing: home?.view }) };
  }

  // -------------------------------------------------------------------------------------------------
  // Response URLs
  // -------------------------------------------------------------------------------------------------

  private answerResponseUrl(id: string, args: SlackArgs): Answer {
    const target = this.responseTargets.get(id) ?? {};
    const uses = (this.responseUrlUses.get(id) ?? 0) + 1;
    this.responseUrlUses.set(id, uses);
    if (uses > RESPONSE_URL_MAX_USES) throw new SlackApiError('used_url', [], 404);
    // Response URLs behave like incoming webhooks: a bad payload is an HTTP error, not `ok: false` with 200.
    if (!isTrue(args.delete_original) && !hasContent(args)) throw new SlackApiError('no_text', [], 400);
    const problems = messagePayloadProblems(args);
    if (problems.length > 0) throw new SlackApiError('invalid_blocks', problems, 400);

    const original =
      target.channelId !== undefined && target.messageTs !== undefined
        ? this.findMessage(this.resolveChannel(target.channelId), target.messageTs)
        : undefined;
    if (isTrue(args.delete_original)) {
      if (original !== undefined) this.removeMessage(original);
    } else if (isTrue(args.replace_original) && original !== undefined) {
      this.applyEdit(original, args);
    } else if (args.response_type === 'in_channel') {
      this.postResponseInChannel(target, args);
    } else {
      this.postResponseEphemeral(target, args);
    }
    return { status: 200, body: { ok: true } };
  }

  /** A bot message in the channel (a thread reply when `thread_ts` names one). */
  private storeMessage(channel: string, args: SlackArgs): FakeMessage {
    const message: FakeMessage = {
      channel,
      ts: this.nextTs(),
      text: stringArg(args.text) ?? '',
      user: this.caller.botUserId,
      edited: false,
    };
    if (Array.isArray(args.blocks)) message.blocks = args.blocks;
    const threadTs = stringArg(args.thread_ts);
    if (threadTs !== undefined && threadTs !== '') message.thread_ts = this.threadRootTs(channel, threadTs);
    this.messagesOf(channel).push(message);
    return message;
  }

  private postResponseInChannel(target: ResponseUrlTarget, args: SlackArgs): void {
    const channel = this.resolveChannel(target.channelId ?? UNROUTED_CHANNEL);
    this.storeMessage(channel, args);
  }

  private postResponseEphemeral(target: ResponseUrlTarget, args: SlackArgs): void {
    const ephemeral: FakeEphemeral = { ts: this.nextTs(), text: stringArg(args.text) ?? '', via: 'response_url' };
    if (target.channelId !== undefined) ephemeral.channel = this.resolveChannel(target.channelId);
    if (target.userId !== undefined) ephemeral.user = target.userId;
    if (Array.isArray(args.blocks)) ephemeral.blocks = args.blocks;
    const threadTs = stringArg(args.thread_ts);
    if (threadTs !== undefined && threadTs !== '') ephemeral.thread_ts = threadTs;
    this.ephemeralMessages.push(ephemeral);
  }

  // -------------------------------------------------------------------------------------------------
  // Link unfurls: links users share (link_shared) and chat.unfurl
  // -------------------------------------------------------------------------------------------------

  shareLinks(options: { channel: string; user: string; urls: string[]; source?: 'conversations_history' | 'composer' }): SharedLinksPlace {
    const source = options.source ?? 'conversations_history';
    const unfurlId = `${options.user}-${randomUUID()}`;
    let place: SharedLinksPlace;
    if (source === 'composer') {
      // Slack's composer events name no real message: channel COMPOSER and a draft id as message_ts.
      place = { channel: 'COMPOSER', messageTs: `${unfurlId}-${randomBytes(16).toString('hex')}`, unfurlId, source, urls: [...options.urls] };
    } else {
      const channel = this.resolveChannel(options.channel);
      const message: FakeMessage = { channel, ts: this.nextTs(), text: options.urls.map((url) => `<${url}>`).join(' '), user: options.user, edited: false };
      this.messagesOf(channel).push(message);
      place = { channel, messageTs: message.ts, unfurlId, source, urls: [...options.urls] };
    }
    const entry = { place, unfurls: {} };
    this.sharedLinks.set(`id:${unfurlId}`, entry);
    if (source === 'conversations_history') this.sharedLinks.set(`ts:${place.channel}:${place.messageTs}`, entry);
    return place;
  }

  unfurlsOf(place: { channel: string; ts: string } | { unfurlId: string }): Record<string, SlackArgs> {
    const key = 'unfurlId' in place ? `id:${place.unfurlId}` : `ts:${place.channel}:${place.ts}`;
    return { ...this.sharedLinks.get(key)?.unfurls };
  }

  deleteUserMessage(channel: string, ts: string): void {
    const message = this.findMessage(channel, ts);
    if (message !== undefined) this.removeMessage(message);
  }

  /**
   * chat.unfurl: channel and ts together, or unfurl_id and source together, and `unfurls`, a JSON
   * map of URL → attachment (its `blocks` checked as chat.postMessage checks a message's). Only
   * links shared in that message (or composer) may be unfurled; calling again replaces their
   * attachments instead of adding more.
   */
  private unfurl(args: SlackArgs): SlackArgs {
    const byMessage = args.channel !== undefined || args.ts !== undefined;
    if (byMessage) requireArgs(args, 'channel', 'ts');
    else if (args.unfurl_id !== undefined || args.source !== undefined) requireArgs(args, 'unfurl_id', 'source');
    else throw new SlackApiError('invalid_arguments', ['missing required field: channel and ts, or unfurl_id and source']);
    requireArgs(args, 'unfurls');
    const unfurls: unknown = args.unfurls;
    if (typeof unfurls !== 'object' || unfurls === null || Array.isArray(unfurls)) {
      throw new SlackApiError('invalid_arguments', ['unfurls must be a JSON object of URL to attachment [json-pointer:/unfurls]']);
    }
    const entry = byMessage ? this.sharedMessage(String(args.channel), String(args.ts)) : this.sharedLinks.get(`id:${String(args.unfurl_id)}`);
    if (entry === undefined) throw new SlackApiError('cannot_unfurl_message');
    if (!byMessage && entry.place.source !== args.source) throw new SlackApiError('invalid_arguments', ['source does not match the unfurl_id [json-pointer:/source]']);
    const problems = new Problems();
    for (const [url, attachment] of Object.entries(unfurls as Record<string, unknown>)) {
      if (!entry.place.urls.includes(url)) throw new SlackApiError('cannot_unfurl_url');
      if (typeof attachment !== 'object' || attachment === null || Array.isArray(attachment)) {
        problems.add(`/unfurls/${url}`, 'must be an attachment object');
        continue;
      }
      const blocks = (attachment as SlackArgs).blocks;
      if (blocks !== undefined) checkBlocks(problems, `/unfurls/${url}/blocks`, blocks, LIMITS.messageBlocks);
    }
    if (problems.list.length > 0) throw new SlackApiError('invalid_blocks', problems.list);
    Object.assign(entry.unfurls, unfurls);
    return {};
  }

  /** The shared links of a posted message that still exists, in a channel the app may see. */
  private sharedMessage(channel: string, ts: string): { place: SharedLinksPlace; unfurls: Record<string, SlackArgs> } | undefined {
    const resolved = this.resolveChannel(channel);
    if (this.hiddenConversations.has(resolved)) throw new SlackApiError('channel_not_found');
    if (this.findMessage(resolved, ts) === undefined) throw new SlackApiError('message_not_found');
    return this.sharedLinks.get(`ts:${resolved}:${ts}`);
  }

  // -------------------------------------------------------------------------------------------------
  // State helpers
  // -------------------------------------------------------------------------------------------------

  private nextId(): number {
    this.sequence += 1;
    return this.sequence;
  }

  private nextTs(): string {
    const micros = this.nextId() * TS_STEP_MICROS;
    const seconds = FIRST_TS_SECONDS + Math.floor(micros / 1_000_000);
    return `${seconds}.${String(micros % 1_000_000).padStart(6, '0')}`;
  }

  /** Posting to a user id goes to the app's DM with that user, as it does on Slack. */
  private resolveChannel(channel: string): string {
    if (!isUserId(channel)) return channel;
    const dm = `D${channel.slice(1)}`;
    this.dmUsers.set(dm, channel);
    return dm;
  }

  private assertAppIsMember(channel: string): void {
    if (this.hiddenConversations.has(channel)) throw new SlackApiError('channel_not_found');
    if (this.channelsWithoutApp.has(channel)) throw new SlackApiError('not_in_channel');
    if (this.archived.has(channel)) throw new SlackApiError('is_archived');
  }

  /** Slack hides private channels the app is not in: they look like they do not exist. */
  private assertAppCanRead(channel: string): void {
    if (this.channelsWithoutApp.has(channel) || this.hiddenConversations.has(channel)) throw new SlackApiError('channel_not_found');
  }

  private messagesOf(channel: string): FakeMessage[] {
    let messages = this.channels.get(channel);
    if (messages === undefined) {
      messages = [];
      this.channels.set(channel, messages);
    }
    return messages;
  }

  /** Read-only access: unlike messagesOf(), never makes an empty channel appear in transcripts. */
  private storedMessages(channel: string): readonly FakeMessage[] {
    return this.channels.get(channel) ?? [];
  }

  private findMessage(channel: string, ts: string): FakeMessage | undefined {
    return this.storedMessages(channel).find((message) => message.ts === ts);
  }

  private repliesTo(root: FakeMessage): FakeMessage[] {
    return this.storedMessages(root.channel).filter((message) => message.thread_ts === root.ts);
  }

  /**
   * Slack threads a reply under the root even when given a reply's ts. A thread_ts that matches no
   * message is refused here, although Slack would accept it and the reply would be invisible to
   * everyone: failing loudly is the point of a test double.
   */
  private threadRootTs(channel: string, threadTs: string): string {
    const parent = this.findMessage(channel, threadTs);
    if (parent === undefined) throw new SlackApiError('thread_not_found');
    return parent.thread_ts ?? parent.ts;
  }

  /** chat.update semantics: given fields replace, omitted ones are kept, `blocks: []` removes blocks. */
  private applyEdit(message: FakeMessage, args: SlackArgs): void {
    const text = stringArg(args.text);
    if (text !== undefined) message.text = text;
    if (Array.isArray(args.blocks)) {
      if (args.blocks.length === 0) delete message.blocks;
      else message.blocks = args.blocks;
    }
    if (args.metadata !== undefined) message.metadata = args.metadata;
    message.edited = true;
  }

  private removeMessage(message: FakeMessage): void {
    const remaining = this.storedMessages(message.channel).filter(
      (other) => other !== message && other.thread_ts !== message.ts,
    );
    this.channels.set(message.channel, remaining);
  }

  private toApiMessage(message: FakeMessage, includeMetadata: boolean): SlackArgs {
    const apiMessage: SlackArgs = {
      type: 'message',
      user: message.user,
      bot_id: this.botId,
      app_id: this.appId,
      text: message.text,
      ts: message.ts,
      team: this.teamId,
    };
    if (message.blocks !== undefined) apiMessage.blocks = structuredClone(message.blocks);
    if (includeMetadata && message.metadata !== undefined) apiMessage.metadata = structuredClone(message.metadata);
    if (message.edited) apiMessage.edited = { user: message.user, ts: message.ts };
    if (message.thread_ts !== undefined) {
      apiMessage.thread_ts = message.thread_ts;
      apiMessage.parent_user_id = this.findMessage(message.channel, message.thread_ts)?.user;
    } else {
      const replies = this.repliesTo(message);
      if (replies.length > 0) {
        apiMessage.thread_ts = message.ts;
        apiMessage.reply_count = replies.length;
        apiMessage.reply_users = [...new Set(replies.map((reply) => reply.user))];
        apiMessage.reply_users_count = apiMessage.reply_users.length;
        apiMessage.latest_reply = replies.at(-1)?.ts;
      }
    }
    return apiMessage;
  }

  private saveView(
    input: SlackArgs,
    context: { userId?: string; previous?: FakeView; replacing?: FakeView },
  ): FakeView {
    const { userId, previous, replacing } = context;
    const id = replacing?.id ?? `V${String(this.nextId()).padStart(8, '0')}`;
    // A view belongs to the workspace whose token opened it (the calling bot's, with OAuth install).
    const teamId = this.caller.teamId ?? this.teamId;
    const view: FakeView = {
      team_id: teamId,
      blocks: [],
      private_metadata: '',
      callback_id: '',
      external_id: '',
      clear_on_close: false,
      notify_on_close: false,
      close: null,
      submit: null,
      app_installed_team_id: teamId,
      ...structuredClone(input),
      // Fields Slack owns, whatever the app sent.
      id,
      type: String(input.type),
      hash: `${Math.floor(Date.now() / 1000)}.${randomBytes(4).toString('hex')}`,
      state: { values: {} },
      root_view_id: replacing?.root_view_id ?? previous?.root_view_id ?? id,
      previous_view_id: replacing?.previous_view_id ?? previous?.id ?? null,
      app_id: this.appId,
      bot_id: this.botId,
    };
    this.views.delete(id);
    this.views.set(id, userId === undefined ? { view } : { view, userId });
    return structuredClone(view);
  }

  private lastStoredView(userId: string): FakeView | undefined {
    return [...this.views.values()].reverse().find((stored) => stored.userId === userId)?.view;
  }

  // -------------------------------------------------------------------------------------------------
  // Transcript
  // -------------------------------------------------------------------------------------------------

  private describeChannel(channel: string): string {
    const dmUser = this.dmUsers.get(channel);
    return dmUser === undefined ? `#${channelName(channel)} (${channel})` : `DM with ${dmUser} (${channel})`;
  }

  private renderChannel(channel: string): string {
    const ephemerals = this.ephemeralMessages.filter((ephemeral) => (ephemeral.channel ?? '') === channel);
    const roots = this.messages(channel);
    const rootTs = new Set(roots.map((root) => root.ts));
    type Entry = { ts: string; lines: string[] };
    const entries: Entry[] = roots.map((root) => ({
      ts: root.ts,
      lines: [
        ...labelled('', renderMessage(root), root.edited ? ' (edited)' : ''),
        ...mergeByTs([
          ...root.replies.map((reply) => ({
            ts: reply.ts,
            lines: labelled('  ↳ ', renderMessage(reply), reply.edited ? ' (edited)' : ''),
          })),
          ...ephemerals
            .filter((ephemeral) => ephemeral.thread_ts === root.ts)
            .map((ephemeral) => ({
              ts: ephemeral.ts,
              lines: labelled('  ↳ (only visible to you) ', renderMessage(ephemeral)),
            })),
        ]),
      ],
    }));
    for (const ephemeral of ephemerals) {
      if (ephemeral.thread_ts !== undefined && rootTs.has(ephemeral.thread_ts)) continue;
      entries.push({ ts: ephemeral.ts, lines: labelled('(only visible to you) ', renderMessage(ephemeral)) });
    }
    if (entries.length === 0) return '(no messages)';
    return entries
      .sort((a, b) => compareTs(a.ts, b.ts))
      .map((entry) => entry.lines.join('\n'))
      .join('\n\n');
  }
}

// ---------------------------------------------------------------------------------------------------
// Request parsing and small helpers
// ---------------------------------------------------------------------------------------------------

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, answer: Answer): void {
  res.writeHead(answer.status, { 'Content-Type': 'application/json; charset=utf-8', ...answer.headers });
  res.end(JSON.stringify(answer.body));
}

/** Reads form or JSON bodies (plus query-string arguments), decoding JSON-encoded fields like Slack does. */
function parseArgs(rawBody: string, contentType: string, query: URLSearchParams): SlackArgs {
  const args: SlackArgs = Object.fromEntries(query);
  if (rawBody.trim() !== '') {
    if (contentType.includes('application/json')) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(rawBody);
      } catch {
        throw new SlackApiError('invalid_json');
      }
      if (!isObject(parsed)) throw new SlackApiError('invalid_json');
      Object.assign(args, parsed);
    } else {
      Object.assign(args, Object.fromEntries(new URLSearchParams(rawBody)));
    }
  }
  for (const field of JSON_ENCODED_FIELDS) {
    const value = args[field];
    if (typeof value !== 'string') continue;
    try {
      args[field] = JSON.parse(value);
    } catch {
      // Left as a string: validation then reports it the way Slack reports malformed JSON fields.
    }
  }
  return args;
}

function bearerToken(authorization: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  return match?.[1];
}

function isObject(value: unknown): value is SlackArgs {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringArg(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

/** Form bodies carry booleans as strings. */
function isTrue(value: unknown): boolean {
  return value === true || value === 'true' || value === '1' || value === 1;
}

function isUserId(value: string): boolean {
  return /^[UW][A-Z0-9]+$/.test(value);
}

function requireArgs(args: SlackArgs, ...names: string[]): void {
  const missing = names.filter((name) => args[name] === undefined || args[name] === null || args[name] === '');
  if (missing.length > 0) {
    throw new SlackApiError(
      'invalid_arguments',
      missing.map((name) => `missing required field: ${name}`),
    );
  }
}

function hasContent(args: SlackArgs): boolean {
  const text = stringArg(args.text);
  const hasBlocks = Array.isArray(args.blocks) ? args.blocks.length > 0 : typeof args.blocks === 'string';
  return (text !== undefined && text !== '') || hasBlocks || Array.isArray(args.attachments);
}

function requireContent(args: SlackArgs): void {
  if (!hasContent(args)) {
    throw new SlackApiError('invalid_arguments', ['missing required field: text or blocks']);
  }
}

function assertValidMessagePayload(args: SlackArgs): void {
  const problems = messagePayloadProblems(args);
  if (problems.length > 0) throw new SlackApiError('invalid_blocks', problems);
}

function messagePayloadProblems(args: SlackArgs): string[] {
  const problems = new Problems();
  if (args.blocks !== undefined) checkBlocks(problems, '/blocks', args.blocks, LIMITS.messageBlocks);
  if (args.metadata !== undefined) checkMetadata(problems, args.metadata);
  return problems.list;
}

function assertValidView(view: unknown): void {
  const problems = new Problems();
  checkView(problems, view);
  if (problems.list.length > 0) throw new SlackApiError('invalid_arguments', problems.list);
}

function assertFreshHash(current: FakeView, hash: unknown): void {
  if (typeof hash === 'string' && hash !== '' && hash !== current.hash) throw new SlackApiError('hash_conflict');
}

function callMatches(call: FakeSlackCall, method: string, predicate?: (call: FakeSlackCall) => boolean): boolean {
  if (call.method !== method) return false;
  if (predicate === undefined) return true;
  try {
    return predicate(call);
  } catch {
    // Predicates dig into payloads (`call.args.blocks[0]…`); a call of another shape is just not a match.
    return false;
  }
}

function summarizeCall(call: FakeSlackCall): string {
  const outcome = call.response.ok === true ? 'ok' : `error ${String(call.response.error)} (HTTP ${call.status})`;
  const details = ['channel', 'ts', 'thread_ts', 'user', 'user_id', 'view_id', 'trigger_id', 'response_type']
    .filter((key) => call.args[key] !== undefined)
    .map((key) => `${key}=${String(call.args[key])}`);
  if (typeof call.args.text === 'string') details.push(`text=${JSON.stringify(truncate(call.args.text, 60))}`);
  if (Array.isArray(call.args.blocks)) details.push(`blocks=${call.args.blocks.length}`);
  return `${call.method} → ${outcome}${details.length > 0 ? `  ${details.join(' ')}` : ''}`;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function applyLimit<T>(items: T[], limit: unknown): T[] {
  const count = Number(limit);
  return Number.isInteger(count) && count > 0 ? items.slice(0, count) : items;
}

function compareTs(a: string, b: string): number {
  return Number(a) - Number(b) || a.localeCompare(b);
}

/** `C0SUPPORT` → `support`: readable names for channels the tests only know by id. */
function channelName(channel: string): string {
  return channel.slice(1).replace(/^0+/, '').toLowerCase() || channel.toLowerCase();
}

function userName(userId: string): string {
  return userId.slice(1).replace(/^0+/, '').toLowerCase() || userId.toLowerCase();
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** Everyone in the fake workspace lives in Paris; the offset follows daylight saving time like Slack's does. */
function parisTimeZone(at: Date): { offsetSeconds: number; label: string } {
  const zoneName = new Intl.DateTimeFormat('en-US', { timeZone: 'Europe/Paris', timeZoneName: 'shortOffset' })
    .formatToParts(at)
    .find((part) => part.type === 'timeZoneName')?.value;
  const hours = Number(/GMT([+-]\d+)/.exec(zoneName ?? '')?.[1] ?? 1);
  return {
    offsetSeconds: hours * 3600,
    label: hours === 2 ? 'Central European Summer Time' : 'Central European Time',
  };
}

// ---------------------------------------------------------------------------------------------------
// Block Kit validation: the limits Slack enforces, reported with Slack's json-pointer style
// ---------------------------------------------------------------------------------------------------

const LIMITS = {
  messageBlocks: 50,
  viewBlocks: 100,
  blockId: 255,
  actionId: 255,
  sectionText: 3000,
  sectionFieldText: 2000,
  sectionFields: 10,
  headerText: 150,
  contextElements: 10,
  actionsElements: 25,
  buttonText: 75,
  buttonUrl: 3000,
  buttonValue: 2000,
  options: 100,
  optionText: 75,
  optionValue: 150,
  placeholder: 150,
  inputLabel: 2000,
  inputHint: 2000,
  imageUrl: 3000,
  altText: 2000,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  viewTitle: 24,
  viewButton: 24,
  privateMetadata: 3000,
  callbackId: 255,
  externalId: 255,
} as const;

const OPTION_ELEMENTS = new Set(['static_select', 'multi_static_select', 'radio_buttons', 'checkboxes', 'overflow']);

class Problems {
  readonly list: string[] = [];

  add(pointer: string, problem: string): void {
    this.list.push(`${problem} [json-pointer:${pointer}]`);
  }

  maxLength(pointer: string, value: unknown, max: number): void {
    if (typeof value === 'string' && value.length > max) {
      this.add(pointer, `must be at most ${max} characters (got ${value.length})`);
    }
  }

  optionalId(pointer: string, value: unknown, max: number): void {
    if (value === undefined) return;
    if (typeof value !== 'string' || value === '') this.add(pointer, 'must be a non-empty string');
    else this.maxLength(pointer, value, max);
  }
}

interface TextRules {
  max: number;
  required?: boolean;
  plainTextOnly?: boolean;
}

function checkText(problems: Problems, pointer: string, value: unknown, rules: TextRules): void {
  if (value === undefined) {
    if (rules.required) problems.add(pointer, 'is required');
    return;
  }
  if (!isObject(value)) {
    problems.add(pointer, 'must be a text object');
    return;
  }
  if (rules.plainTextOnly && value.type !== 'plain_text') problems.add(`${pointer}/type`, 'must be plain_text');
  else if (value.type !== 'plain_text' && value.type !== 'mrkdwn') {
    problems.add(`${pointer}/type`, 'must be plain_text or mrkdwn');
  }
  if (typeof value.text !== 'string' || value.text === '') {
    problems.add(`${pointer}/text`, 'must be a non-empty string');
    return;
  }
  problems.maxLength(`${pointer}/text`, value.text, rules.max);
}

function checkBlocks(problems: Problems, pointer: string, blocks: unknown, maxBlocks: number): void {
  if (!Array.isArray(blocks)) {
    problems.add(pointer, 'must be an array of blocks');
    return;
  }
  if (blocks.length > maxBlocks) problems.add(pointer, `must have at most ${maxBlocks} items (got ${blocks.length})`);
  const blockIds = new Set<string>();
  blocks.forEach((block: unknown, index) => checkBlock(problems, `${pointer}/${index}`, block, blockIds));
}

function checkBlock(problems: Problems, pointer: string, block: unknown, blockIds: Set<string>): void {
  if (!isObject(block) || typeof block.type !== 'string') {
    problems.add(pointer, 'must be a block with a type');
    return;
  }
  problems.optionalId(`${pointer}/block_id`, block.block_id, LIMITS.blockId);
  if (typeof block.block_id === 'string') {
    if (blockIds.has(block.block_id)) problems.add(`${pointer}/block_id`, `duplicate block_id "${block.block_id}"`);
    blockIds.add(block.block_id);
  }
  switch (block.type) {
    case 'section':
      if (block.text === undefined && block.fields === undefined) problems.add(pointer, 'must have text or fields');
      checkText(problems, `${pointer}/text`, block.text, { max: LIMITS.sectionText });
      if (block.fields !== undefined) {
        checkList(problems, `${pointer}/fields`, block.fields, LIMITS.sectionFields, (fieldPointer, field) =>
          checkText(problems, fieldPointer, field, { max: LIMITS.sectionFieldText, required: true }),
        );
      }
      if (block.accessory !== undefined) checkElement(problems, `${pointer}/accessory`, block.accessory);
      break;
    case 'header':
      checkText(problems, `${pointer}/text`, block.text, {
        max: LIMITS.headerText,
        required: true,
        plainTextOnly: true,
      });
      break;
    case 'context':
      checkList(problems, `${pointer}/elements`, block.elements, LIMITS.contextElements, (elementPointer, element) => {
        if (isObject(element) && element.type === 'image') {
          problems.maxLength(`${elementPointer}/alt_text`, element.alt_text, LIMITS.altText);
        } else {
          checkText(problems, elementPointer, element, { max: Number.POSITIVE_INFINITY, required: true });
        }
      });
      break;
    case 'actions': {
      const actionIds = new Set<string>();
      checkList(problems, `${pointer}/elements`, block.elements, LIMITS.actionsElements, (elementPointer, element) =>
        checkElement(problems, elementPointer, element, actionIds),
      );
      break;
    }
    case 'input':
      checkText(problems, `${pointer}/label`, block.label, {
        max: LIMITS.inputLabel,
        required: true,
        plainTextOnly: true,
      });
      checkText(problems, `${pointer}/hint`, block.hint, { max: LIMITS.inputHint, plainTextOnly: true });
      if (block.element === undefined) problems.add(`${pointer}/element`, 'is required');
      else checkElement(problems, `${pointer}/element`, block.element);
      break;
    case 'call':
      // Block Kit's call block: a call_id from calls.add (the server checks it is registered).
      if (typeof block.call_id !== 'string' || block.call_id === '') problems.add(`${pointer}/call_id`, 'must be a call id');
      break;
    case 'image':
      problems.maxLength(`${pointer}/image_url`, block.image_url, LIMITS.imageUrl);
      if (typeof block.alt_text !== 'string' || block.alt_text === '') {
        problems.add(`${pointer}/alt_text`, 'must be a non-empty string');
      }
      problems.maxLength(`${pointer}/alt_text`, block.alt_text, LIMITS.altText);
      break;
    default:
      // Other block types (divider, rich_text, markdown, …) have no limits the app is likely to hit.
      break;
  }
}

function checkList(
  problems: Problems,
  pointer: string,
  value: unknown,
  maxItems: number,
  checkItem: (itemPointer: string, item: unknown) => void,
): void {
  if (!Array.isArray(value) || value.length === 0) {
    problems.add(pointer, 'must be a non-empty array');
    return;
  }
  if (value.length > maxItems) problems.add(pointer, `must have at most ${maxItems} items (got ${value.length})`);
  value.forEach((item: unknown, index) => checkItem(`${pointer}/${index}`, item));
}

function checkElement(problems: Problems, pointer: string, element: unknown, actionIds?: Set<string>): void {
  if (!isObject(element) || typeof element.type !== 'string') {
    problems.add(pointer, 'must be an element with a type');
    return;
  }
  problems.optionalId(`${pointer}/action_id`, element.action_id, LIMITS.actionId);
  if (actionIds !== undefined && typeof element.action_id === 'string') {
    if (actionIds.has(element.action_id)) {
      problems.add(`${pointer}/action_id`, `duplicate action_id "${element.action_id}" in the same block`);
    }
    actionIds.add(element.action_id);
  }
  if (element.type === 'button') {
    checkText(problems, `${pointer}/text`, element.text, {
      max: LIMITS.buttonText,
      required: true,
      plainTextOnly: true,
    });
    problems.maxLength(`${pointer}/url`, element.url, LIMITS.buttonUrl);
    problems.maxLength(`${pointer}/value`, element.value, LIMITS.buttonValue);
    if (element.style !== undefined && element.style !== 'primary' && element.style !== 'danger') {
      problems.add(`${pointer}/style`, 'must be primary or danger');
    }
  }
  if (OPTION_ELEMENTS.has(element.type) && element.options !== undefined) {
    checkList(problems, `${pointer}/options`, element.options, LIMITS.options, (optionPointer, option) =>
      checkOption(problems, optionPointer, option),
    );
  }
  checkText(problems, `${pointer}/placeholder`, element.placeholder, {
    max: LIMITS.placeholder,
    plainTextOnly: true,
  });
  if (element.confirm !== undefined) checkConfirm(problems, `${pointer}/confirm`, element.confirm);
}

function checkOption(problems: Problems, pointer: string, option: unknown): void {
  if (!isObject(option)) {
    problems.add(pointer, 'must be an option object');
    return;
  }
  checkText(problems, `${pointer}/text`, option.text, { max: LIMITS.optionText, required: true });
  if (typeof option.value !== 'string' || option.value === '') {
    problems.add(`${pointer}/value`, 'must be a non-empty string');
  }
  problems.maxLength(`${pointer}/value`, option.value, LIMITS.optionValue);
}

function checkConfirm(problems: Problems, pointer: string, confirm: unknown): void {
  if (!isObject(confirm)) {
    problems.add(pointer, 'must be a confirmation dialog object');
    return;
  }
  const plain = { plainTextOnly: true };
  checkText(problems, `${pointer}/title`, confirm.title, { max: LIMITS.confirmTitle, required: true, ...plain });
  checkText(problems, `${pointer}/text`, confirm.text, { max: LIMITS.confirmText, required: true });
  checkText(problems, `${pointer}/confirm`, confirm.confirm, { max: LIMITS.confirmButton, required: true, ...plain });
  checkText(problems, `${pointer}/deny`, confirm.deny, { max: LIMITS.confirmButton, required: true, ...plain });
}

function checkMetadata(problems: Problems, metadata: unknown): void {
  if (!isObject(metadata) || typeof metadata.event_type !== 'string' || !isObject(metadata.event_payload)) {
    problems.add('/metadata', 'must be an object with event_type (string) and event_payload (object)');
  }
}

function checkView(problems: Problems, view: unknown): void {
  if (!isObject(view)) {
    problems.add('/view', 'must be a view object');
    return;
  }
  if (view.type !== 'modal' && view.type !== 'home') problems.add('/view/type', 'must be modal or home');
  const buttonRules = { max: LIMITS.viewButton, plainTextOnly: true };
  checkText(problems, '/view/title', view.title, {
    ...buttonRules,
    max: LIMITS.viewTitle,
    required: view.type === 'modal',
  });
  checkText(problems, '/view/submit', view.submit, buttonRules);
  checkText(problems, '/view/close', view.close, buttonRules);
  problems.maxLength('/view/private_metadata', view.private_metadata, LIMITS.privateMetadata);
  problems.maxLength('/view/callback_id', view.callback_id, LIMITS.callbackId);
  problems.maxLength('/view/external_id', view.external_id, LIMITS.externalId);
  checkBlocks(problems, '/view/blocks', view.blocks, LIMITS.viewBlocks);
  const hasInputs =
    Array.isArray(view.blocks) && view.blocks.some((block) => isObject(block) && block.type === 'input');
  if (view.type === 'modal' && hasInputs && view.submit === undefined) {
    problems.add('/view/submit', 'is required when the modal has input blocks');
  }
}

// ---------------------------------------------------------------------------------------------------
// Transcript rendering: what a person would read, blocks flattened to text
// ---------------------------------------------------------------------------------------------------

function renderMessage(message: { text: string; blocks?: types.AnyBlock[] }): string[] {
  const blockLines = (message.blocks ?? []).flatMap((block) => renderBlock(block as unknown as SlackArgs));
  if (blockLines.length > 0) return blockLines;
  return message.text === '' ? ['(empty message)'] : message.text.split('\n');
}

function renderBlock(block: SlackArgs): string[] {
  switch (block.type) {
    case 'header':
    case 'markdown':
      return textLines(block.text);
    case 'section': {
      const lines = textLines(block.text);
      if (Array.isArray(block.fields)) lines.push(...block.fields.flatMap((field: unknown) => textLines(field)));
      if (isObject(block.accessory)) lines.push(renderElement(block.accessory));
      return lines;
    }
    case 'context': {
      const elements: unknown[] = Array.isArray(block.elements) ? block.elements : [];
      const parts = elements.filter((element) => isObject(element) && element.type !== 'image').map(textOf);
      return parts.length > 0 ? [parts.join(' · ')] : [];
    }
    case 'actions':
      if (!Array.isArray(block.elements)) return [];
      return [block.elements.map((element: unknown) => renderElement(element)).join('  ')];
    case 'divider':
      return ['───'];
    case 'image':
      return [`[image: ${String(block.alt_text ?? '')}]`];
    case 'input':
      return [`${textOf(block.label)}: ${isObject(block.element) ? renderElement(block.element) : ''}`];
    case 'rich_text':
      return richTextOf(block).split('\n');
    case 'call':
      return [`📞 [Slack call ${String(block.call_id)}]`];
    default:
      return [`[${String(block.type)} block]`];
  }
}

function renderElement(element: unknown): string {
  if (!isObject(element)) return '';
  switch (element.type) {
    case 'button':
      // Link buttons show where they lead, as the reader would see on hover.
      return typeof element.url === 'string'
        ? `[${textOf(element.text)}] (${element.url})`
        : `[${textOf(element.text)}]`;
    case 'overflow':
      return '[…]';
    case 'image':
      return `[image: ${String(element.alt_text ?? '')}]`;
    default: {
      const placeholder = textOf(element.placeholder);
      return `[${placeholder || String(element.type)} ▾]`;
    }
  }
}

function textOf(value: unknown): string {
  return isObject(value) && typeof value.text === 'string' ? value.text : '';
}

function textLines(value: unknown): string[] {
  const text = textOf(value);
  return text === '' ? [] : text.split('\n');
}

function richTextOf(node: unknown): string {
  if (!isObject(node)) return '';
  if (typeof node.text === 'string') return node.text;
  if (typeof node.url === 'string') return node.url;
  if (node.type === 'user' && typeof node.user_id === 'string') return `<@${node.user_id}>`;
  return Array.isArray(node.elements) ? node.elements.map(richTextOf).join('') : '';
}

/** Prefixes the first line, aligns the following ones under it, and appends a suffix to the first. */
function labelled(prefix: string, lines: string[], suffix = ''): string[] {
  const indent = ' '.repeat([...prefix].length);
  return lines.map((line, index) => (index === 0 ? `${prefix}${line}${suffix}` : `${indent}${line}`));
}

function mergeByTs(entries: Array<{ ts: string; lines: string[] }>): string[] {
  return entries.sort((a, b) => compareTs(a.ts, b.ts)).flatMap((entry) => entry.lines);
}
