import type { Logger } from '../domain/logger.js';
import { SlackPostError, type SlackGateway } from '../slack/gateway.js';
import type { MilestonesRepository, PendingMilestone } from '../store/milestones-repository.js';
import { milestoneBlocks } from '../ui/thread-replies.js';

/** Slack allows about one message a second per channel (PRODUCT.md §4). */
export const CHANNEL_SPACING_MS = 1000;

export interface ThreadNotifierDeps {
  milestones: MilestonesRepository;
  /** A gateway of its own, so its rate-limit waits never hold up interactive requests. */
  gateway: SlackGateway;
  logger: Logger;
  /** This replica, for outbox leases. */
  owner: string;
  leaseMs?: number;
  channelSpacingMs?: number;
}

/**
 * Posts the milestones outbox into card threads, each row once. Slack has no idempotency key:
 * each reply carries its row id in the message metadata, and a row whose earlier attempt may
 * have reached Slack (a crash between post and record) is first looked for in the thread.
 * Outboxes are leased per session, so replicas share the work and each thread stays in order.
 */
export class ThreadNotifier {
  private running?: Promise<void>;
  private again = false;
  private readonly lastPostAt = new Map<string, number>();
  private pausedUntil = 0;

  constructor(private readonly deps: ThreadNotifierDeps) {}

  /** Posts everything pending; concurrent calls join the run in progress (and trigger one more pass). */
  flush(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.drain().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async drain(): Promise<void> {
    do {
      this.again = false;
      if (Date.now() < this.pausedUntil) return;
      const leaseMs = this.deps.leaseMs ?? 30_000;
      const sessionIds = await this.deps.milestones.leaseOutboxes(this.deps.owner, new Date(), leaseMs, 50);
      if (sessionIds.length === 0) return;
      const byChannel = new Map<string, PendingMilestone[][]>();
      for (const sessionId of sessionIds) {
        const pending = await this.deps.milestones.pendingFor(sessionId);
        const channel = pending[0]?.channelId;
        if (channel) byChannel.set(channel, [...(byChannel.get(channel) ?? []), pending]);
      }
      // Channels in parallel, each at Slack's pace; a thread's replies strictly in order.
      await Promise.all(
        [...byChannel.entries()].map(async ([channel, threads]) => {
          for (const thread of threads) await this.sendThread(channel, thread);
        }),
      );
      await Promise.all(sessionIds.map((id) => this.deps.milestones.releaseOutbox(id, this.deps.owner)));
      if (sessionIds.length === 50) this.again = true;
    } while (this.again);
  }

  private async sendThread(channel: string, thread: PendingMilestone[]): Promise<void> {
    for (const milestone of thread) {
      if (!(await this.send(channel, milestone))) return;
    }
  }

  private async pace(channel: string): Promise<void> {
    const spacing = this.deps.channelSpacingMs ?? CHANNEL_SPACING_MS;
    const wait = (this.lastPostAt.get(channel) ?? 0) + spacing - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    this.lastPostAt.set(channel, Date.now());
  }

  /** True when posted (or found already posted); false leaves it, and the rest of its thread, for later. */
  private async send(channel: string, milestone: PendingMilestone): Promise<boolean> {
    const threadTs = milestone.cardTs!;
    try {
      if (milestone.attempts > 0) {
        const found = await this.deps.gateway.findReplyByOutboxId(channel, threadTs, milestone.id);
        if (found) {
          await this.deps.milestones.markPosted(milestone.id, found);
          return true;
        }
      }
      await this.deps.milestones.markAttempt(milestone.id);
      await this.pace(channel);
      const posted = await this.deps.gateway.postMessage({
        channel,
        threadTs,
        text: milestone.text,
        blocks: milestone.blocks ?? milestoneBlocks(milestone.text),
        metadata: { outboxId: milestone.id, sessionId: milestone.sessionId },
      });
      await this.deps.milestones.markPosted(milestone.id, posted.ts);
      return true;
    } catch (error) {
      if (error instanceof SlackPostError && error.retryAfterMs !== undefined) {
        // 429: this workspace's background posts wait as Slack asks; interactive calls do not.
        this.pausedUntil = Date.now() + error.retryAfterMs;
      }
      this.deps.logger.warn({ milestoneId: milestone.id, key: milestone.key, err: error }, 'thread reply not posted yet; will retry');
      return false;
    }
  }
}
