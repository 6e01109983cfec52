import { createHash } from 'node:crypto';
import type { Db } from './database.js';
import type { LinkUnfurlsTable } from './schema.js';

/** Where an unfurl lives: a posted message, or a link still in someone's message composer. */
export type UnfurlPlace = { channelId: string; messageTs: string } | { unfurlId: string; source: string };

/** One unfurl made of a session's agent link. */
export interface LinkUnfurl {
  id: string;
  sessionId: string;
  teamId: string;
  enterpriseId: string | null;
  place: UnfurlPlace;
  url: string;
  createdAt: Date;
}

export type NewLinkUnfurl = Omit<LinkUnfurl, 'id' | 'createdAt'> & { createdAt?: Date };

function toUnfurl(row: LinkUnfurlsTable): LinkUnfurl {
  const place: UnfurlPlace =
    row.channel_id !== null && row.message_ts !== null ? { channelId: row.channel_id, messageTs: row.message_ts } : { unfurlId: row.unfurl_id ?? '', source: row.source ?? 'composer' };
  return { id: row.id, sessionId: row.session_id, teamId: row.team_id, enterpriseId: row.enterprise_id, place, url: row.url, createdAt: new Date(row.created_at) };
}

/** The same session, place and URL always give the same id: a retried link_shared is one row. */
function unfurlIdOf(unfurl: Pick<LinkUnfurl, 'sessionId' | 'place' | 'url'>): string {
  const where = 'channelId' in unfurl.place ? `ts\0${unfurl.place.channelId}\0${unfurl.place.messageTs}` : `composer\0${unfurl.place.unfurlId}`;
  return createHash('sha256').update(`${unfurl.sessionId}\0${where}\0${unfurl.url}`).digest('hex').slice(0, 40);
}

/**
 * The unfurls of sessions' agent links (`link_unfurls`), each kept until Slack says its message is
 * gone, and at most `maxPerSession` per session (the oldest are forgotten first). A session change
 * marks its unfurls due; a pass takes the due ones atomically (one replica each) and refreshes them.
 */
export class LinkUnfurlsRepository {
  constructor(private readonly db: Db) {}

  /** Remembers an unfurl (again: nothing changes) and forgets the session's oldest beyond `maxPerSession`. */
  async remember(unfurl: NewLinkUnfurl, maxPerSession: number): Promise<void> {
    const id = unfurlIdOf(unfurl);
    const place = 'channelId' in unfurl.place
      ? { channel_id: unfurl.place.channelId, message_ts: unfurl.place.messageTs, unfurl_id: null, source: 'conversations_history' }
      : { channel_id: null, message_ts: null, unfurl_id: unfurl.place.unfurlId, source: unfurl.place.source };
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('link_unfurls')
        .values({ id, session_id: unfurl.sessionId, team_id: unfurl.teamId, enterprise_id: unfurl.enterpriseId, ...place, url: unfurl.url, created_at: (unfurl.createdAt ?? new Date()).toISOString(), due: 0 })
        .onConflict((conflict) => conflict.column('id').doNothing())
        .execute();
      const beyond = await trx
        .selectFrom('link_unfurls')
        .select('id')
        .where('session_id', '=', unfurl.sessionId)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(1000)
        .offset(maxPerSession)
        .execute();
      if (beyond.length > 0) await trx.deleteFrom('link_unfurls').where('id', 'in', beyond.map((row) => row.id)).execute();
    });
  }

  /** The session changed: each of its unfurls owes one refresh. Returns how many it has. */
  async markDue(sessionId: string): Promise<number> {
    const result = await this.db.updateTable('link_unfurls').set({ due: 1 }).where('session_id', '=', sessionId).executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /** A refresh that could not be made now (Slack asked to wait): owed again. */
  async markDueAgain(id: string): Promise<void> {
    await this.db.updateTable('link_unfurls').set({ due: 1 }).where('id', '=', id).execute();
  }

  /**
   * Up to `limit` unfurls owing a refresh, taken: no longer due once returned, so each change is
   * refreshed once whichever replica takes it (the update re-checks `due` under the row's lock).
   */
  async takeDue(limit: number): Promise<LinkUnfurl[]> {
    const due = await this.db.selectFrom('link_unfurls').select('id').where('due', '=', 1).orderBy('created_at').limit(limit).execute();
    if (due.length === 0) return [];
    const taken = await this.db
      .updateTable('link_unfurls')
      .set({ due: 0 })
      .where('id', 'in', due.map((row) => row.id))
      .where('due', '=', 1)
      .returningAll()
      .execute();
    return taken.map(toUnfurl);
  }

  /** Slack says its message is gone: never refreshed again. */
  async forget(id: string): Promise<void> {
    await this.db.deleteFrom('link_unfurls').where('id', '=', id).execute();
  }

  async ofSession(sessionId: string): Promise<LinkUnfurl[]> {
    const rows = await this.db.selectFrom('link_unfurls').selectAll().where('session_id', '=', sessionId).orderBy('created_at').orderBy('id').execute();
    return rows.map(toUnfurl);
  }
}
