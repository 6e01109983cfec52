import type { HomeView, KnownBlock } from '@slack/types';
import { ErrorCode, type WebAPIPlatformError, type WebClient } from '@slack/web-api';
import type { Logger } from '../domain/logger.js';

/** Thread replies carry this metadata type, so a crash-interrupted post can be found again. */
export const MILESTONE_EVENT_TYPE = 'rendezvous_milestone';

/** Slack said no: a platform error code (`not_in_channel`, `channel_not_found`, …). */
export class SlackPostError extends Error {
  /** Set when Slack answered 429: how long it asked to wait. */
  readonly retryAfterMs?: number;

  constructor(readonly code: string, options?: { cause?: unknown; retryAfterMs?: number }) {
    super(`Slack refused the post: ${code}`, options);
    this.name = 'SlackPostError';
    this.retryAfterMs = options?.retryAfterMs;
  }
  /** The app cannot post there until someone adds it (private channel or DM without the app). */
  get needsInvitation(): boolean {
    return ['not_in_channel', 'channel_not_found', 'is_archived', 'restricted_action'].includes(this.code);
  }
}

export interface PostedMessage {
  channel: string;
  ts: string;
}

function platformCode(error: unknown): string | undefined {
  const candidate = error as Partial<WebAPIPlatformError>;
  if ((error as { code?: string })?.code === ErrorCode.RateLimitedError) return 'ratelimited';
  return candidate?.code === ErrorCode.PlatformError ? candidate.data?.error : undefined;
}

/** A 429 answered with `rejectRateLimitedCalls` carries Slack's Retry-After in seconds. */
function retryAfterMs(error: unknown): number | undefined {
  const limited = error as { code?: string; retryAfter?: number };
  return limited?.code === ErrorCode.RateLimitedError && typeof limited.retryAfter === 'number' ? limited.retryAfter * 1000 : undefined;
}

function postError(error: unknown): SlackPostError {
  return new SlackPostError(platformCode(error) ?? 'request_failed', { cause: error, retryAfterMs: retryAfterMs(error) });
}

/**
 * Every Slack Web API call the services make, in one place: posts, updates, ephemerals, the
 * admin check. Knows Slack, not vendors.
 */
export class SlackGateway {
  private readonly adminCache = new Map<string, { admin: boolean; until: number }>();

  constructor(
    private readonly client: WebClient,
    private readonly deps: { logger: Logger; adminUsergroup?: string },
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
    try {
      await this.client.chat.update({ channel: args.channel, ts: args.ts, text: args.text, blocks: args.blocks });
    } catch (error) {
      throw postError(error);
    }
  }

  /** Only the given user sees it; used for links that must never reach the channel. */
  async postEphemeral(args: { channel: string; user: string; text: string; blocks?: KnownBlock[] }): Promise<void> {
    await this.client.chat.postEphemeral({ channel: args.channel, user: args.user, text: args.text, ...(args.blocks ? { blocks: args.blocks } : {}) });
  }

  /** Finds a reply this app posted with the given outbox id (settling a post a crash interrupted). */
  async findReplyByOutboxId(channel: string, threadTs: string, outboxId: string): Promise<string | undefined> {
    let cursor: string | undefined;
    do {
      const page = await this.client.conversations.replies({ channel, ts: threadTs, include_all_metadata: true, limit: 200, cursor });
      for (const message of page.messages ?? []) {
        const metadata = message.metadata as { event_type?: string; event_payload?: { outbox_id?: string } } | undefined;
        if (metadata?.event_type === MILESTONE_EVENT_TYPE && metadata.event_payload?.outbox_id === outboxId) return message.ts;
      }
      cursor = page.response_metadata?.next_cursor || undefined;
    } while (cursor);
    return undefined;
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

  /** A workspace admin or owner, or a member of ADMIN_USERGROUP; cached for five minutes. */
  async isAdmin(teamId: string, userId: string): Promise<boolean> {
    const key = `${teamId}:${userId}`;
    const cached = this.adminCache.get(key);
    if (cached && cached.until > Date.now()) return cached.admin;
    let admin = false;
    try {
      const info = await this.client.users.info({ user: userId });
      admin = Boolean(info.user?.is_admin || info.user?.is_owner || info.user?.is_primary_owner);
      if (!admin && this.deps.adminUsergroup) {
        const members = await this.client.usergroups.users.list({ usergroup: this.deps.adminUsergroup });
        admin = (members.users ?? []).includes(userId);
      }
    } catch (error) {
      this.deps.logger.warn({ code: platformCode(error) }, 'admin check failed; treating the user as not an admin');
    }
    this.adminCache.set(key, { admin, until: Date.now() + 5 * 60_000 });
    return admin;
  }
}
