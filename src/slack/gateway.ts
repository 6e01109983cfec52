import type { HomeView, KnownBlock } from '@slack/types';
import { ErrorCode, type WebAPIPlatformError, type WebClient } from '@slack/web-api';
import type { Logger } from '../domain/logger.js';

/** Thread replies carry this metadata type, so a crash-interrupted post can be found again. */
export const MILESTONE_EVENT_TYPE = 'rendezvous_milestone';

/**
 * Refused before any call: the workspace has no installation (it uninstalled the app, or never
 * installed it). Permanent, like Slack's own `token_revoked`: the outbox sets the reply aside.
 */
export const NOT_INSTALLED = 'app_not_installed';

/**
 * Refusals a retry will not change: the channel is gone, archived or closed to the app, or the
 * app itself lost its token or scope. An outbox row refused so is set aside at once.
 */
export const PERMANENT_SLACK_ERRORS: ReadonlySet<string> = new Set([
  'channel_not_found',
  'is_archived',
  'channel_is_archived',
  'not_in_channel',
  'restricted_action',
  'restricted_action_read_only_channel',
  'restricted_action_thread_only_channel',
  'restricted_action_non_threadable_channel',
  'cannot_reply_to_message',
  'thread_not_found',
  'message_not_found',
  'account_inactive',
  'invalid_auth',
  'not_authed',
  'token_revoked',
  'token_expired',
  'no_permission',
  'missing_scope',
  'ekm_access_denied',
  'team_access_not_granted',
  'team_not_found',
  NOT_INSTALLED,
  'msg_too_long',
  'invalid_blocks',
  'invalid_metadata_format',
  'invalid_arguments',
]);

/** Slack said no: a platform error code (`not_in_channel`, `channel_not_found`, …). */
export class SlackPostError extends Error {
  /** Set when Slack answered 429: how long it asked to wait. */
  readonly retryAfterMs?: number;

  constructor(readonly code: string, options?: { cause?: unknown; retryAfterMs?: number }) {
    super(`Slack refused the post: ${code}`, options);
    this.name = 'SlackPostError';
    this.retryAfterMs = options?.retryAfterMs;
  }
  /** Slack will answer the same to the same request: retrying is pointless. */
  get permanent(): boolean {
    return PERMANENT_SLACK_ERRORS.has(this.code);
  }
  /** Slack asked to wait (429): not a failure of the request itself. */
  get rateLimited(): boolean {
    return this.retryAfterMs !== undefined;
  }
  /** The app cannot post there until someone adds it (private channel or DM without the app). */
  get needsInvitation(): boolean {
    return ['not_in_channel', 'channel_not_found', 'is_archived', 'restricted_action'].includes(this.code);
  }
}

/** Where `chat.unfurl` shows a preview: a posted message, or a link still in the message composer. */
export type UnfurlTarget = { channelId: string; messageTs: string } | { unfurlId: string; source: string };

export interface PostedMessage {
  channel: string;
  ts: string;
}

function platformCode(error: unknown): string | undefined {
  const candidate = error as Partial<WebAPIPlatformError>;
  if ((error as { code?: string })?.code === ErrorCode.RateLimitedError) return 'ratelimited';
  // An HTTP failure keeps its status for the operator (`http_503`); a network error or a timeout is `request_failed`.
  if ((error as { code?: string })?.code === ErrorCode.HTTPError) return `http_${(error as { statusCode?: number }).statusCode ?? 'error'}`;
  return candidate?.code === ErrorCode.PlatformError ? candidate.data?.error : undefined;
}

/** A 429 answered with `rejectRateLimitedCalls` carries Slack's Retry-After in seconds. */
function retryAfterMs(error: unknown): number | undefined {
  const limited = error as { code?: string; retryAfter?: number };
  return limited?.code === ErrorCode.RateLimitedError && typeof limited.retryAfter === 'number' ? limited.retryAfter * 1000 : undefined;
}

/** What Slack said, as a typed error: its code and, for a 429, how long it asked to wait. */
export function postError(error: unknown): SlackPostError {
  return new SlackPostError(platformCode(error) ?? 'request_failed', { cause: error, retryAfterMs: retryAfterMs(error) });
}

/** What `calls.add` is given for a meeting (Slack's argument names in the comments). */
export interface SlackCallArgs {
  /** external_unique_id: the Rendezvous session id. */
  externalUniqueId: string;
  /** join_url: the meeting's room link. */
  joinUrl: string;
  title: string;
  /** date_start, Unix seconds. */
  dateStart: number;
  /** created_by: the starter's Slack user id (required with a bot token). */
  createdBy: string;
  /** external_display_id: the session's reference. */
  externalDisplayId?: string;
}

/** What `users.info` says of a user: their own team, and whether they administer it. */
export interface UserRoles {
  teamId?: string;
  /** A workspace admin, owner or primary owner. */
  admin: boolean;
}

/**
 * Every Slack Web API call the services make, in one place: posts, updates, ephemerals, the
 * lookups of the admin check. Knows Slack, not vendors.
 */
export class SlackGateway {
  constructor(
    private readonly client: WebClient,
    private readonly deps: {
      logger: Logger;
      /**
       * For a client that rejects 429s at once (background work): a card update Slack throttled
       * is sent again once after the wait Slack asked for, when no longer than this. chat.update
       * is idempotent (the whole card each time), so this cannot double anything.
       */
      updateRetryAfterMaxMs?: number;
    },
  ) {}

