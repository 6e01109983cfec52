import type { KyInstance } from 'ky';
import { parsePhoneNumberFromString, type CountryCode, type PhoneNumber } from 'libphonenumber-js';
import { messageLength, type Delivery } from '../../domain/delivery.js';
import type { Logger } from '../../domain/logger.js';
import { scrub } from '../../domain/scrub.js';
import { observedCall, type CallVia } from '../observed-call.js';
import { VendorError } from '../errors.js';
import type { CallRecorder } from '../../domain/vendor-module.js';
import { codeForStatus, createHttp, parseBody, send } from '../http.js';
import { rateLimitResetAt, retryAfterAt } from '../rate-budget.js';
import { BlitzzErrorBody, DEFAULT_INVITATION_TYPES, InvitationAnswer, InvitationBody, LoginAnswer, type LoginRequest } from './schemas.js';
import type { BlitzzSettings as ModuleSettings } from './settings.js';

/** `QueryStringParameter` options (seed 000, BLITZZ_MEDIA_…); unset ones take Blitzz's "Call experience" defaults. */
export type BlitzzMedia = ModuleSettings['media'];

/** `InvitationType` per channel (BLITZZ_INVITATION_TYPES); seed 000 contradicts itself on the range. */
export type BlitzzInvitationTypes = ModuleSettings['invitationTypes'];

/** What the client takes: the module's settings (settings.ts), the media options and channel numbers optional. */
export type BlitzzSettings = Omit<ModuleSettings, 'media' | 'invitationTypes'> & { media?: BlitzzMedia; invitationTypes?: BlitzzInvitationTypes };

export interface BlitzzInvitation {
  sessionId: string;
  delivery: Delivery;
  phoneE164?: string;
  email?: string;
  message?: string;
}

/** Seed 000's prose: "please use 1 for SMS, 2 for WhatsApp and 3 for Email Invite"; the default of BLITZZ_INVITATION_TYPES. */
export const BLITZZ_INVITATION_TYPES = DEFAULT_INVITATION_TYPES;

/**
 * Seed 000: `Message` maxLength 100, a JSON-schema length, so characters (code points), counted
 * as every message limit is (`messageLength`); the product declares this same limit to the modal.
 */
export const BLITZZ_MESSAGE_MAX = 100;

/** REFERENCE §1: the text of Blitzz's refusal once a token has expired. */
export const BLITZZ_DENIED_TEXT = 'Access is denied. User is unauthorized.';

/** REFERENCE §1: a token expires 2 hours after the last request made with it. */
const TOKEN_IDLE_MS = 2 * 60 * 60_000;
/** Our clock reads before the request leaves, and it still has to reach Blitzz in time. */
const TOKEN_SAFETY_MS = 30_000;
/** At most one failed login a minute: 5 in a row lock the account for 10 minutes ([P:B2]). */
const LOGIN_BACKOFF_MS = 60_000;
/** Enough of a vendor's error text to be useful in a card, not a whole page. */
const MAX_DETAIL_LENGTH = 300;

/** Countries numbered inside the UK's +44 plan (Ofcom), which libphonenumber names separately. */
const UK_NUMBERING_PLAN = new Set<string>(['GB', 'GG', 'JE', 'IM']);

/**
 * Blitzz's `IsoCode` for a number's country. Seed 000 writes the United Kingdom "UK" ("US or UK or
 * IN"), not ISO 3166's "GB"; which one Blitzz accepts is [U] (REFERENCE §1), so the documents'
 * spelling is sent. Guernsey, Jersey and the Isle of Man share the +44 plan and libphonenumber
 * names some +44 7… mobiles after them (+44 7911 123456 is GG): they go as "UK" too, which rebuilds
 * the same +44 number if Blitzz prefixes `MobileNo` with the country's calling code [I].
 */
export function blitzzIsoCode(country: CountryCode): string {
  return UK_NUMBERING_PLAN.has(country) ? 'UK' : country;
}

