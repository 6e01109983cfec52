/**
 * Slack misbehaving under the app's background posts: 429 with Retry-After on thread replies
 * (chat.postMessage) and card updates (chat.update), 5xx on thread replies, and thread replies
 * Slack carried out but whose answer never came back (the connection hung or was reset).
 */
import { campaignOn, drillStack, type Drill, type DrillContext, type DrillDatabase, type DrillResult } from './harness.js';
import type { FailNextOptions } from '../../sandbox/slack-api.js';

const SESSIONS = 6;

/** Sessions created and invited; `fault` is injected as guests join; then they end with media. */
async function faultWhileTracking(ctx: DrillContext, fault: (slack: import('../../sandbox/slack-api.js').FakeSlackApi) => void, stepMs = 15_000): Promise<DrillResult> {
  const stack = await drillStack(ctx, { slackBackgroundTimeoutMs: 1000 });
  const campaign = await campaignOn(stack);
  await campaign.create(SESSIONS);
  await campaign.waitComplete(10_000);
  fault(stack.slack);
  const from = Date.now();
  campaign.join();
  await campaign.waitComplete(stepMs);
  campaign.end();
  return campaign.account(from, await campaign.waitComplete(stepMs));
}

function slackDrill(name: string, fault: (slack: import('../../sandbox/slack-api.js').FakeSlackApi) => void, fastOnSqlite: boolean): Drill[] {
  const make = (database: DrillDatabase): Drill => ({ name, database, run: (ctx) => faultWhileTracking(ctx, fault) });
  return [{ ...make('sqlite'), fast: fastOnSqlite }, make('postgres')];
}

const rateLimited = (times: number): FailNextOptions => ({ status: 429, retryAfter: 2, times });

export const slackDrills: Drill[] = [
  ...slackDrill('Slack 429 (Retry-After: 2) on chat.postMessage ×3', (slack) => slack.failNext('chat.postMessage', 'ratelimited', rateLimited(3)), false),
  ...slackDrill('Slack 429 (Retry-After: 2) on chat.update ×3', (slack) => slack.failNext('chat.update', 'ratelimited', rateLimited(3)), false),
  ...slackDrill('Slack 500 on chat.postMessage ×3', (slack) => slack.failNext('chat.postMessage', 'internal_error', { status: 500, times: 3 }), false),
  ...slackDrill('Slack 503 on chat.update ×3', (slack) => slack.failNext('chat.update', 'service_unavailable', { status: 503, times: 3 }), false),
  ...slackDrill('Slack answer to chat.postMessage lost (hang) ×2', (slack) => slack.loseAnswerNext('chat.postMessage', { mode: 'hang', times: 2 }), false),
  ...slackDrill('Slack answer to chat.postMessage lost (reset) ×2', (slack) => slack.loseAnswerNext('chat.postMessage', { mode: 'reset', times: 2 }), true),
];
