import type { Installation as BoltInstallation, InstallationQuery, InstallationStore } from '@slack/bolt';
import { z } from 'zod';
import { BoundedMap } from '../domain/bounded-map.js';
import {
  expired,
  REFRESH_BEFORE_EXPIRY_MS,
  refreshDue,
  type BotCredentials,
  type Installation,
  type InstallationScope,
  type StoredInstallation,
  type TeamRef,
} from '../domain/installation.js';
import { runLogger, type Logger } from '../domain/logger.js';
import type { InstallationLookup, InstallationsRepository } from '../store/installations-repository.js';

/** What Bolt's installer hands over after `oauth.v2.access` (its `Installation`): parsed, as any boundary. */
const FromBolt = z
  .object({
    team: z.object({ id: z.string().min(1), name: z.string().optional() }).nullish(),
    enterprise: z.object({ id: z.string().min(1), name: z.string().optional() }).nullish(),
    isEnterpriseInstall: z.boolean().optional(),
    appId: z.string().optional(),
    user: z.object({ id: z.string().optional() }).optional(),
    bot: z.object({
      token: z.string().min(1),
      userId: z.string().min(1),
      id: z.string().optional(),
      scopes: z.array(z.string()).optional(),
      refreshToken: z.string().min(1).optional(),
      /** Epoch seconds (Bolt's unit). */
      expiresAt: z.number().optional(),
    }),
  })
  .refine((installation) => (installation.isEnterpriseInstall ? installation.enterprise : installation.team), 'an install names its team (or, org-wide, its enterprise)');

/** How long a looked-up installation is reused before the database is asked again. */
export const INSTALLATION_CACHE_MS = 30_000;
/** A workspace found without installation is asked about again sooner: it may be installing right now. */
export const MISSING_INSTALLATION_CACHE_MS = 5_000;
/** How long one replica holds the right to renew a token (well above the refresh call's own timeout). */
export const REFRESH_LEASE_MS = 30_000;
/** An expired token another replica is renewing: how long to wait for its new one. */
export const REFRESH_WAIT_MS = 5_000;
const MAX_CACHED_INSTALLATIONS = 1000;

export interface TokenRefresher {
  refresh(refreshToken: string, now: Date): Promise<BotCredentials>;
}

export interface InstallationServiceDeps {
  installations: Pick<InstallationsRepository, 'save' | 'find' | 'byKey' | 'leaseRefresh' | 'finishRefresh' | 'releaseRefresh' | 'uninstall'>;
  refresher: TokenRefresher;
  logger: Logger;
  /** This replica, for refresh leases. */
  owner: string;
  now?: () => Date;
  cacheMs?: number;
  leaseMs?: number;
  waitMs?: number;
  pollMs?: number;
}

/** The token expired and could not be renewed (yet): not a refusal, so the work is tried again later. */
export class TokenUnavailable extends Error {
  constructor(readonly installationKey: string) {
    super(`the Slack token of installation ${installationKey} expired and was not renewed`);
    this.name = 'TokenUnavailable';
  }
}

/**
 * OAuth installs: Bolt's `InstallationStore` (the install flow stores them, each Slack request
 * reads its workspace's), the token of any workspace for calls made later (cards, threads, App
 * Home, DMs), token rotation, and uninstalls.
 *
 * Rotation is done here rather than by Bolt (which renews inside `authorize`, on every replica
 * at once): a token due for renewal is renewed by one replica at a time under a database lease,
 * the others keep using the current token while it lasts, or wait briefly for the new one.
 */
export class InstallationService implements InstallationStore {
  private readonly cache = new BoundedMap<string, { installation: StoredInstallation | undefined; until: number }>(MAX_CACHED_INSTALLATIONS);
  private readonly renewing = new Map<string, Promise<StoredInstallation | undefined>>();
  /** The correlation id of the OAuth redirect each install came with (tagged by `traceInstall`, read by `storeInstallation`). */
  private readonly installTraces = new WeakMap<object, string>();

  constructor(private readonly deps: InstallationServiceDeps) {}

  /**
   * Bolt's installer hands `storeInstallation` no request: the redirect's correlation id is tied
   * to the installation object first (its `afterInstallation` hook, http/oauth-install.ts).
   */
  traceInstall(installation: object, correlationId: string): void {
    this.installTraces.set(installation, correlationId);
  }