/**
 * `MobileNo`: the national significant number, digits only, without a trunk 0 (+33 6 12 34 56 78 →
 * "612345678"). Its format is [U] (REFERENCE §1); the national form is assumed because `IsoCode`
 * travels beside it and would say nothing the E.164 form does not already say.
 */
export function blitzzMobileNo(phone: PhoneNumber): string {
  return phone.nationalNumber;
}

/**
 * `QueryStringParameter` (seed 000): `?m=…&c=…&o=…&s=…`, leading `?` included. Unset options are
 * left out so Blitzz applies its "Call experience" settings; none at all → no parameter. The seed
 * gives no default values: the demo's m=1, c=1, o=0, s=1 (microphone on, back camera, guest, browser
 * first) are a choice, not Blitzz's defaults.
 */
export function blitzzQueryString(media: BlitzzMedia = {}): string | undefined {
  const pairs = (['m', 'c', 'o', 's'] as const).flatMap((key) => (media[key] === undefined ? [] : [`${key}=${media[key]}`]));
  return pairs.length > 0 ? `?${pairs.join('&')}` : undefined;
}

export class BlitzzClient {
  private readonly http: KyInstance;
  private readonly now: () => number;
  private token?: { value: string; lastUsedAt: number };
  private loginRequest?: Promise<string>;
  private loginBlockedUntil = 0;
  /** Set by a 429's `Retry-After`: no request leaves before then. */
  private pausedUntil = 0;

  constructor(
    private readonly settings: BlitzzSettings,
    private readonly deps: { logger: Logger; health: CallRecorder; now?: () => number },
  ) {
    this.http = createHttp(`${settings.apiUrl.replace(/\/+$/, '')}/`, settings.timeoutMs);
    this.now = deps.now ?? Date.now;
  }

  /**
   * `POST /api/session/{SessionId}/invitation` (seed 000): Blitzz itself sends the link, on one
   * channel per call. The body is checked against the documented schema before anything is sent.
   * Never retried blindly: a 5xx may have sent the SMS all the same.
   */
  async sendInvitation(input: BlitzzInvitation, via: CallVia = {}): Promise<{ sentAt: string }> {
    const body = invitationBody(input, this.settings);
    const path = `api/session/${encodeURIComponent(input.sessionId)}/invitation`;
    // The call's lines (its login's too) carry the correlation id of the request or job it belongs to.
    await this.withToken(
      'sendInvitation',
      (token) => this.http.post(path, { json: body, headers: { UserToken: token } }),
      readInvitationAnswer,
      via.logger ?? this.deps.logger,
    );
    return { sentAt: new Date(this.now()).toISOString() };
  }

  /**
   * The App Home's check of an account: one login (`POST /api/login`), which creates nothing. The
   * caller spaces these (5 failed logins lock the account for 10 minutes); the token is kept.
   */
  async checkLogin(via: CallVia = {}): Promise<void> {
    this.token = undefined;
    await this.userToken(via.logger ?? this.deps.logger);
  }

  /** A call with the `UserToken` header: logs in when needed, and once more if Blitzz refuses it. */
  private async withToken<T>(
    operation: string,
    request: (token: string) => Promise<Response>,
    read: (response: Response) => Promise<T>,
    log: Logger,
  ): Promise<T> {
    const token = await this.userToken(log);
    try {
      return await this.authenticated(operation, token, request, read, log);
    } catch (error) {
      if (!(error instanceof VendorError && error.code === 'unauthorized')) throw error;
      // The token expired early or was revoked: log in again, once, never in a loop.
      if (this.token?.value === token) this.token = undefined;
      return this.authenticated(operation, await this.userToken(log), request, read, log);
    }
  }

  /** Each successful call restarts the token's 2-hour idle timer (REFERENCE §1). */
  private async authenticated<T>(
    operation: string,
    token: string,
    request: (token: string) => Promise<Response>,
    read: (response: Response) => Promise<T>,
    log: Logger,
  ): Promise<T> {
    const sentAt = this.now();
    const result = await this.exchange(operation, () => request(token), read, log);
    if (this.token?.value === token) this.token.lastUsedAt = Math.max(this.token.lastUsedAt, sentAt);
    return result;
  }

