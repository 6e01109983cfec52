/**
 * Signed `/rendezvous` slash commands prepared ahead of a round, in the field order Slack uses
 * (the same payload SlackRequester.slash builds), with trigger ids and response URLs the fake
 * Slack API knows.
 */
import { signRequest } from '../../sandbox/slack-requests.js';
import type { FakeSlackApi } from '../../sandbox/slack-api.js';
import type { PreparedRequest } from './load.js';

export const AGENT_USER = 'U0AGENT';

export interface SlashOptions {
  text: string;
  /** Channel of the command; spread commands over channels as real agents would be. */
  channelId: string;
  triggerId?: string;
}

export function slashCommand(fake: FakeSlackApi, signingSecret: string, options: SlashOptions): PreparedRequest & { triggerId: string } {
  const triggerId = options.triggerId ?? fake.triggerId(AGENT_USER);
  const form = new URLSearchParams({
    token: 'legacy-verification-token',
    team_id: fake.teamId,
    team_domain: fake.teamDomain,
    channel_id: options.channelId,
    channel_name: options.channelId.toLowerCase(),
    user_id: AGENT_USER,
    user_name: 'agent',
    command: '/rendezvous',
    text: options.text,
    api_app_id: fake.appId,
    is_enterprise_install: 'false',
    response_url: fake.responseUrl(undefined, { channelId: options.channelId, userId: AGENT_USER }),
    trigger_id: triggerId,
  });
  const body = form.toString();
  return {
    body,
    triggerId,
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      'User-Agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
      ...signRequest(signingSecret, body),
    },
  };
}

/** `count` commands with `text`, spread over `channels` channels named `${prefix}000`, `${prefix}001`… */
export function slashCommands(fake: FakeSlackApi, signingSecret: string, text: string, count: number, channels: number, prefix = 'C0BENCH'): PreparedRequest[] {
  return Array.from({ length: count }, (_, index) => {
    const { body, headers } = slashCommand(fake, signingSecret, { text, channelId: `${prefix}${String(index % channels).padStart(3, '0')}` });
    return { body, headers };
  });
}
