import { CoalescedDrain } from '../domain/coalesced-drain.js';
import { runLogger, type Logger } from '../domain/logger.js';
import type { TeamRef } from '../domain/installation.js';
import { SlackPostError } from '../slack/gateway.js';
import type { SlackApi } from '../slack/gateways.js';
import type { MilestonesRepository, PendingMilestone } from '../store/milestones-repository.js';
import { milestoneBlocks } from '../ui/thread-replies.js';
import { deadLetterNotice } from './dead-letter-notice.js';
import { DEFAULT_RETRY_POLICY, retryDelayMs, type RetryPolicy } from './outbox-policy.js';

/** Slack allows about one message a second per channel (PRODUCT.md §4). */
export const CHANNEL_SPACING_MS = 1000;
/** One pass leases at most this many sessions' outboxes… */
export const MAX_SESSIONS_PER_PASS = 20;
/** …and posts at most this many replies of each, so a pass (a tracking tick) always ends. */
export const MAX_ROWS_PER_SESSION = 10;

export interface ThreadNotifierDeps {
  milestones: Pick<
    MilestonesRepository,
    'leaseOutboxes' | 'renewOutbox' | 'releaseOutbox' | 'pendingFor' | 'markAttempt' | 'undoAttempt' | 'markPosted' | 'scheduleRetry' | 'deadLetter' | 'claimStarterNotice'
  >;
  /**
   * Gateways of their own (no automatic retries, a timeout), so their waits never hold up
   * interactive requests; each reply goes through its session's workspace's.
   */
  gateways: { of(team: TeamRef): Pick<SlackApi, 'postMessage' | 'findReplyByOutboxId'> };
  logger: Logger;
  /** This replica, for outbox leases. */
  owner: string;
  leaseMs?: number;
  channelSpacingMs?: number;
  retry?: Partial<RetryPolicy>;
  maxSessionsPerPass?: number;
  maxRowsPerSession?: number;
  /** Injectable for tests: the time, and a number in [0, 1) for the backoff's jitter. */
  now?: () => Date;
  random?: () => number;
  /** A reply of this user's session was set aside (their App Home may show it now). */
  onDeadLettered?: (teamId: string, userId: string, enterpriseId: string | null, logger: Logger) => void;
}

/** Posted; to try later; refused for good (with Slack's code); or the lease was lost. */
type Sent = 'posted' | 'later' | 'lost' | { refused: string };

/** An outbox lease this replica holds, renewed while the drain works on it. */
interface HeldLease {
  sessionId: string;
  renewedAt: number;
  lost: boolean;
}

/**
 * Posts the milestones outbox into card threads, each row once. Slack has no idempotency key:
 * each reply carries its row id in the message metadata, and a row whose earlier attempt may
 * have reached Slack (a crash, a timeout, a lost answer) is first looked for in the thread.
 * Outboxes are leased per session, so replicas share the work and each thread stays in order.
 *
 * A failed row waits (exponential backoff with jitter) and is set aside after a limit; a refusal
 * Slack will repeat (archived channel, app removed…) sets it aside at once and tells the starter,
 * by DM, once per session. A pass is bounded (sessions and rows), so a tick always ends.
 */
export class ThreadNotifier {
  private readonly drain = new CoalescedDrain(() => this.pass());
  private stopping = false;
  private readonly lastPostAt = new Map<string, number>();
  private pausedUntil = 0;
  private readonly policy: RetryPolicy;

  /** The logger of the run in progress (one at a time). */
  private log: Logger;

  constructor(private readonly deps: ThreadNotifierDeps) {
    this.log = deps.logger;
    this.policy = { ...DEFAULT_RETRY_POLICY, ...deps.retry };
  }

  /**
   * Posts what is due, in at most two bounded passes (a call during a pass asks for one more);
   * concurrent calls join the run in progress. Only background work awaits this.
   */
  flush(log: Logger = runLogger(this.deps.logger)): Promise<void> {
    // One run at a time: its lines carry the id of the pass (or trigger) that started it.
    return this.drain.run(() => {
      this.log = log;
    });
  }

