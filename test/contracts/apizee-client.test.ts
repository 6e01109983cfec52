/**
 * Apizee's document (003) through the real client: every answer it prints is replayed with nock
 * and what Rendezvous makes of it is asserted; every request it prints (curl) is compared with
 * the request the client sends for the same thing. The document prints no error body and no
 * webhook: the error bodies and the webhook payload REFERENCE §4 quotes from other Apizee pages
 * are replayed at the end, marked as such.
 */
import assert from 'node:assert/strict';
import nock from 'nock';
import { createLogger } from '../../src/logger.js';
import { ApizeeClient } from '../../src/vendors/apizee/client.js';
import { APIZEE_TICKET_STATUS } from '../../src/vendors/apizee/ticket-status.js';
import { summarizeApizee } from '../../src/vendors/apizee/usage.js';
import { apizeeWebhook } from '../../src/vendors/apizee/webhook.js';
import { VendorHealth } from '../../src/vendors/health.js';
import { APIZEE_BASE, APIZEE_SETTINGS, apizeeLogin } from '../helpers/apizee-client.js';
import { captureLogs } from '../helpers/log-capture.js';
import { vendorError } from '../helpers/vendor-error.js';
import { contractSamples, sample } from './contract-samples.js';

const VENDOR = 'apizee';
const TOKEN = 'tok-contract-5e1b';

/** A printed curl, normalised by hand (see the manifest's `normalised` notes). */
interface RequestSample {
  method: string;
  base: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body?: string;
}

/** What the client put on the wire for one call. */
interface SentRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** The API prefix of the test settings, in place of the document's `https://cloud.apizee.com/api`. */
const API_PATH = new URL(APIZEE_SETTINGS.apiUrl).pathname;

function makeClient(): ApizeeClient {
  return new ApizeeClient(APIZEE_SETTINGS, { logger: createLogger('silent'), health: new VendorHealth() });
}

/**
 * Logs in, then answers the one call at `method path` with `answer`, keeping what was sent.
 * `sent()` throws until the call was made, so a test cannot pass without it.
 */
function replay(method: 'GET' | 'POST', path: string, answer: unknown) {
  let sent: SentRequest | undefined;
  const scope = apizeeLogin(TOKEN)
    .intercept(`${API_PATH}${path}`, method)
    .query(true)
    .reply(function (uri, body) {
      const url = new URL(uri, APIZEE_BASE);
      sent = {
        method,
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: this.req.headers,
        body: typeof body === 'string' ? body : JSON.stringify(body),
      };
      return [200, answer as nock.Body];
    });
  return {
    scope,
    sent(): SentRequest {
      scope.done();
      assert.ok(sent, `no ${method} ${path} was sent`);
      return sent;
    },
  };
}

/**
 * The sent request has the printed request's shape: method, path, parameter names, encoding,
 * headers. `added` names the parameters the client adds on purpose, with their values.
 */
function assertShape(sent: SentRequest, printed: RequestSample, sameValues: string[], added: Record<string, string> = {}): void {
  assert.equal(sent.method, printed.method);
  assert.equal(sent.path, `${API_PATH}${printed.path}`);
  const printedNames = Object.keys(printed.query);
  assert.deepEqual(Object.keys(sent.query).sort(), [...printedNames, ...Object.keys(added)].sort(), 'query parameter names');
  for (const [name, value] of Object.entries(added)) assert.equal(sent.query[name], value, `added parameter ${name}`);
  for (const name of sameValues) assert.equal(sent.query[name], printed.query[name], `query parameter ${name}`);
  assert.equal(String(sent.headers.accept).toLowerCase(), printed.headers.accept!.toLowerCase(), 'accept header');
  assert.match(printed.headers.Authorization!, /^Bearer \S+$/);
  assert.equal(sent.headers.authorization, `Bearer ${TOKEN}`, 'bearer token as documented');
  // Every parameter is in the query: no JSON and no form body (the document's POST sends -d '').
  assert.equal(sent.body, printed.body ?? '', 'request body');
  assert.equal(sent.headers['content-type'], undefined, 'no body, so no content type');
}

