import type { Logger } from '../domain/logger.js';
import type { WebhookHandler } from '../domain/vendor-module.js';
import type { AccountScope, SessionsRepository } from '../store/sessions-repository.js';

export type WebhookOutcome = 'due' | 'unknown_session' | 'ignored';

/**
 * A webhook only says "look now": the session its vendor module names is put first in line, and
 * the next tracking pass (`onDue` starts one) reads the state, as for any other poll.
 */
export class WebhookDispatch {
  constructor(private readonly deps: { sessions: Pick<SessionsRepository, 'byVendorId' | 'markDue'>; logger: Logger; onDue?: () => void }) {}

  /**
   * `scope`: the vendor account whose webhook secret the request carried; only its sessions are
   * looked at. `log`: the webhook request's (its correlation id).
   */
  async handle(
    vendor: string,
    routed: Exclude<ReturnType<WebhookHandler['route']>, { rejected: string }>,
    scope?: AccountScope,
    log: Logger = this.deps.logger,
  ): Promise<WebhookOutcome> {
    if ('ignored' in routed) {
      log.info({ vendor, event: routed.ignored }, 'webhook event ignored');
      return 'ignored';
    }
    const session = routed.vendorId ? await this.deps.sessions.byVendorId(vendor, routed.kind, routed.vendorId, scope) : undefined;
    if (!session) {
      log.info({ vendor, event: routed.event }, 'webhook for a session Rendezvous does not follow');
      return 'unknown_session';
    }
    await this.deps.sessions.markDue(session.id);
    this.deps.onDue?.();
    return 'due';
  }
}
