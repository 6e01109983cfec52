import { BoundedMap } from '../domain/bounded-map.js';
import { CoalescedDrain } from '../domain/coalesced-drain.js';
import { runLogger, type Logger } from '../domain/logger.js';
import type { Catalogue } from '../domain/product-catalogue.js';
import type { Session } from '../domain/session.js';
import { SlackPostError, type UnfurlTarget } from '../slack/gateway.js';
import type { SlackGateways } from '../slack/gateways.js';
import type { LinkUnfurl, LinkUnfurlsRepository } from '../store/link-unfurls-repository.js';
import type { SessionsRepository } from '../store/sessions-repository.js';
import { sessionUnfurl, type Unfurl } from '../ui/session-unfurl.js';
import type { TeamVendors } from './team-vendors.js';

/** A `link_shared` event, as the listener parsed it. */
export interface SharedLinks {
  teamId: string;
  enterpriseId: string | null;
  /** A posted message (`conversations_history`): its channel and ts. */
  channel?: string;
  messageTs?: string;
  /** A message still in the composer (`composer`): its unfurl id. */
  unfurlId?: string;
  source?: string;
  links: Array<{ url: string; domain?: string }>;
}

/** How many unfurls of one session are kept for refreshing; older ones stay as they were last shown. */
export const MAX_UNFURLS_PER_SESSION = 20;
/** Refreshes per pass (chat.unfurl is Tier 3, about 50 a minute per workspace); the rest wait for the next pass. */
const REFRESHES_PER_PASS = 20;
/** Slack answers a link_shared with at most this many links; more are ignored. */
const LINKS_PER_EVENT = 10;
/** Card permalinks never change: kept for this many sessions. */
const PERMALINKS_KEPT = 1000;

/** Slack's ways of saying the message (or composer draft) with the link is gone: its unfurl is forgotten. */
const GONE: ReadonlySet<string> = new Set([
  'message_not_found',
  'channel_not_found',
  'cannot_find_channel',
  'cannot_unfurl_message',
  'cannot_unfurl_url',
  'invalid_unfurl_id',
  'is_archived',
  'not_in_channel',
]);

export interface LinkUnfurlsDeps {
  sessions: Pick<SessionsRepository, 'inTeamByVendorId' | 'get'>;
  unfurls: Pick<LinkUnfurlsRepository, 'remember' | 'markDue' | 'markDueAgain' | 'takeDue' | 'forget'>;
  /** The workspace's vendor accounts: which links are agent links of its sessions. */
  vendors: (teamId: string) => Pick<TeamVendors, 'agentLinkOf'>;
  /** The request's own Slack calls (link_shared) … */
  gateways: SlackGateways;
  /** … and the background ones (refreshes), which hand a 429 back instead of queueing. */
  backgroundGateways: SlackGateways;
  catalogue: Catalogue;
  logger: Logger;
  maxPerSession?: number;
  now?: () => Date;
}

/**
 * Live previews of agent-side links (issue 12). A pasted link is unfurled only when it is an agent
 * link of one of the workspace's vendor accounts (AgentLinks: customer, meeting and single-use
 * links never are) naming a session of that same workspace; each unfurl is remembered, and
 * refreshed once after each change of its session (SessionLifecycle says so), by whichever replica
 * takes it, also after a restart.
 */
export class LinkUnfurls {
  private readonly permalinks = new BoundedMap<string, string>(PERMALINKS_KEPT);
  private readonly drain = new CoalescedDrain(() => this.pass());
  private pausedUntil = 0;
  private stopping = false;

  /** The logger of the run in progress (one at a time). */
  private log: Logger;

  constructor(private readonly deps: LinkUnfurlsDeps) {
    this.log = deps.logger;
  }

  /** A link_shared event: unfurls the workspace's sessions' agent links in one chat.unfurl. Never throws. */
  async shared(event: SharedLinks): Promise<number> {
    try {
      const place = placeOf(event);
      if (!place) return 0;
      const found = await this.sessionsOf(event);
      if (found.length === 0) return 0;
      const now = new Date(this.now());
      const unfurls: Record<string, Unfurl> = {};
      for (const { url, session } of found) unfurls[url] = await this.unfurlOf(session, this.deps.gateways, now);
      await this.deps.gateways.of(event).unfurl(place, unfurls);
      for (const { url, session } of found) {
        await this.deps.unfurls.remember({ sessionId: session.id, teamId: session.teamId, enterpriseId: session.enterpriseId, place, url }, this.deps.maxPerSession ?? MAX_UNFURLS_PER_SESSION);
        // A change applied while this unfurl was being made found no row to mark: it is owed now.
        const current = await this.deps.sessions.get(session.id);
        if (current && JSON.stringify(await this.unfurlOf(current, this.deps.gateways, now)) !== JSON.stringify(unfurls[url])) await this.changed(current);
      }
      return found.length;
    } catch (error) {
      this.deps.logger.warn({ teamId: event.teamId, code: error instanceof SlackPostError ? error.code : undefined, err: error }, 'link unfurl not made');
      return 0;
    }
  }

