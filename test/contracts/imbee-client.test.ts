/**
 * Imbee's document (seed 004) replayed into the real client: the token request it prints is what the
 * client sends, and every answer it prints is read as the app expects. Rendezvous calls only
 * `POST /token/new`; the external-user and chat answers are replayed as if they came back from it,
 * to show that an answer which is not a token is never taken for a link.
 */
import assert from 'node:assert/strict';
import nock from 'nock';
import { VendorHealth } from '../../src/vendors/health.js';
import { ImbeeClient, type ImbeeSettings } from '../../src/vendors/imbee/client.js';
import { captureLogs } from '../helpers/log-capture.js';
import { vendorError } from '../helpers/vendor-error.js';
import { contractSamples, keyDifference, sample } from './contract-samples.js';

// The document's own placeholders as settings: `https://HOST`, `myAuth`, `myCorporateToken`, `bot_identifier`.
const SETTINGS: ImbeeSettings = {
  apiUrl: 'https://HOST',
  auth: 'myAuth',
  corporateToken: 'myCorporateToken',
  botIdsha: 'bot_identifier',
  timeoutMs: 2000,
};
const BASE = 'https://host';
/** The curl's values, with a real address and number where it prints `user_email` and `user_phone`. */
const TOKEN_INPUT = {
  virtualUser: 'user_identifier_sha',
  mail: 'jane@example.com',
  cellular: '+33612345678',
  maxRetries: 10,
  dateLimit: '2018-12-31',
};
const A_LINK = 'https://webchat.imbee.example/?token=4d2f0c';

/** A request sample normalised to its parts (see the manifest's `normalised`). */
interface RequestSample {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

type Envelope = { time: number; code: number; message: string; body: Record<string, unknown> };

function makeClient(logger = captureLogs('error').logger) {
  return new ImbeeClient(SETTINGS, { logger, health: new VendorHealth() });
}

/** The printed answer, as Imbee's answer to the client's token request. */
function answerWith(body: unknown, status = 200) {
  return nock(BASE).post('/token/new').reply(status, body as nock.Body);
}

/** What each printed answer must become in the app; every response sample has an entry. */
const expectations: Record<string, (body: Envelope) => Promise<void>> = {
  // Printed with the placeholder `url_with_token`, which is no link: refused, never shown to anyone.
  'token-new-response': async (body) => {
    answerWith(body);
    const { logger, lines } = captureLogs('error');
    const error = await vendorError(makeClient(logger).createWebToken(TOKEN_INPUT));
    assert.deepEqual([error.code, error.status], ['bad_response', 200]);
    assert.match(lines.join(''), /"url: Invalid URL"/, 'the field is named, its value is not');
    assert.equal(lines.join('').includes('url_with_token'), false);

    // The same answer with a link where the placeholder is: every value read as printed.
    answerWith({ ...body, body: { ...body.body, url: A_LINK } });
    assert.deepEqual(await makeClient().createWebToken(TOKEN_INPUT), {
      url: A_LINK,
      userIdsha: 'idsha_value',
      dateLimit: '2000-01-01',
      maxRetries: 10,
      previouslyCreated: false,
    });
  },
  // The generic format with `data0`/`data1` for a body: code 0, but no token in it.
  envelope: async (body) => {
    answerWith(body);
    assert.equal((await vendorError(makeClient().createWebToken(TOKEN_INPUT))).code, 'bad_response');
    // The same format with the generic error code 1 (its prose): a refusal, even under HTTP 200.
    answerWith({ ...body, code: 1, message: 'Error' });
    const refused = await vendorError(makeClient().createWebToken(TOKEN_INPUT));
    assert.deepEqual([refused.code, refused.status, refused.retryable, refused.detail], ['rejected', 200, false, 'Error (code 1)']);
  },
  'user-new-response': async (body) => {
    answerWith(body);
    assert.equal((await vendorError(makeClient().createWebToken(TOKEN_INPUT))).code, 'bad_response');
  },
  'chat-create-response': async (body) => {
    answerWith(body);
    assert.equal((await vendorError(makeClient().createWebToken(TOKEN_INPUT))).code, 'bad_response');
  },
};

describe('Imbee contract (seed 004): the real client against the printed samples', () => {
  const samples = contractSamples('imbee');

  it('has an expectation for every response sample, and the document prints no error body', () => {
    const answers = samples.filter((entry) => entry.kind === 'response' || entry.kind === 'error');
    assert.deepEqual(answers.map((entry) => entry.id).sort(), Object.keys(expectations).sort());
    assert.equal(samples.filter((entry) => entry.kind === 'error').length, 0);
  });

  describe('answers', () => {
    for (const entry of samples.filter((candidate) => candidate.kind === 'response')) {
      it(`${entry.id}: ${entry.heading}`, async () => {
        await expectations[entry.id]!(entry.body as Envelope);
      });
    }
  });

  describe('requests', () => {
    it('covers the three printed requests; Rendezvous sends only the token one', () => {
      const requests = samples.filter((entry) => entry.kind === 'request').map((entry) => entry.id);
      assert.deepEqual(requests, ['token-new-request', 'user-new-request', 'chat-create-request']);
    });

    it('token-new-request: same method, URL, headers, JSON keys in order and value types', async () => {
      const printed = sample<RequestSample>('imbee', 'token-new-request');
      let sent: { method: string; url: string; headers: Record<string, unknown>; body: Record<string, unknown> } | undefined;
      const scope = nock(BASE)
        .post('/token/new')
        .reply(function (path, body) {
          sent = { method: this.req.method, url: `https://HOST${path}`, headers: this.req.headers, body: body as Record<string, unknown> };
          const answer = sample<Envelope>('imbee', 'token-new-response');
          return [200, { ...answer, body: { ...answer.body, url: A_LINK } }];
        });
      await makeClient().createWebToken(TOKEN_INPUT);
      scope.done();
      assert.ok(sent);
      assert.equal(sent.method, printed.method);
      assert.equal(sent.url, printed.url);
      for (const [name, value] of Object.entries(printed.headers)) assert.equal(sent.headers[name.toLowerCase()], value, `header ${name}`);
      assert.deepEqual(keyDifference(sent.body, printed.body), { extra: [], missing: [] });
      // The curl's key order, `virtual_user` (not the list's `virutal_user`) and `celullar` as spelled.
      assert.deepEqual(Object.keys(sent.body), Object.keys(printed.body));
      for (const [key, value] of Object.entries(printed.body)) assert.equal(typeof sent.body[key], typeof value, `${key} type`);
      // Every value that is not a placeholder (user_email, user_phone) is sent as printed.
      for (const key of ['virtual_user', 'bot_idsha', 'max_retries', 'date_limit']) assert.equal(sent.body[key], printed.body[key], key);
      assert.deepEqual([sent.body.mail, sent.body.celullar], [TOKEN_INPUT.mail, TOKEN_INPUT.cellular]);
    });
  });
});
