/**
 * The Conpeek sandbox answers seed 002's requests with exactly the shapes the document prints: the
 * same key paths for a response, the same status and words (no JSON field) for an error.
 */
import assert from 'node:assert/strict';
import { startConpeekSandbox, type ConpeekSandbox } from '../../sandbox/conpeek.js';
import { closedAfterEach } from '../helpers/sandboxes.js';
import { contractSamples, keyDifference, sample } from './contract-samples.js';

const KEY = 'conpeek-contract-key';

/** The curl example, normalised (the manifest lists each change): what the client sends. */
interface RequestSample {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
}

/** Sends the curl example as the client does, with `change` applied, and reads the answer as it comes. */
async function send(sandbox: ConpeekSandbox, change: (request: RequestSample) => RequestSample = (request) => request) {
  const request = change(sample<RequestSample>('conpeek', 'invitation-curl'));
  const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, value === '$CONPEEK_KEY' ? KEY : value]));
  const response = await fetch(`${sandbox.url}${request.path}`, { method: request.method, headers, body: JSON.stringify(request.body) });
  const contentType = response.headers.get('content-type') ?? '';
  return { status: response.status, contentType, body: contentType.startsWith('application/json') ? await response.json() : await response.text() };
}

/** How to make the sandbox give each printed answer; every response and error sample has one. */
const requestFor: Record<string, (request: RequestSample) => RequestSample> = {
  'invitation-response': (request) => request,
  // A body without the `{data: …}` the Body section requires.
  'invitation-forbidden': (request) => ({ ...request, body: { name: 'Zaproszenie xyz.' } }),
  // Room 12 is not on bridge 5.
  'invitation-not-found': (request) => ({ ...request, path: request.path.replace('/room/11/', '/room/12/') }),
};

describe('Conpeek contract (seed 002): the sandbox answers as the document prints', () => {
  const start = closedAfterEach(() => startConpeekSandbox({ apiKey: KEY, bridges: { 5: [11] } }));
  const answers = contractSamples('conpeek').filter((entry) => entry.kind === 'response' || entry.kind === 'error');

  it('has a request for every response and error sample', () => {
    assert.deepEqual(answers.map((entry) => entry.id).sort(), Object.keys(requestFor).sort());
  });

  for (const entry of answers.filter((candidate) => candidate.kind === 'response')) {
    it(`${entry.id}: the same key paths, no field the document does not show`, async () => {
      const sandbox = await start();
      const answer = await send(sandbox, requestFor[entry.id]);
      assert.equal(answer.status, entry.status);
      assert.deepEqual(keyDifference(answer.body, entry.body), { extra: [], missing: [] });
      assert.deepEqual(answer.body, entry.body, 'the invitation is echoed as sent');
    });
  }

  for (const entry of answers.filter((candidate) => candidate.kind === 'error')) {
    it(`${entry.id}: status ${entry.status} with the document's words, as text`, async () => {
      const sandbox = await start();
      const answer = await send(sandbox, requestFor[entry.id]);
      assert.equal(answer.status, entry.status);
      assert.match(answer.contentType, /^text\/plain/);
      assert.equal(answer.body, entry.body);
      assert.deepEqual(keyDifference(answer.body, entry.body), { extra: [], missing: [] });
      assert.equal(sandbox.invitations.length, 0, 'nothing was added');
    });
  }
});
