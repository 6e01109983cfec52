import type { Db } from './database.js';
import type { MilestoneRow } from './schema.js';

export interface PendingMilestone extends MilestoneRow {
  channel_id: string;
  card_ts: string | null;
}

export class MilestonesRepository {
  constructor(private readonly db: Db) {}

  /** Milestones not yet posted whose card exists (a reply needs its thread root). */
  async pending(limit = 50): Promise<PendingMilestone[]> {
    return this.db
      .selectFrom('milestones')
      .innerJoin('sessions', 'sessions.id', 'milestones.session_id')
      .selectAll('milestones')
      .select(['sessions.channel_id', 'sessions.card_ts'])
      .where('milestones.posted_ts', 'is', null)
      .where('sessions.card_ts', 'is not', null)
      .orderBy('milestones.created_at')
      .orderBy('milestones.id')
      .limit(limit)
      .execute();
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

  async forSession(sessionId: string): Promise<MilestoneRow[]> {
    return this.db
      .selectFrom('milestones')
      .selectAll()
      .where('session_id', '=', sessionId)
      .orderBy('created_at')
      .execute();
  }
}
