/**
 * The OAuth side of the Slack stand-in (sandbox/slack-api.ts): the consent page a browser is sent
 * to (`/oauth/v2/authorize`), `oauth.v2.access` (a code, or with token rotation a refresh token,
 * for a bot token), and the tokens it issued, one per workspace, so each Web API call is answered
 * for the workspace its token belongs to.
 *
 * Shapes follow Slack's documentation of oauth.v2.access (docs.slack.dev/reference/methods/oauth.v2.access)
 * and of token rotation (docs.slack.dev/authentication/using-token-rotation): a rotating token
 * comes with `expires_in` (seconds) and a `refresh_token`; a refresh answers a new token and a
 * new refresh token, the old token keeps working until it expires, the old refresh token is spent.
 */
import { randomBytes } from 'node:crypto';

/** A refusal Slack answers as `{ ok: false, error }`. */
export class SlackRefusal extends Error {
  constructor(readonly error: string) {
    super(error);
  }
}

/** A bot token the stand-in knows, and the workspace (or organisation) it acts for. */
export interface IssuedBot {
  token: string;
  /** Null for an org-wide install. */
  teamId: string | null;
  teamName: string;
  enterpriseId: string | null;
  enterpriseName: string | null;
  orgWide: boolean;
  botUserId: string;
  botId: string;
  appId: string;
  scope: string;
  /** Epoch ms; only rotating tokens expire. */
  expiresAt?: number;
  revoked: boolean;
  /** The installing user. */
  userId: string;
}

/** The app as registered on api.slack.com: its credentials and redirect URL. */
export interface OAuthApp {
  clientId: string;
  clientSecret: string;
  redirectUrl: string;
}

interface Grant {
  bot: Omit<IssuedBot, 'token' | 'expiresAt' | 'revoked'>;
  redirectUri?: string;
}

/** A Slack id of this shape: a letter and upper-case base32-ish characters. */
const id = (prefix: string, seed: string) => `${prefix}${seed.replace(/[^A-Z0-9]/gi, '').toUpperCase()}`;

export class SlackOAuthDesk {
  private app?: OAuthApp;
  /** Seconds a rotating token lives; undefined: token rotation is off (tokens never expire). */
  tokenLifetimeSeconds?: number;
  private readonly codes = new Map<string, Grant>();
  private readonly bots = new Map<string, IssuedBot>();
  /** Refresh token → the bot identity it renews (spent once used). */
  private readonly refreshTokens = new Map<string, Omit<IssuedBot, 'token' | 'expiresAt' | 'revoked'>>();
  private sequence = 0;

  constructor(private readonly now: () => number = Date.now) {}

  register(app: OAuthApp): void {
    this.app = app;
  }

  /** A token issued outside OAuth (the single-workspace bot token). */
  adopt(bot: IssuedBot): void {
    this.bots.set(bot.token, bot);
  }

  /**
   * The consent page: the signed-in user approves at once and the browser is sent back to the
   * app with a code and the app's `state`. `team` is Slack's own parameter (the workspace to
   * install in); `enterprise` and `org_wide=1` play an Enterprise Grid install.
   */
  authorize(query: URLSearchParams): { status: number; location?: string; text?: string } {
    if (!this.app || query.get('client_id') !== this.app.clientId) return { status: 400, text: 'invalid_client_id' };
    const redirectUri = query.get('redirect_uri') ?? undefined;
    const target = new URL(redirectUri ?? this.app.redirectUrl);
    if (query.get('error') === 'access_denied') {
      target.searchParams.set('error', 'access_denied');
    } else {
      const code = `${Date.now()}.${randomBytes(12).toString('hex')}`;
      this.codes.set(code, { bot: this.identity(query), redirectUri });
      target.searchParams.set('code', code);
    }
    const state = query.get('state');
    if (state !== null) target.searchParams.set('state', state);
    return { status: 302, location: target.toString() };
  }

  /** `oauth.v2.access`: a code (once) or, with rotation, a refresh token (once) for a bot token. */
  access(args: Record<string, unknown>): Record<string, unknown> {
    if (!this.app || args.client_id !== this.app.clientId) throw new SlackRefusal('invalid_client_id');
    if (args.client_secret !== this.app.clientSecret) throw new SlackRefusal('bad_client_secret');
    if (args.grant_type === 'refresh_token') return this.refresh(String(args.refresh_token ?? ''));
    const grant = this.codes.get(String(args.code ?? ''));
    if (!grant) throw new SlackRefusal('invalid_code');
    this.codes.delete(String(args.code));
    if (grant.redirectUri !== undefined && args.redirect_uri !== grant.redirectUri) throw new SlackRefusal('bad_redirect_uri');
    return { ...this.answer(this.issue(grant.bot)), authed_user: { id: grant.bot.userId } };
  }