  async storeInstallation(installation: BoltInstallation): Promise<void> {
    // The redirect's id; an install from elsewhere gets an id of its own.
    const logger = runLogger(this.deps.logger, this.installTraces.get(installation));
    const parsed = FromBolt.safeParse(installation);
    // The issues name fields, never values: the object holds the token.
    if (!parsed.success) throw new Error(`unexpected install from Slack: ${parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`).join('; ')}`);
    const stored = toInstallation(parsed.data);
    await this.deps.installations.save(stored, this.now());
    this.forgetAround(stored);
    logger.info(
      { teamId: stored.teamId, enterpriseId: stored.enterpriseId, orgWide: stored.isEnterpriseInstall, scopes: stored.botScopes, rotating: stored.bot.refreshToken !== undefined },
      'Rendezvous installed in a workspace',
    );
  }

  /** Bolt's `authorize` for every Slack request: the workspace's installation, its token renewed when due. */
  async fetchInstallation(query: InstallationQuery<boolean>): Promise<BoltInstallation> {
    const found = await this.current({ teamId: query.teamId, enterpriseId: query.enterpriseId });
    if (!found) throw new Error(`no installation for team ${query.teamId ?? '-'} (enterprise ${query.enterpriseId ?? '-'})`);
    return toBolt(found);
  }

  async deleteInstallation(query: InstallationQuery<boolean>): Promise<void> {
    await this.uninstalled(query.isEnterpriseInstall && query.enterpriseId ? { enterpriseId: query.enterpriseId, orgWide: true } : { teamId: query.teamId!, enterpriseId: query.enterpriseId }, 'deleted');
  }

  /** The bot token Slack calls for this workspace use now; undefined when it has no installation. */
  async botToken(team: TeamRef): Promise<string | undefined> {
    return (await this.current(team))?.bot.token;
  }

  /** Slack refused the token: the next call reads the installation again. */
  forget(team: TeamRef): void {
    this.cache.delete(cacheKey(team));
  }

  /**
   * The workspace (or organisation) removed the app or revoked its bot token: the installation is
   * deleted and the sessions it served are set aside (no more polling nor posting); nothing of
   * any other workspace changes.
   */
  async uninstalled(scope: InstallationScope, why: 'app_uninstalled' | 'tokens_revoked' | 'deleted', logger: Logger = runLogger(this.deps.logger)): Promise<void> {
    const removed = await this.deps.installations.uninstall(scope, this.now());
    this.cache.deleteWhere((key) => ('orgWide' in scope ? key.startsWith(`${scope.enterpriseId}:`) : key.endsWith(`:${scope.teamId}`)));
    logger.info({ ...scope, why, installationsRemoved: removed.installations, sessionsSetAside: removed.sessions }, 'Rendezvous removed from a workspace: its sessions are set aside');
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  private async current(lookup: InstallationLookup): Promise<StoredInstallation | undefined> {
    const key = cacheKey(lookup);
    const cached = this.cache.get(key);
    const now = this.now();
    if (cached && cached.until > now.getTime()) return cached.installation;
    let found = await this.deps.installations.find(lookup);
    if (found && refreshDue(found.bot, now)) found = await this.renewed(found);
    this.cache.set(key, { installation: found, until: this.cacheUntil(found, now) });
    return found;
  }

  /** Reused for a while, never past the moment its token falls due for renewal. */
  private cacheUntil(found: StoredInstallation | undefined, now: Date): number {
    if (!found) return now.getTime() + MISSING_INSTALLATION_CACHE_MS;
    const until = now.getTime() + (this.deps.cacheMs ?? INSTALLATION_CACHE_MS);
    const due = found.bot.expiresAt ? found.bot.expiresAt.getTime() - REFRESH_BEFORE_EXPIRY_MS : Infinity;
    return Math.min(until, due);
  }

  /** One renewal per installation at a time in this process (the lease covers the other replicas). */
  private renewed(found: StoredInstallation): Promise<StoredInstallation | undefined> {
    let running = this.renewing.get(found.key);
    if (!running) {
      running = this.renew(found).finally(() => this.renewing.delete(found.key));
      this.renewing.set(found.key, running);
    }
    return running;
  }

  /** A renewal is a run of its own (whichever request or background call found the token due): an id of its own. */
  private async renew(found: StoredInstallation): Promise<StoredInstallation | undefined> {
    const { installations, owner } = this.deps;
    const logger = runLogger(this.deps.logger);
    if (!(await installations.leaseRefresh(found.key, found.version, owner, this.now(), this.deps.leaseMs ?? REFRESH_LEASE_MS))) {
      return this.renewedElsewhere(found);
    }
    const where = { teamId: found.teamId, enterpriseId: found.enterpriseId };
    let bot: BotCredentials;
    try {
      bot = await this.deps.refresher.refresh(found.bot.refreshToken!, this.now());
    } catch (error) {
      await installations.releaseRefresh(found.key, owner);
      logger.warn({ ...where, code: slackCode(error), expired: expired(found.bot, this.now()) }, 'Slack token not renewed; the current one is used while it lasts');
      if (expired(found.bot, this.now())) throw new TokenUnavailable(found.key);
      return found;
    }
    if (!(await installations.finishRefresh(found.key, owner, bot, this.now()))) {
      logger.warn(where, 'Slack token renewed after the refresh lease ran out; the lease holder\'s token is kept');
    } else {
      logger.info({ ...where, expiresAt: bot.expiresAt?.toISOString() }, 'Slack token renewed');
    }
    return installations.byKey(found.key);
  }

  /**
   * Another replica holds the lease (or renewed it already): its token once written; meanwhile
   * the current one while it still works; an expired one only after a short wait for the new.
   */
  private async renewedElsewhere(found: StoredInstallation): Promise<StoredInstallation | undefined> {
    const deadline = this.now().getTime() + (this.deps.waitMs ?? REFRESH_WAIT_MS);
    for (;;) {
      const latest = await this.deps.installations.byKey(found.key);
      if (!latest || latest.version !== found.version || !expired(latest.bot, this.now())) return latest;
      if (this.now().getTime() >= deadline) throw new TokenUnavailable(found.key);
      await new Promise((resolve) => setTimeout(resolve, this.deps.pollMs ?? 100));
    }
  }

  /** Installed again: every cached answer about this workspace (or organisation) is dropped. */
  private forgetAround(installation: Installation): void {
    this.cache.deleteWhere((key) => (installation.isEnterpriseInstall ? key.startsWith(`${installation.enterpriseId}:`) : key.endsWith(`:${installation.teamId}`)));
  }
}

function cacheKey(lookup: InstallationLookup): string {
  return `${lookup.enterpriseId ?? ''}:${lookup.teamId ?? ''}`;
}

/** Slack's error code of a failed call, if it is one (never the request, which carries the refresh token). */
function slackCode(error: unknown): string {
  const data = (error as { data?: { error?: unknown } })?.data;
  return typeof data?.error === 'string' ? data.error : error instanceof z.ZodError ? 'bad_response' : 'request_failed';
}

function toInstallation(installation: z.infer<typeof FromBolt>): Installation {
  const orgWide = installation.isEnterpriseInstall === true;
  const { bot } = installation;
  return {
    enterpriseId: installation.enterprise?.id ?? null,
    enterpriseName: installation.enterprise?.name ?? null,
    teamId: orgWide ? null : installation.team!.id,
    teamName: orgWide ? null : (installation.team?.name ?? null),
    isEnterpriseInstall: orgWide,
    appId: installation.appId ?? null,
    botId: bot.id ?? null,
    botUserId: bot.userId,
    botScopes: bot.scopes ?? [],
    installerUserId: installation.user?.id ?? null,
    bot: {
      token: bot.token,
      ...(bot.refreshToken && bot.expiresAt !== undefined ? { refreshToken: bot.refreshToken, expiresAt: new Date(bot.expiresAt * 1000) } : {}),
    },
  };
}

/**
 * What Bolt's `authorize` reads. No refresh token nor expiry: given them, Bolt would renew the
 * token itself, in every replica at once; here it gets a token that is good, renewed under a lease.
 */
function toBolt(found: StoredInstallation): BoltInstallation {
  return {
    team: found.teamId ? { id: found.teamId, ...(found.teamName ? { name: found.teamName } : {}) } : undefined,
    enterprise: found.enterpriseId ? { id: found.enterpriseId, ...(found.enterpriseName ? { name: found.enterpriseName } : {}) } : undefined,
    user: { id: found.installerUserId ?? '', token: undefined, scopes: undefined },
    bot: { token: found.bot.token, userId: found.botUserId, id: found.botId ?? '', scopes: found.botScopes },
    ...(found.appId ? { appId: found.appId } : {}),
    tokenType: 'bot',
    isEnterpriseInstall: found.isEnterpriseInstall,
    authVersion: 'v2',
  } as BoltInstallation;
}
