/**
 * ApizeeClient: Video Meeting conferences, their media, and ticket statistics. Expected requests
 * and answers come from the seed (vendor-docs/003_01ba85c3200b1726.txt) and REFERENCE.md §4.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import nock from 'nock';
import { createLogger } from '../../src/logger.js';
import { ApizeeClient, type NewConference } from '../../src/vendors/apizee/client.js';
import { TICKET_STATS_KEYS, TicketStatsRow, type TicketStats } from '../../src/vendors/apizee/schemas.js';
import { VendorHealth } from '../../src/vendors/health.js';
import { APIZEE_BASE as BASE, APIZEE_SETTINGS as SETTINGS, apizeeLogin } from '../helpers/apizee-client.js';
import { vendorError } from '../helpers/vendor-error.js';

const TOKEN = 'tok-7c1d9e';

// Seed 003, POST /conferences response example, verbatim.
const SEED_CREATED_CONFERENCE = {
  id: 842199,
  name: 'TEST',
  created: '2023-07-13T08:28:31+00:00',
  modified: '2023-07-13T08:28:31+00:00',
  start_time: '2023-07-13T08:28:31+00:00',
  end_time: '2023-07-13T09:28:31+00:00',
  status: 'scheduled',
  room_name: '7a3dc7993234907508525829e02f2388:ae226154999f5d50f9e6f909e27c5113',
  url: 'https://meet.apizee.com/private/7a3dc7993234907508525829e02f2388/ae226154999f5d50f9e6f909e27c5113',
  short_url: 'https://apz.fr/v639BqrklV',
  sip_phone_number: '+33 2 57 57 97 61',
  sip_dtmf_code: '342543',
  organizer: { id: 2888, name: 'Agent 1' },
  created_by: { id: 1234, name: 'API' },
  service_key: 'f7a0300abf044e86bfcc7d9ae906381e',
  moderator: { id: 2899, name: 'Dr Doe' },
};

// Seed 003, GET /conferences response example, verbatim.
const SEED_CONFERENCE_LIST = {
  total: 1,
  data: [
    {
      id: 842341,
      name: 'TEST XX',
      created: '2023-07-13T16:21:57+00:00',
      modified: '2023-07-13T16:23:36+00:00',
      start_time: '2023-07-13T16:21:57+00:00',
      end_time: '2023-07-13T17:21:57+00:00',
      status: 'ongoing',
      room_name: '7a3dc7993234907508525829e02f2388:5c310ee2210c24730a12929e1ec10a21',
      url: 'https://meet.apizee.com/private/7a3dc7993234907508525829e02f2388/5c310ee2210c24730a12929e1ec10a21',
      short_url: 'https://apz.fr/5lKzrPDXWQ',
      sip_phone_number: '+33 2 57 57 97 61',
      sip_dtmf_code: '031092',
      organizer: { id: 2899231, name: 'Dr Doe' },
      created_by: { id: 1234, name: 'API' },
      service_key: 'f7a0300abf044e86bfcc7d9ae906381e',
      moderator: { id: 2899, name: 'Dr Doe' },
    },
  ],
};

// Seed 003, GET /conferences/842341/media response example. The seed's JSON lacks the `}` that
// closes the item; it is added here, nothing else changed.
const SEED_CONFERENCE_MEDIA = {
  total: 2,
  data: [
    {
      id: 2343988,
      hash: 'aec9aca0-2199-11ee-9a17-c7ee7339236a',
      created: '2023-07-13T16:24:04+00:00',
      owner: { id: 2899, name: 'Dr Doe' },
      title: '0YW553BN-8214-composite',
      description: null,
      filename: '0YW553BN-8214-composite.mp4',
      status: 'completed',
      media_type: 'video',
      url: 'https://cloud.apizee.com/media/showVideo/1/hash/aec9aca0-2199-11ee-9a17-c7ee7339236a',
      filesize: 2270386,
      source_type: 'conf_record',
      geoloc: { lat: 48.7611333, lng: -3.4669605 },
      metadata: { geoloc: { lat: 48.7611333, lng: -3.4669605 } },
    },
  ],
};

// Seed 003, GET /enterprises/1/tickets-stats response example, verbatim (French keys).
const SEED_TICKET_STATS: Array<Record<string, unknown>> = JSON.parse(
  readFileSync(new URL('../fixtures/apizee-tickets-stats.json', import.meta.url), 'utf8'),
);

// The seed row, read in English.
const SEED_TICKET_STATS_ENGLISH: TicketStats = {
  id: 821793,
  reference: '1234',
  description: '',
  priority: 'Immédiat',
  requester: 'xx',
  contact: '+33612345678',
  state: 'Fermé',
  assignedTo: 'Agent 1',
  group: 'Support',
  type: null,
  sessionStart: '2023-07-13 18:03:13',
  sessionEnd: '2023-07-13 18:33:13',
  answered: false,
  invitations: 0,
  emailInvitations: 0,
  smsInvitations: 1,
  calls: 1,
  totalCallSeconds: 335,
  photos: 1,
  videos: 0,
  login: 'agent1@apizee.com',
  service: 'Tickets',
  scans: 0,
  device: 'K',
  operatingSystem: 'Android 10',
  browser: 'Chrome 114.0.0.0',
};

// The seed's curl, query string verbatim.
const SEED_CREATE_QUERY =
  'participants=invite12345%40yopmail.com%2C0612345678&name=TEST&moderation=true&invite=true&moderator=agent1%40apizee.com';
const SEED_CONFERENCE: NewConference = {
  participants: ['invite12345@yopmail.com', '0612345678'],
  name: 'TEST',
  moderation: true,
  moderator: 'agent1@apizee.com',
};

function makeClient() {
  return new ApizeeClient(SETTINGS, { logger: createLogger('silent'), health: new VendorHealth() });
}

function login(scope = nock(BASE)) {
  return apizeeLogin(TOKEN, scope);
}

/** Answers `body` to one request on `method path` and records the exact query string it carried. */
function capture(method: 'get' | 'post', path: string, body: unknown) {
  const seen: string[] = [];
  const scope = (method === 'get' ? login().get(path) : login().post(path))
    .query(true)
    .matchHeader('authorization', `Bearer ${TOKEN}`)
    .reply(200, (uri) => {
      seen.push(uri.slice(uri.indexOf('?') + 1));
      return body;
    });
  return { scope, seen };
}

