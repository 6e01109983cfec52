import assert from 'node:assert/strict';
import type { MediaItem } from '../../src/domain/outcome.js';
import { type ListedMedia, MEDIA_SETTLE_CAP_MS, MediaWatch, settleMedia } from '../../src/vendors/apizee/media-settling.js';
import { sessionFixture } from '../helpers/databases.js';

const ENDED_AT = new Date('2026-11-25T10:00:00.000Z');
const at = (ms: number) => new Date(ENDED_AT.getTime() + ms);

function media(id: string, ready = true): ListedMedia {
  const item: MediaItem = { title: `file-${id}`, type: 'video/mp4', url: `https://cloud.apizee.com/media/showVideo/1/hash/${id}` };
  return { id, ready, item };
}

/** Applies an outcome's details the way the lifecycle would, so the next poll reads them. */
function applied<T extends { details: Record<string, unknown> }>(session: T, outcome: { details?: Record<string, unknown> } | undefined): T {
  return outcome?.details ? { ...session, details: outcome.details } : session;
}

describe('Apizee media settling', () => {
  const ended = () => sessionFixture({ id: 's-1', status: 'ended', tracking: true, endedAt: ENDED_AT, details: { button_id: 223 } });

  it('posts each ready file once, as soon as listed, and settles after two polls with nothing new', () => {
    const watch = new MediaWatch();
    let session = ended();
    const first = watch.observe(session, [media('1')], at(1000), 'ended');
    assert.deepEqual(first?.media?.map((item) => item.id), ['1']);
    assert.deepEqual(first?.details, { button_id: 223, media_posted: ['1'] });
    assert.equal(first?.tracking, undefined);
    session = applied(session, first);

    const second = watch.observe(session, [media('1'), media('2')], at(2000), 'ended');
    assert.deepEqual(second?.media?.map((item) => item.id), ['2'], 'only the new file');
    session = applied(session, second);

    assert.equal(watch.observe(session, [media('1'), media('2')], at(3000), 'ended'), undefined, 'one quiet poll: not settled yet');
    const settled = watch.observe(session, [media('1'), media('2')], at(4000), 'ended');
    assert.deepEqual(settled, { tracking: false, nextCheckAt: null });
  });

  it('waits for a recording still processing, then links it once completed', () => {
    const watch = new MediaWatch();
    let session = ended();
    const polls = [0, 1, 2, 3].map((n) => watch.observe(session, [media('7', false)], at(n * 1000), 'ended'));
    assert.ok(polls.every((outcome) => outcome === undefined), 'nothing posted, not settled, while processing');
    const completed = watch.observe(session, [media('7', true)], at(5000), 'ended');
    assert.deepEqual(completed?.media?.map((item) => item.id), ['7']);
    session = applied(session, completed);
    // Nothing new since two polls already (the id was seen while processing): settles now.
    assert.equal(completed?.tracking, false);
    assert.equal(watch.observe(session, [media('7', true)], at(6000), 'ended')?.media, undefined);
  });

  it('never posts a file twice, even after a restart (another watch), since the ids are in the details', () => {
    const session = applied(ended(), new MediaWatch().observe(ended(), [media('1')], at(1000), 'ended'));
    const again = new MediaWatch().observe(session, [media('1')], at(2000), 'ended');
    assert.equal(again?.media, undefined);
  });

  it('a live meeting never settles, however quiet', () => {
    const watch = new MediaWatch();
    const live = sessionFixture({ id: 's-2', status: 'joined', tracking: true, endedAt: null });
    const outcomes = [0, 1, 2, 3, 4].map((n) => watch.observe(live, [], at(n * 1000), 'live'));
    assert.ok(outcomes.every((outcome) => outcome === undefined));
    assert.equal(watch.lastPolledAt('s-2'), at(4000).getTime());
  });

  it('stops waiting 30 minutes after the end, posting what is ready', () => {
    const watch = new MediaWatch();
    const outcome = watch.observe(ended(), [media('1'), media('2', false)], at(MEDIA_SETTLE_CAP_MS), 'ended');
    assert.deepEqual(outcome?.media?.map((item) => item.id), ['1']);
    assert.equal(outcome?.tracking, false);
  });

  it('settleMedia stops a session past the cap without a call, and one that did not take place', async () => {
    let calls = 0;
    const fetch = async () => {
      calls += 1;
      return [];
    };
    assert.deepEqual(await settleMedia(ended(), new MediaWatch(), at(MEDIA_SETTLE_CAP_MS + 1), fetch), { tracking: false, nextCheckAt: null });
    const declined = sessionFixture({ status: 'declined', tracking: true, endedAt: ENDED_AT });
    assert.deepEqual(await settleMedia(declined, new MediaWatch(), at(1000), fetch), { tracking: false, nextCheckAt: null });
    assert.equal(calls, 0);
    assert.equal(await settleMedia(ended(), new MediaWatch(), at(1000), async () => undefined), undefined, 'no answer now: try again next pass');
  });
});

describe('Apizee media settling across the end of a meeting', () => {
  it('counts quiet polls from the end: a meeting quiet while live still waits two polls after it', () => {
    const watch = new MediaWatch();
    const live = sessionFixture({ id: 's-3', status: 'joined', tracking: true, endedAt: null });
    for (const n of [0, 1, 2]) watch.observe(live, [media('1')], at(n * 1000), 'live');
    const ended = { ...live, status: 'ended' as const, endedAt: at(3000), details: { media_posted: ['1'] } };
    assert.equal(watch.observe(ended, [media('1')], at(4000), 'ended'), undefined, 'first poll after the end: not settled');
    assert.deepEqual(watch.observe(ended, [media('1')], at(5000), 'ended'), { tracking: false, nextCheckAt: null });
  });
});
