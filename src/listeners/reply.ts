import type { RespondArguments } from '@slack/bolt';
import type { KnownBlock } from '@slack/types';
import type { Logger } from '../domain/logger.js';
import { fitMrkdwn, messageText, SLACK_LIMITS } from '../domain/mrkdwn.js';
import type { Reply } from '../services/sessions.js';
import type { SlackGateway } from '../slack/gateway.js';

/** Bolt's `respond`, or `respondThrough` a stored response_url. */
export type Respond = (message: RespondArguments) => Promise<unknown>;

/** Where an ephemeral answer can go: the request's response_url, else the conversation and user. */
export interface ReplyTarget {
  /** Bolt's `respond`: undefined when Slack sent no `response_url` (it may not). */
  respond?: Respond;
  gateway: Pick<SlackGateway, 'postEphemeral'> & Partial<Pick<SlackGateway, 'postMessage'>>;
  channelId?: string;
  userId: string;
  logger: Logger;
  /**
   * When no ephemeral can reach the user (the conversation is one the app cannot see: a private
   * channel or a DM without it), say it in their direct messages with the app instead. Only for
   * words that may stay there (how to add the app): never for a link meant to be ephemeral.
   */
  orDirectMessage?: boolean;
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
      if (target.orDirectMessage && target.gateway.postMessage) return inDirectMessage(target, text, blocks, error);
      target.logger.warn({ err: error }, 'ephemeral reply failed');
    }
  };
}

/** The app's own DM with the user (posting to a user id opens it): the one place left to tell them. */
async function inDirectMessage(target: ReplyTarget, text: string, blocks: KnownBlock[] | undefined, ephemeralError: unknown): Promise<void> {
  target.logger.info({ err: ephemeralError, userId: target.userId }, 'no ephemeral possible in that conversation; answering in a direct message');
  try {
    await target.gateway.postMessage!({ channel: target.userId, text, blocks: blocks ?? [{ type: 'section', text: { type: 'mrkdwn', text: fitMrkdwn(text, SLACK_LIMITS.sectionText) } }] });
  } catch (error) {
    target.logger.warn({ err: error }, 'direct message reply failed');
  }
}

/**
 * Bolt's `respond` for a response_url kept with a creation job: the answer comes after the ack,
 * maybe from another replica or after a restart, so there is no Bolt request to hang it on.
 * The URL is a credential of sorts (it posts into the conversation): never logged.
 */
export function respondThrough(responseUrl: string, timeoutMs = 5000): Respond {
  return async (message) => {
    const answer = await fetch(responseUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(message),
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!answer.ok) throw new Error(`the response_url answered ${answer.status}`);
  };
}