  /**
   * The cached token while it has not been idle for 2 hours; concurrent callers share one login
   * (logged with the logger of the call that started it).
   */
  private async userToken(log: Logger): Promise<string> {
    if (this.token && this.now() < this.token.lastUsedAt + TOKEN_IDLE_MS - TOKEN_SAFETY_MS) return this.token.value;
    this.token = undefined;
    this.loginRequest ??= this.login(log).finally(() => {
      this.loginRequest = undefined;
    });
    return this.loginRequest;
  }

  /**
   * `POST /api/login` (path [I], REFERENCE §1) with `SecretKey`, `UserName`, `Password`. Any failed
   * attempt (refused, timed out, unreadable) blocks the next one for a minute, so a wrong password
   * can never reach the 5 failures that lock the account for 10 minutes.
   */
  private async login(log: Logger): Promise<string> {
    this.assertNotPaused('login');
    const waitMs = this.loginBlockedUntil - this.now();
    if (waitMs > 0) {
      log.warn({ vendor: 'blitzz', operation: 'login', code: 'unauthorized', retryAfterMs: waitMs }, 'login skipped');
      throw new VendorError('blitzz', 'login', 'unauthorized', {
        retryAfterMs: waitMs,
        detail: 'A Blitzz login failed less than a minute ago; Rendezvous waits a minute between failed logins because 5 in a row lock the account for 10 minutes.',
      });
    }
    const sentAt = this.now();
    const body: LoginRequest = { SecretKey: this.settings.secretKey, UserName: this.settings.username, Password: this.settings.password };
    try {
      const answer = await this.exchange(
        'login',
        () => this.http.post('api/login', { json: body }),
        (response) => parseBody('blitzz', 'login', response, LoginAnswer, log),
        log,
      );
      this.token = { value: answer.UserToken, lastUsedAt: sentAt };
      return answer.UserToken;
    } catch (error) {
      this.loginBlockedUntil = this.now() + LOGIN_BACKOFF_MS;
      throw error;
    }
  }

  /** One HTTP exchange; its outcome goes to the health record and the log, whatever it is. */
  private async exchange<T>(
    operation: string,
    request: () => Promise<Response>,
    read: (response: Response) => Promise<T>,
    log: Logger,
  ): Promise<T> {
    this.assertNotPaused(operation);
    return observedCall(log === this.deps.logger ? this.deps : { ...this.deps, logger: log }, 'blitzz', operation, async () => {
      const response = await send('blitzz', operation, request);
      if (!response.ok) throw await this.toError(operation, response);
      return read(response);
    });
  }

  private assertNotPaused(operation: string): void {
    const waitMs = this.pausedUntil - this.now();
    if (waitMs > 0) {
      throw new VendorError('blitzz', operation, 'rate_limited', { retryAfterMs: waitMs, detail: 'Blitzz asked Rendezvous to wait (Retry-After).' });
    }
  }

  /**
   * A 401, or any refusal carrying REFERENCE §1's "Access is denied. User is unauthorized." (error
   * codes are [U]), is "unauthorized". A 2xx is a success whatever its body: seed 000 documents
   * 200 as "Success".
   */
  private async toError(operation: string, response: Response): Promise<VendorError> {
    const text = await response.text().catch(() => '');
    const code = text.includes(BLITZZ_DENIED_TEXT) ? 'unauthorized' : codeForStatus(response.status);
    const said = errorText(text);
    const retryAt = response.status === 429 ? this.retryAt(response.headers) : undefined;
    if (retryAt !== undefined) this.pausedUntil = Math.max(this.pausedUntil, retryAt);
    return new VendorError('blitzz', operation, code, {
      status: response.status,
      detail: said ? scrub(said) : undefined,
      retryAfterMs: retryAt === undefined ? undefined : Math.max(0, retryAt - this.now()),
    });
  }

  /** Blitzz's rate limits are [U]; PRODUCT.md §2 says to honour `Retry-After` / `X-RateLimit-Reset`. */
  private retryAt(headers: Headers): number | undefined {
    const now = this.now();
    return retryAfterAt(headers.get('retry-after'), now) ?? rateLimitResetAt(headers.get('x-ratelimit-reset'), now);
  }
}

