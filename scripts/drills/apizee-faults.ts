/**
 * Apizee misbehaving: 5xx bursts and lost answers on ticket creation and on tracking, a 429
 * with X-RateLimit-Reset, and a token that expires mid-stream (one re-login).
 */
import { campaignOn, drillStack, faultOnCreation, faultWhileTracking, onBothDatabases, type Drill } from './harness.js';

const TICKETS = /^\/api\/tickets/;
const SESSIONS = 6;

export const apizeeDrills: Drill[] = [
  ...onBothDatabases(
    'Apizee 5xx burst on creation (3×503)',
    (ctx) => faultOnCreation(ctx, (stack) => stack.apizee.faults.failNext(/^\/api\/tickets$/, { status: 503, times: 3 }), SESSIONS),
    true,
  ),
  ...onBothDatabases(
    'Apizee creation answers lost (3 timeouts)',
    (ctx) => faultOnCreation(ctx, (stack) => stack.apizee.loseNextAnswer('POST', /^\/api\/tickets$/, 'timeout', 3), SESSIONS),
    true,
  ),
  ...onBothDatabases('Apizee 5xx burst on tracking (8×503)', (ctx) =>
    faultWhileTracking(ctx, (stack) => stack.apizee.faults.failNext(TICKETS, { status: 503, times: 8 }), { sessions: SESSIONS, stepMs: 15_000 }),
  ),
  ...onBothDatabases('Apizee tracking answers lost (4 timeouts)', (ctx) =>
    faultWhileTracking(ctx, (stack) => stack.apizee.loseNextAnswer('GET', TICKETS, 'timeout', 4), { sessions: SESSIONS, stepMs: 20_000 }),
  ),
  ...onBothDatabases('Apizee 429 with X-RateLimit-Reset: 2', (ctx) =>
    faultWhileTracking(
      ctx,
      (stack) => stack.apizee.faults.failNext(TICKETS, { status: 429, times: 3, headers: { 'X-RateLimit-Reset': '2' }, body: { error: 'Too Many Attempts.' } }),
      { sessions: SESSIONS, stepMs: 20_000 },
    ),
  ),
  ...onBothDatabases('Apizee token expired mid-stream (401, re-login)', async (ctx) => {
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
  }),
];
