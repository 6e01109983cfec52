import { leaseFree } from './lease-free.js';
import type { KnownBlock } from '@slack/types';
import type { MilestoneKey } from '../domain/milestones.js';
import type { ExpressionBuilder } from 'kysely';
import type { Db, DatabaseKind } from './database.js';
import type { Database, MilestoneRow } from './schema.js';

/** A thread reply waiting in the outbox, with where to post it. */
export interface PendingMilestone {
  id: string;
  sessionId: string;
  key: MilestoneKey;
  /** mrkdwn, already escaped. */
  text: string;
  blocks: KnownBlock[] | null;
  /** Earlier tries: one may have reached Slack before a crash or a lost answer. */
  attempts: number;
  /** Not to be tried before this (backoff); undefined when due at once. */
  nextAttemptAt?: Date;
  createdAt: Date;
  channelId: string;
  cardTs: string | null;
  teamId: string;
  /** With the team: whose installation's token posts it (OAuth install). */
  enterpriseId: string | null;
  startedBy: string;
  reference: string;
  vendor: string;
  /** The starter was already told that this session's thread refuses replies. */
  starterTold: boolean;
}

/** A reply set aside for good, as its session's starter sees it (App Home). */
export interface DeadLetter {
  id: string;
  sessionId: string;
  key: MilestoneKey;
  reference: string;
  vendor: string;
  channelId: string;
  /** Slack's error code. */
  error: string | null;
  deadLetteredAt: Date;
}

type PendingRow = MilestoneRow & { channel_id: string; card_ts: string | null; started_by: string; reference: string; vendor: string; outbox_starter_told_at?: string | null };

function toPending(row: PendingRow): PendingMilestone {
  return {
    id: row.id,
    sessionId: row.session_id,
    key: row.key as MilestoneKey,
    text: row.text,
    blocks: row.blocks === null ? null : (JSON.parse(row.blocks) as KnownBlock[]),
    attempts: Number(row.attempts),
    ...(row.next_attempt_at ? { nextAttemptAt: new Date(row.next_attempt_at) } : {}),
    createdAt: new Date(row.created_at),
    channelId: row.channel_id,
    cardTs: row.card_ts,
    teamId: row.team_id,
    enterpriseId: row.enterprise_id,
    startedBy: row.started_by,
    reference: row.reference,
    vendor: row.vendor,
    starterTold: Boolean(row.outbox_starter_told_at),
  };
}

export class MilestonesRepository {
  constructor(
    private readonly db: Db,
    private readonly kind: DatabaseKind = 'sqlite',
  ) {}

  /**
   * Leases the outboxes of up to `limit` sessions whose thread can go on (a reply to post, none
   * waiting for its backoff: a thread's replies stay in order), the one waiting longest first,
   * so that one replica posts a thread's replies while the others take other threads. Returns
   * them oldest first.
   */
  async leaseOutboxes(owner: string, now: Date, leaseMs: number, limit: number): Promise<string[]> {
    const nowIso = now.toISOString();
    const pending = (eb: ExpressionBuilder<Database, 'sessions'>) =>
      eb
        .selectFrom('milestones')
        .whereRef('milestones.session_id', '=', 'sessions.id')
        .where('milestones.posted_ts', 'is', null)
        .where('milestones.dead_lettered_at', 'is', null);
    const oldest = (eb: ExpressionBuilder<Database, 'sessions'>) => pending(eb).select((inner) => inner.fn.min('milestones.created_at').as('oldest'));
    let due = this.db
      .selectFrom('sessions')
      .select('sessions.id')
      .where('sessions.card_ts', 'is not', null)
      // Its workspace uninstalled the app: nothing more is posted there (a reply queued by an
      // outcome in flight during the uninstall included).
      .where('sessions.set_aside_at', 'is', null)
      .where((eb) => leaseFree(eb, 'sessions.outbox_until', nowIso))
      .where((eb) => eb.exists(pending(eb).select('milestones.id')))
      .where((eb) => eb.not(eb.exists(pending(eb).select('milestones.id').where('milestones.next_attempt_at', '>', nowIso))))
      .orderBy((eb) => oldest(eb))
      .orderBy('sessions.id')
      .limit(limit);
    if (this.kind === 'postgres') due = due.forUpdate().skipLocked();
    const leased = await this.db
      .updateTable('sessions')
      .set({ outbox_owner: owner, outbox_until: new Date(now.getTime() + leaseMs).toISOString() })
      .where('id', 'in', due)
      .returning('id')
      .execute();
    if (leased.length <= 1) return leased.map((row) => row.id);
    // UPDATE … RETURNING keeps no order: read the ages back for the ones leased.
    const ages = await this.db
      .selectFrom('milestones')
      .select(['session_id', (eb) => eb.fn.min('created_at').as('oldest')])
      .where('session_id', 'in', leased.map((row) => row.id))
      .where('posted_ts', 'is', null)
      .where('dead_lettered_at', 'is', null)
      .groupBy('session_id')
      .execute();
    const ageOf = new Map(ages.map((row) => [row.session_id, String(row.oldest)]));
    return leased.map((row) => row.id).sort((a, b) => (ageOf.get(a) ?? '').localeCompare(ageOf.get(b) ?? '') || a.localeCompare(b));
  }

