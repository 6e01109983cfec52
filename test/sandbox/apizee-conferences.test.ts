/**
 * Contract tests for the Apizee sandbox's Video Meeting conferences, their media and the ticket
 * statistics. Expected shapes come from the seed document (vendor-docs/003_01ba85c3200b1726.txt,
 * "seed") and REFERENCE.md §4; the last block runs the real ApizeeClient against the sandbox.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { ApizeeSettings } from '../../src/vendors/apizee/client.js';
import { createLogger } from '../../src/logger.js';
import {
  APIZEE_TICKET_STATS_STATE_LABELS,
  startApizeeSandbox,
  type ApizeeSandbox,
  type ApizeeSandboxOptions,
} from '../../sandbox/apizee.js';
import { ApizeeClient } from '../../src/vendors/apizee/client.js';
import { VendorHealth } from '../../src/vendors/health.js';
import { closedAfterEach } from '../helpers/sandboxes.js';

// Keys of the seed's POST /conferences answer (the GET /conferences items have the same).
const SEED_CONFERENCE_KEYS = [
  'id', 'name', 'created', 'modified', 'start_time', 'end_time', 'status', 'room_name', 'url', 'short_url',
  'sip_phone_number', 'sip_dtmf_code', 'organizer', 'created_by', 'service_key', 'moderator',
];
// Keys of the seed's conference media item (geolocated).
const SEED_CONFERENCE_MEDIA_KEYS = [
  'id', 'hash', 'created', 'owner', 'title', 'description', 'filename', 'status', 'media_type', 'url', 'filesize',
  'source_type', 'geoloc', 'metadata',
];
// Keys of the seed's tickets-stats row, in order.
const SEED_STATS_KEYS = Object.keys(
  (JSON.parse(readFileSync(new URL('../fixtures/apizee-tickets-stats.json', import.meta.url), 'utf8')) as object[])[0]!,
);
const SEED_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$/;
const STATS_DATE = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

const AGENT = { username: 'agent@example.com', password: 'secret' };
const MODERATOR = { username: 'doe@example.com', password: 'pw2', enterpriseId: 1, name: 'Dr Doe' };
// The seed curl's parameters.
const SEED_CREATE = { participants: 'invite12345@yopmail.com,0612345678', name: 'TEST', moderation: 'true', invite: 'true' };

/** Untyped JSON object, for reading answers in assertions. */
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function sortedKeys(value: unknown): string[] {
  return Object.keys(value as object).sort();
}

