import type { ModalView } from '@slack/types';
import { WebClient, type WebClientOptions } from '@slack/web-api';
import type { Logger } from '../domain/logger.js';
import { fetchWithTimeout } from './fetch-timeout.js';
import { postError } from './gateway.js';

/**
 * Slack honours a trigger_id for 3 s after the user's action. The request took some of that to
 * reach us and views.open takes some more to reach Slack, so a retry is only sent while it can
 * still arrive within this much of the request's arrival.
 */
export const TRIGGER_WINDOW_MS = 2500;

/**
 * The Web API client for views.open: hands a 429 back at once, retries nothing by itself (a
 * modal Slack opened but whose answer was lost must not open twice), and gives up once the
 * trigger could not be used anyway.
 */
export function modalClient(token: string | undefined, options: Pick<WebClientOptions, 'slackApiUrl' | 'logger'> & { fetch?: typeof fetch }): WebClient {
  // The timeout is the fetch's own (fetch-timeout.ts), which clears its timer once answered.
  return new WebClient(token, { ...options, rejectRateLimitedCalls: true, retryConfig: { retries: 0 }, fetch: fetchWithTimeout(TRIGGER_WINDOW_MS, options.fetch) });
}

/** What the user is told when Slack did not let the modal open in time (each caller adds how to try again). */
export const MODAL_NOT_OPENED_WORDS = 'Slack is busy and did not let Rendezvous open the invite form in time.';

/** Opened, or not, with Slack's code (`ratelimited`, `expired_trigger_id`, `request_failed`…). */
export type ModalOpening = { opened: true } | { opened: false; code: string };

export interface ModalOpenerDeps {
  logger: Logger;
  windowMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Opens a modal within its trigger's lifetime. The client must hand a 429 back at once
 * (`rejectRateLimitedCalls`, no retries): Bolt's own client would pause its whole queue and add
 * its backoff to Slack's `Retry-After`, reaching Slack after the trigger died, and the user would
 * see nothing. Here Slack's wait is honoured only when the retry still fits in the window; else
 * the caller learns the modal was not opened and can say so. Nothing is ever sent twice once Slack
 * may have opened it (a timeout or a lost answer is not retried).
 */
export class ModalOpener {
  private readonly windowMs: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly client: Pick<WebClient, 'views'>,
    private readonly deps: ModalOpenerDeps,
  ) {
    this.windowMs = deps.windowMs ?? TRIGGER_WINDOW_MS;
    this.now = deps.now ?? Date.now;
    this.sleep = deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /**
   * `receivedAt`: when the request carrying `triggerId` arrived (epoch ms); `token`: the request's
   * own bot token (its workspace's installation's, with OAuth install), else the client's;
   * `logger`: the request's (its correlation id), else the opener's own.
   */
  async open(triggerId: string, view: ModalView, receivedAt: number, token?: string, logger: Logger = this.deps.logger): Promise<ModalOpening> {
    const deadline = receivedAt + this.windowMs;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.client.views.open({ trigger_id: triggerId, view, ...(token ? { token } : {}) });
        return { opened: true };
      } catch (error) {
        const refused = postError(error);
        const wait = refused.retryAfterMs;
        if (wait !== undefined && this.now() + wait < deadline) {
          await this.sleep(wait);
          continue;
        }
        logger.warn({ code: refused.code, attempt, retryAfterMs: wait }, 'modal not opened within its trigger');
        return { opened: false, code: refused.code };
      }
    }
  }
}