  /** Extends a held outbox lease; false when this owner no longer holds it (another replica took over). */
  async renewOutbox(sessionId: string, owner: string, now: Date, leaseMs: number): Promise<boolean> {
    const result = await this.db
      .updateTable('sessions')
      .set({ outbox_until: new Date(now.getTime() + leaseMs).toISOString() })
      .where('id', '=', sessionId)
      .where('outbox_owner', '=', owner)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async releaseOutbox(sessionId: string, owner: string): Promise<void> {
    await this.db
      .updateTable('sessions')
      .set({ outbox_owner: null, outbox_until: null })
      .where('id', '=', sessionId)
      .where('outbox_owner', '=', owner)
      .execute();
  }

  /** A session's milestones still to post (not set aside), oldest first, with where to post them. */
  async pendingFor(sessionId: string): Promise<PendingMilestone[]> {
    const rows = await this.db
      .selectFrom('milestones')
      .innerJoin('sessions', 'sessions.id', 'milestones.session_id')
      .selectAll('milestones')
      .select(['sessions.channel_id', 'sessions.card_ts', 'sessions.started_by', 'sessions.reference', 'sessions.vendor', 'sessions.outbox_starter_told_at'])
      .where('milestones.session_id', '=', sessionId)
      .where('milestones.posted_ts', 'is', null)
      .where('milestones.dead_lettered_at', 'is', null)
      .orderBy('milestones.created_at')
      .orderBy('milestones.id')
      .execute();
    return rows.map((row) => toPending(row as PendingRow));
  }

  /**
   * Every write below is guarded by the outbox lease: it changes the row only while `owner`
   * holds its session's outbox, and says whether it did (false: the lease was lost, stop).
   */
  private guarded(id: string, owner: string) {
    return this.db
      .updateTable('milestones')
      .where('id', '=', id)
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom('sessions')
            .select('sessions.id')
            .whereRef('sessions.id', '=', 'milestones.session_id')
            .where('sessions.outbox_owner', '=', owner),
        ),
      );
  }

  /** Counted before the post is sent: from now on, the reply may be in the thread. */
  async markAttempt(id: string, owner: string): Promise<boolean> {
    const result = await this.guarded(id, owner)
      .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Slack answered 429 before posting: that try did not count. */
  async undoAttempt(id: string, owner: string): Promise<boolean> {
    const result = await this.guarded(id, owner)
      .set((eb) => ({ attempts: eb('attempts', '-', 1) }))
      .where('attempts', '>', 0)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async markPosted(id: string, ts: string, owner: string, now = new Date()): Promise<boolean> {
    const result = await this.guarded(id, owner)
      .set({ posted_ts: ts, posted_at: now.toISOString(), next_attempt_at: null })
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** A failed try: not again before `at`. */
  async scheduleRetry(id: string, owner: string, at: Date, error: string): Promise<boolean> {
    const result = await this.guarded(id, owner)
      .set({ next_attempt_at: at.toISOString(), last_error: error.slice(0, 64) })
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Set aside for good: never tried again, shown to the starter instead. */
  async deadLetter(id: string, owner: string, now: Date, error: string): Promise<boolean> {
    const result = await this.guarded(id, owner)
      .set({ dead_lettered_at: now.toISOString(), last_error: error.slice(0, 64), next_attempt_at: null })
      .where('posted_ts', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /**
   * Records that the session's starter was told its thread refuses replies; true only for the
   * first caller (any replica), so the starter hears it once per session.
   */
  async claimStarterNotice(sessionId: string, owner: string, now: Date): Promise<boolean> {
    const result = await this.db
      .updateTable('sessions')
      .set({ outbox_starter_told_at: now.toISOString() })
      .where('id', '=', sessionId)
      .where('outbox_owner', '=', owner)
      .where('outbox_starter_told_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** The replies set aside in a user's sessions, newest first (their App Home lists them). */
  async deadLettersOf(teamId: string, userId: string, limit: number): Promise<DeadLetter[]> {
    const rows = await this.db
      .selectFrom('milestones')
      .innerJoin('sessions', 'sessions.id', 'milestones.session_id')
      .select(['milestones.id', 'milestones.session_id', 'milestones.key', 'milestones.last_error', 'milestones.dead_lettered_at', 'sessions.reference', 'sessions.vendor', 'sessions.channel_id'])
      .where('sessions.team_id', '=', teamId)
      .where('sessions.started_by', '=', userId)
      .where('milestones.dead_lettered_at', 'is not', null)
      .where('milestones.posted_ts', 'is', null)
      .orderBy('milestones.dead_lettered_at', 'desc')
      .orderBy('milestones.id')
      .limit(limit)
      .execute();
    return rows.map((row) => ({
      id: row.id,
      sessionId: row.session_id,
      key: row.key as MilestoneKey,
      reference: row.reference,
      vendor: row.vendor,
      channelId: row.channel_id,
      error: row.last_error ?? null,
      deadLetteredAt: new Date(row.dead_lettered_at!),
    }));
  }
}
