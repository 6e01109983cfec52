import { leaseFree } from './lease-free.js';
import { randomUUID } from 'node:crypto';
import { type SelectQueryBuilder, sql } from 'kysely';
import type { Outcome } from '../domain/outcome.js';
import type { Session } from '../domain/session.js';
import type { Db, DatabaseKind } from './database.js';
import type { Database, SessionRow } from './schema.js';
import { type DetailsParser, outcomePatch, plainDetails, toNewRow, toSession } from './session-mapper.js';

/** An ISO date before every real one: "check this first". */
export const FIRST_IN_LINE = new Date(0).toISOString();
/** Where a never-checked session (no next check yet) stands: right after FIRST_IN_LINE. */
const NEVER_CHECKED = new Date(1).toISOString();

/**
 * The sessions of one vendor account: those written with its identity key, and, for the
 * environment's account, those written before accounts per workspace (no key). Without a scope, a
 * query covers every account of the vendor.
 */
export interface AccountScope {
  account: string;
  orUnassigned: boolean;
}

/** Narrows a sessions query to one vendor account's rows. */
function inScope<O>(query: SelectQueryBuilder<Database, 'sessions', O>, scope: AccountScope | undefined): SelectQueryBuilder<Database, 'sessions', O> {
  if (!scope) return query;
  return query.where((eb) =>
    scope.orUnassigned ? eb.or([eb('vendor_account', '=', scope.account), eb('vendor_account', 'is', null)]) : eb('vendor_account', '=', scope.account),
  );
}

/** Whether a webhook put this session first in line (see `markDue`). */
export const isFirstInLine = (session: Pick<Session, 'nextCheckAt'>): boolean => session.nextCheckAt?.getTime() === 0;

/** Sessions in, sessions out: rows never leave src/store/. */
export class SessionsRepository {
  constructor(
    private readonly db: Db,
    private readonly kind: DatabaseKind = 'sqlite',
    private readonly parseDetails: DetailsParser = plainDetails,
  ) {}

  private toSession = (row: SessionRow): Session => toSession(row, this.parseDetails);

  /**
   * Leases up to `limit` sessions of one vendor product whose check is due and whose lease (if
   * any) ran out: each is then polled by this owner only, until it releases it or the lease
   * expires (a crashed replica). PostgreSQL skips rows another replica is leasing right now
   * (`FOR UPDATE SKIP LOCKED`); SQLite has a single writer, so the update is atomic anyway.
   * With a scope, only that vendor account's sessions: each account's trackers lease their own.
   */
  async leaseDue(vendor: string, kind: string, owner: string, now: Date, leaseMs: number, limit: number, scope?: AccountScope): Promise<Session[]> {
    let due = this.due(vendor, kind, now, scope)
      // Never-checked sessions right after those a webhook put first in line, on both databases
      // (their default NULL orders differ).
      .orderBy(sql`coalesce(next_check_at, ${NEVER_CHECKED})`)
      .limit(limit);
    if (this.kind === 'postgres') due = due.forUpdate().skipLocked();
    const rows = await this.db
      .updateTable('sessions')
      .set({ lease_owner: owner, lease_until: new Date(now.getTime() + leaseMs).toISOString() })
      .where('id', 'in', due)
      .returningAll()
      .execute();
    return rows.map(this.toSession);
  }

  /** Whether `leaseDue` would lease anything now; one read, nothing leased. */
  async hasDue(vendor: string, kind: string, now: Date, scope?: AccountScope): Promise<boolean> {
    return (await this.due(vendor, kind, now, scope).limit(1).executeTakeFirst()) !== undefined;
  }

