/**
 * A Slack workspace, as every session and request names it: its team, and its Enterprise Grid
 * organisation when it belongs to one. Whose token a Slack call uses is decided from this alone.
 */
export interface TeamRef {
  teamId: string;
  enterpriseId?: string | null;
}

/** What an OAuth install left Rendezvous to act with: the bot token, and with token rotation how to renew it. */
export interface BotCredentials {
  token: string;
  /** Set when the app has token rotation on: Slack's refresh token (`xoxe-…`). */
  refreshToken?: string;
  /** Set with `refreshToken`: when `token` stops working. */
  expiresAt?: Date;
}

/**
 * One OAuth install: of a workspace (keyed by its enterprise, if any, and team), or org-wide on
 * an Enterprise Grid organisation (keyed by the enterprise; every workspace of it is covered).
 */
export interface Installation {
  enterpriseId: string | null;
  enterpriseName: string | null;
  /** Null for an org-wide install. */
  teamId: string | null;
  teamName: string | null;
  isEnterpriseInstall: boolean;
  appId: string | null;
  botId: string | null;
  botUserId: string;
  botScopes: string[];
  /** Who installed it (Slack's `authed_user`). */
  installerUserId: string | null;
  bot: BotCredentials;
}

/** An installation as stored: `version` moves with every change of its credentials (a refresh). */
export interface StoredInstallation extends Installation {
  key: string;
  version: number;
  installedAt: Date;
  updatedAt: Date;
}

/** Which installations an uninstall (or revoked tokens) concerns: one workspace's, or an organisation's org-wide one. */
export type InstallationScope = { teamId: string; enterpriseId?: string | null } | { enterpriseId: string; orgWide: true };

/**
 * The key an installation is stored under: `<enterprise>:<team>`, with the team left empty for an
 * org-wide install and the enterprise left empty outside Enterprise Grid. Slack ids hold no colon.
 */
export function installationKey(installation: Pick<Installation, 'enterpriseId' | 'teamId' | 'isEnterpriseInstall'>): string {
  const team = installation.isEnterpriseInstall ? '' : (installation.teamId ?? '');
  return `${installation.enterpriseId ?? ''}:${team}`;
}

/**
 * Slack's bot tokens with rotation last 12 hours; like Bolt's own rotation, a token is renewed
 * once it has 2 hours or less to live, so a slow refresh or a short outage never lets it lapse.
 */
export const REFRESH_BEFORE_EXPIRY_MS = 2 * 60 * 60 * 1000;

/** Whether these credentials should be renewed now (only rotating tokens ever are). */
export function refreshDue(bot: BotCredentials, now: Date, windowMs = REFRESH_BEFORE_EXPIRY_MS): boolean {
  return bot.refreshToken !== undefined && bot.expiresAt !== undefined && bot.expiresAt.getTime() - now.getTime() <= windowMs;
}

/** Whether the token no longer works at all (renewing it is then the only way on). */
export function expired(bot: BotCredentials, now: Date): boolean {
  return bot.expiresAt !== undefined && bot.expiresAt.getTime() <= now.getTime();
}
