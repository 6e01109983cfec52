import type { KyInstance } from 'ky';
import type { Logger } from '../../domain/logger.js';
import { scrub } from '../../domain/scrub.js';
import { observedCall, withCallLogger, type CallVia } from '../observed-call.js';
import { VendorError, type VendorErrorCode } from '../errors.js';
import type { CallRecorder } from '../../domain/vendor-module.js';
import { codeForStatus, createHttp, parseBody, send, sleep } from '../http.js';
import { InviteRequest, MeAnswer, OperationAnswer, SendUrlRequest } from './schemas.js';
import type { GenesysSettings } from './settings.js';
import { targetUriOf, type GenesysTarget } from './targets.js';

export type { GenesysSettings };

/** The HTTP session shared by the REST client and the CometD listener (REFERENCE §2: keep `JSESSIONID`). */
export interface GenesysCookies {
  /** `name=value; …` for a `Cookie` header, or undefined before Genesys set any. */
  cookieHeader(): string | undefined;
  /** Takes one `Set-Cookie` header line. */
  storeSetCookie(setCookie: string): void;
}

export interface GenesysStatusMeaning {
  /** First and last `statusCode` of the row. */
  from: number;
  to: number;
  code: VendorErrorCode;
  /** Plain words for the person who asked. */
  words: string;
}

/**
 * Every documented non-zero `statusCode` (REFERENCE §2 "Response and error model", [P:G3]).
 * 8–19 are documented only as a group.
 */
export const GENESYS_STATUS_CODES: readonly GenesysStatusMeaning[] = [
  { from: 1, to: 1, code: 'rejected', words: 'A required parameter is missing.' },
  { from: 2, to: 2, code: 'rejected', words: 'The SMS session is not in a state that allows this.' },
  { from: 3, to: 3, code: 'rejected', words: 'Genesys forbids this operation.' },
  { from: 4, to: 4, code: 'unavailable', words: 'Genesys had an internal error.' },
  { from: 5, to: 5, code: 'rejected', words: 'The Genesys user has no permission for this.' },
  { from: 6, to: 6, code: 'not_found', words: 'Genesys does not know this SMS session.' },
  { from: 7, to: 7, code: 'rejected', words: 'Genesys did only part of it.' },
  { from: 8, to: 19, code: 'rejected', words: 'Genesys refused a password, a value or a resource.' },
  { from: 20, to: 20, code: 'unauthorized', words: 'Genesys says Rendezvous is not signed in.' },
];

export function statusCodeMeaning(statusCode: number): Pick<GenesysStatusMeaning, 'code' | 'words'> {
  const row = GENESYS_STATUS_CODES.find((meaning) => statusCode >= meaning.from && statusCode <= meaning.to);
  return row ?? { code: 'rejected', words: `Genesys answered with status code ${statusCode}.` };
}

/** REFERENCE §2 "Authentication": the body of the 403 for a missing or stale CSRF token. */
const CSRF_REFUSAL = /missing or invalid csrf token/i;

/** Header name and value from a GET; `disabled` when the server sends none (CSRF is optional). */
type Csrf = { header: string; token: string } | 'disabled';

type Operation = 'invite' | 'sendUrl';

export class GenesysClient implements GenesysCookies {
  private readonly http: KyInstance;
  private readonly authorization: string;
  private readonly cookies = new Map<string, string>();
  private csrf?: Csrf;
  private csrfRequest?: Promise<Csrf>;

  constructor(
    readonly settings: GenesysSettings,
    private readonly deps: { logger: Logger; health: CallRecorder },
  ) {
    this.http = createHttp(`${settings.apiUrl.replace(/\/+$/, '')}/`, settings.timeoutMs);
    this.authorization = `Basic ${Buffer.from(`${settings.username}:${settings.password}`).toString('base64')}`;
  }

  /** Brings an agent or a queue into the SMS session; the outcome arrives over CometD. */
  async invite(input: { smsSessionId: string; target: GenesysTarget }, via: CallVia = {}): Promise<{ referenceId: number }> {
    const body = InviteRequest.parse(this.inviteBody(input.target));
    return this.operate('invite', input.smsSessionId, body, via);
  }

