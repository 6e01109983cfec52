import type { KyInstance } from 'ky';
import type { z } from 'zod';
import type { Logger } from '../../domain/logger.js';
import { observedCall, withCallLogger, type CallVia } from '../observed-call.js';
import { VendorError, type VendorErrorCode } from '../errors.js';
import type { CallRecorder } from '../../domain/vendor-module.js';
import { codeForStatus, createHttp, parseBody, send, sleep } from '../http.js';
import { MeetAnswer, MeetingList, RoomInvitationAnswer, type ConpeekMeeting } from './schemas.js';
import type { ConpeekSettings } from './settings.js';

export type { ConpeekMeeting } from './schemas.js';

export type { ConpeekSettings };

/** A video-chat meet as Rendezvous uses it; `url` is Conpeek's `_url`, the join link. */
export interface ConpeekMeet {
  id: string;
  url: string;
  startDate: Date;
  endDate: Date;
  title: string;
}

/** `GET /meeting` filter properties (REFERENCE §3 [P:C3]); only the dates take an operator. */
export type ConpeekFilter =
  | { property: 'status' | 'contact_id' | 'crm_id' | 'ticket_id'; value: string }
  | { property: 'tenant_user_id' | 'project_id'; value: number }
  | { property: 'startDate' | 'endDate' | 'created_date'; value: string; operator?: 'lt' | 'lte' | 'gt' | 'gte' };

export type ConpeekOperation = 'createMeet' | 'inviteToRoom' | 'listMeetings';

/**
 * What a status means, per seed 002 and REFERENCE §3. The documents give no error body [U], so the
 * words shown to people come from here, never from the answer.
 */
export const CONPEEK_STATUS_MEANINGS: Readonly<Record<number, { code: VendorErrorCode; detail: (operation: ConpeekOperation) => string }>> = {
  // Meets Create [P:C2] puts "Nie można wykonać takiej akcji" (action not allowed) under 400.
  400: { code: 'rejected', detail: () => 'Conpeek does not allow this action' },
  // No 401 is documented [U]; a refused key is assumed to answer 401 (the sandbox does).
  401: { code: 'unauthorized', detail: () => 'Conpeek refused the API key' },
  // Seed 002: 403 "Nie można wykonać takiej akcji".
  403: { code: 'rejected', detail: () => 'Conpeek does not allow this action' },
  // Seed 002: 404 "Nie znaleziono zasobu"; for an invitation the only resources are the bridge and room.
  404: {
    code: 'not_found',
    detail: (operation) =>
      operation === 'inviteToRoom' ? 'Conpeek does not know this conference bridge or room' : 'Conpeek found no such resource',
  },
};

const GET_RETRY_DELAY_MS = 500;

/**
 * `YYYY-MM-DD HH:mm:ss` in UTC, the `from_date` format of Meets Create [P:C2]. date-fns 4 has no
 * time zones without an extra package, and this needs only the UTC parts.
 */
