import type { KyInstance } from 'ky';
import type { z } from 'zod';
import { messageLength } from '../../domain/delivery.js';
import type { Logger } from '../../domain/logger.js';
import { scrub } from '../../domain/scrub.js';
import { observedCall, withCallLogger, type CallVia } from '../observed-call.js';
import { inDoubt, VendorError } from '../errors.js';
import type { CallRecorder } from '../../domain/vendor-module.js';
import { codeForStatus, createHttp, parseBody, send, sleep } from '../http.js';
import { RateBudget, rateLimitResetAt, type RateSlot } from '../rate-budget.js';
import {
  ApizeeErrorBody,
  Conference,
  ConferenceList,
  ConferenceMedia,
  CreatedTicket,
  TicketList,
  TicketMediaList,
  TicketStatsList,
  TokenAnswer,
  type TicketStats,
} from './schemas.js';
import type { ApizeeSettings } from './settings.js';

/** Each client owns its settings; its module's schema (settings.ts) fills them from the environment. */
export type { ApizeeSettings };

export interface NewTicket {
  phone?: string;
  email?: string;
  agent: string;
  reference: string;
  /**
   * The agent's note. Seed 003 names no message parameter for tickets; the ticket's
   * `description` (REFERENCE §4, [P:A2]) is where it is kept [I].
   */
  description?: string;
}

/** `POST /conferences` parameters (seed 003; REFERENCE §4 "Conferences"). */
export interface NewConference {
  /** E-mail addresses and/or phone numbers; sent comma-separated. At least one. */
  participants: string[];
  /** 2–255 characters; what `listConferences({ search })` finds it by. */
  name?: string;
  /** Invitation text, at most 300 characters. */
  message?: string;
  /** Waiting room: participants wait for the moderator to let them in. */
  moderation?: boolean;
  /** Apizee sends the invitations (default true). */
  invite?: boolean;
  startTime?: Date;
  /** Minutes, an integer of at least 1. */
  duration?: number;
  /** User id or username. */
  moderator?: string;
}

/** REFERENCE §4 "Conferences": name 2–255 characters, message at most 300. */
export const CONFERENCE_NAME_LENGTH = { min: 2, max: 255 } as const;
export const CONFERENCE_MESSAGE_MAX_LENGTH = 300;

/** Who is asking: an interactive call queues for a slot; a background one gives up if none is spare. */
export type Priority = 'interactive' | 'background';

interface CallOptions {
  priority: Priority;
  /** GETs may be retried once on 5xx/timeouts; POSTs that create things never are. */
  idempotent: boolean;
}

/** Apizee's documented ceiling on list sizes is unknown; 100 is assumed (REFERENCE §4 [U]). */
export const MAX_LIST_LIMIT = 100;
const TOKEN_SAFETY_MS = 60_000;

export class ApizeeClient {
  readonly budget: RateBudget;
  private readonly http: KyInstance;
  private token?: { value: string; expiresAt: number };
  private tokenRequest?: Promise<string>;

  constructor(
    private readonly settings: ApizeeSettings,
    private readonly deps: { logger: Logger; health: CallRecorder; budget?: RateBudget },
  ) {
    this.http = createHttp(`${settings.apiUrl}/`, settings.timeoutMs);
    this.budget = deps.budget ?? new RateBudget(settings.ratePerMinute);
  }

  /** `POST /tickets` (seed 003): invite=1 so Apizee delivers the invitation, scope=sso for the agent link. */
  async createTicket(input: NewTicket, via: CallVia = {}): Promise<CreatedTicket> {
    const searchParams: Record<string, string> = {
      agent: input.agent,
      invite: '1',
      reference: input.reference,
      scope: 'sso',
    };
    if (input.phone) searchParams.phone = input.phone;
    if (input.email) searchParams.email = input.email;
    if (input.description) searchParams.description = input.description;
    return this.call('createTicket', CreatedTicket, (token) => this.http.post('tickets', { searchParams, headers: auth(token) }), {
      priority: 'interactive',
      idempotent: false,
    }, via);
  }

  /** `GET /tickets?orderby=date&order=desc&limit=…[&reference=…]`: one call covers many tickets. */
  async listTickets(
    query: { limit: number; reference?: string; offset?: number },
    priority: Priority = 'background',
    via: CallVia = {},
  ): Promise<TicketList> {
    const searchParams: Record<string, string | number> = {
      orderby: 'date',
      order: 'desc',
      limit: Math.min(Math.max(1, query.limit), MAX_LIST_LIMIT),
    };
    if (query.offset) searchParams.offset = query.offset;
    if (query.reference) searchParams.reference = query.reference;
    const list = await this.call('listTickets', TicketList, (token) => this.http.get('tickets', { searchParams, headers: auth(token) }), {
      priority,
      idempotent: true,
    }, via);
    this.logSkipped('listTickets', list.skipped, via);
    return list;
  }

