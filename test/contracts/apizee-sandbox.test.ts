/**
 * The Apizee sandbox answers with exactly the key paths of the document's (003) samples: for
 * every answer the document prints, the real client calls the sandbox as it would in
 * production, the raw JSON it received is kept, and its key paths are compared with the sample's
 * (no extra, no missing). Each sandbox is first brought to the situation the sample shows
 * (a finished ticket with a located photo, a live conference with a located recording…).
 */
import assert from 'node:assert/strict';
import { startApizeeSandbox, type ApizeeSandbox } from '../../sandbox/apizee.js';
import { createLogger } from '../../src/logger.js';
import { ApizeeClient } from '../../src/vendors/apizee/client.js';
import { VendorHealth } from '../../src/vendors/health.js';
import { closedAfterEach } from '../helpers/sandboxes.js';
import { contractSamples, keyDifference, sample } from './contract-samples.js';

const VENDOR = 'apizee';
const ACCOUNT = { username: 'agent@example.com', password: 'secret', enterpriseId: 1 };

/** Documented, not called by Rendezvous, not served by the sandbox (see apizee-client.test.ts). */
const NOT_CALLED = new Set(['session-stats-response']);

/**
 * The raw JSON answers the sandbox gave the client during `run`, by `METHOD /path` (the token
 * request included). ky takes `globalThis.fetch` on each request, so wrapping it sees them all.
 */
async function answersDuring(run: () => Promise<unknown>): Promise<Map<string, unknown>> {
  const answers = new Map<string, unknown>();
  const realFetch = globalThis.fetch;
  globalThis.fetch = async (input, init) => {
    const response = await realFetch(input, init);
    const request = input instanceof Request ? input : new Request(input, init);
    answers.set(`${request.method} ${new URL(request.url).pathname}`, await response.clone().json());
    return response;
  };
  try {
    await run();
  } finally {
    globalThis.fetch = realFetch;
  }
  return answers;
}

function assertSameKeys(answer: unknown, id: string): void {
  assert.ok(answer !== undefined, `the sandbox gave no answer for ${id}`);
  assert.deepEqual(keyDifference(answer, sample(VENDOR, id)), { extra: [], missing: [] }, `${id}: key paths differ`);
}

const today = () => new Date().toISOString().slice(0, 10);

describe('Apizee contract: the sandbox answers with the document\'s shapes', () => {
  const start = closedAfterEach(() => startApizeeSandbox({ accounts: [ACCOUNT], ratePerMinute: 1000 }));
  let sandbox: ApizeeSandbox;
  let client: ApizeeClient;

  beforeEach(async () => {
    sandbox = await start();
    const settings = { apiUrl: sandbox.url, username: ACCOUNT.username, password: ACCOUNT.password, enterpriseId: '1', agent: ACCOUNT.username, ratePerMinute: 1000, timeoutMs: 5000 };
    client = new ApizeeClient(settings, { logger: createLogger('silent'), health: new VendorHealth() });
  });
  afterEach(() => client.budget.stop());

  /** A ticket as the provider creates it: a phone, invite=1, scope=sso. */
  const newTicket = (reference: string) => client.createTicket({ phone: '+33662682193', agent: ACCOUNT.username, reference });
  /** A conference as the provider creates it: a name, a moderator (the agent by default). */
  const newConference = () =>
    client.createConference({ participants: ['invite12345@yopmail.com', '0612345678'], name: 'TEST XX', moderation: true, invite: true, moderator: ACCOUNT.username });

  const cases: Record<string, () => Promise<unknown>> = {
    'ticket-create-response': async () => (await answersDuring(() => newTicket('1234'))).get('POST /api/tickets'),
    'ticket-by-reference-response': async () => {
      // The sample's ticket is done, with a located photo (hence its geoloc).
      const ticket = await newTicket('ref12345678');
      sandbox.completeWithMedia(ticket.id);
      const answers = await answersDuring(() => client.listTickets({ limit: 10, reference: 'ref12345678' }, 'interactive'));
      return answers.get('GET /api/tickets');
    },
    'ticket-medias-response': async () => {
      const ticket = await newTicket('ref12345678');
      sandbox.completeWithMedia(ticket.id);
      const answers = await answersDuring(() => client.listTicketMedias(String(ticket.id), 'interactive'));
      return answers.get(`GET /api/enterprises/1/tickets/${ticket.id}/medias`);
    },
    'tickets-stats-response': async () => {
      const ticket = await newTicket('1234');
      sandbox.completeWithMedia(ticket.id);
      const answers = await answersDuring(() => client.ticketStats({ since: today(), until: today() }));
      return answers.get('GET /api/enterprises/1/tickets-stats');
    },
    'conference-create-response': async () => (await answersDuring(newConference)).get('POST /api/conferences'),
    'conference-search-response': async () => {
      const conference = await newConference();
      sandbox.setConferenceStatus(conference.id, 'ongoing');
      const since = new Date(Date.now() - 86_400_000);
      const answers = await answersDuring(() => client.listConferences({ search: 'TEST', since, limit: 100 }, 'interactive'));
      return answers.get('GET /api/conferences');
    },
    'conference-media-response': async () => {
      const conference = await newConference();
      sandbox.setConferenceStatus(conference.id, 'ongoing');
      sandbox.addConferenceRecording(conference.id, { geoloc: { lat: 48.7611333, lng: -3.4669605 } });
      const answers = await answersDuring(() => client.listConferenceMedia(String(conference.id), 'interactive'));
      return answers.get(`GET /api/conferences/${conference.id}/media`);
    },
  };

  it('has a case for every response sample the client calls', () => {
    const responses = contractSamples(VENDOR).filter((entry) => entry.kind === 'response' && !NOT_CALLED.has(entry.id));
    assert.deepEqual(Object.keys(cases).sort(), responses.map((entry) => entry.id).sort());
  });

  for (const [id, answerFor] of Object.entries(cases)) {
    it(`${id}: the same key paths as the sample`, async () => {
      assertSameKeys(await answerFor(), id);
    });
  }

  it('the rows of a list without the sample\'s optional parts add no key the document does not show', async () => {
    // A fresh ticket has no geoloc, a video no location: fewer keys are fine, new ones are not.
    const ticket = await newTicket('fresh');
    sandbox.addTicketMedia(ticket.id, { title: 'clip', type: 'video/mp4' });
    const answers = await answersDuring(async () => {
      await client.listTickets({ limit: 10, reference: 'fresh' }, 'interactive');
      await client.listTicketMedias(String(ticket.id), 'interactive');
    });
    assert.deepEqual(keyDifference(answers.get('GET /api/tickets'), sample(VENDOR, 'ticket-by-reference-response')).extra, []);
    assert.deepEqual(keyDifference(answers.get(`GET /api/enterprises/1/tickets/${ticket.id}/medias`), sample(VENDOR, 'ticket-medias-response')).extra, []);
  });

  it('a ticket made with an e-mail, not a phone, is answered with no key the document does not show', async () => {
    const answers = await answersDuring(async () => {
      await client.createTicket({ email: 'jane@example.com', agent: ACCOUNT.username, reference: 'by-mail' });
      await client.listTickets({ limit: 10, reference: 'by-mail' }, 'interactive');
    });
    assert.deepEqual(keyDifference(answers.get('POST /api/tickets'), sample(VENDOR, 'ticket-create-response')).extra, []);
    assert.deepEqual(keyDifference(answers.get('GET /api/tickets'), sample(VENDOR, 'ticket-by-reference-response')).extra, []);
  });
});

