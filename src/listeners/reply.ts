import type { RespondFn } from '@slack/bolt';
import type { Logger } from '../domain/logger.js';
import { messageText } from '../domain/mrkdwn.js';
import type { Reply } from '../services/sessions.js';
import type { SlackGateway } from '../slack/gateway.js';

/** Where an ephemeral answer can go: the request's response_url, else the conversation and user. */
export interface ReplyTarget {
  /** Bolt's `respond`: undefined when Slack sent no `response_url` (it may not). */
  respond?: RespondFn;
  gateway: Pick<SlackGateway, 'postEphemeral'>;
  channelId?: string;
  userId: string;
  logger: Logger;
}

/**
 * An ephemeral answer to the acting user: through the request's response_url when there is one
 * and it works, otherwise `chat.postEphemeral` in the conversation they acted from. A failed
 * answer is logged, never thrown (the work it reports on is done either way).
 */
export function replyTo(target: ReplyTarget): Reply {
  return async (words, blocks) => {
    const text = messageText(words);
    if (target.respond) {
      try {
        await target.respond({ response_type: 'ephemeral', replace_original: false, text, ...(blocks ? { blocks } : {}) });
        return;
      } catch (error) {
        // A response_url lasts 30 minutes and five uses; the Web API does not expire.
        target.logger.info({ err: error }, 'ephemeral reply through response_url failed; trying chat.postEphemeral');
      }
    }
    if (!target.channelId) {
      target.logger.warn({ userId: target.userId }, 'ephemeral reply dropped: no response_url and no conversation');
      return;
    }
    try {
      await target.gateway.postEphemeral({ channel: target.channelId, user: target.userId, text, ...(blocks ? { blocks } : {}) });
    } catch (error) {
      target.logger.warn({ err: error }, 'ephemeral reply failed');
    }
  };
}
