import assert from 'node:assert/strict';
import type { KnownBlock, SectionBlock } from '@slack/types';
import { humanSize, mapLink, mediaBlocks, mediaReplyText, milestoneBlocks, type MediaItem } from '../../src/ui/thread-replies.js';
import { blockKitProblems } from '../helpers/block-kit.js';

// Seed 003's two ticket medias, as toMediaItems makes them (with a size added to the photo).
const VIDEO: MediaItem = {
  title: 'ysExSVPf-2552-477',
  type: 'video/mp4',
  url: 'https://cloud.apizee.com/media/showVideo/1/hash/4b6c0600-b2fc-11ed-afc2-a9d424af1014',
};
const PHOTO: MediaItem = {
  title: 'diag_snapshot_1677103206155',
  type: 'image/jpeg',
  url: 'https://cloud.apizee.com/media/showVideo/1/hash/445f0780-b2fc-11ed-89d4-09e76cc8a403',
  sizeBytes: 1536,
  location: { lat: 48.7703337, lon: -3.5149756 },
};

const sectionTexts = (blocks: KnownBlock[]) => blocks.map((block) => (block as SectionBlock).text?.text ?? '');

describe('media reply', () => {
  it('lists each file with its kind, type, size and a map link when located', () => {
    assert.equal(
      mediaReplyText([VIDEO, PHOTO]),
      [
        '📎 2 files from the session:',
        `• <${VIDEO.url}|ysExSVPf-2552-477> (video, video/mp4)`,
        `• <${PHOTO.url}|diag_snapshot_1677103206155> (photo, image/jpeg, 1.5 KB) · ` +
          '<https://www.openstreetmap.org/?mlat=48.7703337&mlon=-3.5149756#map=17/48.7703337/-3.5149756|📍 map>',
      ].join('\n'),
    );
  });

  it('puts a header and the lines in sections', () => {
    const blocks = mediaBlocks([VIDEO, PHOTO]);
    assert.equal(blocks.length, 2);
    assert.deepEqual(sectionTexts(blocks)[0], '📎 2 files from the session:');
    assert.ok(sectionTexts(blocks)[1]!.includes('openstreetmap.org/?mlat=48.7703337&mlon=-3.5149756'));
  });

  it('escapes titles and keeps URLs inside their link', () => {
    const text = mediaReplyText([{ title: '<b>|x & y', type: 'image/png', url: 'https://x.test/a|b>c' }]);
    assert.ok(text.endsWith('• <https://x.test/a%7Cb%3Ec|&lt;b&gt;¦x &amp; y> (photo, image/png)'), text);
  });

  it('names an untitled file', () => {
    assert.ok(mediaReplyText([{ title: null, type: 'video', url: 'https://x.test/v' }]).includes('<https://x.test/v|untitled> (video, video)'));
  });

  it('keeps 200 files within Block Kit limits and about 11,000 characters, counting those left out', () => {
    const items = Array.from({ length: 200 }, (_, index) => ({ ...PHOTO, title: `${PHOTO.title}-${index}` }));
    const blocks = mediaBlocks(items);
    assert.deepEqual(blockKitProblems(blocks), []);
    const listed = sectionTexts(blocks).join('\n');
    assert.ok(listed.length < 12_000, `${listed.length} characters`);
    assert.ok(listed.includes(`${PHOTO.title}-0>`), 'the first file is listed');
    const shown = (listed.match(/^• /gm) ?? []).length;
    assert.ok(shown > 20 && shown < 200, `${shown} shown`);
    assert.match(listed, new RegExp(`…and ${200 - shown} more files in the vendor's console\\.`));
    assert.ok(mediaReplyText(items).length <= 3000);
  });

  it('cuts a single enormous line to fit its section', () => {
    const blocks = mediaBlocks([{ ...VIDEO, title: 'x'.repeat(5000) }]);
    assert.deepEqual(blockKitProblems(blocks), []);
    assert.equal(sectionTexts(blocks)[1]!.length, 2900);
  });
});

describe('humanSize', () => {
  it('uses B, KB and MB', () => {
    assert.equal(humanSize(500), '500 B');
    assert.equal(humanSize(1536), '1.5 KB');
    assert.equal(humanSize(5 * 1024 * 1024), '5.0 MB');
  });
});

describe('mapLink', () => {
  it('points OpenStreetMap at the spot', () => {
    assert.equal(mapLink({ lat: 48.7, lon: -3.5 }), 'https://www.openstreetmap.org/?mlat=48.7&mlon=-3.5#map=17/48.7/-3.5');
  });
});

describe('milestoneBlocks', () => {
  it('is one section, cut at 3000 characters', () => {
    assert.deepEqual(milestoneBlocks('🟢 The guest joined the session.'), [
      { type: 'section', text: { type: 'mrkdwn', text: '🟢 The guest joined the session.' } },
    ]);
    assert.deepEqual(blockKitProblems(milestoneBlocks('x'.repeat(4000))), []);
  });
});