/** A printed curl, normalised by hand (see the manifest's `normalised` notes). */
interface RequestSample {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body?: string;
}

describe('Apizee contract: the sandbox accepts the document\'s requests as printed', () => {
  // The printed conference names agent1@apizee.com as moderator: the sandbox knows that user.
  const PRINTED_ACCOUNT = { username: 'agent1@apizee.com', password: 'secret', enterpriseId: 1 };
  const start = closedAfterEach(() => startApizeeSandbox({ accounts: [PRINTED_ACCOUNT], ratePerMinute: 1000 }));

  /** Sends a printed request with its own headers, empty X-CSRF-TOKEN and `-d ''` included; only the token is live. */
  async function sendPrinted(url: string, token: string, id: string, ids: Record<string, number> = {}, trailer = '') {
    const printed = sample<RequestSample>(VENDOR, id);
    let path = printed.path;
    for (const [printedId, liveId] of Object.entries(ids)) path = path.replace(printedId, String(liveId));
    const target = new URL(`${url}${path}`);
    for (const [name, value] of Object.entries(printed.query)) target.searchParams.set(name, value);
    target.search += trailer;
    const headers = { ...printed.headers, Authorization: `Bearer ${token}` };
    const response = await fetch(target, { method: printed.method, headers, body: printed.method === 'POST' ? (printed.body ?? '') : undefined });
    return { status: response.status, body: (await response.json()) as unknown };
  }

  it('answers each printed request with the printed shape', async () => {
    const sandbox = await start();
    const login = new URL(`${sandbox.url}/token`);
    login.search = new URLSearchParams({ grant_type: 'password', username: PRINTED_ACCOUNT.username, password: PRINTED_ACCOUNT.password }).toString();
    const { access_token: token } = (await (await fetch(login, { method: 'POST' })).json()) as { access_token: string };

    const created = await sendPrinted(sandbox.url, token, 'conference-create-request');
    assert.equal(created.status, 200);
    assertSameKeys(created.body, 'conference-create-response');
    const conferenceId = (created.body as { id: number }).id;
    sandbox.addConferenceRecording(conferenceId, { geoloc: { lat: 48.7611333, lng: -3.4669605 } });
    // With the print's stray trailing "&" (an empty parameter).
    const search = await sendPrinted(sandbox.url, token, 'conference-search-request', {}, '&');
    assert.equal(search.status, 200);
    assertSameKeys(search.body, 'conference-search-response');
    const media = await sendPrinted(sandbox.url, token, 'conference-media-request', { '842341': conferenceId });
    assert.equal(media.status, 200);
    assertSameKeys(media.body, 'conference-media-response');

    // No ticket request is printed; the printed lookups find a ticket made with the printed reference.
    const ticketCall = new URL(`${sandbox.url}/tickets`);
    ticketCall.search = new URLSearchParams({ phone: '+33612345678', agent: PRINTED_ACCOUNT.username, invite: '1', reference: 'ref12345678' }).toString();
    const ticket = (await (await fetch(ticketCall, { method: 'POST', headers: { authorization: `Bearer ${token}` } })).json()) as { id: number };
    sandbox.completeWithMedia(ticket.id);
    const byReference = await sendPrinted(sandbox.url, token, 'ticket-by-reference-request');
    assert.equal(byReference.status, 200);
    assertSameKeys(byReference.body, 'ticket-by-reference-response');
    const medias = await sendPrinted(sandbox.url, token, 'ticket-medias-request', { '663614': ticket.id });
    assert.equal(medias.status, 200);
    assertSameKeys(medias.body, 'ticket-medias-response');
    // The printed days are in 2023: no ticket of this sandbox falls in them, but the answer is the printed bare array.
    const stats = await sendPrinted(sandbox.url, token, 'tickets-stats-request');
    assert.equal(stats.status, 200);
    assert.deepEqual(stats.body, []);
  });
});