  /**
   * Starts a flush without waiting for it: what interactive handlers call. `log`: the caller's
   * (a run it starts carries the caller's correlation id); a fresh run id without one.
   */
  trigger(log: Logger = runLogger(this.deps.logger)): void {
    this.flush(log).catch((error: unknown) => log.warn({ err: error }, 'thread replies not flushed; the next pass retries'));
  }

  /** Takes no more rows; resolves once the reply in flight (bounded by the client's timeout) is settled. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.drain.settled();
  }

  private now(): number {
    return (this.deps.now?.() ?? new Date()).getTime();
  }

  private async pass(): Promise<void> {
    if (this.stopping || this.now() < this.pausedUntil) return;
    const leaseMs = this.deps.leaseMs ?? 30_000;
    const limit = this.deps.maxSessionsPerPass ?? MAX_SESSIONS_PER_PASS;
    const sessionIds = await this.deps.milestones.leaseOutboxes(this.deps.owner, new Date(this.now()), leaseMs, limit);
    if (sessionIds.length === 0) return;
    try {
      // Oldest waiting first (the lease's order); channels in parallel, each at Slack's pace.
      const byChannel = new Map<string, Array<{ lease: HeldLease; thread: PendingMilestone[] }>>();
      for (const sessionId of sessionIds) {
        const thread = await this.deps.milestones.pendingFor(sessionId);
        const channel = thread[0]?.channelId;
        if (channel) byChannel.set(channel, [...(byChannel.get(channel) ?? []), { lease: { sessionId, renewedAt: this.now(), lost: false }, thread }]);
      }
      await Promise.all(
        [...byChannel.entries()].map(async ([channel, threads]) => {
          for (const { lease, thread } of threads) await this.sendThread(channel, thread, lease);
        }),
      );
    } finally {
      await Promise.all(sessionIds.map((id) => this.deps.milestones.releaseOutbox(id, this.deps.owner)));
    }
  }

  /** A thread's replies strictly in order: the first one not posted holds back the rest. */
  private async sendThread(channel: string, thread: PendingMilestone[], lease: HeldLease): Promise<void> {
    const rows = thread.slice(0, this.deps.maxRowsPerSession ?? MAX_ROWS_PER_SESSION);
    for (const [index, milestone] of rows.entries()) {
      if (this.stopping || this.now() < this.pausedUntil) return;
      if (milestone.nextAttemptAt && milestone.nextAttemptAt.getTime() > this.now()) return;
      if (!(await this.keep(lease))) return;
      const sent = await this.send(channel, milestone);
      if (sent === 'lost') {
        lease.lost = true;
        this.log.warn({ sessionId: milestone.sessionId, owner: this.deps.owner }, 'outbox lease lost to another replica; stopping this thread');
        return;
      }
      if (typeof sent === 'object') {
        await this.setAsideRest(thread.slice(index + 1), milestone, sent.refused);
        return;
      }
      if (sent === 'later') return;
    }
  }

  /** Renews the lease once a third of it is gone, so a long drain keeps it; false once it is lost. */
  private async keep(lease: HeldLease): Promise<boolean> {
    if (lease.lost) return false;
    const leaseMs = this.deps.leaseMs ?? 30_000;
    if (this.now() - lease.renewedAt < leaseMs / 3) return true;
    const at = this.now();
    if (!(await this.deps.milestones.renewOutbox(lease.sessionId, this.deps.owner, new Date(at), leaseMs))) {
      lease.lost = true;
      this.log.warn({ sessionId: lease.sessionId, owner: this.deps.owner }, 'outbox lease lost before renewal; stopping this thread');
      return false;
    }
    lease.renewedAt = at;
    return true;
  }

  private async pace(channel: string): Promise<void> {
    const spacing = this.deps.channelSpacingMs ?? CHANNEL_SPACING_MS;
    const wait = (this.lastPostAt.get(channel) ?? 0) + spacing - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    this.lastPostAt.set(channel, Date.now());
  }