  /** The rows a list answer could not read: how many, and the first problems (never their contents). */
  private logSkipped(operation: string, skipped: string[], via: CallVia): void {
    if (skipped.length === 0) return;
    (via.logger ?? this.deps.logger).warn({ vendor: 'apizee', operation, skipped: skipped.length, problems: skipped.slice(0, 5) }, 'list rows skipped: not readable');
  }

  /**
   * `GET /enterprises/{enterpriseId}/tickets/{id}/medias` (seed 003). The seed's curl sends no
   * query, but its answer echoes `"limit": 10, "offset": 0`: a page of 10 by default, so a ticket
   * with more files would never show the rest. This asks for the assumed maximum, as the
   * conference media call does, and says so when even that is not every file.
   */
  async listTicketMedias(ticketId: string, priority: Priority = 'background', via: CallVia = {}): Promise<TicketMediaList> {
    const path = `enterprises/${encodeURIComponent(this.settings.enterpriseId)}/tickets/${encodeURIComponent(ticketId)}/medias`;
    const searchParams = { limit: MAX_LIST_LIMIT };
    const list = await this.call('listTicketMedias', TicketMediaList, (token) => this.http.get(path, { searchParams, headers: auth(token) }), {
      priority,
      idempotent: true,
    }, via);
    const received = (list.offset ?? 0) + list.medias.length;
    if (list.count !== undefined && list.count > received) {
      (via.logger ?? this.deps.logger).warn({ vendor: 'apizee', operation: 'listTicketMedias', count: list.count, received }, 'media list longer than one page: the rest is not read');
    }
    return list;
  }

  /**
   * `POST /conferences` with query parameters (seed 003): `participants` comma-separated, booleans
   * as `true`/`false`, `startTime` in ISO 8601 UTC. Parameters go in REFERENCE §4's order, which
   * reproduces the seed's curl. Checked here first, so a bad name or message costs no request.
   */
  async createConference(input: NewConference, priority: Priority = 'interactive', via: CallVia = {}): Promise<Conference> {
    const searchParams = conferenceParams(input);
    return this.call('createConference', Conference, (token) => this.http.post('conferences', { searchParams, headers: auth(token) }), {
      priority,
      idempotent: false,
    }, via);
  }

  /** `GET /conferences?search=…&since=…&orderby=date&order=desc&limit=…` (seed 003, "Get a Conference ID by name"). */
  async listConferences(
    query: { search?: string; since?: Date; limit: number },
    priority: Priority = 'background',
    via: CallVia = {},
  ): Promise<ConferenceList> {
    const searchParams: Record<string, string | number> = {};
    if (query.search) searchParams.search = query.search;
    if (query.since) searchParams.since = isoUtc(query.since);
    searchParams.orderby = 'date';
    searchParams.order = 'desc';
    searchParams.limit = Math.min(Math.max(1, query.limit), MAX_LIST_LIMIT);
    const list = await this.call('listConferences', ConferenceList, (token) => this.http.get('conferences', { searchParams, headers: auth(token) }), {
      priority,
      idempotent: true,
    }, via);
    this.logSkipped('listConferences', list.skipped, via);
    return list;
  }

  /**
   * `GET /conferences/{id}/media?limit=…&orderby=date&order=desc` (seed 003; the seed asks for 10,
   * this asks for the assumed maximum so one call sees every recording).
   */
  async listConferenceMedia(conferenceId: string, priority: Priority = 'background', via: CallVia = {}): Promise<ConferenceMedia> {
    const path = `conferences/${encodeURIComponent(conferenceId)}/media`;
    const searchParams = { limit: MAX_LIST_LIMIT, orderby: 'date', order: 'desc' };
    return this.call('listConferenceMedia', ConferenceMedia, (token) => this.http.get(path, { searchParams, headers: auth(token) }), {
      priority,
      idempotent: true,
    }, via);
  }

  /**
   * `GET /enterprises/{enterpriseId}/tickets-stats?format=JSON&since=…&until=…` (seed 003), days as
   * `YYYY-MM-DD`. Rows come back with English names (schemas.ts, TICKET_STATS_KEYS).
   */
  async ticketStats(range: { since: string; until: string }, priority: Priority = 'interactive', via: CallVia = {}): Promise<TicketStats[]> {
    for (const [field, day] of Object.entries(range)) {
      if (!isCalendarDay(day)) throw invalid('ticketStats', `The ${field} date must be a day written YYYY-MM-DD.`);
    }
    if (range.since > range.until) throw invalid('ticketStats', 'The since date must not be after the until date.');
    const path = `enterprises/${encodeURIComponent(this.settings.enterpriseId)}/tickets-stats`;
    const searchParams = { format: 'JSON', since: range.since, until: range.until };
    return this.call('ticketStats', TicketStatsList, (token) => this.http.get(path, { searchParams, headers: auth(token) }), {
      priority,
      idempotent: true,
    }, via);
  }

