import type { Db } from './database.js';
import type { NewMilestoneRow, NewSessionRow, SessionPatch, SessionRow } from './schema.js';

export class SessionsRepository {
  constructor(private readonly db: Db) {}

  async insert(row: NewSessionRow): Promise<void> {
    await this.db.insertInto('sessions').values(row).execute();
  }

  async get(id: string): Promise<SessionRow | undefined> {
    return this.db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async update(id: string, patch: SessionPatch): Promise<void> {
    await this.db
      .updateTable('sessions')
      .set({ ...patch, updated_at: new Date().toISOString() })
      .where('id', '=', id)
      .execute();
  }

  /**
   * Writes a state change and the milestones it causes in one transaction, so a crash can
   * never leave a milestone observed but not queued (or queued twice: the unique key holds).
   */
  async applyChange(id: string, patch: SessionPatch, milestones: NewMilestoneRow[]): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('sessions')
        .set({ ...patch, updated_at: new Date().toISOString() })
        .where('id', '=', id)
        .execute();
      for (const milestone of milestones) {
        await trx
          .insertInto('milestones')
          .values(milestone)
          .onConflict((conflict) => conflict.columns(['session_id', 'key']).doNothing())
          .execute();
      }
    });
  }

  /** Sessions still followed for one vendor whose next check is due. */
  async dueForTracking(vendor: string, kind: string, now: Date, limit: number): Promise<SessionRow[]> {
    return this.db
      .selectFrom('sessions')
      .selectAll()
      .where('tracking', '=', 1)
      .where('vendor', '=', vendor)
      .where('kind', '=', kind)
      .where('vendor_id', 'is not', null)
      .where((eb) => eb.or([eb('next_check_at', 'is', null), eb('next_check_at', '<=', now.toISOString())]))
      .orderBy('next_check_at')
      .limit(limit)
      .execute();
  }

  async countTracked(vendor: string): Promise<number> {
    const row = await this.db
      .selectFrom('sessions')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('tracking', '=', 1)
      .where('vendor', '=', vendor)
      .executeTakeFirst();
    return Number(row?.count ?? 0);
  }

  /** A workspace's sessions created in [from, to), oldest first. */
  async createdBetween(teamId: string, from: Date, to: Date): Promise<SessionRow[]> {
    return this.db
      .selectFrom('sessions')
      .selectAll()
      .where('team_id', '=', teamId)
      .where('created_at', '>=', from.toISOString())
      .where('created_at', '<', to.toISOString())
      .orderBy('created_at')
      .execute();
  }

  async byReference(teamId: string, reference: string): Promise<SessionRow[]> {
    return this.db
      .selectFrom('sessions')
      .selectAll()
      .where('team_id', '=', teamId)
      .where('reference', '=', reference)
      .orderBy('created_at', 'desc')
      .execute();
  }
}
