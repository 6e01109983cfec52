import assert from 'node:assert/strict';
import { createLogger } from '../../src/logger.js';
import type { Session } from '../../src/domain/session.js';
import { SpareBudget } from '../../src/services/spare-budget.js';
import { StatsService } from '../../src/services/stats.js';
import { sameForEveryTeam, type VendorUsage } from '../../src/services/team-vendors.js';
import { ProviderRegistry } from '../../src/services/provider-registry.js';
import type { SessionsRepository } from '../../src/store/sessions-repository.js';
import { vendorModules } from '../../src/vendors/index.js';

const MINUTE = 60_000;

/** A StatsService over counting fakes, on a clock the test moves by hand. */
function harness(options: { budget?: { limit: number; reserve: number; free: number } } = {}) {
  let now = new Date('2026-11-25T15:00:00Z').getTime();
  const usageCalls: Array<[string, string]> = [];
  /** The correlation id each usage call was handed a logger for. */
  const usageIds: unknown[] = [];
  const reads: string[] = [];
  const sessions = {
    createdBetween: async (teamId: string) => {
      reads.push(teamId);
      return [{ vendor: 'apizee', status: 'ended', joinedAt: null, endedAt: null } as unknown as Session];
    },
  } as unknown as SessionsRepository;
  const budget = options.budget;
  const spare = budget
    ? new SpareBudget({ apizee: { limit: budget.limit, reserve: budget.reserve, available: () => budget.free, estimateWaitMs: () => 0 } })
    : undefined;
  const apizeeUsage: VendorUsage = {
    vendor: 'apizee',
    usage: async (from, to, via) => {
      usageCalls.push([from.toISOString(), to.toISOString()]);
      usageIds.push(via?.logger?.bindings().correlationId);
      return { title: "Apizee's own figures", lines: [`${usageCalls.length} tickets`] };
    },
  };
  const service = new StatsService({
    sessions,
    catalogue: vendorModules,
    logger: createLogger('silent'),
    now: () => new Date(now),
    vendors: sameForEveryTeam({ providers: new ProviderRegistry(), spare, usage: [apizeeUsage] }),
  });
  return {
    service,
    usageCalls,
    usageIds,
    reads,
    budget,
    advance: (ms: number) => {
      now += ms;
    },
    ask: (teamId: string, from?: string) => service.summary(from, undefined, { teamId, userId: 'U0ANY' }),
  };
}

describe('stats answers kept per team', () => {
  it('serves a team the same answer for 5 minutes, saying how old it is, with no second vendor call', async () => {
    const stats = harness();
    const first = await stats.ask('T0001');
    assert.doesNotMatch(first.text, /as of/);
    assert.doesNotMatch(JSON.stringify(first.blocks), /As of/);
    stats.advance(3 * MINUTE);
    const second = await stats.ask('T0001');
    assert.equal(stats.usageCalls.length, 1);
    assert.equal(stats.reads.length, 1, 'the database is not read again either');
    assert.match(second.text, /\(as of 3 min ago\)/);
    assert.match(JSON.stringify(second.blocks), /As of 3 min ago/);
    assert.match(JSON.stringify(second.blocks), /1 tickets/);
  });

  it('asks the vendor again once the 5 minutes are over', async () => {
    const stats = harness();
    await stats.ask('T0001');
    stats.advance(5 * MINUTE - 1000);
    assert.match((await stats.ask('T0001')).text, /as of 4 min ago/);
    stats.advance(1000);
    const fresh = await stats.ask('T0001');
    assert.equal(stats.usageCalls.length, 2);
    assert.doesNotMatch(fresh.text, /as of/);
    assert.match(JSON.stringify(fresh.blocks), /2 tickets/);
  });

  it('hands the vendor’s call a logger carrying the command’s correlation id', async () => {
    const stats = harness();
    await stats.service.summary(undefined, undefined, { teamId: 'T0001', userId: 'U0ANY', correlationId: 'req-stats-1' });
    assert.deepEqual(stats.usageIds, ['req-stats-1']);
  });

  it("keeps each team's answer apart, and each range's", async () => {
    const stats = harness();
    await stats.ask('T0001');
    const other = await stats.ask('T0002');
    assert.doesNotMatch(other.text, /as of/, "another team's cached answer is not served");
    assert.deepEqual(stats.reads, ['T0001', 'T0002']);
    await stats.ask('T0001', '2026-11-01');
    assert.equal(stats.usageCalls.length, 3);
    stats.advance(MINUTE);
    await stats.ask('T0002');
    await stats.ask('T0001');
    await stats.ask('T0001', '2026-11-01');
    assert.equal(stats.usageCalls.length, 3);
  });

  it('does not ask a budgeted vendor with no request to spare, says so, and keeps nothing', async () => {
    // 10 a minute, 2 kept for new sessions, 1 for tracking: 3 free leave nothing to spare.
    const stats = harness({ budget: { limit: 10, reserve: 2, free: 3 } });
    const busy = await stats.ask('T0001');
    assert.equal(stats.usageCalls.length, 0);
    assert.match(JSON.stringify(busy.blocks), /Apizee's figures are missing: its requests are kept for new sessions and tracking right now/);
    stats.budget!.free = 4;
    const answered = await stats.ask('T0001');
    assert.equal(stats.usageCalls.length, 1, 'the next ask got the figures: the busy answer was not kept');
    assert.doesNotMatch(answered.text, /as of/);
  });
});
