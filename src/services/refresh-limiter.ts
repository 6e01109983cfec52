export interface RefreshLimits {
  /** One Refresh of a session per this long (default 30 s). */
  perSessionMs?: number;
  /** At most this many Refreshes per user… (default 5) */
  perUser?: number;
  /** …in any window this long (default 60 s). */
  perUserWindowMs?: number;
  now?: () => number;
}

export type RefreshVerdict =
  | { ok: true }
  /** The session was checked at `checkedAt` (epoch ms, as `now`); the next Refresh may go at `nextAt`. */
  | { ok: false; reason: 'session'; checkedAt: number; nextAt: number; now: number }
  /** The user used up their Refreshes; the oldest leaves the window at `nextAt`. */
  | { ok: false; reason: 'user'; nextAt: number; now: number };

/**
 * Refresh stays open to anyone who sees the card (PRODUCT §1.3), within limits that keep one
 * session or one person from spending a vendor's requests: one vendor check per session every
 * 30 s, and a few per user a minute across sessions. Kept in memory, as a first check that costs
 * no query; the per-session limit also holds across replicas through a claim on the session row
 * (`claimFor`, SessionsRepository.claimRefresh). Per-user clicks are counted per replica (the
 * vendor's budget itself is shared, see SpareBudget). Memory stays bounded because entries older
 * than their window are dropped as they are met.
 */
export class RefreshLimiter {
  private readonly perSessionMs: number;
  private readonly perUser: number;
  private readonly perUserWindowMs: number;
  private readonly now: () => number;
  private readonly checkedAt = new Map<string, number>();
  private readonly clicks = new Map<string, number[]>();

  constructor(limits: RefreshLimits = {}) {
    this.perSessionMs = limits.perSessionMs ?? 30_000;
    this.perUser = limits.perUser ?? 5;
    this.perUserWindowMs = limits.perUserWindowMs ?? 60_000;
    this.now = limits.now ?? Date.now;
  }

  /** Whether this user may refresh this session now (nothing is counted yet). */
  check(sessionId: string, userId: string): RefreshVerdict {
    const now = this.now();
    this.forgetOld(now);
    const checkedAt = this.checkedAt.get(sessionId);
    if (checkedAt !== undefined && now - checkedAt < this.perSessionMs) {
      return { ok: false, reason: 'session', checkedAt, nextAt: checkedAt + this.perSessionMs, now };
    }
    const recent = this.recentClicks(userId, now);
    if (recent.length >= this.perUser) return { ok: false, reason: 'user', nextAt: recent[0]! + this.perUserWindowMs, now };
    return { ok: true };
  }

  /** What a claim on the session row for this Refresh needs: now, and the per-session window. */
  claimFor(): { now: Date; everyMs: number } {
    return { now: new Date(this.now()), everyMs: this.perSessionMs };
  }

  /** The refusal when the session was refreshed at `checkedAt` (epoch ms) on another replica. */
  refusedBySession(checkedAt: number): Extract<RefreshVerdict, { reason: 'session' }> {
    return { ok: false, reason: 'session', checkedAt, nextAt: checkedAt + this.perSessionMs, now: this.now() };
  }

  /** The user's Refresh went ahead: it counts against them. */
  countClick(userId: string): void {
    const now = this.now();
    const recent = this.recentClicks(userId, now);
    this.clicks.delete(userId);
    this.clicks.set(userId, [...recent, now]);
  }

  /** The vendor was asked about the session now. */
  markChecked(sessionId: string): void {
    this.checkedAt.delete(sessionId);
    this.checkedAt.set(sessionId, this.now());
  }

  private recentClicks(userId: string, now: number): number[] {
    return (this.clicks.get(userId) ?? []).filter((at) => at > now - this.perUserWindowMs);
  }

  /**
   * Maps iterate in insertion order and every update re-inserts its key, so the least recently
   * touched entries come first and the sweep stops at the first one still in its window.
   */
  private forgetOld(now: number): void {
    for (const [sessionId, at] of this.checkedAt) {
      if (now - at < this.perSessionMs) break;
      this.checkedAt.delete(sessionId);
    }
    for (const [userId, times] of this.clicks) {
      if (times.at(-1)! > now - this.perUserWindowMs) break;
      this.clicks.delete(userId);
    }
  }
}