  /** The bot a token belongs to, or why Slack would refuse it. */
  caller(token: string | undefined): IssuedBot {
    const bot = token === undefined ? undefined : this.bots.get(token);
    if (!bot) throw new SlackRefusal('invalid_auth');
    if (bot.revoked) throw new SlackRefusal('token_revoked');
    if (bot.expiresAt !== undefined && bot.expiresAt <= this.now()) throw new SlackRefusal('token_expired');
    return bot;
  }

  teamOf(token: string | undefined): string | undefined {
    const bot = token === undefined ? undefined : this.bots.get(token);
    return bot ? (bot.teamId ?? bot.enterpriseId ?? undefined) : undefined;
  }

  tokensOf(teamOrEnterpriseId: string): string[] {
    return [...this.bots.values()].filter((bot) => (bot.teamId ?? bot.enterpriseId) === teamOrEnterpriseId).map((bot) => bot.token);
  }

  /** The workspace (or organisation) removed the app: its tokens stop working, its refresh tokens too. */
  revoke(teamOrEnterpriseId: string): void {
    for (const bot of this.bots.values()) if ((bot.teamId ?? bot.enterpriseId) === teamOrEnterpriseId) bot.revoked = true;
    for (const [refreshToken, bot] of this.refreshTokens) if ((bot.teamId ?? bot.enterpriseId) === teamOrEnterpriseId) this.refreshTokens.delete(refreshToken);
  }

  private refresh(refreshToken: string): Record<string, unknown> {
    const bot = this.refreshTokens.get(refreshToken);
    if (!bot) throw new SlackRefusal('invalid_refresh_token');
    this.refreshTokens.delete(refreshToken);
    return this.answer(this.issue(bot));
  }

  private identity(query: URLSearchParams): Grant['bot'] {
    const enterpriseId = query.get('enterprise');
    const orgWide = enterpriseId !== null && query.get('org_wide') === '1';
    const teamId = orgWide ? null : (query.get('team') ?? 'T0001');
    const owner = teamId ?? enterpriseId!;
    return {
      teamId,
      teamName: teamId ? `Workspace ${teamId}` : '',
      enterpriseId,
      enterpriseName: enterpriseId ? `Organisation ${enterpriseId}` : null,
      orgWide,
      botUserId: id('U', `${owner}BOT`),
      botId: id('B', `${owner}BOT`),
      appId: 'A0RENDEZVOUS',
      scope: query.get('scope') ?? '',
      userId: query.get('user') ?? 'U0INSTALLER',
    };
  }

  private issue(identity: Grant['bot']): IssuedBot {
    this.sequence += 1;
    const secret = randomBytes(12).toString('hex');
    const rotating = this.tokenLifetimeSeconds !== undefined;
    const owner = identity.teamId ?? identity.enterpriseId;
    const bot: IssuedBot = {
      ...identity,
      token: rotating ? `xoxe.xoxb-1-${owner}-${this.sequence}-${secret}` : `xoxb-${owner}-${this.sequence}-${secret}`,
      revoked: false,
      ...(rotating ? { expiresAt: this.now() + this.tokenLifetimeSeconds! * 1000 } : {}),
    };
    this.bots.set(bot.token, bot);
    return bot;
  }

  private answer(bot: IssuedBot): Record<string, unknown> {
    const answer: Record<string, unknown> = {
      access_token: bot.token,
      token_type: 'bot',
      scope: bot.scope,
      bot_user_id: bot.botUserId,
      app_id: bot.appId,
      team: bot.teamId ? { id: bot.teamId, name: bot.teamName } : null,
      enterprise: bot.enterpriseId ? { id: bot.enterpriseId, name: bot.enterpriseName } : null,
      is_enterprise_install: bot.orgWide,
    };
    if (bot.expiresAt !== undefined) {
      const refreshToken = `xoxe-1-${randomBytes(16).toString('hex')}`;
      const { token: _token, expiresAt: _expiresAt, revoked: _revoked, ...identity } = bot;
      this.refreshTokens.set(refreshToken, identity);
      answer.expires_in = Math.round((bot.expiresAt - this.now()) / 1000);
      answer.refresh_token = refreshToken;
    }
    return answer;
  }
}
