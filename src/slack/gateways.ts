import { BoundedMap } from '../domain/bounded-map.js';
import type { TeamRef } from '../domain/installation.js';
import { NOT_INSTALLED, SlackPostError, type SlackGateway } from './gateway.js';

/** What services ask of Slack for one workspace. */
export type SlackApi = Pick<
  SlackGateway,
  'postMessage' | 'updateMessage' | 'postEphemeral' | 'findReplyByOutboxId' | 'permalink' | 'publishHome' | 'userRoles' | 'usergroupMembers' | 'addCall' | 'updateCall' | 'endCall' | 'unfurl'
>;

/**
 * The Slack gateway for a workspace: with one bot token (SLACK_BOT_TOKEN) always the same; with
 * OAuth install, one that calls with that workspace's installation's token. Every call a session
 * makes (card, thread, App Home, DM) goes through the gateway of the session's team.
 */
export interface SlackGateways {
  of(team: TeamRef): SlackApi;
}

/** Single-workspace mode: every team is served by the one gateway. */
export function oneGateway(gateway: SlackApi): SlackGateways {
  return { of: () => gateway };
}

/** Slack's answers meaning the token itself is no good (revoked, expired…): the cached token is dropped. */
const TOKEN_REFUSALS: ReadonlySet<string> = new Set(['invalid_auth', 'not_authed', 'token_revoked', 'token_expired', 'account_inactive']);

/** How many tokens' gateways (and their Web API clients) are kept. */
export const MAX_CACHED_GATEWAYS = 500;

export interface TokenGatewaysDeps {
  /** The team's bot token now (refreshed when due), or undefined when it has no installation. */
  tokenFor(team: TeamRef): Promise<string | undefined>;
  /** Slack refused the token: the next call looks the installation up afresh. */
  forget?(team: TeamRef): void;
  /** A gateway over a new Web API client for this token. */
  build(token: string): SlackGateway;
  max?: number;
}

/**
 * OAuth mode: each call looks up the team's token (the lookup caches it, briefly) and goes through
 * the gateway of that token, built once and kept in a bounded cache; a renewed token gets a
 * gateway of its own, and the old one falls out of the cache.
 */
export class TokenGateways implements SlackGateways {
  private readonly byToken: BoundedMap<string, SlackGateway>;

  constructor(private readonly deps: TokenGatewaysDeps) {
    this.byToken = new BoundedMap(deps.max ?? MAX_CACHED_GATEWAYS);
  }

  of(team: TeamRef): SlackApi {
    const call = async <T>(use: (gateway: SlackGateway) => Promise<T>): Promise<T> => {
      const token = await this.deps.tokenFor(team);
      if (token === undefined) throw new SlackPostError(NOT_INSTALLED);
      try {
        return await use(this.gatewayFor(token));
      } catch (error) {
        if (error instanceof SlackPostError && TOKEN_REFUSALS.has(error.code)) this.deps.forget?.(team);
        throw error;
      }
    };
    return {
      postMessage: (args) => call((gateway) => gateway.postMessage(args)),
      updateMessage: (args) => call((gateway) => gateway.updateMessage(args)),
      postEphemeral: (args) => call((gateway) => gateway.postEphemeral(args)),
      findReplyByOutboxId: (channel, threadTs, outboxId) => call((gateway) => gateway.findReplyByOutboxId(channel, threadTs, outboxId)),
      publishHome: (userId, view) => call((gateway) => gateway.publishHome(userId, view)),
      unfurl: (place, unfurls) => call((gateway) => gateway.unfurl(place, unfurls)),
      // Never throws (SlackGateway's contract): a workspace without a token has no link.
      permalink: (channel, ts) => call((gateway) => gateway.permalink(channel, ts)).catch(() => undefined),
      // These fail with a SlackPostError (`app_not_installed` without a token): AdminPolicy counts a failure as "not an admin".
      userRoles: (userId) => call((gateway) => gateway.userRoles(userId)),
      usergroupMembers: (usergroupId) => call((gateway) => gateway.usergroupMembers(usergroupId)),
      addCall: (args) => call((gateway) => gateway.addCall(args)),
      updateCall: (id, title) => call((gateway) => gateway.updateCall(id, title)),
      endCall: (id, duration) => call((gateway) => gateway.endCall(id, duration)),
    };
  }

  private gatewayFor(token: string): SlackGateway {
    let gateway = this.byToken.get(token);
    if (!gateway) {
      gateway = this.deps.build(token);
      this.byToken.set(token, gateway);
    }
    return gateway;
  }
}
