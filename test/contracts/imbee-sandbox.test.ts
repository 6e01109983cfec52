/**
 * The Imbee sandbox answers seed 004's requests with exactly the shapes the document prints: the
 * same key paths in every answer, and the same envelope keys whatever the answer.
 */
import assert from 'node:assert/strict';
import { startImbeeSandbox, type ImbeeSandbox } from '../../sandbox/imbee.js';
import { closedAfterEach } from '../helpers/sandboxes.js';
import { contractSamples, keyDifference, sample } from './contract-samples.js';

/** A request sample normalised to its parts (see the manifest's `normalised`). */
interface RequestSample {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The document's placeholders are the sandbox's credentials, so its requests go as printed. */
const OPTIONS = { auth: 'myAuth', corporateToken: 'myCorporateToken', botIdsha: 'bot_identifier' };

/** Sends a printed request to the sandbox as the client would, with `change` applied first. */
async function send(sandbox: ImbeeSandbox, id: string, change: (request: RequestSample) => RequestSample = (request) => request): Promise<Json> {
  const request = change(sample<RequestSample>('imbee', id));
  const url = request.url.replace(/^https?:\/\/HOST/, sandbox.url);
  const response = await fetch(url, { method: request.method, headers: request.headers, body: JSON.stringify(request.body) });
  assert.equal(response.status, 200);
  return (await response.json()) as Json;
}

/** The token request with a real address and number where the curl prints `user_email` and `user_phone`. */
const realContact = (request: RequestSample): RequestSample => ({
  ...request,
  body: { ...request.body, mail: 'jane@example.com', celullar: '+33612345678' },
});

/** Two users, then a chat the first opens with the second (its apikey as X-WOOS-KEY, as printed). */
async function chat(sandbox: ImbeeSandbox): Promise<Json> {
  const first = (await send(sandbox, 'user-new-request')).body;
  const second = (await send(sandbox, 'user-new-request', (request) => ({ ...request, body: { ...request.body, uniqueIdSha: 'user2' } }))).body;
  return send(sandbox, 'chat-create-request', (request) => ({
    ...request,
    headers: { ...request.headers, 'X-WOOS-KEY': first.apikey },
    body: { ...request.body, contacts: [{ idsha: second.virtualUser }] },
  }));
}

/** How to make the sandbox give each printed answer; every response sample has one. */
const answerFor: Record<string, (sandbox: ImbeeSandbox) => Promise<Json>> = {
  'token-new-response': (sandbox) => send(sandbox, 'token-new-request', realContact),
  'user-new-response': (sandbox) => send(sandbox, 'user-new-request'),
  'chat-create-response': chat,
};

describe('Imbee contract (seed 004): the sandbox answers as the document prints', () => {
  const start = closedAfterEach(() => startImbeeSandbox(OPTIONS));
  const responses = contractSamples('imbee').filter((entry) => entry.kind === 'response');

  it('has a request for every response sample but the generic envelope', () => {
    assert.deepEqual(
      responses.map((entry) => entry.id).filter((id) => id !== 'envelope').sort(),
      Object.keys(answerFor).sort(),
    );
  });

  for (const entry of responses.filter((candidate) => candidate.id !== 'envelope')) {
    it(`${entry.id}: the same key paths, no field the document does not show`, async () => {
      const sandbox = await start();
      const answer = await answerFor[entry.id]!(sandbox);
      assert.equal(answer.code, 0, JSON.stringify(answer));
      assert.deepEqual(keyDifference(answer, entry.body), { extra: [], missing: [] });
    });
  }

  it('chat-create-response: the creator is the admin (1), the contact is not (0)', async () => {
    const sandbox = await start();
    const answer = await chat(sandbox);
    assert.deepEqual(
      answer.body.contacts.map((contact: Json) => contact.isadmin),
      sample<Json>('imbee', 'chat-create-response').body.contacts.map((contact: Json) => contact.isadmin),
    );
    assert.equal(answer.body.contacts[0].idsha, sandbox.users[0]!.virtualUser);
  });

  it('envelope: every answer, a refusal included, has its four keys and no other', async () => {
    const sandbox = await start();
    const printed = sample<Json>('imbee', 'envelope');
    const answers: Json[] = [];
    for (const answer of Object.values(answerFor)) answers.push(await answer(sandbox));
    // Neither mail nor celullar ("not both at the same time" optional): refused with code 1, in the same format.
    answers.push(
      await send(sandbox, 'token-new-request', (request) => {
        const { mail: _mail, celullar: _celullar, ...rest } = request.body;
        return { ...request, body: rest };
      }),
    );
    assert.equal(answers.at(-1)!.code, 1);
    // data0/data1 stand for any body: only the envelope's own keys are compared.
    for (const answer of answers) assert.deepEqual(keyDifference({ ...answer, body: null }, { ...printed, body: null }), { extra: [], missing: [] });
  });

  it("token-new-request: takes the params list's virutal_user too (the document spells the key both ways)", async () => {
    const sandbox = await start();
    const answer = await send(sandbox, 'token-new-request', (request) => {
      const { virtual_user: virtualUser, ...rest } = realContact(request).body;
      return { ...request, body: { virutal_user: virtualUser, ...rest } };
    });
    assert.equal(answer.code, 0);
    assert.deepEqual(keyDifference(answer, sample('imbee', 'token-new-response')), { extra: [], missing: [] });
  });

  it('chat-create-request: refuses the corporate token as X-WOOS-KEY, which is for the other two calls', async () => {
    const sandbox = await start();
    await send(sandbox, 'user-new-request');
    const answer = await send(sandbox, 'chat-create-request', (request) => ({ ...request, headers: { ...request.headers, 'X-WOOS-KEY': 'myCorporateToken' } }));
    assert.deepEqual([answer.code, answer.message], [1, 'Unauthorized']);
    assert.equal(sandbox.chats.length, 0);
  });
});
