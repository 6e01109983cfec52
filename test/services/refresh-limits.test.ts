import assert from 'node:assert/strict';
import { createLogger } from '../../src/logger.js';
import type { Outcome } from '../../src/domain/outcome.js';
import type { Session } from '../../src/domain/session.js';
import { RefreshLimiter } from '../../src/services/refresh-limiter.js';
import { SessionAccess } from '../../src/services/session-access.js';
import { SessionService, type SessionServiceDeps } from '../../src/services/sessions.js';
import { SpareBudget } from '../../src/services/spare-budget.js';
import { sameForEveryTeam } from '../../src/services/team-vendors.js';
import type { ProviderRegistry } from '../../src/services/provider-registry.js';
import { vendorModules } from '../../src/vendors/index.js';

const TEAM = 'T0001';

/** Tests name sessions `s1`, `s2`…; the app's ids are UUIDs (a button naming anything else is refused). */
const uuidOf = (label: string) => `00000000-0000-4000-8000-${label.slice(1).padStart(12, '0')}`;
const labelOf = (id: string) => `s${Number(id.slice(-12))}`;

function session(i: number): Session {
  return { id: uuidOf(`s${i}`), teamId: TEAM, vendor: 'apizee', kind: 'ticket', vendorId: `v${i}`, reference: `CASE-${i}`, status: 'invited', tracking: true } as Session;
}

/** The session rows' Refresh claims, shared by every harness given the same map (replicas on one database). */
type Claims = Map<string, string | null>;

function sharedRows(claims: Claims) {
  return {
    get: async (id: string) => session(Number(id.slice(-12))),
    claimRefresh: async (id: string, now: Date, everyMs: number) => {
      const last = claims.get(id) ?? null;
      if (last !== null && Date.parse(last) > now.getTime() - everyMs) return { claimed: false, refreshedAt: new Date(last) };
      claims.set(id, now.toISOString());
      return { claimed: true, claimedAt: now.toISOString(), previous: last };
    },
    unclaimRefresh: async (id: string, claim: { claimedAt: string; previous: string | null }) => {
      if (claims.get(id) === claim.claimedAt) claims.set(id, claim.previous);
    },
  };
}

/** SessionService.refresh over counting fakes: the provider's reconcile counts vendor checks. */
function harness(options: { free?: number; claims?: Claims; clock?: { now: number } } = {}) {
  const clock = options.clock ?? { now: Date.parse('2026-11-25T15:00:00Z') };
  const reconciled: string[] = [];
  const cardRefreshes: string[] = [];
  const budget = { limit: 10, reserve: 2, free: options.free ?? 10 };
  const sessions = sharedRows(options.claims ?? new Map());
  const deps = {
    sessions,
    access: new SessionAccess({ sessions, admins: { isAdmin: async () => false }, logger: createLogger('silent'), retentionDays: 90 }),
    cards: { refresh: async (id: string) => void cardRefreshes.push(id) },
    lifecycle: { apply: async () => ({ cardRefreshed: true }) },
    logger: createLogger('silent'),
    catalogue: vendorModules,
    trackIntervalMs: 30_000,
    refreshLimiter: new RefreshLimiter({ now: () => clock.now }),
    vendors: sameForEveryTeam({
      providers: {
        get: () => ({
          reconcile: async (row: Session): Promise<Outcome | undefined> => {
            reconciled.push(labelOf(row.id));
            return undefined;
          },
        }),
      } as unknown as ProviderRegistry,
      spare: new SpareBudget({ apizee: { limit: budget.limit, reserve: budget.reserve, available: () => budget.free, estimateWaitMs: () => 0 } }),
    }),
  } as unknown as SessionServiceDeps;
  const service = new SessionService(deps);
  const replies: Array<{ userId: string; text: string }> = [];
  return {
    reconciled,
    cardRefreshes,
    replies,
    budget,
    advance: (ms: number) => {
      clock.now += ms;
    },
    click: (sessionId: string, userId: string) =>
      service.refresh(uuidOf(sessionId), { teamId: TEAM, userId }, async (text) => void replies.push({ userId, text })),
  };
}

describe('Refresh limits', () => {
  it('checks a session with the vendor at most once in 30 s, whoever clicks, and says when it last did', async () => {
    const refresh = harness();
    await refresh.click('s1', 'U0AGENT');
    refresh.advance(12_000);
    await refresh.click('s1', 'U0OTHER');
    assert.deepEqual(refresh.reconciled, ['s1']);
    assert.equal(refresh.replies.length, 1);
    const [reply] = refresh.replies;
    assert.equal(reply!.userId, 'U0OTHER');
    assert.match(reply!.text, /CASE-1 was checked 12 s ago \(at <!date\^\d+\^\{time_secs\}\|2026-11-25T15:00:00\.000Z>\)/);
    assert.match(reply!.text, /refresh it again in 20 s/);
    refresh.advance(18_000);
    await refresh.click('s1', 'U0OTHER');
    assert.deepEqual(refresh.reconciled, ['s1', 's1'], '30 s on, the vendor is asked again');
  });

  it('lets a user refresh 5 cards a minute, then refuses politely without asking the vendor', async () => {
    const refresh = harness();
    for (let i = 1; i <= 5; i++) {
      await refresh.click(`s${i}`, 'U0EAGER');
      refresh.advance(1000);
    }
    await refresh.click('s6', 'U0EAGER');
    assert.equal(refresh.reconciled.length, 5);
    assert.equal(refresh.replies.length, 1);
    assert.match(refresh.replies[0]!.text, /^You have refreshed several cards in the last minute\. Tracking keeps every card up to date by itself; you can refresh again in 55 s\.$/);
    await refresh.click('s6', 'U0CALM');
    assert.deepEqual(refresh.reconciled.at(-1), 's6', 'another user is not held by the first one');
    refresh.advance(55_000);
    await refresh.click('s7', 'U0EAGER');
    assert.equal(refresh.reconciled.at(-1), 's7', 'a minute after the first, the user may again');
  });

  it('says tracking will bring the status when the vendor has no request to spare, and spends nothing', async () => {
    const refresh = harness({ free: 4 });
    await refresh.click('s1', 'U0AGENT');
    assert.deepEqual(refresh.reconciled, []);
    assert.match(refresh.replies[0]!.text, /Apizee's requests are kept for new sessions and tracking right now.*tracking will bring CASE-1's status up to date shortly/);
    refresh.budget.free = 5;
    await refresh.click('s1', 'U0AGENT');
    assert.deepEqual(refresh.reconciled, ['s1'], 'a refused Refresh neither marks the session nor counts');
  });

  it('holds the one-a-30-s limit across replicas: a click on another replica is refused and told when the first went', async () => {
    const claims: Claims = new Map();
    const clock = { now: Date.parse('2026-11-25T15:00:00Z') };
    const first = harness({ claims, clock });
    const second = harness({ claims, clock });
    await first.click('s1', 'U0AGENT');
    clock.now += 12_000;
    await second.click('s1', 'U0OTHER');
    assert.deepEqual([first.reconciled, second.reconciled], [['s1'], []]);
    assert.match(second.replies[0]!.text, /CASE-1 was checked 12 s ago.*refresh it again in 20 s/s);
    clock.now += 18_000;
    await second.click('s1', 'U0OTHER');
    assert.deepEqual(second.reconciled, ['s1']);
  });
});
