import assert from 'node:assert/strict';
import { startLocalStack, type LocalStack } from '../../sandbox/local-stack.js';

const CHANNEL = 'C0SUPPORT';
const AGENT = 'U0AGENT';
/**
 * Time runs twelve times faster than at Apizee's 10 requests a minute: the app and the sandbox
 * allow 120 a minute (so the budget's background spacing is 0.625 s, not 7.5 s) and the tracking
 * interval is 0.5 s (30 s by default). The goals, ≤ 60 s from the list call that first shows a
 * file to its reply and from the end to the first media poll, scale to 5 s.
 */
const SCALE = 12;
const GOAL_MS = 60_000 / SCALE;

function mediaReplies(stack: LocalStack) {
  return stack.slack.callsTo('chat.postMessage').filter((call) => call.args.thread_ts && /from the session/.test(call.args.text));
}

function waitForReply(stack: LocalStack, pattern: RegExp, timeoutMs = 8000) {
  return stack.slack.waitFor('chat.postMessage', (call) => Boolean(call.args.thread_ts) && pattern.test(call.args.text), timeoutMs);
}

/** The media list calls made since `since` (the log keeps no bodies: the first after a file was added is the first to show it). */
function mediaListsSince(stack: LocalStack, path: RegExp, since: number) {
  return stack.apizee.requests.filter((request) => request.method === 'GET' && path.test(request.path) && request.at.getTime() >= since);
}