  /** The session changed (its card was refreshed): each of its unfurls owes one refresh. */
  async changed(session: Pick<Session, 'id'>, log: Logger = this.deps.logger): Promise<void> {
    try {
      if ((await this.deps.unfurls.markDue(session.id)) > 0) this.trigger(log);
    } catch (error) {
      log.warn({ sessionId: session.id, err: error }, 'link unfurls not marked for refresh');
    }
  }

  /** Refreshes what is owed, in bounded passes; concurrent calls join the one in progress. */
  flush(log: Logger = runLogger(this.deps.logger)): Promise<void> {
    // One run at a time: its lines carry the id of the pass (or trigger) that started it.
    return this.drain.run(() => {
      this.log = log;
    });
  }

  /** Starts a flush without waiting; `log`: the caller's (a run it starts carries its correlation id). */
  trigger(log: Logger = runLogger(this.deps.logger)): void {
    this.flush(log).catch((error: unknown) => log.warn({ err: error }, 'link unfurls not refreshed; the next pass retries'));
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.drain.settled();
  }

  /** One bounded pass; false when the run should end (stopping, or Slack asked to wait). */
  private async pass(): Promise<boolean> {
    if (this.stopping || this.now() < this.pausedUntil) return false;
    const taken = await this.deps.unfurls.takeDue(REFRESHES_PER_PASS);
    for (const [index, unfurl] of taken.entries()) {
      if (!(await this.refresh(unfurl))) {
        // Slack asked to wait, or did not answer: the rest stay owed for a later pass.
        for (const left of taken.slice(index + 1)) await this.deps.unfurls.markDueAgain(left.id);
        return false;
      }
    }
    return true;
  }

  /** One refresh; false when the pass should stop (the refresh is owed again). */
  private async refresh(unfurl: LinkUnfurl): Promise<boolean> {
    const session = await this.deps.sessions.get(unfurl.sessionId);
    if (!session || session.teamId !== unfurl.teamId) {
      await this.deps.unfurls.forget(unfurl.id);
      return true;
    }
    try {
      const preview = await this.unfurlOf(session, this.deps.backgroundGateways);
      await this.deps.backgroundGateways.of(session).unfurl(unfurl.place, { [unfurl.url]: preview });
      return true;
    } catch (error) {
      const code = error instanceof SlackPostError ? error.code : 'request_failed';
      if (GONE.has(code) || (error instanceof SlackPostError && error.permanent)) {
        this.log.info({ sessionId: session.id, code }, 'link unfurl forgotten: Slack says its message is gone');
        await this.deps.unfurls.forget(unfurl.id);
        return true;
      }
      if (error instanceof SlackPostError && error.retryAfterMs !== undefined) this.pausedUntil = this.now() + error.retryAfterMs;
      this.log.warn({ sessionId: session.id, code }, 'link unfurl not refreshed; tried again on a later pass');
      await this.deps.unfurls.markDueAgain(unfurl.id);
      return false;
    }
  }

  /** The workspace's sessions the event's links open, each link once. */
  private async sessionsOf(event: SharedLinks): Promise<Array<{ url: string; session: Session }>> {
    const vendors = this.deps.vendors(event.teamId);
    const urls = [...new Set(event.links.map((link) => link.url))].slice(0, LINKS_PER_EVENT);
    const found: Array<{ url: string; session: Session }> = [];
    for (const url of urls) {
      const link = vendors.agentLinkOf(url);
      if (!link) continue;
      const session = await this.deps.sessions.inTeamByVendorId(event.teamId, link.vendor, link.kind, link.vendorId);
      // The same vendor instance the session was made on: its agent link has the link's origin.
      if (session && sameOrigin(session.agentUrl, url)) found.push({ url, session });
    }
    return found;
  }

  private async unfurlOf(session: Session, gateways: SlackGateways, now = new Date(this.now())): Promise<Unfurl> {
    return sessionUnfurl(session, this.deps.catalogue, { permalink: await this.permalinkOf(session, gateways), now });
  }

  private async permalinkOf(session: Session, gateways: SlackGateways): Promise<string | undefined> {
    if (!session.cardTs) return undefined;
    const key = `${session.id}\0${session.channelId}\0${session.cardTs}`;
    const known = this.permalinks.get(key);
    if (known) return known;
    const permalink = await gateways.of(session).permalink(session.channelId, session.cardTs);
    if (permalink) this.permalinks.set(key, permalink);
    return permalink;
  }

  private now(): number {
    return (this.deps.now?.() ?? new Date()).getTime();
  }
}

/** A posted message's channel and ts, else a composer's unfurl id and source; undefined when the event has neither. */
function placeOf(event: SharedLinks): UnfurlTarget | undefined {
  if (event.source === 'composer' && event.unfurlId) return { unfurlId: event.unfurlId, source: 'composer' };
  if (event.channel && event.messageTs) return { channelId: event.channel, messageTs: event.messageTs };
  if (event.unfurlId && event.source) return { unfurlId: event.unfurlId, source: event.source };
  return undefined;
}

function sameOrigin(agentUrl: string | null, link: string): boolean {
  try {
    return agentUrl !== null && new URL(agentUrl).origin === new URL(link).origin;
  } catch {
    return false;
  }
}
