/**
 * Apizee misbehaving: 5xx bursts and lost answers on ticket creation and on tracking, a 429
 * with X-RateLimit-Reset, and a token that expires mid-stream (one re-login).
 */
import { campaignOn, drillStack, type Drill, type DrillDatabase } from './harness.js';

const TICKETS = /^\/api\/tickets/;
const SESSIONS = 6;

function onBoth(make: (database: DrillDatabase) => Drill, fastOnSqlite = false): Drill[] {
  return [{ ...make('sqlite'), fast: fastOnSqlite }, make('postgres')];
}

export const apizeeDrills: Drill[] = [
  ...onBoth((database) => ({
    name: 'Apizee 5xx burst on creation (3×503)',
    database,
    async run(ctx) {
      const stack = await drillStack(ctx);
      const campaign = await campaignOn(stack);
      stack.apizee.faults.failNext(/^\/api\/tickets$/, { status: 503, times: 3 });
      await campaign.create(SESSIONS);
      const from = Date.now();
      return campaign.account(from, await campaign.live());
    },
  }), true),
  ...onBoth((database) => ({
    name: 'Apizee creation answers lost (3 timeouts)',
    database,
    async run(ctx) {
      const stack = await drillStack(ctx);
      const campaign = await campaignOn(stack);
      stack.apizee.loseNextAnswer('POST', /^\/api\/tickets$/, 'timeout', 3);
      await campaign.create(SESSIONS);
      const from = Date.now();
      return campaign.account(from, await campaign.live());
    },
  }), true),
  ...onBoth((database) => ({
    name: 'Apizee 5xx burst on tracking (8×503)',
    database,
    async run(ctx) {
      const stack = await drillStack(ctx);
      const campaign = await campaignOn(stack);
      await campaign.create(SESSIONS);
      await campaign.waitComplete(10_000);
      stack.apizee.faults.failNext(TICKETS, { status: 503, times: 8 });
      campaign.join();
      const from = Date.now();
      await campaign.waitComplete(15_000);
      campaign.end();
      return campaign.account(from, await campaign.waitComplete(15_000));
    },
  })),
  ...onBoth((database) => ({
    name: 'Apizee tracking answers lost (4 timeouts)',
    database,
    async run(ctx) {
      const stack = await drillStack(ctx);
      const campaign = await campaignOn(stack);
      await campaign.create(SESSIONS);
      await campaign.waitComplete(10_000);
      stack.apizee.loseNextAnswer('GET', TICKETS, 'timeout', 4);
      campaign.join();
      const from = Date.now();
      await campaign.waitComplete(20_000);
      campaign.end();
      return campaign.account(from, await campaign.waitComplete(20_000));
    },
  })),
  ...onBoth((database) => ({
    name: 'Apizee 429 with X-RateLimit-Reset: 2',
    database,
    async run(ctx) {
      const stack = await drillStack(ctx);
      const campaign = await campaignOn(stack);
      await campaign.create(SESSIONS);
      await campaign.waitComplete(10_000);
      stack.apizee.faults.failNext(TICKETS, { status: 429, times: 3, headers: { 'X-RateLimit-Reset': '2' }, body: { error: 'Too Many Attempts.' } });
      campaign.join();
      const from = Date.now();
      await campaign.waitComplete(20_000);
      campaign.end();
      return campaign.account(from, await campaign.waitComplete(20_000));
    },
  })),
  ...onBoth((database) => ({
    name: 'Apizee token expired mid-stream (401, re-login)',
    database,
    async run(ctx) {
      const stack = await drillStack(ctx);
      const campaign = await campaignOn(stack);
      await campaign.create(SESSIONS / 2);
      await campaign.waitComplete(10_000);
      stack.apizee.expireTokens();
      const from = Date.now();
      campaign.join();
      await campaign.create(SESSIONS / 2);
      await campaign.waitComplete(15_000);
      campaign.join();
      await campaign.waitComplete(15_000);
      campaign.end();
      const result = await campaign.account(from, await campaign.waitComplete(15_000));
      const logins = stack.apizee.requests.filter((request) => request.path === '/api/token').length;
      // One login at start, one after the expiry: more would be a login storm.
      if (logins > 2) return { ...result, doubled: result.doubled + logins - 2, details: [...(result.details ?? []), `${logins} logins`] };
      return result;
    },
  })),
];
