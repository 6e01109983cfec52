import type { Logger } from '../logger.js';
import type { CardPublisher } from '../services/card-publisher.js';
import type { SessionsRepository } from '../store/sessions-repository.js';
import type { ApizeeClient } from '../vendors/apizee/client.js';
import type { ThreadNotifier } from './thread-notifier.js';

/** What an Apizee tracker works with. */
export interface ApizeeTrackerDeps {
  client: ApizeeClient;
  sessions: SessionsRepository;
  cards: CardPublisher;
  notifier: ThreadNotifier;
  logger: Logger;
  intervalMs: number;
  /** This replica, for leases. */
  owner: string;
  leaseMs: number;
  now?: () => Date;
}

/** Updates the cards of the sessions that changed, then posts their new milestones. */
export async function publishChanges(deps: Pick<ApizeeTrackerDeps, 'cards' | 'notifier'>, changed: Iterable<string>): Promise<void> {
  const ids = [...changed];
  for (const id of ids) await deps.cards.refresh(id);
  if (ids.length > 0) await deps.notifier.flush();
}