function without<T extends object>(value: T, key: keyof T): Partial<T> {
  const copy = { ...value };
  delete copy[key];
  return copy;
}

describe('ApizeeClient: conferences and ticket statistics', () => {
  describe('createConference', () => {
    it("sends the seed's curl query string exactly, invite defaulting to true", async () => {
      const { scope, seen } = capture('post', '/api/conferences', SEED_CREATED_CONFERENCE);
      await makeClient().createConference(SEED_CONFERENCE);
      scope.done();
      assert.deepEqual(seen, [SEED_CREATE_QUERY]);
    });

    it('sends message, false booleans, startTime in ISO 8601 UTC and duration', async () => {
      const { scope, seen } = capture('post', '/api/conferences', SEED_CREATED_CONFERENCE);
      await makeClient().createConference({
        participants: ['+33612345678'],
        name: 'Boiler & pipes',
        message: 'Join at 10:30',
        moderation: false,
        invite: false,
        startTime: new Date('2030-01-02T10:30:00.250+01:00'),
        duration: 45,
      });
      scope.done();
      assert.deepEqual(seen, [
        'participants=%2B33612345678&name=Boiler+%26+pipes&message=Join+at+10%3A30&moderation=false' +
          '&startTime=2030-01-02T09%3A30%3A00Z&duration=45&invite=false',
      ]);
    });

    it("parses the seed's creation answer", async () => {
      login().post('/api/conferences').query(true).reply(200, SEED_CREATED_CONFERENCE);
      const conference = await makeClient().createConference(SEED_CONFERENCE);
      assert.deepEqual(conference, SEED_CREATED_CONFERENCE);
    });

    it('accepts an answer without name or moderator, and refuses one without url', async () => {
      const withoutUrl = without(SEED_CREATED_CONFERENCE, 'url');
      const withoutModerator = without(SEED_CREATED_CONFERENCE, 'moderator');
      login()
        .post('/api/conferences')
        .query(true)
        .reply(200, { ...withoutModerator, name: null })
        .post('/api/conferences')
        .query(true)
        .reply(200, { ...SEED_CREATED_CONFERENCE, moderator: null })
        .post('/api/conferences')
        .query(true)
        .reply(200, withoutUrl);
      const client = makeClient();
      const unnamed = await client.createConference({ participants: ['a@example.com'] });
      assert.equal(unnamed.name, null);
      assert.equal(unnamed.moderator, undefined);
      assert.equal((await client.createConference({ participants: ['a@example.com'] })).moderator, null);
      const error = await vendorError(client.createConference({ participants: ['a@example.com'] }));
      assert.equal(error.code, 'bad_response');
    });

    it('does not retry a 500: a POST that creates things is never sent twice', async () => {
      const scope = login()
        .post('/api/conferences')
        .query(true)
        .reply(500, { error: 'boom' })
        .post('/api/conferences')
        .query(true)
        .reply(200, SEED_CREATED_CONFERENCE);
      const error = await vendorError(makeClient().createConference(SEED_CONFERENCE));
      assert.equal(error.code, 'unavailable');
      assert.equal(scope.pendingMocks().length, 1);
    });

    describe('checks its input before any request', () => {
      const cases: Array<[string, NewConference, RegExp]> = [
        ['a one-character name', { participants: ['a@example.com'], name: 'x' }, /name must be 2 to 255 characters/],
        ['a 256-character name', { participants: ['a@example.com'], name: 'n'.repeat(256) }, /name must be 2 to 255 characters/],
        ['a 301-character message', { participants: ['a@example.com'], message: 'm'.repeat(301) }, /at most 300 characters/],
        ['no participant', { participants: [] }, /at least one participant/],
        ['an empty participant', { participants: ['a@example.com', ' '] }, /no participant may be empty/],
        ['a participant with a comma', { participants: ['a@example.com,b@example.com'] }, /may not contain a comma/],
        ['a zero duration', { participants: ['a@example.com'], duration: 0 }, /at least 1/],
        ['a fractional duration', { participants: ['a@example.com'], duration: 1.5 }, /whole number of minutes/],
        ['an invalid start time', { participants: ['a@example.com'], startTime: new Date('nope') }, /not a valid date/],
      ];
      for (const [label, input, detail] of cases) {
        it(`refuses ${label} as "rejected"`, async () => {
          const scope = login().post('/api/conferences').query(true).reply(200, SEED_CREATED_CONFERENCE);
          const error = await vendorError(makeClient().createConference(input));
          assert.equal(error.code, 'rejected');
          assert.equal(error.operation, 'createConference');
          assert.equal(error.status, undefined);
          assert.equal(error.retryable, false);
          assert.match(error.detail ?? '', detail);
          assert.equal(scope.pendingMocks().length, 2, 'neither the login nor the POST was sent');
        });
      }

      it('lets the limits themselves through: 2 and 255 characters, a 300-character message', async () => {
        const scope = login().post('/api/conferences').query(true).times(2).reply(200, SEED_CREATED_CONFERENCE);
        const client = makeClient();
        await client.createConference({ participants: ['a@example.com'], name: 'ab', message: 'm'.repeat(300), duration: 1 });
        // 255 code points, 510 UTF-16 units: Apizee counts characters.
        await client.createConference({ participants: ['a@example.com'], name: '😀'.repeat(255) });
        scope.done();
      });
    });
  });

  describe('listConferences', () => {
    it("asks as the seed does and parses the seed's list", async () => {
      const { scope, seen } = capture('get', '/api/conferences', SEED_CONFERENCE_LIST);
      const list = await makeClient().listConferences(
        { search: 'TEST', since: new Date('2023-07-11T00:00:00Z'), limit: 100 },
        'interactive',
      );
      scope.done();
      assert.deepEqual(seen, ['search=TEST&since=2023-07-11T00%3A00%3A00Z&orderby=date&order=desc&limit=100']);
      assert.deepEqual(list, { ...SEED_CONFERENCE_LIST, skipped: [] });
      assert.equal(list.data[0]!.status, 'ongoing');
    });

    it('leaves search and since out when not given and caps the limit at 100', async () => {
      const { scope, seen } = capture('get', '/api/conferences', { total: 0, data: [] });
      await makeClient().listConferences({ limit: 500 }, 'interactive');
      scope.done();
      assert.deepEqual(seen, ['orderby=date&order=desc&limit=100']);
    });

    it('retries a 500 once (a GET)', async () => {
      const scope = login()
        .get('/api/conferences')
        .query(true)
        .reply(500)
        .get('/api/conferences')
        .query(true)
        .reply(200, SEED_CONFERENCE_LIST);
      assert.equal((await makeClient().listConferences({ limit: 10 }, 'interactive')).total, 1);
      scope.done();
    });
  });

  describe('listConferenceMedia', () => {
    it("reads the seed's media from /conferences/{id}/media, with geoloc {lat, lng}", async () => {
      const { scope, seen } = capture('get', '/api/conferences/842341/media', SEED_CONFERENCE_MEDIA);
      const media = await makeClient().listConferenceMedia('842341', 'interactive');
      scope.done();
      assert.deepEqual(seen, ['limit=100&orderby=date&order=desc']);
      assert.equal(media.total, 2);
      const [recording] = media.data;
      assert.equal(recording!.media_type, 'video');
      assert.equal(recording!.source_type, 'conf_record');
      assert.equal(recording!.filesize, 2270386);
      assert.deepEqual(recording!.geoloc, { lat: 48.7611333, lng: -3.4669605 });
      assert.deepEqual(recording!.metadata, { geoloc: { lat: 48.7611333, lng: -3.4669605 } });
    });

    it('refuses the ticket media shape (medias, location{lat, lon}) as "bad_response"', async () => {
      login()
        .get('/api/conferences/842341/media')
        .query(true)
        .reply(200, { limit: 10, offset: 0, medias: [], count: 0 });
      const error = await vendorError(makeClient().listConferenceMedia('842341', 'interactive'));
      assert.equal(error.code, 'bad_response');
    });

    it('answers "not_found" for an unknown conference', async () => {
      login().get('/api/conferences/1/media').query(true).reply(404, { error: 'Not found' });
      assert.equal((await vendorError(makeClient().listConferenceMedia('1', 'interactive'))).code, 'not_found');
    });
  });

  describe('ticketStats', () => {
    it('asks /enterprises/{id}/tickets-stats for JSON and reads the seed row in English', async () => {
      const { scope, seen } = capture('get', '/api/enterprises/1/tickets-stats', SEED_TICKET_STATS);
      const rows = await makeClient().ticketStats({ since: '2023-07-13', until: '2023-07-14' });
      scope.done();
      assert.deepEqual(seen, ['format=JSON&since=2023-07-13&until=2023-07-14']);
      assert.deepEqual(rows, [SEED_TICKET_STATS_ENGLISH]);
    });

    it('maps every French key of the seed row, each to its own English field', () => {
      const french = Object.keys(SEED_TICKET_STATS[0]!).sort();
      assert.deepEqual(Object.keys(TICKET_STATS_KEYS).sort(), french);
      const english = Object.values(TICKET_STATS_KEYS);
      assert.equal(new Set(english).size, english.length);
      assert.deepEqual([...english].sort(), Object.keys(SEED_TICKET_STATS_ENGLISH).sort());
    });

    it('reads "oui" as answered, keeps a textual Ref, and matches decomposed accents', () => {
      const row = { ...SEED_TICKET_STATS[0]!, 'Répondues': 'oui', Ref: 'CASE-42' };
      const parsed = TicketStatsRow.parse(row);
      assert.equal(parsed.answered, true);
      assert.equal(parsed.reference, 'CASE-42');

      const decomposed = Object.fromEntries(Object.entries(SEED_TICKET_STATS[0]!).map(([key, value]) => [key.normalize('NFD'), value]));
      assert.notDeepEqual(Object.keys(decomposed), Object.keys(SEED_TICKET_STATS[0]!));
      assert.deepEqual(TicketStatsRow.parse(decomposed), SEED_TICKET_STATS_ENGLISH);
    });

    it('fails as "bad_response" on an unknown "Répondues" value or a missing call duration', async () => {
      const withoutDuration = without(SEED_TICKET_STATS[0]!, 'Durée totale des appels (secondes)');
      login()
        .get('/api/enterprises/1/tickets-stats')
        .query(true)
        .reply(200, [{ ...SEED_TICKET_STATS[0], 'Répondues': 'peut-être' }])
        .get('/api/enterprises/1/tickets-stats')
        .query(true)
        .reply(200, [withoutDuration]);
      const client = makeClient();
      assert.equal((await vendorError(client.ticketStats({ since: '2023-07-13', until: '2023-07-13' }))).code, 'bad_response');
      assert.equal((await vendorError(client.ticketStats({ since: '2023-07-13', until: '2023-07-13' }))).code, 'bad_response');
    });

    it('checks the days before any request', async () => {
      const bad = [
        { since: '13/07/2023', until: '2023-07-14' },
        { since: '2023-07-13', until: '2023-02-30' },
        { since: '2023-07-14', until: '2023-07-13' },
      ];
      for (const range of bad) {
        const scope = login().get('/api/enterprises/1/tickets-stats').query(true).reply(200, []);
        const error = await vendorError(makeClient().ticketStats(range));
        assert.equal(error.code, 'rejected', JSON.stringify(range));
        assert.match(error.detail ?? '', /since|until/);
        assert.equal(scope.pendingMocks().length, 2, `no request for ${JSON.stringify(range)}`);
        nock.cleanAll();
      }
    });
  });
});