async function settle(stack: LocalStack, path: RegExp, quietMs = 18_000 / SCALE): Promise<void> {
  // The media have settled once no media list call is made for a while (three tracking intervals).
  for (let waited = 0; waited < 20_000; waited += 250) {
    const last = stack.apizee.requests.filter((request) => path.test(request.path)).at(-1);
    if (last && Date.now() - last.at.getTime() > quietMs) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  assert.fail('media polling never settled');
}

describe('e2e: Apizee media reach the thread as they become ready', function () {
  this.timeout(60_000);
  let stack: LocalStack;

  beforeEach(async () => {
    stack = await startLocalStack({ apizeeRatePerMinute: 10 * SCALE, vendors: ['apizee'], env: { TRACK_INTERVAL_SECONDS: String(6 / SCALE) } });
  });
  afterEach(async () => {
    await stack.close();
  });

  it('posts a photo added right after the end of a ticket, once, within the goal', async () => {
    await stack.requester.slash('+33 6 12 34 56 78 apizee ref:CASE-PHOTO', { userId: AGENT, channelId: CHANNEL });
    await waitForReply(stack, /sent the invitation/);
    const [ticket] = [...stack.apizee.tickets.values()];
    assert.ok(ticket);
    stack.apizee.setTicketState(ticket.id, 'inprogress');
    await waitForReply(stack, /guest joined/);
    stack.apizee.setTicketState(ticket.id, 'done');
    const ended = await waitForReply(stack, /session ended after/);
    // The photo lands at Apizee after Rendezvous saw the end (the measured 172 s case).
    const photo = stack.apizee.addTicketMedia(ticket.id, { title: 'diag_snapshot_after_end', type: 'image/jpeg', location: { lat: 48.77, lon: -3.51 } });
    const addedAt = Date.now();
    const mediaPath = new RegExp(`/tickets/${ticket.id}/medias$`);

    const reply = await waitForReply(stack, /from the session/, GOAL_MS);
    assert.match(JSON.stringify(reply.args.blocks), /diag_snapshot_after_end/);
    assert.ok(JSON.stringify(reply.args.blocks).includes(photo.url));
    // First media poll after the end: within the goal of the end reply.
    const firstPoll = mediaListsSince(stack, mediaPath, ended.at)[0];
    assert.ok(firstPoll && firstPoll.at.getTime() - ended.at <= GOAL_MS, 'first media poll within the goal after the end');
    // The list call that first showed the photo is the first one after it was added.
    const showing = mediaListsSince(stack, mediaPath, addedAt)[0];
    assert.ok(showing);
    assert.ok(reply.at - showing.at.getTime() <= GOAL_MS, `reply ${reply.at - showing.at.getTime()} ms after the list call showing it`);

    await settle(stack, mediaPath);
    assert.equal(mediaReplies(stack).length, 1, 'the photo is posted once');
    assert.equal(stack.apizee.rateLimitedCount, 0);
    assert.deepEqual(stack.slack.rejections, []);
  });

  it('links a meeting recording only once completed, and posts a live meeting recording before the end', async () => {
    await stack.requester.slash('meet jane@example.com, +33612345678 "Site visit"', { userId: AGENT, channelId: CHANNEL });
    await waitForReply(stack, /Apizee invited 2 participants/);
    const [conference] = [...stack.apizee.conferences.values()];
    assert.ok(conference);
    const mediaPath = new RegExp(`/conferences/${conference.id}/media$`);
    stack.apizee.setConferenceStatus(conference.id, 'ongoing');
    await waitForReply(stack, /meeting started/);

    // A recording listed while processing is not linked.
    const processing = stack.apizee.addConferenceRecording(conference.id, { title: 'first-composite', status: 'processing' });
    const addedAt = Date.now();
    for (let waited = 0; mediaListsSince(stack, mediaPath, addedAt).length < 2; waited += 100) {
      assert.ok(waited < GOAL_MS * 2, 'the live meeting media are polled');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(mediaReplies(stack).length, 0, 'a processing recording is not linked');

    // Completed while the meeting is still live: posted without waiting for the end.
    stack.apizee.completeConferenceRecording(conference.id, processing.id);
    const completedAt = Date.now();
    const live = await waitForReply(stack, /from the session/, GOAL_MS * 2);
    assert.match(JSON.stringify(live.args.blocks), /first-composite/);
    assert.equal(stack.apizee.conferences.get(conference.id)?.status, 'ongoing', 'posted while the meeting is live');
    const showing = mediaListsSince(stack, mediaPath, completedAt)[0];
    assert.ok(showing && live.at - showing.at.getTime() <= GOAL_MS, 'within the goal of the list call that showed it completed');

    // A second recording during the meeting, then the end: each file posted once.
    stack.apizee.addConferenceRecording(conference.id, { title: 'second-composite' });
    await waitForReply(stack, /second-composite/, GOAL_MS * 2);
    stack.apizee.setConferenceStatus(conference.id, 'ended');
    await waitForReply(stack, /session ended after/);
    await settle(stack, mediaPath);
    const replies = mediaReplies(stack).map((call) => JSON.stringify(call.args.blocks));
    assert.equal(replies.length, 2, replies.join('\n'));
    assert.equal(replies.filter((blocks) => blocks.includes('first-composite')).length, 1);
    assert.equal(replies.filter((blocks) => blocks.includes('second-composite')).length, 1);
    assert.equal(stack.apizee.rateLimitedCount, 0);
  });

  it('waits after the end for a recording still processing, and links it once completed', async () => {
    await stack.requester.slash('meet jane@example.com "Audit"', { userId: AGENT, channelId: CHANNEL });
    await waitForReply(stack, /Apizee invited 1 participant/);
    const [conference] = [...stack.apizee.conferences.values()];
    assert.ok(conference);
    const mediaPath = new RegExp(`/conferences/${conference.id}/media$`);
    stack.apizee.setConferenceStatus(conference.id, 'ongoing');
    await waitForReply(stack, /meeting started/);
    const recording = stack.apizee.addConferenceRecording(conference.id, { title: 'slow-composite', status: 'processing' });
    stack.apizee.setConferenceStatus(conference.id, 'ended');
    await waitForReply(stack, /session ended after/);
    const endedAt = Date.now();
    // Several polls after the end, more than the two quiet ones: still waiting, nothing linked.
    for (let waited = 0; mediaListsSince(stack, mediaPath, endedAt).length < 4; waited += 100) {
      assert.ok(waited < GOAL_MS * 3, 'the ended meeting media are polled');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(mediaReplies(stack).length, 0);
    stack.apizee.completeConferenceRecording(conference.id, recording.id);
    const reply = await waitForReply(stack, /from the session/, GOAL_MS);
    assert.match(JSON.stringify(reply.args.blocks), /slow-composite/);
    await settle(stack, mediaPath);
    assert.equal(mediaReplies(stack).length, 1);
  });
});