  /** The ids of the sessions due for a check whose lease (if any) ran out. */
  private due(vendor: string, kind: string, now: Date, scope: AccountScope | undefined) {
    const nowIso = now.toISOString();
    return inScope(this.db.selectFrom('sessions'), scope)
      .select('id')
      .where('tracking', '=', 1)
      .where('vendor', '=', vendor)
      .where('kind', '=', kind)
      .where('vendor_id', 'is not', null)
      // Its workspace uninstalled the app: an outcome in flight may have turned tracking back on.
      .where('set_aside_at', 'is', null)
      .where((eb) => eb.or([eb('next_check_at', 'is', null), eb('next_check_at', '<=', nowIso)]))
      .where((eb) => leaseFree(eb, 'lease_until', nowIso));
  }

  /**
   * Ends this owner's lease and says when the session is next due. `keep` leaves its next check as
   * stored, not as it was when leased: a webhook's `markDue` during the lease keeps its first place.
   */
  async release(id: string, owner: string, nextCheckAt: Date | null | 'keep'): Promise<void> {
    const freed = { lease_owner: null, lease_until: null };
    await this.db
      .updateTable('sessions')
      .set(nextCheckAt === 'keep' ? freed : { ...freed, next_check_at: nextCheckAt?.toISOString() ?? null })
      .where('id', '=', id)
      .where('lease_owner', '=', owner)
      .execute();
  }

