import type { Logger } from '../logger.js';
import type { SlackGateway } from '../slack/gateway.js';
import type { SessionsRepository } from '../store/sessions-repository.js';
import type { SessionRow } from '../store/schema.js';
import { cardText, sessionCard } from '../ui/session-card.js';
import { vendorModules } from '../vendors/index.js';

/** Keeps a session's card true: rebuilds it from the stored row and updates it in place. */
export class CardPublisher {
  constructor(private readonly deps: { gateway: SlackGateway; sessions: SessionsRepository; logger: Logger }) {}

  async post(row: SessionRow): Promise<string> {
    const posted = await this.deps.gateway.postMessage({ channel: row.channel_id, text: cardText(row, vendorModules), blocks: sessionCard(row, vendorModules) });
    await this.deps.sessions.update(row.id, { card_ts: posted.ts, channel_id: posted.channel });
    return posted.ts;
  }

  /** Re-reads the row so that concurrent changes never publish a stale card. */
  async refresh(sessionId: string): Promise<void> {
    const row = await this.deps.sessions.get(sessionId);
    if (!row?.card_ts) return;
    try {
      await this.deps.gateway.updateMessage({ channel: row.channel_id, ts: row.card_ts, text: cardText(row, vendorModules), blocks: sessionCard(row, vendorModules) });
    } catch (error) {
      this.deps.logger.warn({ sessionId, err: error }, 'card update failed');
    }
  }
}
