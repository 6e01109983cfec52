import { createHmac } from 'node:crypto';
import type { KyInstance } from 'ky';
import type { Logger } from '../../domain/logger.js';
import { scrub } from '../../domain/scrub.js';
import { observedCall, withCallLogger, type CallVia } from '../observed-call.js';
import { VendorError } from '../errors.js';
import type { CallRecorder } from '../../domain/vendor-module.js';
import { codeForStatus, createHttp, parseBody, send } from '../http.js';
import { ImbeeEnvelope, WebTokenBody } from './schemas.js';
import type { ImbeeSettings } from './settings.js';

export type { ImbeeSettings };

export interface NewWebToken {
  virtualUser: string;
  mail?: string;
  /** E.164 (`+33612345678`). */
  cellular?: string;
  maxRetries?: number;
  /** `YYYY-MM-DD`. */
  dateLimit?: string;
}

export interface ImbeeWebToken {
  url: string;
  userIdsha: string;
  dateLimit: string;
  maxRetries: number;
  /** Imbee already had a link for this virtual user and bot, and returned it again. */
  previouslyCreated: boolean;
}

const OPERATION = 'createWebToken';

/**
 * Seed 004 does not say how `celullar` is written. Numbers are sent in E.164, the form the rest of
 * Rendezvous keeps them in (assumption [I]).
 */
const E164 = /^\+[1-9]\d{6,14}$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The `virtual_user` for a contact: HMAC-SHA256(salt, contact) in hex. Imbee keys its links on the
 * virtual user (seed 004: `previously_created`), so the same person must map to the same value to
 * get their existing link back instead of a new one each time. A keyed hash, not a plain one:
 * phone numbers are few enough that an unkeyed SHA-256 could be reversed by trying them all, and
 * this value leaves Rendezvous for a third party.
 *
 * The salt is VendorDeps.pseudonymKey: a key pinned in the database (src/store/key-pins.ts), not
 * ENCRYPTION_KEY itself, so that rotating ENCRYPTION_KEY never gives a person a new virtual user.
 */
export function virtualUserFor(contact: string, salt: string): string {
  if (salt === '') throw new Error('virtualUserFor needs a non-empty salt');
  // E-mail addresses differ only in case for the same person; E.164 numbers have one spelling.
  return createHmac('sha256', salt).update(contact.trim().toLowerCase()).digest('hex');
}

export class ImbeeClient {
  private readonly http: KyInstance;

  constructor(
    private readonly settings: ImbeeSettings,
    private readonly deps: { logger: Logger; health: CallRecorder },
  ) {
    this.http = createHttp(`${settings.apiUrl.replace(/\/+$/, '')}/`, settings.timeoutMs);
  }

  /** `POST /token/new` (seed 004): Imbee sends the link by e-mail (`mail`) and/or SMS (`celullar`). */
  async createWebToken(input: NewWebToken, via: CallVia = {}): Promise<ImbeeWebToken> {
    // Refused before any call, so a local mistake never counts as Imbee's health.
    const invalid = inputProblem(input);
    if (invalid) throw new VendorError('imbee', OPERATION, 'rejected', { detail: invalid });

    // The call's lines carry the correlation id of the request or job it belongs to.
    const deps = withCallLogger(this.deps, via);
    const body = await observedCall(deps, 'imbee', OPERATION, () => this.postTokenRequest(input, deps.logger), (answer) => ({
      previouslyCreated: answer.previously_created,
    }));
    return {
      url: body.url,
      userIdsha: body.user_idsha,
      dateLimit: body.date_limit,
      maxRetries: body.max_retries,
      previouslyCreated: body.previously_created,
    };
  }

  /** Sent once: a POST that creates a link (and sends a message) is never retried. */
  private async postTokenRequest(input: NewWebToken, log: Logger): Promise<WebTokenBody> {
    const response = await send('imbee', OPERATION, () =>
      this.http.post('token/new', {
        json: tokenRequestBody(this.settings.botIdsha, input),
        headers: { authorization: this.settings.auth, 'x-woos-key': this.settings.corporateToken, 'content-type': 'application/json' },
      }),
    );
    if (!response.ok) throw await httpError(response);
    const envelope = await parseBody('imbee', OPERATION, response, ImbeeEnvelope, log);
    if (envelope.code !== 0) throw envelopeError(envelope, response.status);
    const body = WebTokenBody.safeParse(envelope.body);
    if (!body.success) {
      log.error(
        { vendor: 'imbee', operation: OPERATION, issues: body.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`) },
        'vendor answer did not match its schema',
      );
      throw new VendorError('imbee', OPERATION, 'bad_response', { status: response.status, cause: body.error });
    }
    return body.data;
  }
}

/** Why the request cannot be sent, in words without the contact; undefined when it can. */
function inputProblem(input: NewWebToken): string | undefined {
  if (input.virtualUser.trim() === '') return 'the virtual user cannot be empty';
  // Seed 004: "mail or celullar can be optional, but not both at the same time".
  if (!input.mail && !input.cellular) return 'an e-mail address or a mobile number is needed to send the link';
  if (input.cellular && !E164.test(input.cellular)) return 'the mobile number must be in international form (+ and digits)';
  if (input.maxRetries !== undefined && !(Number.isInteger(input.maxRetries) && input.maxRetries > 0)) {
    return 'the number of uses must be a positive whole number';
  }
  if (input.dateLimit !== undefined && !isCalendarDay(input.dateLimit)) return 'the expiry date must be a real date written YYYY-MM-DD';
  return undefined;
}

function isCalendarDay(text: string): boolean {
  if (!DAY.test(text)) return false;
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(text);
}

/**
 * Body keys exactly as the API reads them (seed 004):
 * - `virtual_user`: the parameter list misspells it `virutal_user`; the curl sends `virtual_user`,
 *   which is what is sent here (REFERENCE §5).
 * - `celullar`: misspelled, but it is the API's own key (both the list and the curl), so it is sent as spelled.
 * Optional keys are left out when not given, so Imbee applies its own defaults.
 */
function tokenRequestBody(botIdsha: string, input: NewWebToken): Record<string, string | number> {
  const body: Record<string, string | number> = { virtual_user: input.virtualUser, bot_idsha: botIdsha };
  if (input.mail) body.mail = input.mail;
  if (input.cellular) body.celullar = input.cellular;
  if (input.maxRetries !== undefined) body.max_retries = input.maxRetries;
  if (input.dateLimit !== undefined) body.date_limit = input.dateLimit;
  return body;
}

/** A code other than 0 is a failure even under HTTP 200 (seed 004). The message may echo the contact: scrubbed. */
function envelopeError(envelope: ImbeeEnvelope, status: number): VendorError {
  const message = envelope.message?.trim();
  return new VendorError('imbee', OPERATION, 'rejected', {
    status,
    detail: message ? `${scrub(message)} (code ${envelope.code})` : `code ${envelope.code}`,
  });
}

/** Imbee's HTTP statuses are not documented [U]: the generic mapping, with the envelope's words if any. */
async function httpError(response: Response): Promise<VendorError> {
  let detail: string | undefined;
  try {
    const envelope = ImbeeEnvelope.safeParse(await response.json());
    if (envelope.success && envelope.data.message) detail = scrub(envelope.data.message);
  } catch {
    // A body that is not JSON adds nothing to the status.
  }
  return new VendorError('imbee', OPERATION, codeForStatus(response.status), { status: response.status, detail });
}