  /** Agent side of a ticket: `agent_url` + `/entrypoint/{button_id}/tickets/{id}` (seed 003). */
  static agentRoomUrl(ticket: Pick<CreatedTicket, 'agent_url' | 'button_id' | 'id'>): string {
    return `${ticket.agent_url.replace(/\/+$/, '')}/entrypoint/${ticket.button_id}/tickets/${ticket.id}`;
  }

  /** Waits a little for the next background slot (the budget spreads them over the minute). */
  backgroundSlotWithin(maxWaitMs: number): Promise<boolean> {
    return this.budget.backgroundReadyWithin(maxWaitMs);
  }

  private async call<S extends z.ZodType>(
    operation: string,
    schema: S,
    request: (token: string) => Promise<Response>,
    options: CallOptions,
    via: CallVia = {},
  ): Promise<z.infer<S>> {
    const deps = withCallLogger(this.deps, via);
    return observedCall(deps, 'apizee', operation, () => this.callWithRecovery(operation, schema, request, options, deps.logger));
  }

  private async callWithRecovery<S extends z.ZodType>(
    operation: string,
    schema: S,
    request: (token: string) => Promise<Response>,
    options: CallOptions,
    log: Logger,
  ): Promise<z.infer<S>> {
    let reauthenticated = false;
    let retried = false;
    for (;;) {
      const token = await this.accessToken(log);
      const slot = await this.takeSlot(operation, options.priority);
      let response: Response;
      try {
        response = await send('apizee', operation, () => request(token)).finally(() => slot.settle());
      } catch (error) {
        if (options.idempotent && options.priority === 'interactive' && !retried && error instanceof VendorError && error.retryable) {
          retried = true;
          await sleep(500);
          continue;
        }
        throw !options.idempotent && error instanceof VendorError && mayHaveArrived(error) ? inDoubt(error) : error;
      }
      if (response.ok) return this.readAnswer(operation, response, schema, options, log);
      const failure = await this.toError(operation, response);
      if (failure.code === 'unauthorized' && !reauthenticated) {
        // The token may have been revoked or expired early: log in again, once, never in a loop.
        reauthenticated = true;
        this.token = undefined;
        continue;
      }
      // A 429 means Apizee did not process the request, so sending it again after the reset is
      // not a blind retry, even for a POST.
      // Background work does not retry a failing vendor: the next pass will, within its budget.
      const retryable =
        failure.code === 'rate_limited' || (options.idempotent && options.priority === 'interactive' && failure.code === 'unavailable');
      if (retryable && !retried) {
        retried = true;
        if (failure.code === 'unavailable') await sleep(500);
        continue;
      }
      throw failure;
    }
  }

  /**
   * A 2xx that does not parse: for a creation, Apizee did it (and may have texted the customer)
   * though Rendezvous cannot read what it made, so the error says the outcome is in doubt.
   */
  private async readAnswer<S extends z.ZodType>(operation: string, response: Response, schema: S, options: CallOptions, log: Logger): Promise<z.infer<S>> {
    try {
      return await parseBody('apizee', operation, response, schema, log);
    } catch (error) {
      throw !options.idempotent && error instanceof VendorError ? inDoubt(error) : error;
    }
  }

  /** The slot is settled once the answer (or the failure) is in: Apizee has counted the request by then. */
  private async takeSlot(operation: string, priority: Priority): Promise<RateSlot> {
    if (priority === 'interactive') return this.budget.takeSlot();
    const slot = await this.budget.tryTakeBackgroundSlot();
    if (!slot) {
      throw new VendorError('apizee', operation, 'rate_limited', {
        retryable: true,
        detail: 'no spare request in the per-minute budget',
      });
    }
    return slot;
  }

  private async toError(operation: string, response: Response): Promise<VendorError> {
    const resetAt = rateLimitResetAt(response.headers.get('x-ratelimit-reset'));
    if (response.status === 429 && resetAt) this.budget.pauseUntil(resetAt);
    let detail: string | undefined;
    try {
      const body = ApizeeErrorBody.safeParse(await response.json());
      if (body.success) detail = body.data.message ?? body.data.error;
    } catch {
      // A body that is not JSON adds nothing to the status.
    }
    return new VendorError('apizee', operation, codeForStatus(response.status), {
      status: response.status,
      detail: detail ? scrub(detail) : undefined,
      retryAfterMs: resetAt ? Math.max(0, resetAt - Date.now()) : undefined,
    });
  }

