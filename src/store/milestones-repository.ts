import type { KnownBlock } from '@slack/types';
import type { MilestoneKey } from '../domain/milestones.js';
import type { Db, DatabaseKind } from './database.js';
import type { MilestoneRow } from './schema.js';

/** A thread reply waiting in the outbox, with where to post it. */
export interface PendingMilestone {
  id: string;
  sessionId: string;
  key: MilestoneKey;
  /** mrkdwn, already escaped. */
  text: string;
  blocks: KnownBlock[] | null;
  /** Earlier tries: one may have reached Slack before a crash. */
  attempts: number;
  createdAt: Date;
  channelId: string;
  cardTs: string | null;
}

function toPending(row: MilestoneRow & { channel_id: string; card_ts: string | null }): PendingMilestone {
  return {
    id: row.id,
    sessionId: row.session_id,
    key: row.key as MilestoneKey,
    text: row.text,
    blocks: row.blocks === null ? null : (JSON.parse(row.blocks) as KnownBlock[]),
    attempts: Number(row.attempts),
    createdAt: new Date(row.created_at),
    channelId: row.channel_id,
    cardTs: row.card_ts,
  };
}

export class MilestonesRepository {
  constructor(
    private readonly db: Db,
    private readonly kind: DatabaseKind = 'sqlite',
  ) {}

  /**
   * Leases the outboxes of up to `limit` sessions that have milestones to post, so that one
   * replica posts a thread's replies, in order, while the others take other threads.
   */
  async leaseOutboxes(owner: string, now: Date, leaseMs: number, limit: number): Promise<string[]> {
    const nowIso = now.toISOString();
    let due = this.db
      .selectFrom('sessions')
      .select('sessions.id')
      .where('sessions.card_ts', 'is not', null)
      .where((eb) => eb.or([eb('sessions.outbox_until', 'is', null), eb('sessions.outbox_until', '<', nowIso)]))
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom('milestones')
            .select('milestones.id')
            .whereRef('milestones.session_id', '=', 'sessions.id')
            .where('milestones.posted_ts', 'is', null),
        ),
      )
      .limit(limit);
    if (this.kind === 'postgres') due = due.forUpdate().skipLocked();
    const leased = await this.db
      .updateTable('sessions')
      .set({ outbox_owner: owner, outbox_until: new Date(now.getTime() + leaseMs).toISOString() })
      .where('id', 'in', due)
      .returning('id')
      .execute();
    return leased.map((row) => row.id);
  }

  async releaseOutbox(sessionId: string, owner: string): Promise<void> {
    await this.db
      .updateTable('sessions')
      .set({ outbox_owner: null, outbox_until: null })
      .where('id', '=', sessionId)
      .where('outbox_owner', '=', owner)
      .execute();
  }

  /** A session's milestones still to post, oldest first, with where to post them. */
  async pendingFor(sessionId: string): Promise<PendingMilestone[]> {
    const rows = await this.db
      .selectFrom('milestones')
      .innerJoin('sessions', 'sessions.id', 'milestones.session_id')
      .selectAll('milestones')
      .select(['sessions.channel_id', 'sessions.card_ts'])
      .where('milestones.session_id', '=', sessionId)
      .where('milestones.posted_ts', 'is', null)
      .orderBy('milestones.created_at')
      .orderBy('milestones.id')
      .execute();
    return rows.map(toPending);
  }

  async markAttempt(id: string): Promise<void> {
    await this.db
      .updateTable('milestones')
      .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
      .where('id', '=', id)
      .execute();
  }

  async markPosted(id: string, ts: string): Promise<void> {
    await this.db
      .updateTable('milestones')
      .set({ posted_ts: ts, posted_at: new Date().toISOString() })
      .where('id', '=', id)
      .execute();
  }
}
