import type { KnownBlock } from '@slack/types';
import { escapeMrkdwn, truncate } from '../ui/mrkdwn.js';

/** Codes that mean the channel (or the thread) itself no longer takes the app's posts. */
const CHANNEL_REFUSALS = new Set(['channel_not_found', 'is_archived', 'channel_is_archived', 'not_in_channel', 'thread_not_found', 'message_not_found', 'cannot_reply_to_message']);

/** Slack ids are letters and digits; anything else is not put in a mention. */
const SLACK_ID = /^[A-Z0-9]+$/;

/**
 * The direct message telling a session's starter that its thread refuses replies (archived
 * channel, app removed…), and where they can still follow it: the app's Home tab.
 */
export function deadLetterNotice(input: { reference: string; channelId: string; code: string }): { text: string; blocks: KnownBlock[] } {
  const where = SLACK_ID.test(input.channelId) ? `<#${input.channelId}>` : 'its channel';
  const reference = escapeMrkdwn(truncate(input.reference.replace(/`/g, "'"), 60));
  const code = escapeMrkdwn(truncate(input.code.replace(/`/g, "'"), 64));
  const refusal = CHANNEL_REFUSALS.has(input.code) ? 'Slack refuses posts there' : 'Slack refuses them';
  const text =
    `⚠️ I can't post the updates of your session \`${reference}\` in its thread in ${where}: ${refusal} (\`${code}\`). ` +
    'You can still follow the session in my Home tab, under "Replies that could not be posted".';
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}