  /**
   * The App Home's check of an account: a fresh token (`POST /token`), the least harmful call
   * Apizee documents. It takes a slot of the account's budget like any call; the token is kept.
   */
  async checkLogin(via: CallVia = {}): Promise<void> {
    const deps = withCallLogger(this.deps, via);
    await observedCall(deps, 'apizee', 'login', () => this.login(deps.logger));
  }

  /** Cached for `expires_in` (24 h) less a minute; concurrent callers share one login (logged with the first caller's logger). */
  private async accessToken(log: Logger): Promise<string> {
    if (this.token && this.token.expiresAt > Date.now()) return this.token.value;
    this.tokenRequest ??= this.login(log).finally(() => {
      this.tokenRequest = undefined;
    });
    return this.tokenRequest;
  }

  /**
   * `POST /token?grant_type=password&username=…&password=…` (credentials as query parameters, [P:A1]).
   * A login always queues like an interactive call: it happens once a day, and taking the
   * background slot would leave the tracking call that needed it without one.
   */
  private async login(log: Logger): Promise<string> {
    const slot = await this.budget.takeSlot();
    const response = await send('apizee', 'login', () =>
      this.http.post('token', {
        searchParams: { grant_type: 'password', username: this.settings.username, password: this.settings.password },
      }),
    ).finally(() => slot.settle());
    if (!response.ok) throw await this.toError('login', response);
    const answer = await parseBody('apizee', 'login', response, TokenAnswer, log);
    this.token = { value: answer.access_token, expiresAt: Date.now() + answer.expires_in * 1000 - TOKEN_SAFETY_MS };
    return answer.access_token;
  }
}

/** Transport failures that prove the request never reached Apizee; any other may have arrived. */
const NEVER_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);

/** Whether a request that failed in transit may still have been carried out (a timeout, a dropped connection). */
function mayHaveArrived(error: VendorError): boolean {
  if (error.code === 'timeout') return true;
  if (error.code !== 'unavailable' || error.status !== undefined) return false;
  const code = (error.cause as { cause?: { code?: string } } | undefined)?.cause?.code;
  return !(code && NEVER_SENT.has(code));
}

const auth = (token: string) => ({ authorization: `Bearer ${token}` });

/** A request the client refuses to send: Apizee would answer 400 anyway (REFERENCE §4 limits). */
const invalid = (operation: string, detail: string) => new VendorError('apizee', operation, 'rejected', { detail });

/** ISO 8601 in UTC, to the second, as in the seed's `since=2023-07-11T00:00:00Z`. */
function isoUtc(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function isCalendarDay(day: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return false;
  const parsed = new Date(`${day}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().startsWith(day);
}

/** Characters as Apizee counts them (code points, not UTF-16 units) [I]. */

function conferenceParams(input: NewConference): Record<string, string> {
  const operation = 'createConference';
  const participants = input.participants.map((participant) => participant.trim());
  if (participants.length === 0 || participants.some((participant) => participant === '')) {
    throw invalid(operation, 'A conference needs at least one participant, and no participant may be empty.');
  }
  if (participants.some((participant) => participant.includes(','))) {
    throw invalid(operation, 'A participant may not contain a comma: Apizee reads participants as a comma-separated list.');
  }
  const { min, max } = CONFERENCE_NAME_LENGTH;
  if (input.name !== undefined && (messageLength(input.name) < min || messageLength(input.name) > max)) {
    throw invalid(operation, `The conference name must be ${min} to ${max} characters long.`);
  }
  if (input.message !== undefined && messageLength(input.message) > CONFERENCE_MESSAGE_MAX_LENGTH) {
    throw invalid(operation, `The invitation message must be at most ${CONFERENCE_MESSAGE_MAX_LENGTH} characters long.`);
  }
  if (input.duration !== undefined && !(Number.isInteger(input.duration) && input.duration >= 1)) {
    throw invalid(operation, 'The conference duration must be a whole number of minutes, at least 1.');
  }
  if (input.startTime !== undefined && Number.isNaN(input.startTime.getTime())) {
    throw invalid(operation, 'The conference start time is not a valid date.');
  }

  // REFERENCE §4 order: participants, name, message, moderation, startTime, duration, invite, moderator.
  const params: Record<string, string> = { participants: participants.join(',') };
  if (input.name !== undefined) params.name = input.name;
  if (input.message !== undefined) params.message = input.message;
  if (input.moderation !== undefined) params.moderation = String(input.moderation);
  if (input.startTime !== undefined) params.startTime = isoUtc(input.startTime);
  if (input.duration !== undefined) params.duration = String(input.duration);
  params.invite = String(input.invite ?? true);
  if (input.moderator !== undefined) params.moderator = input.moderator;
  return params;
}