  /** Posts one reply (or finds it already posted) and records what happened, under the lease. */
  private async send(channel: string, milestone: PendingMilestone): Promise<Sent> {
    const { milestones, owner } = this.deps;
    const gateway = this.deps.gateways.of(milestone);
    const threadTs = milestone.cardTs!;
    let counted = false;
    try {
      if (milestone.attempts > 0) {
        const found = await gateway.findReplyByOutboxId(channel, threadTs, milestone.id);
        if (found) return (await milestones.markPosted(milestone.id, found, owner, new Date(this.now()))) ? 'posted' : 'lost';
      }
      if (!(await milestones.markAttempt(milestone.id, owner))) return 'lost';
      counted = true;
      await this.pace(channel);
      const posted = await gateway.postMessage({
        channel,
        threadTs,
        text: milestone.text,
        blocks: milestone.blocks ?? milestoneBlocks(milestone.text),
        metadata: { outboxId: milestone.id, sessionId: milestone.sessionId },
      });
      return (await milestones.markPosted(milestone.id, posted.ts, owner, new Date(this.now()))) ? 'posted' : 'lost';
    } catch (error) {
      return this.failed(milestone, error, counted);
    }
  }

  private async failed(milestone: PendingMilestone, error: unknown, counted: boolean): Promise<Sent> {
    const { milestones, owner } = this.deps;
    const logger = this.log;
    const code = error instanceof SlackPostError ? error.code : 'request_failed';
    const context = { milestoneId: milestone.id, sessionId: milestone.sessionId, key: milestone.key, code };
    if (error instanceof SlackPostError && error.rateLimited) {
      // 429: Slack posted nothing. The background posts wait as Slack asks; the row loses no try.
      this.pausedUntil = this.now() + error.retryAfterMs!;
      if (counted) await milestones.undoAttempt(milestone.id, owner);
      logger.info({ ...context, retryAfterMs: error.retryAfterMs }, 'Slack asked the outbox to wait');
      return 'later';
    }
    const now = new Date(this.now());
    if (error instanceof SlackPostError && error.permanent) {
      if (!(await milestones.deadLetter(milestone.id, owner, now, code))) return 'lost';
      logger.warn(context, 'thread reply refused by Slack for good; set aside');
      return { refused: code };
    }
    // A failed look-up counts as a try too, so nothing is retried without end.
    if (!counted && !(await milestones.markAttempt(milestone.id, owner))) return 'lost';
    const attempts = milestone.attempts + 1;
    if (attempts >= this.policy.maxAttempts) {
      if (!(await milestones.deadLetter(milestone.id, owner, now, code))) return 'lost';
      logger.warn({ ...context, attempts }, 'thread reply failed too many times; set aside');
      this.deps.onDeadLettered?.(milestone.teamId, milestone.startedBy, milestone.enterpriseId, logger);
      return 'later';
    }
    const wait = retryDelayMs(attempts, this.policy, this.deps.random ?? Math.random);
    if (!(await milestones.scheduleRetry(milestone.id, owner, new Date(now.getTime() + wait), code))) return 'lost';
    logger.warn({ ...context, attempts, retryInMs: wait }, 'thread reply not posted yet; will retry');
    return 'later';
  }

  /**
   * The thread refuses replies: the rest of this session's outbox goes aside with the refused
   * one (trying each would only be refused again), and the starter hears it once per session.
   */
  private async setAsideRest(rest: PendingMilestone[], refused: PendingMilestone, code: string): Promise<void> {
    const { milestones, owner } = this.deps;
    const logger = this.log;
    const gateway = this.deps.gateways.of(refused);
    const now = new Date(this.now());
    for (const milestone of rest) {
      if (!(await milestones.deadLetter(milestone.id, owner, now, code))) return;
    }
    if (refused.starterTold || !(await milestones.claimStarterNotice(refused.sessionId, owner, now))) return;
    const notice = deadLetterNotice({ reference: refused.reference, channelId: refused.channelId, code });
    try {
      await gateway.postMessage({ channel: refused.startedBy, text: notice.text, blocks: notice.blocks });
    } catch (error) {
      logger.warn({ sessionId: refused.sessionId, err: error }, 'starter not told by DM that the thread refuses replies (App Home still shows it)');
    }
    this.deps.onDeadLettered?.(refused.teamId, refused.startedBy, refused.enterpriseId, logger);
  }
}
