import assert from 'node:assert/strict';
import nock from 'nock';
import { createLogger } from '../../src/logger.js';
import { ApizeeClient, type ApizeeSettings } from '../../src/vendors/apizee/client.js';
import { ApizeeConferenceTracker } from '../../src/vendors/apizee/conference-tracker.js';
import { ApizeeConferenceProvider, ApizeeTicketProvider } from '../../src/vendors/apizee/providers.js';
import { ApizeeTicketTracker } from '../../src/vendors/apizee/ticket-tracker.js';
import { VendorHealth } from '../../src/vendors/health.js';
import { APIZEE_SETTINGS as SETTINGS, apizeeLogin } from '../helpers/apizee-client.js';
import { sessionFixture } from '../helpers/databases.js';
import { vendorError } from '../helpers/vendor-error.js';

const NEW_TICKET = { phone: '+33612345678', agent: 'agent@example.com', reference: 'CASE-9' };
const CREATED_AT = new Date('2026-11-25T10:00:00.000Z');

function client(settings: Partial<ApizeeSettings> = {}) {
  return new ApizeeClient({ ...SETTINGS, ...settings }, { logger: createLogger('silent'), health: new VendorHealth() });
}

/** A `GET /tickets` row as seed 003 prints it, with the given id, reference and creation time. */
function listed(id: number, reference: string, created: string) {
  return {
    id,
    state: 'invited',
    reference,
    created,
    modified: created,
    start_time: created,
    end_time: created,
    subject: null,
    type: '',
    description: null,
    agent: 'agent@example.com',
    requestor_url: `https://diag.apizee.com?convId=${id}&pwd=1`,
    requestor: { phone: '+33612345678' },
    information_page_url: 'https://apz.fr/x',
    service_key: '115f89503138416a242f40fb7d7f338e',
  };
}

function ticketProvider(apizee: ApizeeClient) {
  const tracker = new ApizeeTicketTracker({ client: apizee, logger: createLogger('silent'), intervalMs: 1000 });
  return new ApizeeTicketProvider({ client: apizee, tracker, agent: 'agent@example.com', portalUrl: 'https://cloud.apizee.com' });
}

const inDoubtSession = () => sessionFixture({ vendorId: null, status: 'creating', reference: 'CASE-9', createdAt: CREATED_AT, contactMasked: '+33 6•• •• •• 78', delivery: 'sms' });

