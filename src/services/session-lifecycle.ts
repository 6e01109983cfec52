import type { Logger } from '../domain/logger.js';
import type { Milestone, Outcome } from '../domain/outcome.js';
import type { Session } from '../domain/session.js';
import { admissible, isEmptyOutcome } from '../domain/transitions.js';
import type { SessionsRepository } from '../store/sessions-repository.js';
import { mediaBlocks, mediaReplyText } from '../ui/thread-replies.js';
import type { CardPublisher } from './card-publisher.js';

/**
 * The hooks are handed the logger of the caller's request or pass (see `ApplyOptions`), so that
 * what they write carries its correlation id.
 */
export interface SessionLifecycleDeps {
  sessions: Pick<SessionsRepository, 'get' | 'apply'>;
  cards: Pick<CardPublisher, 'show'>;
  /** Says the outbox has work (the thread notifier's flush); services never import tracking/. */
  onOutbox: (log: Logger) => Promise<void>;
  /** The session changed (read back after the write): its Slack call, if any, follows (never awaited). */
  onChanged?: (session: Session, log: Logger) => void;
  /** The card changed: whatever else shows the session (its link unfurls) owes a refresh. Never throws. */
  onCardChanged?: (session: Session, log: Logger) => Promise<void>;
  logger: Logger;
}

export interface ApplyOptions {
  /** The logger of the request, job or pass applying it (its correlation id); the lifecycle's own otherwise. */
  logger?: Logger;
}

export interface Applied {
  /** The whole outcome was written (false: the session had moved on and some or all of it was dropped). */
  applied: boolean;
  /** The session as stored afterwards. */
  session: Session | undefined;
  /** Whether the card was updated (the change shows on it). */
  cardRefreshed: boolean;
}

/** Another writer won this many times in a row: give up (the next observation will retry). */
const MAX_ATTEMPTS = 5;

/** Fields whose change a tracker makes without anything to show on the card. */
const BOOKKEEPING = new Set(['tracking', 'nextCheckAt', 'mediaPosted', 'vendorState', 'lastError']);

/**
 * The one place a session changes. Providers, trackers, webhooks and buttons compute plain
 * outcomes; this applies one compare-and-set on the version it was computed from, re-reading and
 * re-judging it (domain/transitions.ts) when another change came first, then refreshes the card
 * and says the outbox has work.
 */
export class SessionLifecycle {
  constructor(private readonly deps: SessionLifecycleDeps) {}

  async apply(basis: Session, outcome: Outcome, options: ApplyOptions = {}): Promise<Applied> {
    const log = options.logger ?? this.deps.logger;
    let current: Session | undefined = basis;
    let written: { outcome: Outcome; whole: boolean } | undefined;
    for (let attempt = 0; current && attempt < MAX_ATTEMPTS; attempt++) {
      const allowed = admissible(current, basis, outcome);
      const toWrite = withMediaMilestone(allowed);
      if (isEmptyOutcome(toWrite)) break;
      if (await this.deps.sessions.apply(current.id, toWrite, { basedOn: current.version })) {
        written = { outcome: toWrite, whole: allowed === outcome };
        break;
      }
      current = await this.deps.sessions.get(basis.id);
    }
    if (!written) {
      if (current && current.version !== basis.version) log.info({ sessionId: basis.id, status: current.status }, 'outcome dropped: the session moved on');
      return { applied: false, session: current, cardRefreshed: false };
    }
    // Read back once, after the write: the card shows it and the caller gets it.
    const stored = await this.deps.sessions.get(basis.id);
    const cardRefreshed = showsOnCard(written.outcome);
    if (cardRefreshed && stored) {
      await this.deps.cards.show(stored, log);
      await this.deps.onCardChanged?.(stored, log);
    }
    if (stored) this.deps.onChanged?.(stored, log);
    if ((written.outcome.milestones ?? []).length > 0) await this.deps.onOutbox(log);
    return { applied: written.whole, session: stored, cardRefreshed };
  }
}

/**
 * Photos and recordings become the `media` milestone; any list (even empty) settles them. Files
 * with vendor ids may come in several batches: each batch is keyed by its ids, so it is posted once.
 */
function withMediaMilestone(outcome: Outcome): Outcome {
  if (!outcome.media) return outcome;
  const { media, ...rest } = outcome;
  const milestones: Milestone[] = [...(rest.milestones ?? [])];
  const ids = media.map((item) => item.id);
  const key: Milestone['key'] = ids.every((id) => id !== undefined) ? `media:${ids.join(',')}` : 'media';
  if (media.length > 0) milestones.push({ key, text: mediaReplyText(media), blocks: mediaBlocks(media) });
  return { ...rest, mediaPosted: true, milestones };
}

function showsOnCard(outcome: Outcome): boolean {
  if ((outcome.milestones ?? []).length > 0) return true;
  return Object.entries(outcome).some(([key, value]) => value !== undefined && key !== 'milestones' && !BOOKKEEPING.has(key));
}
