import type { KyInstance } from 'ky';
import type { z } from 'zod';
import type { ApizeeSettings } from '../../config.js';
import type { Logger } from '../../logger.js';
import { scrub } from '../../logger.js';
import { VendorError } from '../errors.js';
import type { VendorHealth } from '../health.js';
import { codeForStatus, createHttp, parseBody, send, sleep } from '../http.js';
import { RateBudget, rateLimitResetAt } from '../rate-budget.js';
import {
  ApizeeErrorBody,
  CreatedTicket,
  TicketList,
  TicketMediaList,
  TokenAnswer,
} from './schemas.js';

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
    private readonly deps: { logger: Logger; health: VendorHealth; budget?: RateBudget },
  ) {
    this.http = createHttp(`${settings.apiUrl}/`, settings.timeoutMs);
    this.budget = deps.budget ?? new RateBudget(settings.ratePerMinute);
  }

  /** `POST /tickets` (seed 003): invite=1 so Apizee delivers the invitation, scope=sso for the agent link. */
  async createTicket(input: NewTicket): Promise<CreatedTicket> {
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
    });
  }

  /** `GET /tickets?orderby=date&order=desc&limit=…[&reference=…]`: one call covers many tickets. */
  async listTickets(
    query: { limit: number; reference?: string; offset?: number },
    priority: Priority = 'background',
  ): Promise<TicketList> {
    const searchParams: Record<string, string | number> = {
      orderby: 'date',
      order: 'desc',
      limit: Math.min(Math.max(1, query.limit), MAX_LIST_LIMIT),
    };
    if (query.offset) searchParams.offset = query.offset;
    if (query.reference) searchParams.reference = query.reference;
    return this.call('listTickets', TicketList, (token) => this.http.get('tickets', { searchParams, headers: auth(token) }), {
      priority,
      idempotent: true,
    });
  }

  /** `GET /enterprises/{enterpriseId}/tickets/{id}/medias` (seed 003). */
  async listTicketMedias(ticketId: string, priority: Priority = 'background'): Promise<TicketMediaList> {
    const path = `enterprises/${encodeURIComponent(this.settings.enterpriseId)}/tickets/${encodeURIComponent(ticketId)}/medias`;
    return this.call('listTicketMedias', TicketMediaList, (token) => this.http.get(path, { headers: auth(token) }), {
      priority,
      idempotent: true,
    });
  }

  /** Agent side of a ticket: `agent_url` + `/entrypoint/{button_id}/tickets/{id}` (seed 003). */
  static agentRoomUrl(ticket: Pick<CreatedTicket, 'agent_url' | 'button_id' | 'id'>): string {
    return `${ticket.agent_url.replace(/\/+$/, '')}/entrypoint/${ticket.button_id}/tickets/${ticket.id}`;
  }

  /** A background call can go now only if it leaves the interactive reserve untouched. */
  canRunBackground(): boolean {
    return this.budget.backgroundReady();
  }

  private async call<S extends z.ZodType>(
    operation: string,
    schema: S,
    request: (token: string) => Promise<Response>,
    options: CallOptions,
  ): Promise<z.infer<S>> {
    const started = Date.now();
    try {
      const result = await this.callWithRecovery(operation, schema, request, options);
      this.deps.health.record('apizee', operation, true);
      this.deps.logger.info({ vendor: 'apizee', operation, durationMs: Date.now() - started }, 'vendor call succeeded');
      return result;
    } catch (error) {
      const code = error instanceof VendorError ? error.code : 'unavailable';
      this.deps.health.record('apizee', operation, false, code);
      this.deps.logger.warn(
        { vendor: 'apizee', operation, code, status: error instanceof VendorError ? error.status : undefined, durationMs: Date.now() - started },
        'vendor call failed',
      );
      throw error;
    }
  }

  private async callWithRecovery<S extends z.ZodType>(
    operation: string,
    schema: S,
    request: (token: string) => Promise<Response>,
    options: CallOptions,
  ): Promise<z.infer<S>> {
    let reauthenticated = false;
    let retried = false;
    for (;;) {
      const token = await this.accessToken();
      await this.takeSlot(operation, options.priority);
      let response: Response;
      try {
        response = await send('apizee', operation, () => request(token));
      } catch (error) {
        if (options.idempotent && options.priority === 'interactive' && !retried && error instanceof VendorError && error.retryable) {
          retried = true;
          await sleep(500);
          continue;
        }
        throw error;
      }
      if (response.ok) return parseBody('apizee', operation, response, schema, this.deps.logger);
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

  private async takeSlot(operation: string, priority: Priority): Promise<void> {
    if (priority === 'interactive') return this.budget.take();
    if (!this.budget.tryTakeBackground()) {
      throw new VendorError('apizee', operation, 'rate_limited', {
        retryable: true,
        detail: 'no spare request in the per-minute budget',
      });
    }
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

  /** Cached for `expires_in` (24 h) less a minute; concurrent callers share one login. */
  private async accessToken(): Promise<string> {
    if (this.token && this.token.expiresAt > Date.now()) return this.token.value;
    this.tokenRequest ??= this.login().finally(() => {
      this.tokenRequest = undefined;
    });
    return this.tokenRequest;
  }

  /**
   * `POST /token?grant_type=password&username=…&password=…` (credentials as query parameters, [P:A1]).
   * A login always queues like an interactive call: it happens once a day, and taking the
   * background slot would leave the tracking call that needed it without one.
   */
  private async login(): Promise<string> {
    await this.budget.take();
    const response = await send('apizee', 'login', () =>
      this.http.post('token', {
        searchParams: { grant_type: 'password', username: this.settings.username, password: this.settings.password },
      }),
    );
    if (!response.ok) throw await this.toError('login', response);
    const answer = await parseBody('apizee', 'login', response, TokenAnswer, this.deps.logger);
    this.token = { value: answer.access_token, expiresAt: Date.now() + answer.expires_in * 1000 - TOKEN_SAFETY_MS };
    return answer.access_token;
  }
}

const auth = (token: string) => ({ authorization: `Bearer ${token}` });
