import assert from 'node:assert/strict';
import type { Sandboxes } from '../../sandbox/local-stack.js';
import { SlackRequester } from '../../sandbox/slack-requests.js';
import { eventually } from './eventually.js';
import type { Replica } from './replica.js';

/**
 * The replica scenario shared by the end-to-end tests and `npm run bench`: sessions created
 * through several replicas, every ticket taken through its life, optionally one replica killed
 * midway; then every thread must hold each milestone exactly once, with no Apizee 429.
 */
const MILESTONES = ['invited', 'joined', 'ended', 'media'] as const;
const PATTERN: Record<(typeof MILESTONES)[number], RegExp> = {
  invited: /sent the invitation/,
  joined: /guest joined/,
  ended: /session ended/,
  media: /from the session/,
};

/** Thread replies per card, read from what Slack received. */
export function threads(sandboxes: Sandboxes): Map<string, string[]> {
  const byThread = new Map<string, string[]>();
  for (const call of sandboxes.slack.callsTo('chat.postMessage')) {
    if (!call.args.thread_ts || !call.response?.ok) continue;
    byThread.set(call.args.thread_ts, [...(byThread.get(call.args.thread_ts) ?? []), call.args.text as string]);
  }
  return byThread;
}

export function count(sandboxes: Sandboxes, key: (typeof MILESTONES)[number]): number {
  return [...threads(sandboxes).values()].filter((texts) => texts.some((text) => PATTERN[key].test(text))).length;
}

/** Never more than `limit` Apizee requests in any 60 s. */
export function maxPerMinute(sandboxes: Sandboxes): number {
  const times = sandboxes.apizee.requests.map((request) => request.at.getTime()).sort((a, b) => a - b);
  let max = 0;
  for (let i = 0, j = 0; i < times.length; i += 1) {
    while (times[i]! - times[j]! >= 60_000) j += 1;
    max = Math.max(max, i - j + 1);
  }
  return max;
}

/** On failure, the replicas' last log lines say why. */
export async function withReplicaLogs(replicas: Replica[], run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (error) {
    const logs = replicas.map((replica, index) => `replica ${index}:\n${replica.logs.filter((line) => !/vendor call succeeded/.test(line)).slice(-15).join('\n')}`);
    throw new Error(`${(error as Error).message}\n${logs.join('\n')}`, { cause: error });
  }
}

export async function trackSessionsThroughTheirLife(options: {
  sandboxes: Sandboxes;
  replicas: Replica[];
  signingSecret: string;
  sessions: number;
  channels: number;
  crashMidway?: boolean;
}): Promise<void> {
  const { sandboxes, replicas, sessions, channels } = options;
  const requesters = replicas.map((replica) => new SlackRequester({ appUrl: replica.url, signingSecret: options.signingSecret, fakeSlack: sandboxes.slack }));
  for (let i = 0; i < sessions; i += 1) {
    const channelId = `C${String(i % channels).padStart(4, '0')}`;
    const response = await requesters[i % requesters.length]!.slash(`+3361234${String(i).padStart(4, '0')} ref:LOAD-${i}`, { channelId, userId: 'U0AGENT' });
    assert.equal(response.status, 200);
  }
  // Time allowed grows with the load: Slack's pace is about one post a second per channel.
  const allow = (ms: number) => Math.max(ms, (ms * sessions) / 200);
  await eventually(`${sessions} invitations`, () => count(sandboxes, 'invited') === sessions, allow(90_000));
  const tickets = [...sandboxes.apizee.tickets.values()];
  assert.equal(tickets.length, sessions);
  for (const ticket of tickets) sandboxes.apizee.setTicketState(ticket.id, 'inprogress');
  if (options.crashMidway) {
    // Kill one replica while the others post: its leases must be taken over, nothing posted twice.
    await eventually('some guests joined', () => count(sandboxes, 'joined') > 0, 60_000);
    await replicas[0]!.crash();
  }
  await eventually(`${sessions} joined`, () => count(sandboxes, 'joined') === sessions, allow(120_000));
  for (const ticket of tickets) sandboxes.apizee.completeWithMedia(ticket.id);
  await eventually(`${sessions} ended with media`, () => count(sandboxes, 'media') === sessions, allow(150_000));
  await new Promise((resolve) => setTimeout(resolve, 1500));

  for (const [thread, texts] of threads(sandboxes)) {
    assert.equal(texts.length, MILESTONES.length, `thread ${thread} has ${texts.length} replies:\n${texts.join('\n')}`);
    MILESTONES.forEach((key, index) => assert.match(texts[index]!, PATTERN[key], `thread ${thread}, reply ${index + 1}`));
  }
  assert.equal(threads(sandboxes).size, sessions);
  assert.equal(sandboxes.apizee.rateLimitedCount, 0, 'no Apizee 429');
  assert.deepEqual(sandboxes.slack.rejections, []);
}