describe('Apizee sandbox: conferences and ticket statistics (seed 003 + REFERENCE §4)', () => {
  const start = closedAfterEach((options: ApizeeSandboxOptions = {}) =>
    startApizeeSandbox({ accounts: [{ ...AGENT, enterpriseId: 1, name: 'Agent 1' }, MODERATOR], ...options }),
  );

  function startRoomy(options: ApizeeSandboxOptions = {}): Promise<ApizeeSandbox> {
    return start({ ratePerMinute: 1000, ...options });
  }

  async function call(sandbox: ApizeeSandbox, method: string, path: string, token?: string, query: Record<string, string> = {}) {
    const url = new URL(sandbox.url + path);
    for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
    const response = await fetch(url, { method, headers: { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) } });
    return { status: response.status, headers: response.headers, body: (await response.json()) as Json };
  }

  async function getToken(sandbox: ApizeeSandbox, credentials: { username: string; password: string } = AGENT): Promise<string> {
    const result = await call(sandbox, 'POST', '/token', undefined, { grant_type: 'password', ...credentials });
    assert.equal(result.status, 200);
    return result.body.access_token as string;
  }

  function createConference(sandbox: ApizeeSandbox, token: string, query: Record<string, string>) {
    return call(sandbox, 'POST', '/conferences', token, query);
  }

  describe('POST /conferences', () => {
    it("answers the seed's field set: scheduled, meet URL, short URL, SIP number and a 6-digit DTMF code", async () => {
      const clock = Date.UTC(2024, 2, 1, 8, 28, 31);
      const sandbox = await startRoomy({ now: () => clock });
      const token = await getToken(sandbox);
      const result = await createConference(sandbox, token, { ...SEED_CREATE, moderator: MODERATOR.username });
      assert.equal(result.status, 200);
      const c = result.body;
      assert.deepEqual(Object.keys(c), SEED_CONFERENCE_KEYS, 'same keys, in the seed order');
      assert.equal(typeof c.id, 'number');
      assert.equal(c.name, 'TEST');
      assert.equal(c.status, 'scheduled');
      for (const field of ['created', 'modified', 'start_time', 'end_time']) assert.match(c[field], SEED_DATE);
      assert.equal(c.start_time, '2024-03-01T08:28:31+00:00');
      assert.equal(c.end_time, '2024-03-01T09:28:31+00:00', 'one hour by default, as in the seed');
      const url = /^https:\/\/meet\.apizee\.example\/private\/([0-9a-f]{32})\/([0-9a-f]{32})$/.exec(c.url);
      assert.ok(url, c.url);
      assert.equal(c.room_name, `${url[1]}:${url[2]}`);
      assert.match(c.short_url, /^https:\/\/apz\.example\/[A-Za-z0-9]{10}$/);
      assert.match(c.sip_phone_number, /^\+33( \d{1,2})+$/);
      assert.match(c.sip_dtmf_code, /^\d{6}$/);
      assert.deepEqual(c.organizer, { id: 2888, name: 'Agent 1' });
      assert.deepEqual(c.created_by, { id: 1234, name: 'API' });
      assert.deepEqual(c.moderator, { id: 2889, name: 'Dr Doe' });
      assert.match(c.service_key, /^[0-9a-f]{32}$/);

      const stored = sandbox.conferences.get(c.id);
      assert.deepEqual(stored?.participants, ['invite12345@yopmail.com', '0612345678']);
      assert.equal(stored?.moderation, true);
      assert.equal(stored?.invite, true);
    });

    it('shares the room key within an account, not the room; applies startTime and duration; moderator null when absent', async () => {
      const sandbox = await startRoomy();
      const token = await getToken(sandbox);
      const first = (await createConference(sandbox, token, { participants: 'a@example.com' })).body;
      const second = (
        await createConference(sandbox, token, { participants: '+33612345678', startTime: '2030-01-02T09:30:00Z', duration: '45', moderator: '2889' })
      ).body;
      assert.equal(first.room_name.split(':')[0], second.room_name.split(':')[0]);
      assert.notEqual(first.room_name, second.room_name);
      assert.notEqual(first.short_url, second.short_url);
      assert.equal(first.moderator, null);
      assert.equal(first.name, null);
      assert.deepEqual(Object.keys(first), SEED_CONFERENCE_KEYS);
      assert.equal(second.start_time, '2030-01-02T09:30:00+00:00');
      assert.equal(second.end_time, '2030-01-02T10:15:00+00:00');
      assert.deepEqual(second.moderator, { id: 2889, name: 'Dr Doe' }, 'a moderator by user id');
      assert.equal(sandbox.conferences.get(first.id)?.invite, true, 'invite defaults to true');
    });

    it('answers 400 with the v2 error body for each bad parameter, and stores nothing', async () => {
      const sandbox = await startRoomy();
      const token = await getToken(sandbox);
      const ok = { participants: 'a@example.com' };
      const bad: Array<[Record<string, string>, string]> = [
        [{}, 'participants'],
        [{ participants: '' }, 'participants'],
        [{ participants: 'a@example.com,' }, 'participants'],
        [{ participants: 'a@example.com,not-a-contact' }, 'participants'],
        [{ participants: '06 12 34 56 78' }, 'participants'],
        [{ ...ok, name: 'x' }, 'name'],
        [{ ...ok, name: 'n'.repeat(256) }, 'name'],
        [{ ...ok, message: 'm'.repeat(301) }, 'message'],
        [{ ...ok, password: '12a4' }, 'password'],
        [{ ...ok, moderation: 'yes' }, 'moderation'],
        [{ ...ok, invite: 'maybe' }, 'invite'],
        [{ ...ok, open: '2' }, 'open'],
        [{ ...ok, duration: '0' }, 'duration'],
        [{ ...ok, duration: '1.5' }, 'duration'],
        [{ ...ok, reminder: '61' }, 'reminder'],
        [{ ...ok, startTime: '2030-01-02T10:30:00+01:00' }, 'startTime'],
        [{ ...ok, startTime: 'tomorrow' }, 'startTime'],
        [{ ...ok, moderator: 'nobody@example.com' }, 'moderator'],
      ];
      for (const [query, parameter] of bad) {
        const result = await createConference(sandbox, token, query);
        assert.equal(result.status, 400, JSON.stringify(query));
        assert.equal(result.body.code, 10);
        assert.equal(result.body.details, `Parameter ${parameter}`, JSON.stringify(query));
      }
      assert.equal(sandbox.conferences.size, 0);

      const limits = await createConference(sandbox, token, {
        participants: 'a@example.com, +33612345678',
        name: 'ab',
        message: 'm'.repeat(300),
        password: '12*#',
        moderation: 'FALSE',
        invite: '0',
        open: 'true',
        duration: '1',
        reminder: '60',
        startTime: '2030-01-02T09:30:00.000+00:00',
        scope: 'sso',
      });
      assert.equal(limits.status, 200, JSON.stringify(limits.body));
      assert.equal(sandbox.conferences.get(limits.body.id)?.invite, false);
    });
  });

  describe('GET /conferences', () => {
    async function seedConferences() {
      let clock = Date.UTC(2023, 6, 12, 9);
      const sandbox = await startRoomy({ now: () => clock });
      const ids: number[] = [];
      for (const name of ['TEST XX', 'Weekly sync', 'another test']) {
        clock += 86_400_000;
        // A fresh token each day: they last 24 h.
        ids.push((await createConference(sandbox, await getToken(sandbox), { participants: 'a@example.com', name })).body.id as number);
      }
      return { sandbox, token: await getToken(sandbox), ids };
    }

    it('finds by name, case-insensitively, newest first, with total', async () => {
      const { sandbox, token, ids } = await seedConferences();
      const result = await call(sandbox, 'GET', '/conferences', token, { search: 'test', orderby: 'date', order: 'desc', limit: '100' });
      assert.equal(result.status, 200);
      assert.deepEqual(sortedKeys(result.body), ['data', 'total']);
      assert.equal(result.body.total, 2);
      assert.deepEqual(result.body.data.map((c: Json) => c.id), [ids[2], ids[0]]);
      assert.deepEqual(Object.keys(result.body.data[0]), SEED_CONFERENCE_KEYS);

      const none = await call(sandbox, 'GET', '/conferences', token, { search: 'nothing' });
      assert.deepEqual(none.body, { total: 0, data: [] });
    });

    it('filters by since, orders asc on demand and limits after counting', async () => {
      const { sandbox, token, ids } = await seedConferences();
      const since = await call(sandbox, 'GET', '/conferences', token, { since: '2023-07-14T00:00:00Z' });
      assert.deepEqual(since.body.data.map((c: Json) => c.id), [ids[2], ids[1]]);
      const day = await call(sandbox, 'GET', '/conferences', token, { since: '2023-07-15' });
      assert.deepEqual(day.body.data.map((c: Json) => c.id), [ids[2]]);
      const asc = await call(sandbox, 'GET', '/conferences', token, { order: 'asc', limit: '2' });
      assert.equal(asc.body.total, 3);
      assert.deepEqual(asc.body.data.map((c: Json) => c.id), [ids[0], ids[1]]);

      for (const [query, parameter] of [
        [{ since: 'last week' }, 'since'],
        [{ limit: '101' }, 'limit'],
        [{ orderby: 'name' }, 'orderby'],
        [{ order: 'up' }, 'order'],
      ] as const) {
        const refused = await call(sandbox, 'GET', '/conferences', token, query);
        assert.equal(refused.status, 400);
        assert.equal(refused.body.details, `Parameter ${parameter}`);
      }
    });

    it("shows status changes and keeps other enterprises' conferences out", async () => {
      const sandbox = await startRoomy({
        accounts: [
          { ...AGENT, enterpriseId: 1 },
          { username: 'other@example.com', password: 'pw', enterpriseId: 2 },
        ],
      });
      const token = await getToken(sandbox);
      const { id } = (await createConference(sandbox, token, { participants: 'a@example.com' })).body;
      sandbox.setConferenceStatus(id, 'ongoing', new Date('2030-01-01T10:00:00Z'));
      const listed = (await call(sandbox, 'GET', '/conferences', token)).body.data[0];
      assert.equal(listed.status, 'ongoing');
      assert.equal(listed.modified, '2030-01-01T10:00:00+00:00');

      const other = await getToken(sandbox, { username: 'other@example.com', password: 'pw' });
      assert.deepEqual((await call(sandbox, 'GET', '/conferences', other)).body, { total: 0, data: [] });
      assert.equal((await call(sandbox, 'GET', `/conferences/${id}/media`, other)).status, 404);
    });
  });

  describe('GET /conferences/{id}/media', () => {
    it("lists recordings in the seed's shape: data/total, geoloc {lat, lng} and metadata only when located", async () => {
      const sandbox = await startRoomy();
      const token = await getToken(sandbox);
      const { id } = (await createConference(sandbox, token, { ...SEED_CREATE, moderator: MODERATOR.username })).body;
      sandbox.setConferenceStatus(id, 'ongoing');
      const located = sandbox.addConferenceRecording(id, { geoloc: { lat: 48.7611333, lng: -3.4669605 }, filesize: 2270386 });
      await new Promise((resolve) => setTimeout(resolve, 5));
      const plain = sandbox.addConferenceRecording(id, { title: 'second' });

      const result = await call(sandbox, 'GET', `/conferences/${id}/media`, token, { limit: '10', orderby: 'date', order: 'desc' });
      assert.equal(result.status, 200);
      assert.deepEqual(sortedKeys(result.body), ['data', 'total']);
      assert.equal(result.body.total, 2);
      const [newest, oldest] = result.body.data as Json[];
      assert.equal(newest!.id, plain.id);
      assert.deepEqual(Object.keys(oldest!), SEED_CONFERENCE_MEDIA_KEYS, 'same keys, in the seed order');
      assert.deepEqual(Object.keys(newest!), SEED_CONFERENCE_MEDIA_KEYS.filter((k) => k !== 'geoloc' && k !== 'metadata'));
      assert.deepEqual(oldest!.geoloc, { lat: 48.7611333, lng: -3.4669605 });
      assert.deepEqual(oldest!.metadata, { geoloc: { lat: 48.7611333, lng: -3.4669605 } });
      assert.equal(oldest!.hash, located.hash);
      assert.equal(oldest!.status, 'completed');
      assert.equal(oldest!.media_type, 'video');
      assert.equal(oldest!.source_type, 'conf_record');
      assert.equal(oldest!.filesize, 2270386);
      assert.equal(oldest!.description, null);
      assert.deepEqual(oldest!.owner, { id: 2889, name: 'Dr Doe' }, 'the moderator owns the recording, as in the seed');
      assert.match(oldest!.title, /^[A-Z0-9]{8}-\d{4}-composite$/);
      assert.equal(oldest!.filename, `${oldest!.title}.mp4`);
      assert.equal(oldest!.url, `https://cloud.apizee.example/media/showVideo/1/hash/${located.hash}`);
      assert.match(oldest!.created, SEED_DATE);
      assert.equal(newest!.filename, 'second.mp4');
    });

    it('answers 404 for an unknown conference', async () => {
      const sandbox = await startRoomy();
      const token = await getToken(sandbox);
      for (const id of ['999999', 'abc']) {
        const result = await call(sandbox, 'GET', `/conferences/${id}/media`, token);
        assert.equal(result.status, 404);
        assert.deepEqual(result.body, { error: 'Not found' });
      }
    });
  });

  describe('conference life cycle (scheduled → ongoing → ended; "ended" is an assumption)', () => {
    it('moves forward only, stamps modified, and end_time when ended', async () => {
      const sandbox = await startRoomy();
      const token = await getToken(sandbox);
      const { id } = (await createConference(sandbox, token, { participants: 'a@example.com' })).body;
      const ended = new Date('2030-01-01T10:12:00Z');
      sandbox.setConferenceStatus(id, 'ongoing');
      assert.throws(() => sandbox.setConferenceStatus(id, 'scheduled'), /cannot go from ongoing to scheduled/);
      sandbox.setConferenceStatus(id, 'ended', ended);
      assert.throws(() => sandbox.setConferenceStatus(id, 'ongoing'), /cannot go from ended to ongoing/);
      const listed = (await call(sandbox, 'GET', '/conferences', token)).body.data[0];
      assert.equal(listed.status, 'ended');
      assert.equal(listed.end_time, '2030-01-01T10:12:00+00:00');
      assert.throws(() => sandbox.setConferenceStatus(424242, 'ongoing'), /no conference 424242/);
      assert.throws(() => sandbox.addConferenceRecording(424242), /no conference 424242/);

      const skipped = (await createConference(sandbox, token, { participants: 'a@example.com' })).body.id;
      sandbox.setConferenceStatus(skipped, 'ended');
      assert.equal(sandbox.conferences.get(skipped)?.status, 'ended');
    });
  });

  describe('GET /enterprises/{eid}/tickets-stats', () => {
    it("answers one row per ticket created in the range, in the seed's French shape", async () => {
      let clock = Date.UTC(2023, 6, 12, 23, 59, 59);
      const sandbox = await startRoomy({ now: () => clock });
      // A fresh token per request: the clock crosses days and tokens last 24 h.
      const ticket = async (query: Record<string, string>) =>
        call(sandbox, 'POST', '/tickets', await getToken(sandbox), { agent: AGENT.username, ...query });

      await ticket({ phone: '+33612345678', invite: '1', reference: 'before' });
      clock = Date.UTC(2023, 6, 13, 18, 3, 13);
      const done = (await ticket({ phone: '+33612345678', invite: '1', reference: '1234' })).body.id as number;
      clock += 60_000;
      const pending = (await ticket({ email: 'guest@example.org', reference: 'CASE-7' })).body.id as number;
      clock = Date.UTC(2023, 6, 14, 23, 59, 59);
      const lastDay = (await ticket({ email: 'guest@example.org', invite: '1' })).body.id as number;
      clock += 1000;
      await ticket({ phone: '+33612345678', invite: '1', reference: 'after' });

      sandbox.setTicketState(done, 'inprogress', new Date(Date.UTC(2023, 6, 13, 18, 5, 0)));
      sandbox.addTicketMedia(done, { title: 'snap', type: 'image/jpeg', location: { lat: 48.77, lon: -3.51 } });
      sandbox.addTicketMedia(done, { title: 'snap2', type: 'image/jpeg' });
      sandbox.addTicketMedia(done, { title: 'clip', type: 'video/mp4' });
      sandbox.setTicketState(done, 'done', new Date(Date.UTC(2023, 6, 13, 18, 10, 35)));
      sandbox.setTicketState(done, 'closed');

      const token = await getToken(sandbox);
      const result = await call(sandbox, 'GET', '/enterprises/1/tickets-stats', token, { format: 'JSON', since: '2023-07-13', until: '2023-07-14' });
      assert.equal(result.status, 200);
      const rows = result.body as unknown as Json[];
      assert.ok(Array.isArray(rows));
      assert.deepEqual(rows.map((r) => r.ID), [done, pending, lastDay], 'created in the range, until inclusive, oldest first');
      for (const row of rows) {
        assert.deepEqual(Object.keys(row), SEED_STATS_KEYS, 'the seed keys, in the seed order');
        assert.match(row['Date de début de session'], STATS_DATE);
        assert.match(row['Date de fin'], STATS_DATE);
      }

      const [closed, fresh, emailed] = rows as [Json, Json, Json];
      assert.equal(closed.Ref, 1234, 'a numeric reference is a number, as in the seed');
      assert.equal(closed.Etat, 'Fermé');
      assert.equal(closed['Répondues'], 'oui');
      assert.equal(closed['Nombre Appels'], 1);
      assert.equal(closed['Durée totale des appels (secondes)'], 335, '18:05:00 → 18:10:35');
      assert.equal(closed.Photos, 2);
      assert.equal(closed['Vidéos'], 1);
      assert.equal(closed["Nombre d'invitations SMS"], 1);
      assert.equal(closed["Nombre d'invitations email"], 0);
      assert.equal(closed.Contact, '+33612345678');
      assert.equal(closed.Identifiant, AGENT.username);
      assert.equal(closed.Service, 'Tickets');
      assert.equal(closed['Date de début de session'], '2023-07-13 18:03:13');
      assert.equal(closed['Date de fin'], '2023-07-13 18:10:35');

      assert.equal(fresh.Ref, 'CASE-7');
      assert.equal(fresh.Etat, APIZEE_TICKET_STATS_STATE_LABELS.new);
      assert.equal(fresh['Répondues'], 'non');
      assert.equal(fresh['Nombre Appels'], 0);
      assert.equal(fresh['Durée totale des appels (secondes)'], 0);
      assert.equal(fresh["Nombre d'invitations email"], 0, 'not invited');
      assert.equal(fresh.Photos, 0);

      assert.equal(emailed.Ref, null);
      assert.equal(emailed.Etat, APIZEE_TICKET_STATS_STATE_LABELS.invited);
      assert.equal(emailed["Nombre d'invitations email"], 1);
      assert.equal(emailed["Nombre d'invitations SMS"], 0);

      sandbox.setTicketState(pending, 'invited');
      const later = (await call(sandbox, 'GET', '/enterprises/1/tickets-stats', token, { format: 'JSON', since: '2023-07-13', until: '2023-07-13' })).body as unknown as Json[];
      assert.deepEqual(later.map((r) => r.ID), [done, pending]);
      assert.equal(later[1]!["Nombre d'invitations email"], 1, 'invited later counts too');
    });

    it('names a distinct French label for every state, "Fermé" for done and closed', () => {
      assert.equal(APIZEE_TICKET_STATS_STATE_LABELS.done, 'Fermé');
      assert.equal(APIZEE_TICKET_STATS_STATE_LABELS.closed, 'Fermé');
      const others = Object.entries(APIZEE_TICKET_STATS_STATE_LABELS).filter(([state]) => state !== 'done' && state !== 'closed');
      assert.equal(new Set(others.map(([, label]) => label)).size, others.length);
      assert.ok(others.every(([, label]) => label !== 'Fermé'));
    });

    it('answers 400 for a bad format or day, 403 for another enterprise', async () => {
      const sandbox = await startRoomy();
      const token = await getToken(sandbox);
      const range = { format: 'JSON', since: '2023-07-13', until: '2023-07-14' };
      for (const [query, parameter] of [
        [{ ...range, format: 'CSV' }, 'format'],
        [{ since: range.since, until: range.until }, 'format'],
        [{ ...range, since: '2023-7-13' }, 'since'],
        [{ ...range, until: '2023-02-30' }, 'until'],
        [{ ...range, since: '2023-07-15' }, 'until'],
        [{ format: 'JSON', since: range.since }, 'until'],
      ] as const) {
        const refused = await call(sandbox, 'GET', '/enterprises/1/tickets-stats', token, query);
        assert.equal(refused.status, 400, JSON.stringify(query));
        assert.equal(refused.body.details, `Parameter ${parameter}`, JSON.stringify(query));
      }
      assert.equal((await call(sandbox, 'GET', '/enterprises/1/tickets-stats', token, { ...range, format: 'json' })).status, 200);
      assert.equal((await call(sandbox, 'GET', '/enterprises/2/tickets-stats', token, range)).status, 403);
    });
  });

  describe('authentication and rate limit', () => {
    it('answers 401 on every new route without a valid token', async () => {
      const sandbox = await startRoomy();
      for (const [method, path] of [
        ['POST', '/conferences'],
        ['GET', '/conferences'],
        ['GET', '/conferences/1/media'],
        ['GET', '/enterprises/1/tickets-stats'],
      ] as const) {
        const result = await call(sandbox, method, path, 'not-a-token', { participants: 'a@example.com' });
        assert.equal(result.status, 401, `${method} ${path}`);
        assert.deepEqual(result.body, { error: 'Unauthenticated.' });
      }
      assert.equal(sandbox.conferences.size, 0);
    });

    it('counts conferences, media, stats and tickets in one window of 10 per minute', async () => {
      const clock = Date.UTC(2024, 0, 1, 12);
      const sandbox = await start({ now: () => clock });
      const token = await getToken(sandbox);
      const { id } = (await createConference(sandbox, token, { participants: 'a@example.com' })).body;
      const requests: Array<[string, string, Record<string, string>]> = [
        ['GET', '/conferences', {}],
        ['GET', `/conferences/${id}/media`, {}],
        ['GET', '/enterprises/1/tickets-stats', { format: 'JSON', since: '2024-01-01', until: '2024-01-01' }],
        ['GET', '/tickets', {}],
        ['POST', '/tickets', { agent: AGENT.username, phone: '+33612345678' }],
        ['GET', '/conferences', { search: 'x' }],
        ['GET', `/conferences/${id}/media`, {}],
        ['POST', '/conferences', { participants: 'b@example.com' }],
      ];
      for (const [method, path, query] of requests) {
        assert.equal((await call(sandbox, method, path, token, query)).status, 200, `${method} ${path}`);
      }
      for (const [method, path, query] of [
        ['POST', '/conferences', { participants: 'c@example.com' }],
        ['GET', '/enterprises/1/tickets-stats', { format: 'JSON', since: '2024-01-01', until: '2024-01-01' }],
        ['GET', '/tickets', {}],
      ] as const) {
        const refused = await call(sandbox, method, path, token, query);
        assert.equal(refused.status, 429, `${method} ${path}`);
        assert.equal(refused.body.error, 'You have reached the maximum number of attempts. Please try again later.');
        assert.ok(Number(refused.headers.get('x-ratelimit-reset')) > 0);
      }
      assert.equal(sandbox.conferences.size, 2, 'a refused creation stores nothing');
      assert.equal(sandbox.rateLimitedCount, 3);
    });
  });

  describe('the real ApizeeClient against the sandbox', () => {
    it('creates, finds, lists media and reads ticket stats through the client schemas', async () => {
      const sandbox = await startRoomy();
      const settings: ApizeeSettings = {
        apiUrl: sandbox.url,
        username: AGENT.username,
        password: AGENT.password,
        enterpriseId: '1',
        agent: AGENT.username,
        ratePerMinute: 100,
        timeoutMs: 2000,
      };
      const client = new ApizeeClient(settings, { logger: createLogger('silent'), health: new VendorHealth() });
      const created = await client.createConference({
        participants: ['invite12345@yopmail.com', '0612345678'],
        name: 'Boiler visit',
        message: 'Join from your phone',
        moderation: true,
        startTime: new Date('2030-01-02T09:30:00Z'),
        duration: 30,
        moderator: MODERATOR.username,
      });
      assert.equal(created.status, 'scheduled');
      assert.equal(created.end_time, '2030-01-02T10:00:00+00:00');
      assert.deepEqual(created.moderator, { id: 2889, name: 'Dr Doe' });
      assert.deepEqual(sandbox.conferences.get(created.id)?.participants, ['invite12345@yopmail.com', '0612345678']);
      assert.equal(sandbox.conferences.get(created.id)?.message, 'Join from your phone');

      const found = await client.listConferences({ search: 'BOILER', since: new Date(Date.now() - 60_000), limit: 10 }, 'interactive');
      assert.deepEqual(found.data.map((c) => c.id), [created.id]);

      sandbox.setConferenceStatus(created.id, 'ongoing');
      sandbox.addConferenceRecording(created.id, { geoloc: { lat: 48.76, lng: -3.46 } });
      const media = await client.listConferenceMedia(String(created.id), 'interactive');
      assert.equal(media.total, 1);
      assert.deepEqual(media.data[0]!.geoloc, { lat: 48.76, lng: -3.46 });

      const ticket = await client.createTicket({ phone: '+33612345678', agent: AGENT.username, reference: '4321' });
      sandbox.completeWithMedia(ticket.id);
      const day = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
      const stats = await client.ticketStats({ since: day(-1), until: day(1) });
      assert.equal(stats.length, 1);
      assert.equal(stats[0]!.id, ticket.id);
      assert.equal(stats[0]!.reference, '4321');
      assert.equal(stats[0]!.state, 'Fermé');
      assert.equal(stats[0]!.answered, true);
      assert.equal(stats[0]!.photos, 1);
      assert.equal(stats[0]!.videos, 1);
      assert.equal(stats[0]!.smsInvitations, 1);
    });
  });
});
