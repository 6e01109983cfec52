import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, type AppDeps, type Rendezvous } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import type { VendorModule } from '../src/domain/vendor-module.js';
import { createLogger, type Logger } from '../src/logger.js';
import { APIZEE_SANDBOX_PORTAL_URL, startApizeeSandbox, type ApizeeLatency, type ApizeeSandbox } from './apizee.js';
import { startBlitzzSandbox, type BlitzzSandbox } from './blitzz.js';
import { startConpeekSandbox, type ConpeekSandbox } from './conpeek.js';
import { startGenesysSandbox, type GenesysSandbox } from './genesys.js';
import { startImbeeSandbox, type ImbeeSandbox } from './imbee.js';
import { startFakeSlackApi, type FakeSlackApi, type FakeSlackApiOptions } from './slack-api.js';
import { OAUTH_CLIENT } from './slack-install.js';
import { SlackRequester } from './slack-requests.js';

export interface LocalStackOptions {
  /** Extra or overriding environment for the app (e.g. TRACK_INTERVAL_SECONDS). */
  env?: Record<string, string>;
  /** Apizee's per-minute limit, in the sandbox and in the app alike. */
  apizeeRatePerMinute?: number;
  /** Time each Apizee request spends on its way before the sandbox counts it (default none). */
  apizeeLatencyMs?: ApizeeLatency;
  slack?: FakeSlackApiOptions;
  logger?: Logger;
  /** Which vendors the app is configured for (default all five). */
  vendors?: string[];
  /** Delay of the Genesys sandbox's CometD outcomes. */
  genesysOutcomeDelayMs?: number;
  /** The vendor modules the app runs with (default: src/vendors/index.ts's five). */
  modules?: readonly VendorModule<unknown>[];
  /** How long the app's background Slack calls may take (the drills shorten it to play lost answers). */
  slackBackgroundTimeoutMs?: number;
  /** The retention purge's timing (tests run it by hand with `app.retention.runOnce()`). */
  retention?: AppDeps['retention'];
  /**
   * OAuth install (many workspaces) instead of the one bot token: the app gets SLACK_CLIENT_ID…,
   * the stand-in knows the app's redirect URL; workspaces install with `installThroughOAuth`.
   */
  oauth?: boolean;
}

export interface LocalStack extends Omit<Sandboxes, 'close'> {
  app: Rendezvous;
  appUrl: string;
  requester: SlackRequester;
  /** Signed Slack requests from another workspace (OAuth install); of an Enterprise Grid organisation with `enterprise`. */
  requesterFor(teamId: string, enterprise?: { enterpriseId: string; orgWideInstall?: boolean }): SlackRequester;
  signingSecret: string;
  close(): Promise<void>;
}

export const SANDBOX_APIZEE_ACCOUNT = { username: 'agent@example.com', password: 'sandbox-secret', enterpriseId: 1 };
/**
 * Two more Apizee accounts, each of its own enterprise, that workspaces save as their own in the App
 * Home (the environment's account above stays every workspace's default).
 */
export const SANDBOX_APIZEE_WORKSPACE_ACCOUNTS = [
  { username: 'alpha@example.com', password: 'alpha-sandbox-secret', enterpriseId: 2, name: 'Alpha agent' },
  { username: 'beta@example.com', password: 'beta-sandbox-secret', enterpriseId: 3, name: 'Beta agent' },
] as const;
export const SANDBOX_BLITZZ = { secretKey: 'sandbox-secret-key', username: 'agent@example.com', password: 'sandbox-secret', sessionId: '123456789' };
export const SANDBOX_CONPEEK = { apiKey: 'conpeek-sandbox-key', project: 'PSKQMXUAZ', bridgeId: 5, roomId: 11 };
export const SANDBOX_IMBEE = { auth: 'imbee-sandbox-auth', corporateToken: 'imbee-sandbox-corporate-token', botIdsha: 'imbee-sandbox-bot' };
export const SANDBOX_GENESYS = { username: 'agent', password: 'sandbox-secret', smsSession: '0000Na9B26EF006E' };

