/**
 * The Blitzz sandbox answers with exactly the shapes its document prints (test/contracts/blitzz/):
 * for every response sample, the sandbox's answer to the request the client sends has the
 * sample's key paths, no more and no fewer. Where the document contradicts itself (the
 * InvitationType range), the sandbox accepts every reading and the client sends its setting's.
 */
import assert from 'node:assert/strict';
import { startBlitzzSandbox, type BlitzzSandbox } from '../../sandbox/blitzz.js';
import { createLogger } from '../../src/logger.js';
import { BlitzzClient, type BlitzzInvitation, type BlitzzSettings } from '../../src/vendors/blitzz/client.js';
import { blitzz } from '../../src/vendors/blitzz/index.js';
import { VendorHealth } from '../../src/vendors/health.js';
import { closedAfterEach } from '../helpers/sandboxes.js';
import { contractSamples, keyDifference } from './contract-samples.js';

const ACCOUNT = { secretKey: 'sk-contract', username: 'agent@example.com', password: 'secret' };
const SESSION_ID = '123456789';

const INVITATIONS: BlitzzInvitation[] = [
  { sessionId: SESSION_ID, delivery: 'sms', phoneE164: '+33612345678', message: 'Votre technicien est prêt' },
  { sessionId: SESSION_ID, delivery: 'whatsapp', phoneE164: '+447911123456' },
  { sessionId: SESSION_ID, delivery: 'email', email: 'jane@example.com', message: 'Your engineer is ready' },
];

/** The client as a deployment builds it from its environment, pointed at the sandbox. */
function clientFor(sandbox: BlitzzSandbox, env: Record<string, string> = {}): BlitzzClient {
  const settings: BlitzzSettings | undefined = blitzz.settings.read(
    {
      BLITZZ_API_URL: sandbox.url,
      BLITZZ_SECRET_KEY: ACCOUNT.secretKey,
      BLITZZ_USERNAME: ACCOUNT.username,
      BLITZZ_PASSWORD: ACCOUNT.password,
      ...env,
    },
    { timeoutMs: 2000 },
  );
  assert.ok(settings);
  return new BlitzzClient(settings, { logger: createLogger('silent'), health: new VendorHealth() });
}

/** A request exactly as the client sends it (headers, JSON body), returning the parsed answer. */
async function post(sandbox: BlitzzSandbox, path: string, body: unknown, token?: string): Promise<{ status: number; body: unknown }> {
  const headers: Record<string, string> = { accept: 'application/json', 'content-type': 'application/json' };
  if (token) headers.UserToken = token;
  const response = await fetch(`${sandbox.url}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as unknown };
}

/**
 * The sandbox's answers to an endpoint, requested as the client requests it: the client sends
 * every delivery (with the media options, so every field it can send is there), the sandbox
 * records each body, and each is posted again the same way to read the answer the client drops.
 */
async function invitationAnswers(sandbox: BlitzzSandbox, env: Record<string, string>): Promise<unknown[]> {
  const client = clientFor(sandbox, env);
  for (const invitation of INVITATIONS) await client.sendInvitation(invitation);
  assert.equal(sandbox.invitations.length, INVITATIONS.length, 'the sandbox accepted what the client sent');
  const login = await post(sandbox, '/api/login', { SecretKey: ACCOUNT.secretKey, UserName: ACCOUNT.username, Password: ACCOUNT.password });
  const token = (login.body as { UserToken: string }).UserToken;
  const answers: unknown[] = [];
  for (const sent of [...sandbox.invitations]) {
    const answer = await post(sandbox, `/api/session/${sent.sessionId}/invitation`, sent.body, token);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    answers.push(answer.body);
  }
  return answers;
}

const MEDIA = { BLITZZ_MEDIA_MICROPHONE: '1', BLITZZ_MEDIA_CAMERA: '2', BLITZZ_MEDIA_OBSERVER: '0', BLITZZ_MEDIA_PLATFORM: '4' };

/** How each documented endpoint with a response sample is called; a sample of another endpoint fails the test. */
const ANSWERS: Record<string, (sandbox: BlitzzSandbox) => Promise<unknown[]>> = {
  'POST /api/session/{SessionId}/invitation': (sandbox) => invitationAnswers(sandbox, MEDIA),
};

describe('Blitzz sandbox against the samples of its document (000)', () => {
  const start = closedAfterEach(() => startBlitzzSandbox({ accounts: [ACCOUNT], sessions: [SESSION_ID] }));
  const responses = contractSamples('blitzz').filter((entry) => entry.kind === 'response');

  it('has the one response sample the document prints', () => {
    assert.deepEqual(
      responses.map((entry) => entry.id),
      ['invitation-response'],
    );
  });

  for (const entry of responses) {
    it(`${entry.id}: every answer has exactly the sample's key paths`, async () => {
      const answersTo = ANSWERS[entry.endpoint];
      assert.ok(answersTo, `no request for ${entry.endpoint}`);
      const answers = await answersTo(await start());
      assert.equal(answers.length, INVITATIONS.length);
      for (const answer of answers) assert.deepEqual(keyDifference(answer, entry.body), { extra: [], missing: [] }, JSON.stringify(answer));
    });
  }

  describe('InvitationType: the prose numbers channels 1-3, the schema 1-6 (maximum 5)', () => {
    const readings: Array<[string, Record<string, string>, number[]]> = [
      ["the prose's numbering (the default)", {}, [1, 2, 3]],
      ['numbers only the schema allows', { BLITZZ_INVITATION_TYPES: 'sms=4,whatsapp=5,email=6' }, [4, 5, 6]],
    ];
    for (const [reading, env, numbers] of readings) {
      it(`accepts ${reading}, sent as the client's setting says, and answers the documented shape`, async () => {
        const sandbox = await start();
        const answers = await invitationAnswers(sandbox, env);
        assert.deepEqual(
          sandbox.invitations.slice(0, INVITATIONS.length).map((invitation) => invitation.body.InvitationType),
          numbers,
        );
        const sample = responses.find((item) => item.id === 'invitation-response')!.body;
        for (const answer of answers) assert.deepEqual(keyDifference(answer, sample), { extra: [], missing: [] });
      });
    }
  });
});
