import { WebClient, type WebClientOptions } from '@slack/web-api';
import { z } from 'zod';
import type { BotCredentials } from '../domain/installation.js';

/**
 * Slack's answer to a refresh (oauth.v2.access, grant_type=refresh_token): a new token, a new
 * refresh token to keep, and the new token's lifetime in seconds.
 */
const RefreshAnswer = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1),
  expires_in: z.number().int().positive(),
});

/** A refresh should answer well within the refresh lease (InstallationService), so two never overlap. */
export const REFRESH_TIMEOUT_MS = 10_000;

/**
 * Renews a rotating bot token. Never retried by itself: a refresh whose answer was lost may have
 * spent the refresh token, and the next lookup (under the lease) decides what to do.
 */
export class SlackTokenRefresher {
  private readonly client: WebClient;

  constructor(
    private readonly app: { clientId: string; clientSecret: string },
    /** The App's clientOptions (slackApiUrl, fetch, logger): refreshes go where every other call goes. */
    clientOptions: WebClientOptions,
  ) {
    this.client = new WebClient(undefined, { ...clientOptions, retryConfig: { retries: 0 }, timeout: REFRESH_TIMEOUT_MS });
  }

  async refresh(refreshToken: string, now: Date = new Date()): Promise<BotCredentials> {
    const answer = RefreshAnswer.parse(
      await this.client.oauth.v2.access({ client_id: this.app.clientId, client_secret: this.app.clientSecret, grant_type: 'refresh_token', refresh_token: refreshToken }),
    );
    return { token: answer.access_token, refreshToken: answer.refresh_token, expiresAt: new Date(now.getTime() + answer.expires_in * 1000) };
  }
}