/**
 * The invitation body for one channel, checked locally so Blitzz never sees a malformed one. The
 * channel's number is the setting's (BLITZZ_INVITATION_TYPES), the prose's 1–3 by default.
 */
function invitationBody(input: BlitzzInvitation, settings: Pick<BlitzzSettings, 'media' | 'invitationTypes'>): InvitationBody {
  if (input.sessionId.trim() === '') throw rejected('A Blitzz session code is required.');
  const message = messageFor(input);
  const body: Record<string, unknown> = {
    InvitationType: (settings.invitationTypes ?? BLITZZ_INVITATION_TYPES)[input.delivery],
    ...(input.delivery === 'email' ? emailFields(input.email) : phoneFields(input.phoneE164)),
    ...(message ? { Message: message } : {}),
  };
  const query = blitzzQueryString(settings.media);
  if (query) body.QueryStringParameter = query;
  const parsed = InvitationBody.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw rejected(`Invalid ${issue?.path.join('.') || 'invitation'}: ${issue?.message ?? 'does not match the schema'}.`);
  }
  return parsed.data;
}

/**
 * WhatsApp invitations have a fixed text (seed 000: "For WhatsApp, Message is static"), so no
 * `Message` is sent and its length does not matter there.
 */
function messageFor(input: BlitzzInvitation): string | undefined {
  if (input.delivery === 'whatsapp' || !input.message) return undefined;
  if (messageLength(input.message) > BLITZZ_MESSAGE_MAX) {
    throw rejected(`The message is ${messageLength(input.message)} characters long; Blitzz allows at most ${BLITZZ_MESSAGE_MAX}.`);
  }
  return input.message;
}

/** Exactly one channel per call (seed 000: "At a time, only one invitation will work"). */
function emailFields(email: string | undefined): Pick<InvitationBody, 'EmailAddress'> {
  if (!email) throw rejected('An e-mail invitation needs an e-mail address.');
  return { EmailAddress: email };
}

function phoneFields(phoneE164: string | undefined): Pick<InvitationBody, 'IsoCode' | 'MobileNo'> {
  if (!phoneE164) throw rejected('An SMS or WhatsApp invitation needs a phone number.');
  const phone = parsePhoneNumberFromString(phoneE164);
  if (!phoneE164.startsWith('+') || !phone?.isValid()) throw rejected('The phone number is not a valid international number.');
  if (!phone.country) throw rejected('Blitzz needs the country of the phone number, and this number has none.');
  return { IsoCode: blitzzIsoCode(phone.country), MobileNo: blitzzMobileNo(phone) };
}

function rejected(detail: string): VendorError {
  return new VendorError('blitzz', 'sendInvitation', 'rejected', { detail });
}

/** Seed 000 documents only "200 Success"; nothing is read from the body (see InvitationAnswer). */
async function readInvitationAnswer(response: Response): Promise<InvitationAnswer> {
  const text = await response.text().catch(() => '');
  if (text.trim() === '') return InvitationAnswer.parse(null);
  try {
    return InvitationAnswer.parse(JSON.parse(text));
  } catch {
    // Not JSON: still a 200, so the invitation went out; sending it again would duplicate it.
    return InvitationAnswer.parse(text);
  }
}

/** The vendor's own words in an error body: a JSON string, a known message field, or plain text. */
function errorText(text: string): string | undefined {
  const trimmed = text.trim();
  // Nothing to say, or an HTML error page from a proxy, which says nothing useful.
  if (trimmed === '' || trimmed.startsWith('<')) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(trimmed);
  } catch {
    return trimmed.slice(0, MAX_DETAIL_LENGTH);
  }
  if (typeof json === 'string') return json.slice(0, MAX_DETAIL_LENGTH);
  const body = BlitzzErrorBody.safeParse(json);
  const words = body.success ? (body.data.Message ?? body.data.message ?? body.data.error ?? body.data.title) : undefined;
  return words?.slice(0, MAX_DETAIL_LENGTH);
}