  /** The table's `targetUri`/`targetPath`, or the sample's `userUri` (a URI, so a path is made one). */
  private inviteBody(target: GenesysTarget): InviteRequest {
    if (this.settings.inviteParameter === 'userUri') return { operationName: 'Invite', userUri: targetUriOf(target, this.settings.apiUrl) };
    return target.form === 'uri' ? { operationName: 'Invite', targetUri: target.value } : { operationName: 'Invite', targetPath: target.value };
  }

  /** Pushes a link to the customer of the SMS session. */
  async sendUrl(input: { smsSessionId: string; url: string }, via: CallVia = {}): Promise<{ referenceId: number }> {
    const body = SendUrlRequest.parse({ operationName: 'SendUrl', url: input.url });
    return this.operate('sendUrl', input.smsSessionId, body, via);
  }

  cookieHeader(): string | undefined {
    if (this.cookies.size === 0) return undefined;
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  storeSetCookie(setCookie: string): void {
    const [pair = '', ...attributes] = setCookie.split(';');
    const equals = pair.indexOf('=');
    if (equals <= 0) return;
    const name = pair.slice(0, equals).trim();
    if (attributes.some((attribute) => /^\s*max-age\s*=\s*0\s*$/i.test(attribute))) this.cookies.delete(name);
    else this.cookies.set(name, pair.slice(equals + 1).trim());
  }

  /** One operation; its lines carry the correlation id of the request or job it belongs to (`via`). */
  private async operate(operation: Operation, smsSessionId: string, body: object, via: CallVia): Promise<{ referenceId: number }> {
    const path = `api/v2/${this.settings.smsPath}/${encodeURIComponent(smsSessionId)}`;
    const deps = withCallLogger(this.deps, via);
    const referenceId = await observedCall(deps, 'genesys', operation, () => this.post(operation, path, body, deps.logger), (id) => ({ referenceId: id }));
    return { referenceId };
  }

  /** One POST; the only resend is after a CSRF refusal, once. */
  private async post(operation: Operation, path: string, body: object, log: Logger): Promise<number> {
    let refreshed = false;
    for (;;) {
      const csrf = await this.csrfToken(operation, log);
      const response = await send('genesys', operation, () => this.http.post(path, { json: body, headers: this.headers(csrf) }));
      this.keepCookies(response);
      if (response.ok) return this.acknowledgement(operation, response, log);
      const text = await response.text().catch(() => '');
      if (response.status === 403 && CSRF_REFUSAL.test(text) && !refreshed) {
        // Genesys refused before doing anything, so sending the same POST with a fresh token is
        // not a blind retry (REFERENCE §2 "CSRF"). The token may have died with its session.
        refreshed = true;
        this.csrf = undefined;
        continue;
      }
      throw this.httpError(operation, response.status, text);
    }
  }

  /** `{statusCode: 0, referenceId}` means accepted; anything else is refused, in the table's words. */
  private async acknowledgement(operation: Operation, response: Response, log: Logger): Promise<number> {
    const answer = await parseBody('genesys', operation, response, OperationAnswer, log);
    if (answer.statusCode !== 0) throw this.statusError(operation, response.status, answer, log);
    if (answer.referenceId === undefined) {
      throw new VendorError('genesys', operation, 'bad_response', { status: response.status, detail: 'no referenceId' });
    }
    return answer.referenceId;
  }

  private statusError(operation: string, status: number, answer: OperationAnswer, log: Logger): VendorError {
    const meaning = statusCodeMeaning(answer.statusCode);
    if (meaning.code === 'unauthorized') this.forgetSession();
    log.warn(
      { vendor: 'genesys', operation, statusCode: answer.statusCode, statusMessage: answer.statusMessage ? scrub(answer.statusMessage) : undefined },
      'Genesys refused the operation',
    );
    // The request reached Genesys, which may have done part of it: repeating it is for a person to decide.
    return new VendorError('genesys', operation, meaning.code, { status, detail: meaning.words, retryable: false });
  }

  private httpError(operation: string, status: number, text: string): VendorError {
    const statusCode = statusCodeIn(text);
    if (status === 401 || statusCode === 20) {
      // Not a retry: the next call starts a fresh session instead of presenting a dead cookie.
      this.forgetSession();
      return new VendorError('genesys', operation, 'unauthorized', { status });
    }
    const detail = CSRF_REFUSAL.test(text) ? 'Missing or invalid Csrf token' : undefined;
    return new VendorError('genesys', operation, codeForStatus(status), { status, detail });
  }

  /**
   * The App Home's check of an account: a login as Genesys has one, `GET /api/v2/me` with the
   * account's Basic credentials (the session cookie and CSRF token it answers are kept).
   */
  async checkLogin(via: CallVia = {}): Promise<void> {
    const deps = withCallLogger(this.deps, via);
    // Asked afresh even when a session is open: the notifications listener keeps using it.
    await observedCall(deps, 'genesys', 'login', async () => {
      const response = await this.getMe('login');
      this.keepCookies(response);
      if (!response.ok) throw this.httpError('login', response.status, await response.text().catch(() => ''));
      const answer = await parseBody('genesys', 'login', response, MeAnswer, deps.logger);
      if (answer.statusCode !== undefined && answer.statusCode !== 0) throw this.statusError('login', response.status, { statusCode: answer.statusCode }, deps.logger);
    });
  }

  /** Cached until a CSRF refusal; concurrent callers share one GET (logged with the first caller's logger). */
  private async csrfToken(operation: string, log: Logger): Promise<Csrf> {
    if (this.csrf) return this.csrf;
    this.csrfRequest ??= this.fetchCsrf(operation, log).finally(() => {
      this.csrfRequest = undefined;
    });
    return this.csrfRequest;
  }

  /** Any GET returns `X-CSRF-HEADER` (the header's name) and `X-CSRF-TOKEN` (its value) [P:G2]. */
  private async fetchCsrf(operation: string, log: Logger): Promise<Csrf> {
    const response = await this.getMe(operation);
    this.keepCookies(response);
    if (!response.ok) throw this.httpError(operation, response.status, await response.text().catch(() => ''));
    const answer = await parseBody('genesys', operation, response, MeAnswer, log);
    if (answer.statusCode !== undefined && answer.statusCode !== 0) {
      throw this.statusError(operation, response.status, { statusCode: answer.statusCode }, log);
    }
    const header = response.headers.get('x-csrf-header');
    const token = response.headers.get('x-csrf-token');
    this.csrf = header && token ? { header, token } : 'disabled';
    return this.csrf;
  }

  /** `GET /api/v2/me` is idempotent: one retry on a transport failure or a 5xx. */
  private async getMe(operation: string): Promise<Response> {
    const get = () => send('genesys', operation, () => this.http.get('api/v2/me', { headers: this.headers() }));
    try {
      const response = await get();
      if (response.status < 500) return response;
    } catch (error) {
      if (!(error instanceof VendorError && error.retryable)) throw error;
    }
    await sleep(500);
    return get();
  }

  private headers(csrf?: Csrf): Record<string, string> {
    const headers: Record<string, string> = { authorization: this.authorization };
    const cookie = this.cookieHeader();
    if (cookie) headers.cookie = cookie;
    if (csrf && csrf !== 'disabled') headers[csrf.header] = csrf.token;
    return headers;
  }

  private keepCookies(response: Response): void {
    for (const line of response.headers.getSetCookie()) this.storeSetCookie(line);
  }

  private forgetSession(): void {
    this.cookies.clear();
    this.csrf = undefined;
  }
}

/** The `statusCode` of an error body, when it is JSON and has one. */
function statusCodeIn(text: string): number | undefined {
  try {
    const parsed = OperationAnswer.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data.statusCode : undefined;
  } catch {
    return undefined;
  }
}