/** The response samples replayed below (each test names its sample); session-stats is documented but not called. */
const REPLAYED = new Set([
  'ticket-create-response',
  'ticket-by-reference-response',
  'ticket-medias-response',
  'tickets-stats-response',
  'conference-create-response',
  'conference-search-response',
  'conference-media-response',
]);
const NOT_CALLED: Record<string, string> = {
  'session-stats-response': 'GET /session (conference statistics): Rendezvous has no use for it and no client method calls it',
};

function replayed(id: string): unknown {
  assert.ok(REPLAYED.has(id), `${id} is not listed in REPLAYED`);
  return sample(VENDOR, id);
}

describe('Apizee contract: the document\'s samples through ApizeeClient', () => {
  describe('tickets (Video Assistance)', () => {
    it('ticket-create-response: the customer link, the agent room and the state the card shows', async () => {
      const answer = replayed('ticket-create-response') as Record<string, unknown>;
      const call = replay('POST', '/tickets', answer);
      const ticket = await makeClient().createTicket({ phone: '+33662682193', agent: 'arnaud.vallee@apizee.com', reference: '1234' });
      const sent = call.sent();

      assert.equal(ticket.id, 82070);
      assert.equal(ticket.reference, '1234');
      assert.equal(ticket.requestor_url, answer.requestor_url);
      assert.equal(ticket.sso_url, answer.sso_url);
      assert.equal(ApizeeClient.agentRoomUrl(ticket), 'https://cloud.apizee.com/entrypoint/223/tickets/82070');
      assert.equal(APIZEE_TICKET_STATUS[ticket.state], 'invited');
      // The document prints no request here; REFERENCE §4 [P:A7] names the parameters it describes.
      assert.deepEqual(sent.query, {
        agent: 'arnaud.vallee@apizee.com',
        invite: '1',
        reference: '1234',
        scope: 'sso',
        phone: '+33662682193',
      });
      assert.equal(sent.body, '');
    });

    it('ticket-by-reference: the client asks as printed, and finds the ticket and its ended state', async () => {
      const printed = sample<RequestSample>(VENDOR, 'ticket-by-reference-request');
      const call = replay('GET', '/tickets', replayed('ticket-by-reference-response'));
      const list = await makeClient().listTickets({ limit: 10, reference: 'ref12345678' }, 'interactive');
      assertShape(call.sent(), printed, ['orderby', 'order', 'limit', 'reference']);

      assert.equal(list.total, 1);
      assert.deepEqual(list.skipped, []);
      const [ticket] = list.data;
      assert.equal(ticket?.id, 663614);
      assert.equal(ticket?.reference, 'ref12345678');
      assert.equal(APIZEE_TICKET_STATUS[ticket!.state], 'ended');
      assert.deepEqual(ticket?.geoloc, { lat: 48.7, lng: -3.5 });
    });

    it('ticket-medias: the client asks as printed plus a page size, and reads both files with their links', async () => {
      const printed = sample<RequestSample>(VENDOR, 'ticket-medias-request');
      const call = replay('GET', '/enterprises/1/tickets/663614/medias', replayed('ticket-medias-response'));
      const answer = await makeClient().listTicketMedias('663614', 'interactive');
      // The printed answer pages at `limit: 10`; the client asks for its one-call maximum.
      assertShape(call.sent(), printed, [], { limit: '100' });

      assert.deepEqual(
        answer.medias.map((media) => [media.id, media.type, media.url, media.location]),
        [
          [1973404, 'video/mp4', 'https://cloud.apizee.com/media/showVideo/1/hash/4b6c0600-b2fc-11ed-afc2-a9d424af1014', undefined],
          [1973403, 'image/jpeg', 'https://cloud.apizee.com/media/showVideo/1/hash/445f0780-b2fc-11ed-89d4-09e76cc8a403', { lat: 48.7703337, lon: -3.5149756 }],
        ],
      );
      assert.equal(answer.count, 2);
    });

    it('ticket-medias: a count beyond the page read is logged (numbers only), and the files read are kept', async () => {
      const answer = sample<{ limit: number; offset: number; medias: unknown[]; count: number }>(VENDOR, 'ticket-medias-response');
      const longer = { ...answer, limit: 2, count: 12 };
      const call = replay('GET', '/enterprises/1/tickets/663614/medias', longer);
      const { logger, lines } = captureLogs();
      const client = new ApizeeClient(APIZEE_SETTINGS, { logger, health: new VendorHealth() });
      const list = await client.listTicketMedias('663614', 'interactive');
      call.sent();
      assert.equal(list.medias.length, 2);
      const warning = lines.map((line) => JSON.parse(line)).find((line) => line.msg === 'media list longer than one page: the rest is not read');
      assert.deepEqual([warning?.count, warning?.received], [12, 2]);
      assert.doesNotMatch(lines.join('\n'), /showVideo|hash/);
    });

    it('tickets-stats: the client asks as printed, and the French row becomes the /rendezvous stats figures', async () => {
      const printed = sample<RequestSample>(VENDOR, 'tickets-stats-request');
      const call = replay('GET', '/enterprises/1/tickets-stats', replayed('tickets-stats-response'));
      const rows = await makeClient().ticketStats({ since: '2023-07-13', until: '2023-07-14' });
      assertShape(call.sent(), printed, ['format', 'since', 'until']);

      assert.equal(rows.length, 1);
      const [row] = rows;
      assert.equal(row?.id, 821793);
      // `Ref` is printed as a number; tickets carry their reference as a string.
      assert.equal(row?.reference, '1234');
      assert.equal(row?.state, 'Fermé');
      assert.equal(row?.answered, false);
      assert.equal(row?.login, 'agent1@apizee.com');
      assert.deepEqual(summarizeApizee(rows), {
        tickets: 1,
        answered: 0,
        smsInvitations: 1,
        emailInvitations: 0,
        totalCallSeconds: 335,
        medianCallSeconds: 335,
        photos: 1,
        videos: 0,
      });
    });
  });

  describe('conferences (Video Meeting)', () => {
    it('conference-create: the client posts the printed query, empty body, and reads both join links', async () => {
      const printed = sample<RequestSample>(VENDOR, 'conference-create-request');
      const call = replay('POST', '/conferences', replayed('conference-create-response'));
      const conference = await makeClient().createConference({
        participants: ['invite12345@yopmail.com', '0612345678'],
        name: 'TEST',
        moderation: true,
        invite: true,
        moderator: 'agent1@apizee.com',
      });
      const sent = call.sent();
      assertShape(sent, printed, ['participants', 'name', 'moderation', 'invite', 'moderator']);
      // The print's empty X-CSRF-TOKEN is what an API explorer adds; the client sends none.
      assert.equal(sent.headers['x-csrf-token'], undefined);

      assert.equal(conference.id, 842199);
      assert.equal(conference.status, 'scheduled');
      assert.equal(conference.url, 'https://meet.apizee.com/private/7a3dc7993234907508525829e02f2388/ae226154999f5d50f9e6f909e27c5113');
      assert.equal(conference.short_url, 'https://apz.fr/v639BqrklV');
      assert.equal(conference.sip_dtmf_code, '342543');
      assert.deepEqual(conference.moderator, { id: 2899, name: 'Dr Doe' });
    });

    it('conference-search: the client asks as printed (less the stray "&"), and finds the live conference', async () => {
      const printed = sample<RequestSample>(VENDOR, 'conference-search-request');
      const call = replay('GET', '/conferences', replayed('conference-search-response'));
      const list = await makeClient().listConferences({ search: 'TEST', since: new Date('2023-07-11T00:00:00Z'), limit: 100 }, 'interactive');
      assertShape(call.sent(), printed, ['limit', 'since', 'search', 'orderby', 'order']);

      assert.equal(list.total, 1);
      assert.deepEqual(list.skipped, []);
      assert.deepEqual(
        list.data.map((conference) => [conference.id, conference.name, conference.status]),
        [[842341, 'TEST XX', 'ongoing']],
      );
    });

    it('conference-media: the client asks as printed (a larger page), and reads the completed recording', async () => {
      const printed = sample<RequestSample>(VENDOR, 'conference-media-request');
      const call = replay('GET', '/conferences/842341/media', replayed('conference-media-response'));
      const media = await makeClient().listConferenceMedia('842341', 'interactive');
      const sent = call.sent();
      assertShape(sent, printed, ['orderby', 'order']);
      // The print asks for 10; the client asks for its one-call maximum so no recording is left out.
      assert.equal(sent.query.limit, '100');

      assert.equal(media.total, 2, 'total as printed, although the print lists one file');
      assert.deepEqual(
        media.data.map((file) => [file.id, file.status, file.media_type, file.source_type, file.url, file.geoloc]),
        [
          [
            2343988,
            'completed',
            'video',
            'conf_record',
            'https://cloud.apizee.com/media/showVideo/1/hash/aec9aca0-2199-11ee-9a17-c7ee7339236a',
            { lat: 48.7611333, lng: -3.4669605 },
          ],
        ],
      );
    });
  });

  describe('every sample is accounted for', () => {
    it('each response sample is replayed above or named as not called, with the reason', () => {
      const responses = contractSamples(VENDOR)
        .filter((entry) => entry.kind !== 'request')
        .map((entry) => entry.id)
        .sort();
      assert.deepEqual([...REPLAYED, ...Object.keys(NOT_CALLED)].sort(), responses);
    });

    it('no client method calls a not-called endpoint', () => {
      const methods = Object.getOwnPropertyNames(ApizeeClient.prototype).join(' ');
      assert.doesNotMatch(methods, /session/i);
    });
  });

  describe('what REFERENCE §4 quotes from other Apizee pages (the document prints no error and no webhook)', () => {
    it('429 [P:A5]: rate_limited with the reset, after one wait and one more try', async () => {
      const body = { error: 'You have reached the maximum number of attempts. Please try again later.' };
      const scope = apizeeLogin(TOKEN).get(`${API_PATH}/tickets`).query(true).times(2).reply(429, body, { 'X-RateLimit-Reset': '0' });
      const error = await vendorError(makeClient().listTickets({ limit: 10, reference: 'ref12345678' }, 'interactive'));
      scope.done();
      assert.equal(error.code, 'rate_limited');
      assert.equal(error.status, 429);
      assert.equal(error.detail, body.error);
      assert.equal(error.retryable, true);
    });

    it('the v2 error body [P:A8]: rejected, with Apizee\'s message kept for the agent', async () => {
      const body = { code: 10, message: 'The selected room_name field is invalid.', details: 'Parameter room_name' };
      const scope = apizeeLogin(TOKEN).post(`${API_PATH}/conferences`).query(true).reply(400, body);
      const error = await vendorError(makeClient().createConference({ participants: ['invite12345@yopmail.com'], name: 'TEST' }));
      scope.done();
      assert.equal(error.code, 'rejected');
      assert.equal(error.status, 400);
      assert.equal(error.detail, body.message);
      assert.equal(error.retryable, false);
    });

    it('the ApiRTC webhook [P:A6] names a conversation, not a conference id: routed with no session to name', () => {
      const payload = {
        event: 'update',
        time: 1689265474,
        object: 'conversation',
        objectId: '7a3dc7993234907508525829e02f2388:5c310ee2210c24730a12929e1ec10a21',
        props: { eventType: 'conversationEnded', name: 'TEST XX', finishedAt: 1689265474 },
      };
      assert.deepEqual(apizeeWebhook('s').route(payload), { kind: 'conference', vendorId: '', event: 'update' });
    });

    it('a ticket event whose reference is a number, as tickets-stats prints it (Ref 1234), still names its ticket', () => {
      const { Ref: reference } = (sample<Array<Record<string, unknown>>>(VENDOR, 'tickets-stats-response'))[0]!;
      assert.equal(typeof reference, 'number');
      const hook = apizeeWebhook('s');
      assert.deepEqual(hook.route({ event: 'ticket.completed', ticket: { id: 82070, reference } }), {
        kind: 'ticket',
        vendorId: '82070',
        event: 'ticket.completed',
      });
      assert.deepEqual(hook.route({ type: 'ticket.closed', data: { id: 82070, reference } }), { kind: 'ticket', vendorId: '82070', event: 'ticket.closed' });
    });
  });
});