  /**
   * Claims the session's Refresh for `now`, unless one asked the vendor less than `everyMs` ago on
   * any replica: a compare-and-set on the row, so two replicas never both ask. Refused, it says
   * when the last one went.
   */
  async claimRefresh(id: string, now: Date, everyMs: number): Promise<RefreshClaim> {
    const previous = await this.db.selectFrom('sessions').select('refreshed_at').where('id', '=', id).executeTakeFirst();
    const claimedAt = now.toISOString();
    const result = await this.db
      .updateTable('sessions')
      .set({ refreshed_at: claimedAt })
      .where('id', '=', id)
      .where((eb) => eb.or([eb('refreshed_at', 'is', null), eb('refreshed_at', '<=', new Date(now.getTime() - everyMs).toISOString())]))
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 1) return { claimed: true, claimedAt, previous: previous?.refreshed_at ?? null };
    const current = await this.db.selectFrom('sessions').select('refreshed_at').where('id', '=', id).executeTakeFirst();
    return { claimed: false, refreshedAt: new Date(current?.refreshed_at ?? claimedAt) };
  }

  /** Gives a claimed Refresh back (the vendor was not asked after all), unless another claimed it since. */
  async unclaimRefresh(id: string, claim: Extract<RefreshClaim, { claimed: true }>): Promise<void> {
    await this.db.updateTable('sessions').set({ refreshed_at: claim.previous }).where('id', '=', id).where('refreshed_at', '=', claim.claimedAt).execute();
  }

  /**
   * Puts a session first in line (a webhook said it changed): its next check is set before any
   * other's, so the next lease takes it whatever the backlog.
   */
  async markDue(id: string): Promise<void> {
    await this.db.updateTable('sessions').set({ next_check_at: FIRST_IN_LINE }).where('id', '=', id).where('tracking', '=', 1).execute();
  }

  /** Tracked sessions of one vendor product among the given vendor ids (a list call's answer, of one account when scoped). */
  async trackedByVendorIds(vendor: string, kind: string, vendorIds: string[], scope?: AccountScope): Promise<Session[]> {
    if (vendorIds.length === 0) return [];
    const rows = await inScope(this.db.selectFrom('sessions'), scope)
      .selectAll()
      .where('vendor', '=', vendor)
      .where('kind', '=', kind)
      .where('tracking', '=', 1)
      .where('vendor_id', 'in', vendorIds)
      .execute();
    return rows.map(this.toSession);
  }

  /** A session by the vendor's id for it; scoped, only among that vendor account's (ids are per account). */
  async byVendorId(vendor: string, kind: string, vendorId: string, scope?: AccountScope): Promise<Session | undefined> {
    const row = await inScope(this.db.selectFrom('sessions'), scope)
      .selectAll()
      .where('vendor', '=', vendor)
      .where('kind', '=', kind)
      .where('vendor_id', '=', vendorId)
      .executeTakeFirst();
    return row && this.toSession(row);
  }

  /** A workspace's session by the vendor's id for it (a pasted agent link): never another workspace's. */
  async inTeamByVendorId(teamId: string, vendor: string, kind: string, vendorId: string): Promise<Session | undefined> {
    const row = await this.db
      .selectFrom('sessions')
      .selectAll()
      .where('team_id', '=', teamId)
      .where('vendor', '=', vendor)
      .where('kind', '=', kind)
      .where('vendor_id', '=', vendorId)
      .orderBy('created_at', 'desc')
      .executeTakeFirst();
    return row && this.toSession(row);
  }

  async insert(session: Session): Promise<void> {
    await this.db.insertInto('sessions').values(toNewRow(session)).execute();
  }

  async get(id: string): Promise<Session | undefined> {
    const row = await this.db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
    return row && this.toSession(row);
  }

  /** Where the card was posted: not a state change, so the version stays (outcomes in flight still apply). */
  async setCard(id: string, card: { ts: string; channel: string }): Promise<void> {
    await this.db.updateTable('sessions').set({ card_ts: card.ts, channel_id: card.channel }).where('id', '=', id).execute();
  }

  /**
   * Applies an outcome compare-and-set: only while the session is still at version `basedOn`
   * (bumping it), and in one transaction with the milestones it causes, so that a crash never
   * leaves a milestone observed but not queued (nor queued twice: the unique key holds).
   * False when the version moved: nothing was written.
   */
  async apply(id: string, outcome: Outcome, { basedOn }: { basedOn: number }): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const now = new Date().toISOString();
      const updated = await trx
        .updateTable('sessions')
        .set((eb) => ({ ...outcomePatch(outcome), updated_at: now, version: eb('version', '+', 1) }))
        .where('id', '=', id)
        .where('version', '=', basedOn)
        .returning(['team_id', 'enterprise_id'])
        .executeTakeFirst();
      if (!updated) return false;
      for (const milestone of outcome.milestones ?? []) {
        await trx
          .insertInto('milestones')
          .values({
            id: randomUUID(),
            session_id: id,
            team_id: updated.team_id,
            enterprise_id: updated.enterprise_id,
            key: milestone.key,
            text: milestone.text,
            blocks: milestone.blocks ? JSON.stringify(milestone.blocks) : null,
            created_at: now,
            posted_ts: null,
            posted_at: null,
          })
          .onConflict((conflict) => conflict.columns(['session_id', 'key']).doNothing())
          .execute();
      }
      return true;
    });
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
  async createdBetween(teamId: string, from: Date, to: Date): Promise<Session[]> {
    const rows = await this.db
      .selectFrom('sessions')
      .selectAll()
      .where('team_id', '=', teamId)
      .where('created_at', '>=', from.toISOString())
      .where('created_at', '<', to.toISOString())
      .orderBy('created_at')
      .execute();
    return rows.map(this.toSession);
  }

  /** A user's sessions, newest first (App Home). */
  async startedBy(teamId: string, userId: string, limit: number): Promise<Session[]> {
    const rows = await this.db
      .selectFrom('sessions')
      .selectAll()
      .where('team_id', '=', teamId)
      .where('started_by', '=', userId)
      .orderBy('created_at', 'desc')
      .limit(limit)
      .execute();
    return rows.map(this.toSession);
  }

  async byReference(teamId: string, reference: string): Promise<Session[]> {
    const rows = await this.db
      .selectFrom('sessions')
      .selectAll()
      .where('team_id', '=', teamId)
      .where('reference', '=', reference)
      .orderBy('created_at', 'desc')
      .execute();
    return rows.map(this.toSession);
  }
}

/** A Refresh claimed on the session row, or refused because another went at `refreshedAt`. */
export type RefreshClaim = { claimed: true; claimedAt: string; previous: string | null } | { claimed: false; refreshedAt: Date };
