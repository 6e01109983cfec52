import { leaseFree } from './lease-free.js';
import type { SlackCallState } from '../domain/session.js';
import type { Db } from './database.js';
import type { SessionPatch } from './schema.js';

/** What one sync of a session's Slack call wrote; absent fields are left as they are. */
export interface SlackCallChange {
  state?: SlackCallState;
  id?: string;
  title?: string;
  /** The session version the call now reflects. */
  version?: number;
  /** Not tried again before this (null: due whenever the session changes). */
  retryAt?: Date | null;
  error?: string | null;
}

/**
 * The Slack call columns of `sessions` (migration 019). They are written beside the session's
 * state, never through its compare-and-set: a call's bookkeeping must not bump the version that
 * tracking's outcomes are applied on. A short lease makes one replica at a time sync a session's
 * call, so calls.add goes out once and updates stay in order.
 */
export class SlackCallsRepository {
  constructor(private readonly db: Db) {}

  /**
   * Sessions whose call has something to do: asked and not registered yet (once the session is
   * created), or registered and behind the session (a newer version), not waiting for a retry
   * nor held by a replica, oldest first.
   */
  async due(now: Date, limit: number): Promise<string[]> {
    const nowIso = now.toISOString();
    const rows = await this.db
      .selectFrom('sessions')
      .select('id')
      // Sessions without a call (almost all) are left out through the index on the state.
      .where('slack_call_state', 'in', ['pending', 'adding', 'added'])
      .where('set_aside_at', 'is', null)
      .where('status', '<>', 'creating')
      .where((eb) =>
        eb.or([eb('slack_call_state', '<>', 'added'), eb('slack_call_version', 'is', null), eb('slack_call_version', '<', eb.ref('version'))]),
      )
      .where((eb) => eb.or([eb('slack_call_retry_at', 'is', null), eb('slack_call_retry_at', '<=', nowIso)]))
      .where((eb) => leaseFree(eb, 'slack_call_lease_until', nowIso))
      .orderBy('created_at')
      .limit(limit)
      .execute();
    return rows.map((row) => row.id);
  }

  /** Takes the session's call for `leaseMs` if nobody holds it; false when another replica does. */
  async lease(sessionId: string, now: Date, leaseMs: number): Promise<boolean> {
    const result = await this.db
      .updateTable('sessions')
      .set({ slack_call_lease_until: new Date(now.getTime() + leaseMs).toISOString() })
      .where('id', '=', sessionId)
      .where('slack_call_state', 'is not', null)
      .where((eb) => leaseFree(eb, 'slack_call_lease_until', now.toISOString()))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Records what the sync did; `release` also ends the lease. */
  async record(sessionId: string, change: SlackCallChange, release = true): Promise<void> {
    const patch: SessionPatch = {};
    if (change.state !== undefined) patch.slack_call_state = change.state;
    if (change.id !== undefined) patch.slack_call_id = change.id;
    if (change.title !== undefined) patch.slack_call_title = change.title;
    if (change.version !== undefined) patch.slack_call_version = change.version;
    if (change.retryAt !== undefined) patch.slack_call_retry_at = change.retryAt === null ? null : change.retryAt.toISOString();
    if (change.error !== undefined) patch.slack_call_error = change.error;
    if (release) patch.slack_call_lease_until = null;
    if (Object.keys(patch).length === 0) return;
    await this.db.updateTable('sessions').set(patch).where('id', '=', sessionId).execute();
  }
}
