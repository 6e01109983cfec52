import type { RespondFn } from '@slack/bolt';
import type { Logger } from '../domain/logger.js';
import type { Reply } from '../services/sessions.js';

/** An ephemeral answer through the request's response_url; a failed answer is logged, never thrown. */
export function replyThrough(respond: RespondFn, logger: Logger): Reply {
  return async (text, blocks) => {
    try {
      await respond({ response_type: 'ephemeral', replace_original: false, text, ...(blocks ? { blocks } : {}) });
    } catch (error) {
      logger.warn({ err: error }, 'ephemeral reply failed');
    }
  };
}
