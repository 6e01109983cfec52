import assert from 'node:assert/strict';
import { createLogger } from '../../src/logger.js';
import type { ApizeeClient } from '../../src/vendors/apizee/client.js';
import { ApizeeConferenceTracker, observeConference } from '../../src/vendors/apizee/conference-tracker.js';
import { sessionFixture } from '../helpers/databases.js';

const NOW = new Date('2026-11-25T12:00:00.000Z');

describe('Apizee conference tracking', () => {
  it('observes a running meeting as joined, and an ended one with its length', () => {
    const scheduled = sessionFixture({ kind: 'conference', status: 'scheduled', vendorState: 'scheduled' });
    const joined = observeConference(scheduled, { status: 'ongoing', end_time: '2026-11-25T13:00:00.000Z' }, NOW);
    assert.deepEqual(joined, {
      vendorState: 'ongoing',
      status: 'joined',
      joinedAt: NOW,
      milestones: [{ key: 'joined', text: '🟢 The meeting started: participants are in the room.' }],
    });
    const running = sessionFixture({ kind: 'conference', status: 'joined', vendorState: 'ongoing', joinedAt: new Date(NOW.getTime() - 600_000) });
    const ended = observeConference(running, { status: 'finished', end_time: '2026-11-25T13:00:00.000Z' }, NOW);
    assert.equal(ended?.status, 'ended');
    assert.deepEqual(ended?.endedAt, NOW);
    assert.deepEqual(ended?.milestones, [{ key: 'ended', text: '✅ The session ended after 10 minutes.' }]);
  });

  it('Refresh reads the meeting at the injected clock and posts the completed recordings of an ended one in the same outcome', async () => {
    const client = {
      async listConferences() {
        // Planned to end three hours before the injected now: overdue, so taken as ended.
        return { total: 1, data: [{ id: 12, status: 'ongoing', end_time: '2026-11-25T09:00:00.000Z' }] };
      },
      async listConferenceMedia() {
        return {
          total: 2,
          data: [
            { id: 5, status: 'completed', title: 'Recording', filename: 'r.mp4', media_type: 'video/mp4', url: 'https://media.example/r.mp4', filesize: 10 },
            { id: 6, status: 'processing', title: 'Later', filename: 'l.mp4', media_type: 'video/mp4', url: 'https://media.example/l.mp4', filesize: 10 },
          ],
        };
      },
    } as unknown as ApizeeClient;
    const tracker = new ApizeeConferenceTracker({ client, logger: createLogger('silent'), intervalMs: 1000, now: () => NOW });
    const session = sessionFixture({ kind: 'conference', vendorId: '12', status: 'joined', vendorState: 'ongoing', tracking: true, joinedAt: NOW });
    const outcome = await tracker.reconcile(session);
    assert.equal(outcome?.status, 'ended');
    assert.deepEqual(outcome?.endedAt, NOW);
    // A recording still processing: the media have not settled, so tracking goes on.
    assert.equal(outcome?.tracking, undefined);
    assert.deepEqual(outcome?.media, [{ id: '5', title: 'Recording', type: 'video/mp4', url: 'https://media.example/r.mp4', sizeBytes: 10, location: undefined }]);
    assert.deepEqual(outcome?.details?.media_posted, ['5']);
  });
});
