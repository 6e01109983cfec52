import { isFinal, type Session } from '../domain/session.js';
import type { Catalogue } from '../domain/product-catalogue.js';
import type { Logger } from '../domain/logger.js';
import type { SlackGateways } from '../slack/gateways.js';
import type { SessionsRepository } from '../store/sessions-repository.js';
import type { DeadLetter } from '../store/milestones-repository.js';
import { homeView, MAX_ACTIVE_SHOWN, MAX_DEAD_LETTERS_SHOWN, MAX_RECENT_SHOWN, type HomeSession } from '../ui/home.js';
import type { AdminGroupLine } from '../ui/admin-group.js';
import type { VendorAccountLine } from '../ui/vendor-accounts.js';
import type { LastCall } from '../vendors/health.js';
import type { AdminPolicy } from './admin-policy.js';

/** How many of the user's newest sessions the Home tab reads. */
export const HOME_SESSIONS_READ = 30;
/** At most this many `chat.getPermalink` calls per publish; the others show without a link. */
export const HOME_PERMALINKS_MAX = 15;

export interface HomeServiceDeps {
  sessions: Pick<SessionsRepository, 'startedBy'>;
  /** A card's permalink (SessionService.permalink): undefined when it has none or Slack said no. */
  permalink(session: Session): Promise<string | undefined>;
  /** The workspace's gateway (its installation's token, with OAuth install). */
  gateways: SlackGateways;
  /** Admins see the configuration (the user opening their own Home acts from this workspace). */
  admins: Pick<AdminPolicy, 'isAdmin'>;
  /** The workspace's configured vendors and their last call (VendorDirectory.configured). */
  vendors(teamId: string): Array<{ vendor: string; lastCall?: LastCall }>;
  /** For admins: where the workspace's account with each vendor stands (VendorAccountSettings.lines). */
  vendorAccounts?(teamId: string): VendorAccountLine[];
  /** For admins: the workspace's admin user group (AdminGroupSettings.line). */
  adminGroup?(teamId: string): Promise<AdminGroupLine>;
  /** Thread replies of the user's sessions that Slack refused for good (newest first). */
  deadLetters?(teamId: string, userId: string, limit: number): Promise<DeadLetter[]>;
  logger: Logger;
  catalogue: Catalogue;
}

/** Publishes a user's App Home: their sessions, vendor health and, for admins, the workspace's vendor accounts. */
export class HomeService {
  constructor(private readonly deps: HomeServiceDeps) {}

  /**
   * Never throws: a Home tab that cannot be published is logged and left as it was. `logger`: the
   * request's or run's that asks (its correlation id), else the service's own.
   */
  async publish(teamId: string, userId: string, enterpriseId?: string | null, logger: Logger = this.deps.logger): Promise<void> {
    const gateway = this.deps.gateways.of({ teamId, enterpriseId });
    try {
      const sessions = await this.deps.sessions.startedBy(teamId, userId, HOME_SESSIONS_READ);
      const active = sessions.filter((session) => !isFinal(session.status)).slice(0, MAX_ACTIVE_SHOWN);
      const recent = sessions.filter((session) => isFinal(session.status)).slice(0, MAX_RECENT_SHOWN);
      const [links, isAdmin, deadLetters] = await Promise.all([
        this.permalinks([...active, ...recent]),
        this.deps.admins.isAdmin(teamId, { teamId, userId, logger }),
        this.deps.deadLetters?.(teamId, userId, MAX_DEAD_LETTERS_SHOWN) ?? [],
      ]);
      const toHome = (session: Session): HomeSession => homeSession(session, links.get(session.id));
      const view = homeView({
        userId,
        active: active.map(toHome),
        recent: recent.map(toHome),
        vendors: this.deps.vendors(teamId),
        isAdmin,
        vendorAccounts: isAdmin ? this.deps.vendorAccounts?.(teamId) : undefined,
        adminGroup: isAdmin ? await this.deps.adminGroup?.(teamId) : undefined,
        catalogue: this.deps.catalogue,
        notPosted: deadLetters.map(({ vendor, reference, channelId, key, error, deadLetteredAt }) => ({ vendor, reference, channelId, key, error, deadLetteredAt })),
      });
      await gateway.publishHome(userId, view);
    } catch (error) {
      logger.warn({ err: error, teamId, userId }, 'App Home not published');
    }
  }

  /** Permalinks of the first cards shown (active first), capped so one tab costs few Slack calls. */
  private async permalinks(sessions: Session[]): Promise<Map<string, string>> {
    const withCards = sessions.filter((session) => session.cardTs).slice(0, HOME_PERMALINKS_MAX);
    const found = await Promise.all(
      withCards.map(async (session) => [session.id, await this.deps.permalink(session).catch(() => undefined)] as const),
    );
    return new Map(found.filter((entry): entry is readonly [string, string] => entry[1] !== undefined));
  }
}

/** Only what the Home shows: the masked contact, never the encrypted one. */
function homeSession(session: Session, permalink: string | undefined): HomeSession {
  const { vendor, kind, reference, contactMasked, status, createdAt } = session;
  return { vendor, kind, reference, contactMasked, status, createdAt, ...(permalink ? { permalink } : {}) };
}