export interface Sandboxes {
  apizee: ApizeeSandbox;
  blitzz: BlitzzSandbox;
  conpeek: ConpeekSandbox;
  imbee: ImbeeSandbox;
  genesys: GenesysSandbox;
  slack: FakeSlackApi;
  close(): Promise<void>;
}

/** The five vendor sandboxes and the stand-in for Slack's Web API, each on a free local port. */
export async function startSandboxes(
  options: Pick<LocalStackOptions, 'apizeeRatePerMinute' | 'apizeeLatencyMs' | 'slack' | 'genesysOutcomeDelayMs'> = {},
): Promise<Sandboxes> {
  const [apizee, blitzz, conpeek, imbee, genesys, slack] = await Promise.all([
    startApizeeSandbox({
      ratePerMinute: options.apizeeRatePerMinute ?? 10,
      latencyMs: options.apizeeLatencyMs,
      accounts: [SANDBOX_APIZEE_ACCOUNT, ...SANDBOX_APIZEE_WORKSPACE_ACCOUNTS],
    }),
    startBlitzzSandbox({ accounts: [SANDBOX_BLITZZ], sessions: [SANDBOX_BLITZZ.sessionId] }),
    startConpeekSandbox({ apiKey: SANDBOX_CONPEEK.apiKey, projects: [SANDBOX_CONPEEK.project], bridges: { [SANDBOX_CONPEEK.bridgeId]: [SANDBOX_CONPEEK.roomId] } }),
    startImbeeSandbox(SANDBOX_IMBEE),
    startGenesysSandbox({
      username: SANDBOX_GENESYS.username,
      password: SANDBOX_GENESYS.password,
      smsSessions: [SANDBOX_GENESYS.smsSession],
      outcomeDelayMs: options.genesysOutcomeDelayMs ?? 300,
      connectTimeoutMs: 2000,
    }),
    startFakeSlackApi(options.slack),
  ]);
  return {
    apizee,
    blitzz,
    conpeek,
    imbee,
    genesys,
    slack,
    async close() {
      await Promise.all([apizee.close(), blitzz.close(), conpeek.close(), imbee.close(), genesys.close(), slack.close()]);
    },
  };
}

/** The app's Slack credentials for OAuth install (replacing SLACK_BOT_TOKEN). */
export function oauthEnvironment(): Record<string, string> {
  return { SLACK_BOT_TOKEN: '', SLACK_CLIENT_ID: OAUTH_CLIENT.clientId, SLACK_CLIENT_SECRET: OAUTH_CLIENT.clientSecret, SLACK_STATE_SECRET: OAUTH_CLIENT.stateSecret };
}

/** The stand-in learns the app's OAuth registration, as api.slack.com does (its redirect URL, once the app listens). */
export function registerOAuthApp(slack: FakeSlackApi, appUrl: string): void {
  slack.registerOAuthApp({ clientId: OAUTH_CLIENT.clientId, clientSecret: OAUTH_CLIENT.clientSecret, redirectUrl: new URL('/slack/oauth_redirect', appUrl).toString() });
}

