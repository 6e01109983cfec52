/**
 * Slack misbehaving under the app's background posts: 429 with Retry-After on thread replies
 * (chat.postMessage) and card updates (chat.update), 5xx on thread replies, and thread replies
 * Slack carried out but whose answer never came back (the connection hung or was reset).
 */
import { faultWhileTracking, onBothDatabases, type Drill } from './harness.js';
import type { FailNextOptions, FakeSlackApi } from '../../sandbox/slack-api.js';

const SESSIONS = 6;

/** A Slack fault injected as guests join, on the app's background posts (a 1 s Web API timeout). */
function slackDrill(name: string, fault: (slack: FakeSlackApi) => void, fastOnSqlite: boolean): Drill[] {
  const options = { sessions: SESSIONS, stepMs: 15_000, stack: { slackBackgroundTimeoutMs: 1000 } };
  return onBothDatabases(name, (ctx) => faultWhileTracking(ctx, (stack) => fault(stack.slack), options), fastOnSqlite);
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
