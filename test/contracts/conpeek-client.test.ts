/**
 * Conpeek's document (seed 002, Invitation Add) replayed into the real client: every request it
 * prints is what the client sends, and every answer it prints is read as the app expects.
 */
import assert from 'node:assert/strict';
import nock from 'nock';
import { createLogger } from '../../src/logger.js';
import { ConpeekClient, type ConpeekSettings } from '../../src/vendors/conpeek/client.js';
import { VendorHealth } from '../../src/vendors/health.js';
import { vendorError } from '../helpers/vendor-error.js';
import { contractSamples, keyDifference, sample } from './contract-samples.js';

const BASE = 'https://conpeek.test';
// A CONPEEK_URL with a path prefix: the samples' paths are appended to it (curl, PHP).
const PREFIX = '/api/v1.3';
const KEY = 'ck_contract_4e1f';
const SETTINGS: ConpeekSettings = { apiUrl: `${BASE}${PREFIX}`, apiKey: KEY, timeoutMs: 2000 };
/** The ids and name of the document's example: bridge 5, room 11, "Zaproszenie xyz.". */
const EXAMPLE = { bridgeId: 5, roomId: 11, name: 'Zaproszenie xyz.' };
const INVITATION_PATH = '/conference-bridge/5/room/11/invitation';

/** A request sample normalised to its parts (see the manifest's `normalised`). */
interface RequestSample {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
}

interface SentRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

function makeClient() {
  return new ConpeekClient(SETTINGS, { logger: createLogger('silent'), health: new VendorHealth() });
}

/** Sends the document's example invitation and returns what reached the wire. */
async function sentInvitation(): Promise<SentRequest> {
  let sent: SentRequest | undefined;
  const scope = nock(BASE)
    .post(/.*/)
    .reply(function (path, body) {
      sent = { method: this.req.method, path, headers: this.req.headers, body };
      return [200, sample('conpeek', 'invitation-response')];
    });
  await makeClient().inviteToRoom(EXAMPLE);
  scope.done();
  assert.ok(sent);
  return sent;
}

/** What each printed answer must become in the app; every response and error sample has an entry. */
const expectations: Record<string, (status: number, body: unknown) => Promise<void>> = {
  'invitation-response': async (status, body) => {
    nock(BASE).post(`${PREFIX}${INVITATION_PATH}`).reply(status, body as nock.Body);
    assert.deepEqual(await makeClient().inviteToRoom(EXAMPLE), { name: 'Zaproszenie xyz.' });
  },
  'invitation-forbidden': async (status, body) => {
    nock(BASE).post(`${PREFIX}${INVITATION_PATH}`).reply(status, body as nock.Body);
    const error = await vendorError(makeClient().inviteToRoom(EXAMPLE));
    assert.deepEqual(
      { code: error.code, status: error.status, retryable: error.retryable, detail: error.detail },
      { code: 'rejected', status: 403, retryable: false, detail: 'Conpeek does not allow this action' },
    );
  },
  'invitation-not-found': async (status, body) => {
    nock(BASE).post(`${PREFIX}${INVITATION_PATH}`).reply(status, body as nock.Body);
    const error = await vendorError(makeClient().inviteToRoom(EXAMPLE));
    assert.deepEqual(
      { code: error.code, status: error.status, retryable: error.retryable, detail: error.detail },
      { code: 'not_found', status: 404, retryable: false, detail: 'Conpeek does not know this conference bridge or room' },
    );
  },
};

describe('Conpeek contract (seed 002): the real client against the printed samples', () => {
  const samples = contractSamples('conpeek');

  it('has an expectation for every response and error sample, and a status for each', () => {
    const answers = samples.filter((entry) => entry.kind === 'response' || entry.kind === 'error');
    assert.deepEqual(answers.map((entry) => entry.id).sort(), Object.keys(expectations).sort());
    for (const entry of answers) assert.equal(typeof entry.status, 'number', `${entry.id} has no status`);
  });

  describe('answers', () => {
    for (const entry of samples.filter((candidate) => candidate.kind === 'response' || candidate.kind === 'error')) {
      it(`${entry.id} (${entry.status}): ${entry.heading}`, async () => {
        await expectations[entry.id]!(entry.status!, entry.body);
      });
    }

    it('error words come from Rendezvous, not from the answer (the document gives no error body)', async () => {
      nock(BASE).post(`${PREFIX}${INVITATION_PATH}`).reply(403, { message: 'Jane Doe +48 600 100 200' });
      const error = await vendorError(makeClient().inviteToRoom(EXAMPLE));
      assert.equal(error.detail, 'Conpeek does not allow this action');
      assert.equal(`${error.message} ${error.detail}`.includes('Jane'), false);
    });
  });

  describe('requests', () => {
    const requestSamples = samples.filter((entry) => entry.kind === 'request');

    it('covers the Body template and the three printed examples', () => {
      assert.deepEqual(requestSamples.map((entry) => entry.id), ['invitation-body', 'invitation-curl', 'invitation-python', 'invitation-php']);
    });

    it('invitation-body: sends exactly {"data": ConferenceRoomInvitation}, nothing more', async () => {
      const sent = await sentInvitation();
      assert.deepEqual(keyDifference(sent.body, sample('conpeek', 'invitation-body')), { extra: [], missing: [] });
      assert.deepEqual(sent.body, sample('conpeek', 'invitation-body'));
    });

    for (const id of ['invitation-curl', 'invitation-python', 'invitation-php']) {
      it(`${id}: same method, path under CONPEEK_URL, headers and JSON body`, async () => {
        const printed = sample<RequestSample>('conpeek', id);
        const sent = await sentInvitation();
        assert.equal(sent.method, printed.method);
        // Appended to CONPEEK_URL's own path, as curl and PHP do (Python's urljoin would drop it).
        assert.equal(sent.path, `${PREFIX}${printed.path}`);
        for (const [name, value] of Object.entries(printed.headers)) {
          // The raw key, with no "Bearer": the printed value is the variable itself.
          const expected = value === '$CONPEEK_KEY' ? KEY : value;
          assert.equal(sent.headers[name.toLowerCase()], expected, `header ${name}`);
        }
        assert.deepEqual(sent.body, printed.body);
      });
    }

    it('puts both ids in the path as the integers the URL Parameters table gives (<INTEGER>)', async () => {
      const sent = await sentInvitation();
      assert.match(sent.path, /\/conference-bridge\/5\/room\/11\/invitation$/);
      const error = await vendorError(makeClient().inviteToRoom({ ...EXAMPLE, bridgeId: 5.5 }));
      assert.equal(error.code, 'rejected');
    });
  });
});
