import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, type Rendezvous } from '../app.js';
import { loadConfig } from '../config.js';
import { createLogger, type Logger } from '../logger.js';
import { startApizeeSandbox, type ApizeeSandbox } from './apizee.js';
import { startFakeSlackApi, type FakeSlackApi, type FakeSlackApiOptions } from './slack-api.js';
import { SlackRequester } from './slack-requests.js';

export interface LocalStackOptions {
  /** Extra or overriding environment for the app (e.g. TRACK_INTERVAL_SECONDS). */
  env?: Record<string, string>;
  /** Apizee's per-minute limit, in the sandbox and in the app alike. */
  apizeeRatePerMinute?: number;
  slack?: FakeSlackApiOptions;
  logger?: Logger;
  /** Without Apizee credentials, to see the app with no vendor. */
  withoutApizee?: boolean;
}

export interface LocalStack {
  app: Rendezvous;
  appUrl: string;
  apizee: ApizeeSandbox;
  slack: FakeSlackApi;
  requester: SlackRequester;
  signingSecret: string;
  close(): Promise<void>;
}

export const SANDBOX_APIZEE_ACCOUNT = { username: 'agent@example.com', password: 'sandbox-secret', enterpriseId: 1 };

/**
 * The whole product offline: the Apizee sandbox, a stand-in for Slack's Web API, and the real
 * app on a free port between them, with a throwaway SQLite database. Used by the demo and tests.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const rate = options.apizeeRatePerMinute ?? 10;
  const apizee = await startApizeeSandbox({ ratePerMinute: rate, accounts: [SANDBOX_APIZEE_ACCOUNT] });
  const slack = await startFakeSlackApi(options.slack);
  const dataDir = mkdtempSync(join(tmpdir(), 'rendezvous-'));
  const signingSecret = randomBytes(16).toString('hex');
  const config = loadConfig({
    SLACK_SIGNING_SECRET: signingSecret,
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_API_URL: slack.apiUrl,
    PORT: '0',
    DATABASE_URL: `file:${join(dataDir, 'rendezvous.db')}`,
    ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    TRACK_INTERVAL_SECONDS: '1',
    ...(options.withoutApizee
      ? {}
      : {
          APIZEE_API_URL: apizee.url,
          APIZEE_USERNAME: SANDBOX_APIZEE_ACCOUNT.username,
          APIZEE_PASSWORD: SANDBOX_APIZEE_ACCOUNT.password,
          APIZEE_ENTERPRISE_ID: String(SANDBOX_APIZEE_ACCOUNT.enterpriseId),
          APIZEE_AGENT: 'agent@example.com',
          APIZEE_RATE_LIMIT_PER_MINUTE: String(rate),
        }),
    ...options.env,
  });
  const app = createApp(config, { logger: options.logger ?? createLogger('silent') });
  const { port } = await app.start();
  const appUrl = `http://127.0.0.1:${port}`;
  const requester = new SlackRequester({ appUrl, signingSecret, fakeSlack: slack });
  return {
    app,
    appUrl,
    apizee,
    slack,
    requester,
    signingSecret,
    async close() {
      await app.stop();
      await Promise.all([apizee.close(), slack.close()]);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
