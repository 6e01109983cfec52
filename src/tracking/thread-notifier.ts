import type { Logger } from '../logger.js';
import type { SlackGateway } from '../slack/gateway.js';
import type { MilestonesRepository, PendingMilestone } from '../store/milestones-repository.js';
import { milestoneBlocks } from '../ui/thread-replies.js';

/**
 * Posts the milestones outbox into card threads, each row once. Slack has no idempotency key:
 * each reply carries the row id in its metadata, and a row whose earlier attempt may have
 * reached Slack is first looked for in the thread before being posted again.
 */
export class ThreadNotifier {
  private running?: Promise<void>;
  private again = false;

  constructor(private readonly deps: { milestones: MilestonesRepository; gateway: SlackGateway; logger: Logger }) {}

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
      const pending = await this.deps.milestones.pending();
      for (const milestone of pending) await this.send(milestone);
    } while (this.again);
  }

  private async send(milestone: PendingMilestone): Promise<void> {
    const threadTs = milestone.card_ts!;
    try {
      if (milestone.attempts > 0) {
        const found = await this.deps.gateway.findReplyByOutboxId(milestone.channel_id, threadTs, milestone.id);
        if (found) {
          await this.deps.milestones.markPosted(milestone.id, found);
          return;
        }
      }
      await this.deps.milestones.markAttempt(milestone.id);
      const posted = await this.deps.gateway.postMessage({
        channel: milestone.channel_id,
        threadTs,
        text: milestone.text,
        blocks: milestone.blocks ? JSON.parse(milestone.blocks) : milestoneBlocks(milestone.text),
        metadata: { outboxId: milestone.id, sessionId: milestone.session_id },
      });
      await this.deps.milestones.markPosted(milestone.id, posted.ts);
    } catch (error) {
      this.deps.logger.warn({ milestoneId: milestone.id, key: milestone.key, err: error }, 'thread reply not posted yet; will retry');
    }
  }
}
