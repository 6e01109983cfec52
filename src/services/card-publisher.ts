import type { Catalogue } from '../domain/product-catalogue.js';
import type { Session } from '../domain/session.js';
import type { Logger } from '../domain/logger.js';
import type { SlackGateways } from '../slack/gateways.js';
import type { SessionsRepository } from '../store/sessions-repository.js';
import { cardText, sessionCard } from '../ui/session-card.js';

/**
 * Keeps a session's card true: rebuilds it from the stored session and updates it in place, with
 * the token of the session's workspace.
 */
export class CardPublisher {
  constructor(
    private readonly deps: { gateways: SlackGateways; sessions: Pick<SessionsRepository, 'get' | 'setCard'>; logger: Logger; catalogue: Catalogue },
  ) {}

  async post(session: Session): Promise<string> {
    const posted = await this.deps.gateways.of(session).postMessage({ channel: session.channelId, text: cardText(session, this.deps.catalogue), blocks: sessionCard(session, this.deps.catalogue) });
    await this.deps.sessions.setCard(session.id, { ts: posted.ts, channel: posted.channel });
    return posted.ts;
  }

  /** Re-reads the session so that concurrent changes never publish a stale card. */
  async refresh(sessionId: string, log: Logger = this.deps.logger): Promise<void> {
    const session = await this.deps.sessions.get(sessionId);
    if (session) await this.show(session, log);
  }

  /** Updates the card to `session`, which the caller has just read back from the store; `log`: the caller's (its correlation id). */
  async show(session: Session, log: Logger = this.deps.logger): Promise<void> {
    if (!session.cardTs) return;
    try {
      await this.deps.gateways.of(session).updateMessage({ channel: session.channelId, ts: session.cardTs, text: cardText(session, this.deps.catalogue), blocks: sessionCard(session, this.deps.catalogue) });
    } catch (error) {
      log.warn({ sessionId: session.id, err: error }, 'card update failed');
    }
  }
}