describe('Apizee creation in doubt', () => {
  afterEach(() => nock.cleanAll());

  describe('the client tells "sent, answer lost" from "refused"', () => {
    it('a POST /tickets that times out is in doubt, and is not sent again', async () => {
      const scope = apizeeLogin('tok').post('/api/tickets').query(true).delay(1500).reply(200, {});
      const error = await vendorError(client({ timeoutMs: 300 }).createTicket(NEW_TICKET));
      assert.equal(error.code, 'timeout');
      assert.equal(error.inDoubt, true);
      assert.ok(scope.isDone());
      assert.equal(nock.pendingMocks().length, 0);
    });

    it('a 2xx that does not parse is in doubt', async () => {
      apizeeLogin('tok').post('/api/tickets').query(true).reply(200, '<html>gateway</html>', { 'content-type': 'text/html' });
      const error = await vendorError(client().createTicket(NEW_TICKET));
      assert.equal(error.code, 'bad_response');
      assert.equal(error.inDoubt, true);
    });

    it('a 2xx of the wrong shape is in doubt', async () => {
      apizeeLogin('tok').post('/api/tickets').query(true).reply(200, { id: 'not a number' });
      const error = await vendorError(client().createTicket(NEW_TICKET));
      assert.equal(error.inDoubt, true);
    });

    for (const status of [400, 422, 500, 503]) {
      it(`a clear refusal (HTTP ${status}) is not in doubt`, async () => {
        apizeeLogin('tok').post('/api/tickets').query(true).reply(status, { code: 10, message: 'refused', details: 'x' });
        const error = await vendorError(client().createTicket(NEW_TICKET));
        assert.equal(error.status, status);
        assert.equal(error.inDoubt, false);
      });
    }

    it('a GET that times out is not "in doubt": reading changes nothing', async () => {
      apizeeLogin('tok').get('/api/tickets').query(true).times(2).delay(1500).reply(200, { total: 0, data: [] });
      const error = await vendorError(client({ timeoutMs: 300 }).listTickets({ limit: 10 }, 'background'));
      assert.equal(error.code, 'timeout');
      assert.equal(error.inDoubt, false);
    });
  });

  describe('ApizeeTicketProvider.reconcile for a session without a ticket id', () => {
    it('adopts the ticket found by the reference, newest first, as the creation', async () => {
      const lookup = apizeeLogin('tok')
        .get('/api/tickets')
        .query({ orderby: 'date', order: 'desc', limit: '10', reference: 'CASE-9' })
        .reply(200, { total: 2, data: [listed(82071, 'CASE-9', '2026-11-25T10:00:03+00:00'), listed(82070, 'CASE-9', '2026-11-25T10:00:01+00:00')] });
      const outcome = await ticketProvider(client()).reconcile(inDoubtSession());
      assert.ok(lookup.isDone());
      assert.equal(outcome?.vendorId, '82071');
      assert.equal(outcome?.status, 'invited');
      assert.equal(outcome?.tracking, true);
      assert.equal(outcome?.customerUrl, 'https://diag.apizee.com?convId=82071&pwd=1');
      assert.equal(outcome?.agentUrl, 'https://cloud.apizee.com');
      assert.match((outcome as { milestone: string }).milestone, /sent the invitation by SMS.*found the ticket by its reference/);
    });

    it('is undefined when Apizee has no ticket with that reference (the creation failed)', async () => {
      apizeeLogin('tok').get('/api/tickets').query(true).reply(200, { total: 0, data: [] });
      assert.equal(await ticketProvider(client()).reconcile(inDoubtSession()), undefined);
    });

    it('never adopts an older ticket that reused the case reference', async () => {
      apizeeLogin('tok')
        .get('/api/tickets')
        .query(true)
        .reply(200, { total: 1, data: [listed(70000, 'CASE-9', '2026-11-20T09:00:00+00:00')] });
      assert.equal(await ticketProvider(client()).reconcile(inDoubtSession()), undefined);
    });

    it('never adopts a ticket whose reference only resembles it', async () => {
      apizeeLogin('tok')
        .get('/api/tickets')
        .query(true)
        .reply(200, { total: 1, data: [listed(82072, 'CASE-99', '2026-11-25T10:00:03+00:00')] });
      assert.equal(await ticketProvider(client()).reconcile(inDoubtSession()), undefined);
    });
  });

  describe('ApizeeConferenceProvider.reconcile for a session without a conference id', () => {
    const conference = (id: number, name: string) => ({
      id,
      name,
      created: '2026-11-25T10:00:02+00:00',
      modified: '2026-11-25T10:00:02+00:00',
      start_time: '2026-11-25T10:00:02+00:00',
      end_time: '2026-11-25T11:00:02+00:00',
      status: 'scheduled',
      room_name: 'a:b',
      url: 'https://meet.apizee.com/private/a/b',
      short_url: 'https://apz.fr/v639BqrklV',
      sip_phone_number: '+33 2 57 57 97 61',
      sip_dtmf_code: '342543',
      organizer: { id: 2888, name: 'Agent 1' },
      created_by: { id: 1234, name: 'API' },
      service_key: 'f7a0300abf044e86bfcc7d9ae906381e',
      moderator: { id: 2899, name: 'Dr Doe' },
    });

    it('adopts the conference whose name carries the reference', async () => {
      const apizee = client();
      const lookup = apizeeLogin('tok')
        .get('/api/conferences')
        .query((query) => query.search === 'CASE-9')
        .reply(200, { total: 2, data: [conference(842200, 'Other · Rendezvous CASE-90'), conference(842199, 'Review · Rendezvous CASE-9')] });
      const tracker = new ApizeeConferenceTracker({ client: apizee, logger: createLogger('silent'), intervalMs: 1000 });
      const provider = new ApizeeConferenceProvider({ client: apizee, tracker, agent: 'agent@example.com' });
      const outcome = await provider.reconcile(sessionFixture({ kind: 'conference', vendorId: null, status: 'creating', reference: 'CASE-9', createdAt: CREATED_AT }));
      assert.ok(lookup.isDone());
      assert.equal(outcome?.vendorId, '842199');
      assert.equal(outcome?.status, 'scheduled');
      assert.equal(outcome?.customerUrl, 'https://apz.fr/v639BqrklV');
    });
  });
});
