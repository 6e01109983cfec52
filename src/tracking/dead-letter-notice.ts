import type { KnownBlock } from '@slack/types';
import { escapeMrkdwn, truncate } from '../ui/mrkdwn.js';

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
  const text =
    `⚠️ I can't post the updates of your session \`${reference}\` in its thread in ${where}: Slack refuses posts there (\`${code}\`). ` +
    'You can still follow the session in my Home tab, under "Replies that could not be posted".';
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}