export function formatConpeekDate(date: Date): string {
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  const day = `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
  return `${day} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`;
}

/** Reads Conpeek's `YYYY-MM-DD HH:mm:ss` as UTC, like `from_date` (the answer's zone is not stated [I]). */
export function parseConpeekDate(text: string): Date {
  return new Date(`${text.replace(' ', 'T')}Z`);
}

export class ConpeekClient {
  private readonly http: KyInstance;

  constructor(
    private readonly settings: ConpeekSettings,
    private readonly deps: { logger: Logger; health: CallRecorder },
  ) {
    // Paths are appended to CONPEEK_URL, as the curl and PHP samples do. The Python samples'
    // urljoin(CONPEEK_URL, "/meets/meet") would drop a path prefix such as `/api/v1.3` (REFERENCE §3).
    this.http = createHttp(`${settings.apiUrl.replace(/\/+$/, '')}/`, settings.timeoutMs);
  }

  /**
   * `POST /meets/meet` [P:C2]. The page's body and answer are bare objects, with no `{data: …}`
   * wrapper (unlike the seed's invitation), so the body is sent as that page shows it.
   */
  async createMeet(input: { fromDate: Date; project: string }, via: CallVia = {}): Promise<ConpeekMeet> {
    const json = { from_date: formatConpeekDate(input.fromDate), project_target_identifier: input.project };
    const meet = await this.call('createMeet', MeetAnswer, () => this.http.post('meets/meet', { json, headers: this.auth() }), false, via);
    return {
      id: meet._id,
      url: meet._url,
      startDate: parseConpeekDate(meet.start_date),
      endDate: parseConpeekDate(meet.end_date),
      title: meet.title,
    };
  }

  /**
   * `POST /conference-bridge/{bridge}/room/{room}/invitation` with `{data: {name}}` (seed 002). The
   * answer is `{data: ConferenceRoomInvitation}`; its `name` is returned when it echoes one.
   */
  async inviteToRoom(input: { bridgeId: number; roomId: number; name: string }, via: CallVia = {}): Promise<{ name?: string }> {
    if (!Number.isInteger(input.bridgeId) || !Number.isInteger(input.roomId)) {
      // Seed 002 types both ids <INTEGER>; anything else cannot name a room.
      throw new VendorError('conpeek', 'inviteToRoom', 'rejected', { detail: 'the conference bridge and room ids must be integers' });
    }
    const path = `conference-bridge/${input.bridgeId}/room/${input.roomId}/invitation`;
    const json = { data: { name: input.name } };
    const answer = await this.call('inviteToRoom', RoomInvitationAnswer, () => this.http.post(path, { json, headers: this.auth() }), false, via);
    return { name: answer.data.name };
  }

  /** `GET /meeting?limit=&offset=&filter=<JSON array>` → `{data: [Meeting]}` (REFERENCE §3 [P:C3]). */
  async listMeetings(input: { filter?: ConpeekFilter[]; limit?: number; offset?: number } = {}, via: CallVia = {}): Promise<ConpeekMeeting[]> {
    const searchParams: Record<string, string | number> = {};
    if (input.limit !== undefined) searchParams.limit = input.limit;
    if (input.offset !== undefined) searchParams.offset = input.offset;
    if (input.filter?.length) searchParams.filter = JSON.stringify(input.filter);
    const answer = await this.call('listMeetings', MeetingList, () => this.http.get('meeting', { searchParams, headers: this.auth() }), true, via);
    return answer.data;
  }

  /** The raw key, with no "Bearer" scheme (seed 002: `-H 'Authorization: '$CONPEEK_KEY`). */
  private auth(): Record<string, string> {
    return { authorization: this.settings.apiKey };
  }

  private async call<S extends z.ZodType>(
    operation: ConpeekOperation,
    schema: S,
    request: () => Promise<Response>,
    idempotent: boolean,
    via: CallVia,
  ): Promise<z.infer<S>> {
    // The call's lines carry the correlation id of the request or job it belongs to.
    const deps = withCallLogger(this.deps, via);
    return observedCall(deps, 'conpeek', operation, () => this.callWithRetry(operation, schema, request, idempotent, deps.logger));
  }

  /** GETs are retried once on 5xx and timeouts; POSTs that create things never are. */
  private async callWithRetry<S extends z.ZodType>(
    operation: ConpeekOperation,
    schema: S,
    request: () => Promise<Response>,
    idempotent: boolean,
    log: Logger,
  ): Promise<z.infer<S>> {
    for (let attempt = 1; ; attempt++) {
      const mayRetry = idempotent && attempt === 1;
      let response: Response;
      try {
        response = await send('conpeek', operation, request);
      } catch (error) {
        if (mayRetry && error instanceof VendorError && error.retryable) {
          await sleep(GET_RETRY_DELAY_MS);
          continue;
        }
        throw error;
      }
      if (response.ok) return parseBody('conpeek', operation, response, schema, log);
      const failure = await toError(operation, response);
      if (mayRetry && failure.code === 'unavailable') {
        await sleep(GET_RETRY_DELAY_MS);
        continue;
      }
      throw failure;
    }
  }
}

async function toError(operation: ConpeekOperation, response: Response): Promise<VendorError> {
  // The body is not read (no error schema is documented), only released.
  await response.body?.cancel().catch(() => undefined);
  const meaning = CONPEEK_STATUS_MEANINGS[response.status];
  return new VendorError('conpeek', operation, meaning?.code ?? codeForStatus(response.status), {
    status: response.status,
    detail: meaning?.detail(operation),
  });
}