/** The app's environment for the sandboxes: Slack, and each enabled vendor's URL and credentials. */
export function sandboxEnvironment(sandboxes: Sandboxes, options: { vendors?: string[]; apizeeRatePerMinute?: number } = {}): Record<string, string> {
  const { apizee, blitzz, conpeek, imbee, genesys, slack } = sandboxes;
  const rate = options.apizeeRatePerMinute ?? 10;
  const enabled = new Set(options.vendors ?? ['apizee', 'blitzz', 'conpeek', 'imbee', 'genesys']);
  return {
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_API_URL: slack.apiUrl,
    ...(enabled.has('apizee')
      ? {
          APIZEE_API_URL: apizee.url,
          APIZEE_USERNAME: SANDBOX_APIZEE_ACCOUNT.username,
          APIZEE_PASSWORD: SANDBOX_APIZEE_ACCOUNT.password,
          APIZEE_ENTERPRISE_ID: String(SANDBOX_APIZEE_ACCOUNT.enterpriseId),
          APIZEE_AGENT: 'agent@example.com',
          APIZEE_RATE_LIMIT_PER_MINUTE: String(rate),
          // Agent links live on the portal, not on the API's (local) host: they unfurl there.
          APIZEE_PORTAL_URL: APIZEE_SANDBOX_PORTAL_URL,
        }
      : {}),
    ...(enabled.has('blitzz')
      ? {
          BLITZZ_API_URL: blitzz.url,
          BLITZZ_SECRET_KEY: SANDBOX_BLITZZ.secretKey,
          BLITZZ_USERNAME: SANDBOX_BLITZZ.username,
          BLITZZ_PASSWORD: SANDBOX_BLITZZ.password,
          BLITZZ_SESSION_ID: SANDBOX_BLITZZ.sessionId,
        }
      : {}),
    ...(enabled.has('conpeek')
      ? {
          CONPEEK_API_URL: conpeek.url,
          CONPEEK_API_KEY: SANDBOX_CONPEEK.apiKey,
          CONPEEK_PROJECT: SANDBOX_CONPEEK.project,
          CONPEEK_BRIDGE_ID: String(SANDBOX_CONPEEK.bridgeId),
          CONPEEK_ROOM_ID: String(SANDBOX_CONPEEK.roomId),
        }
      : {}),
    ...(enabled.has('imbee')
      ? {
          IMBEE_API_URL: imbee.url,
          IMBEE_AUTH: SANDBOX_IMBEE.auth,
          IMBEE_CORPORATE_TOKEN: SANDBOX_IMBEE.corporateToken,
          IMBEE_BOT_IDSHA: SANDBOX_IMBEE.botIdsha,
        }
      : {}),
    ...(enabled.has('genesys')
      ? { GENESYS_API_URL: genesys.url, GENESYS_USERNAME: SANDBOX_GENESYS.username, GENESYS_PASSWORD: SANDBOX_GENESYS.password }
      : {}),
  };
}

/**
 * The whole product offline: the five vendor sandboxes, a stand-in for Slack's Web API, and
 * the real app on a free port between them, with a throwaway SQLite database. Used by the
 * demo and the end-to-end tests.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const rate = options.apizeeRatePerMinute ?? 10;
  const sandboxes = await startSandboxes(options);
  const dataDir = mkdtempSync(join(tmpdir(), 'rendezvous-'));
  const signingSecret = randomBytes(16).toString('hex');
  const config = loadConfig(
    {
      ...sandboxEnvironment(sandboxes, { vendors: options.vendors, apizeeRatePerMinute: rate }),
      SLACK_SIGNING_SECRET: signingSecret,
      PORT: '0',
      DATABASE_URL: `file:${join(dataDir, 'rendezvous.db')}`,
      ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      TRACK_INTERVAL_SECONDS: '1',
      ...(options.oauth ? oauthEnvironment() : {}),
      ...options.env,
    },
    options.modules,
  );
  const app = createApp(config, {
    logger: options.logger ?? createLogger('silent'),
    modules: options.modules,
    slackBackgroundTimeoutMs: options.slackBackgroundTimeoutMs,
    retention: options.retention,
  });
  const { port } = await app.start();
  const appUrl = `http://127.0.0.1:${port}`;
  if (options.oauth) registerOAuthApp(sandboxes.slack, appUrl);
  const requester = new SlackRequester({ appUrl, signingSecret, fakeSlack: sandboxes.slack });
  return {
    app,
    appUrl,
    ...sandboxes,
    requester,
    requesterFor: (teamId, enterprise) => new SlackRequester({ appUrl, signingSecret, fakeSlack: sandboxes.slack, teamId, ...enterprise }),
    signingSecret,
    async close() {
      await app.stop();
      await sandboxes.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