  async postMessage(args: { channel: string; text: string; blocks: KnownBlock[]; threadTs?: string; metadata?: { outboxId: string; sessionId: string } }): Promise<PostedMessage> {
    try {
      const result = await this.client.chat.postMessage({
        channel: args.channel,
        text: args.text,
        blocks: args.blocks,
        unfurl_links: false,
        unfurl_media: false,
        ...(args.threadTs ? { thread_ts: args.threadTs } : {}),
        ...(args.metadata
          ? { metadata: { event_type: MILESTONE_EVENT_TYPE, event_payload: { outbox_id: args.metadata.outboxId, session_id: args.metadata.sessionId } } }
          : {}),
      });
      return { channel: result.channel ?? args.channel, ts: result.ts! };
    } catch (error) {
      throw postError(error);
    }
  }

  async updateMessage(args: { channel: string; ts: string; text: string; blocks: KnownBlock[] }): Promise<void> {
    const update = () => this.client.chat.update({ channel: args.channel, ts: args.ts, text: args.text, blocks: args.blocks });
    try {
      await update();
    } catch (error) {
      const wait = retryAfterMs(error);
      if (wait === undefined || wait > (this.deps.updateRetryAfterMaxMs ?? -1)) throw postError(error);
      await new Promise((resolve) => setTimeout(resolve, wait));
      try {
        await update();
      } catch (again) {
        throw postError(again);
      }
    }
  }

  /** Only the given user sees it; used for links that must never reach the channel. */
  async postEphemeral(args: { channel: string; user: string; text: string; blocks?: KnownBlock[] }): Promise<void> {
    await this.client.chat.postEphemeral({ channel: args.channel, user: args.user, text: args.text, ...(args.blocks ? { blocks: args.blocks } : {}) });
  }

  /**
   * Finds a reply this app posted with the given outbox id (settling a post a crash or a lost
   * answer interrupted). Fails with a SlackPostError like a post, a 429 included.
   */
  async findReplyByOutboxId(channel: string, threadTs: string, outboxId: string): Promise<string | undefined> {
    let cursor: string | undefined;
    do {
      const page = await this.client.conversations.replies({ channel, ts: threadTs, include_all_metadata: true, limit: 200, cursor }).catch((error: unknown) => {
        throw postError(error);
      });
      for (const message of page.messages ?? []) {
        const metadata = message.metadata as { event_type?: string; event_payload?: { outbox_id?: string } } | undefined;
        if (metadata?.event_type === MILESTONE_EVENT_TYPE && metadata.event_payload?.outbox_id === outboxId) return message.ts;
      }
      cursor = page.response_metadata?.next_cursor || undefined;
    } while (cursor);
    return undefined;
  }

  /**
   * `chat.unfurl`: previews for links of a posted message (channel and ts) or of a message still in
   * the composer (unfurl_id and source), keyed by URL. Fails with a SlackPostError (a 429 included).
   */
  async unfurl(place: UnfurlTarget, unfurls: Record<string, { blocks: KnownBlock[] }>): Promise<void> {
    const target = 'channelId' in place ? { channel: place.channelId, ts: place.messageTs } : { unfurl_id: place.unfurlId, source: place.source as 'composer' | 'conversations_history' };
    try {
      await this.client.chat.unfurl({ ...target, unfurls });
    } catch (error) {
      throw postError(error);
    }
  }

  async permalink(channel: string, ts: string): Promise<string | undefined> {
    try {
      const result = await this.client.chat.getPermalink({ channel, message_ts: ts });
      return result.permalink;
    } catch {
      return undefined;
    }
  }

  /** Replaces the user's App Home tab. */
  async publishHome(userId: string, view: HomeView): Promise<void> {
    try {
      await this.client.views.publish({ user_id: userId, view });
    } catch (error) {
      throw new SlackPostError(platformCode(error) ?? 'request_failed', { cause: error });
    }
  }

  /** `users.info`: the user's own team and roles (the admin check; AdminPolicy caches it). Fails with a SlackPostError. */
  async userRoles(userId: string): Promise<UserRoles> {
    try {
      const { user } = await this.client.users.info({ user: userId });
      return { teamId: user?.team_id, admin: Boolean(user?.is_admin || user?.is_owner || user?.is_primary_owner) };
    } catch (error) {
      throw postError(error);
    }
  }

  /**
   * `calls.add`: registers a meeting as a Slack call; returns Slack's call id. Fails with a
   * SlackPostError (a 429 with its wait). Never retried here: a repeat could register it twice.
   */
  async addCall(args: SlackCallArgs): Promise<string> {
    try {
      const result = await this.client.calls.add({
        external_unique_id: args.externalUniqueId,
        join_url: args.joinUrl,
        title: args.title,
        date_start: args.dateStart,
        created_by: args.createdBy,
        ...(args.externalDisplayId ? { external_display_id: args.externalDisplayId } : {}),
      });
      const id = result.call?.id;
      if (!id) throw new SlackPostError('no_call_id');
      return id;
    } catch (error) {
      throw error instanceof SlackPostError ? error : postError(error);
    }
  }

  /** `calls.update`: the call's title (the only field here that changes). */
  async updateCall(id: string, title: string): Promise<void> {
    try {
      await this.client.calls.update({ id, title });
    } catch (error) {
      throw postError(error);
    }
  }

  /** `calls.end`, with the call's duration in seconds when known. */
  async endCall(id: string, durationSeconds?: number): Promise<void> {
    try {
      await this.client.calls.end({ id, ...(durationSeconds !== undefined ? { duration: durationSeconds } : {}) });
    } catch (error) {
      throw postError(error);
    }
  }

  /** `usergroups.users.list`: a user group's members. Fails with a SlackPostError (`no_such_subteam`…). */
  async usergroupMembers(usergroupId: string): Promise<string[]> {
    try {
      const { users } = await this.client.usergroups.users.list({ usergroup: usergroupId });
      return users ?? [];
    } catch (error) {
      throw postError(error);
    }
  }
}
