/**
 * The Blitzz client against the samples its document prints (test/contracts/blitzz/, from
 * 000_db6e986492be341e.txt): the one answer is replayed through nock into the real client, and
 * every request the client sends is held to the request example, its JSON schema and the nine
 * code samples (method, URL, headers, query, body encoding).
 */
import assert from 'node:assert/strict';
import nock from 'nock';
import { parseContact } from '../../src/domain/contact.js';
import type { Session } from '../../src/domain/session.js';
import type { StartRequest } from '../../src/domain/start-request.js';
import { createLogger } from '../../src/logger.js';
import { blitzz } from '../../src/vendors/blitzz/index.js';
import { BlitzzClient, type BlitzzInvitation, type BlitzzSettings } from '../../src/vendors/blitzz/client.js';
import { BlitzzShowMeProvider } from '../../src/vendors/blitzz/providers.js';
import { INVITATION_TYPE_MAX, INVITATION_TYPE_MIN } from '../../src/vendors/blitzz/schemas.js';
import { VendorHealth } from '../../src/vendors/health.js';
import { contractSamples, keyDifference, sample } from './contract-samples.js';

const SESSION_ID = '123456789';
const TOKEN = 'tok-5be2a1';
const T0 = Date.parse('2026-03-10T09:00:00.000Z');
/** The samples tested by name below; the `invitation-code-*` ones are tested in one loop. */
const NAMED_SAMPLES = ['invitation-request', 'invitation-request-schema', 'invitation-response'];
const CODE_SAMPLE = 'invitation-code-';
const CREDENTIALS = { BLITZZ_SECRET_KEY: 'sk-0f3c9b', BLITZZ_USERNAME: 'agent@example.com', BLITZZ_PASSWORD: 'pw-7d1e' };

/** The deliveries Rendezvous offers, each as the modal would hand it to the client. */
const INVITATIONS: Record<string, BlitzzInvitation> = {
  sms: { sessionId: SESSION_ID, delivery: 'sms', phoneE164: '+33612345678', message: 'Votre technicien est prêt ✓' },
  whatsapp: { sessionId: SESSION_ID, delivery: 'whatsapp', phoneE164: '+447911123456' },
  email: { sessionId: SESSION_ID, delivery: 'email', email: 'jane@example.com', message: 'Your engineer is ready' },
};

/** A code sample normalised to the HTTP request it sends (see each `invitation-code-*.json`). */
interface CodeSample {
  method: string;
  url: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: string;
}

/** One request as it reached nock. */
interface Sent {
  method: string;
  url: URL;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

/** The settings a deployment gets from its environment: the documented base URL by default. */
function settingsFromEnvironment(env: Record<string, string> = {}): BlitzzSettings {
  const settings = blitzz.settings.read({ ...CREDENTIALS, ...env }, { timeoutMs: 2000 });
  assert.ok(settings);
  return settings;
}

function makeClient(settings = settingsFromEnvironment()) {
  const health = new VendorHealth();
  const client = new BlitzzClient(settings, { logger: createLogger('silent'), health, now: () => T0 });
  return { client, health };
}

/** Answers the login, then each invitation with `answer`, recording what the client sent. */
function blitzzAnswering(settings: BlitzzSettings, answer: { status: number; body: string | object }) {
  const sent: Sent[] = [];
  let logins = 0;
  nock(settings.apiUrl)
    .post('/api/login')
    .times(5)
    .reply((_uri, body) => {
      logins += 1;
      assert.deepEqual(body, { SecretKey: CREDENTIALS.BLITZZ_SECRET_KEY, UserName: CREDENTIALS.BLITZZ_USERNAME, Password: CREDENTIALS.BLITZZ_PASSWORD });
      return [200, { UserToken: TOKEN }];
    })
    .post(/\/api\/session\/[^/]+\/invitation/)
    .times(10)
    .reply(function (uri, body) {
      sent.push({ method: this.req.method, url: new URL(uri, settings.apiUrl), headers: { ...this.req.headers }, body });
      return [answer.status, answer.body, { 'content-type': 'application/json; charset=utf-8' }];
    });
  return { sent, logins: () => logins };
}

/** Every invitation the client can send: each delivery, with and without the media options. */
async function everyRequest(): Promise<Sent[]> {
  const plain = settingsFromEnvironment();
  const withMedia = settingsFromEnvironment({ BLITZZ_MEDIA_MICROPHONE: '0', BLITZZ_MEDIA_CAMERA: '1', BLITZZ_MEDIA_OBSERVER: '0', BLITZZ_MEDIA_PLATFORM: '3' });
  const sent: Sent[] = [];
  for (const settings of [plain, withMedia]) {
    const blitzzApi = blitzzAnswering(settings, { status: 200, body: sample('blitzz', 'invitation-response') as object });
    const { client } = makeClient(settings);
    for (const invitation of Object.values(INVITATIONS)) await client.sendInvitation(invitation);
    sent.push(...blitzzApi.sent);
    nock.cleanAll();
  }
  return sent;
}

// ----- The printed JSON schema, applied as printed ----------------------------------------------

interface PropertySchema {
  type?: string;
  format?: string;
  nullable?: boolean;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  allOf?: PropertySchema[];
  enum?: unknown[];
}

interface ObjectSchema {
  required: string[];
  type: 'object';
  properties: Record<string, PropertySchema>;
  additionalProperties: boolean;
}

/** The keywords the document's schema uses; a fixture with another one fails rather than being half-read. */
const KNOWN_KEYWORDS = new Set(['type', 'format', 'nullable', 'maxLength', 'minimum', 'maximum', 'allOf', 'enum']);

/** What in `body` the printed schema refuses, in words; empty when it conforms. */
function schemaProblems(body: Record<string, unknown>, schema: ObjectSchema): string[] {
  const problems = schema.required.filter((name) => !(name in body)).map((name) => `${name} is required`);
  for (const [name, value] of Object.entries(body)) {
    const property = schema.properties[name];
    if (!property) {
      if (!schema.additionalProperties) problems.push(`${name} is not a documented property`);
      continue;
    }
    problems.push(...valueProblems(name, value, property));
  }
  return problems;
}

function valueProblems(name: string, value: unknown, property: PropertySchema): string[] {
  const unknown = Object.keys(property).filter((keyword) => !KNOWN_KEYWORDS.has(keyword));
  if (unknown.length > 0) return [`${name}: the schema uses ${unknown.join(', ')}, which this test does not read`];
  if (value === null) return property.nullable ? [] : [`${name} is not nullable`];
  const problems = (property.allOf ?? []).flatMap((part) => valueProblems(name, value, part));
  if (property.type === 'string' && typeof value !== 'string') problems.push(`${name} must be a string`);
  if (property.type === 'integer' && !Number.isInteger(value)) problems.push(`${name} must be an integer`);
  if (property.format === 'int32' && Number.isInteger(value) && Math.abs(value as number) >= 2 ** 31) problems.push(`${name} must fit int32`);
  if (property.format === 'email' && !/^[^\s@]+@[^\s@]+$/.test(String(value))) problems.push(`${name} must be an e-mail address`);
  if (property.maxLength !== undefined && [...String(value)].length > property.maxLength) problems.push(`${name} is over ${property.maxLength} characters`);
  if (property.minimum !== undefined && (value as number) < property.minimum) problems.push(`${name} is under ${property.minimum}`);
  if (property.maximum !== undefined && (value as number) > property.maximum) problems.push(`${name} is over ${property.maximum}`);
  if (property.enum && !property.enum.includes(value)) problems.push(`${name} is not one of ${property.enum.join(', ')}`);
  return problems;
}

function header(sent: Sent, name: string): string | undefined {
  const value = sent.headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(', ') : value;
}

describe('Blitzz client against the samples of its document (000)', () => {
  const samples = contractSamples('blitzz');
  const codeSamples = samples.filter((entry) => entry.id.startsWith(CODE_SAMPLE));

  let requests: Sent[];
  before(async () => {
    requests = await everyRequest();
    assert.equal(requests.length, 6, 'three deliveries, with and without media options');
  });

  describe('requests', () => {
    it('invitation-request: every body uses only the example\'s field names, and each channel its own fields', () => {
      const example = sample<Record<string, unknown>>('blitzz', 'invitation-request');
      const missing = requests.map((sent) => keyDifference(sent.body, example));
      for (const difference of missing) assert.deepEqual(difference.extra, [], 'a field the document does not show');
      // Exactly one channel per call (seed 000: "At a time, only one invitation will work").
      assert.deepEqual(
        missing.map((difference) => difference.missing),
        [
          ['EmailAddress', 'QueryStringParameter'],
          ['EmailAddress', 'Message', 'QueryStringParameter'],
          ['IsoCode', 'MobileNo', 'QueryStringParameter'],
          ['EmailAddress'],
          ['EmailAddress', 'Message'],
          ['IsoCode', 'MobileNo'],
        ],
      );
    });

    it('invitation-request-schema: every body the client sends conforms to the printed JSON schema, types included', () => {
      const schema = sample<ObjectSchema>('blitzz', 'invitation-request-schema');
      for (const sent of requests) assert.deepEqual(schemaProblems(sent.body as Record<string, unknown>, schema), [], JSON.stringify(sent.body));
      assert.deepEqual(
        requests.map((sent) => (sent.body as { InvitationType: unknown }).InvitationType),
        [1, 2, 3, 1, 2, 3],
        "the prose's numbering by default",
      );
      // The checker is not blind: what the schema refuses, it names.
      assert.deepEqual(schemaProblems({ InvitationType: 6, Message: 'x'.repeat(101), MobileNo: 612345678, Channel: 'sms' }, schema), [
        'InvitationType is over 5',
        'Message is over 100 characters',
        'MobileNo must be a string',
        'Channel is not a documented property',
      ]);
    });

    it('invitation-request-schema: InvitationType is the contradiction BLITZZ_INVITATION_TYPES settles, and its range is the enum\'s', () => {
      const invitationType = sample<ObjectSchema>('blitzz', 'invitation-request-schema').properties.InvitationType!;
      const enumerated = invitationType.allOf?.[0]?.enum as number[];
      assert.deepEqual(enumerated, [1, 2, 3, 4, 5, 6]);
      assert.deepEqual([invitationType.minimum, invitationType.maximum], [1, 5], 'the maximum contradicts the enum');
      assert.deepEqual([INVITATION_TYPE_MIN, INVITATION_TYPE_MAX], [Math.min(...enumerated), Math.max(...enumerated)]);
    });

    it('sends the InvitationType BLITZZ_INVITATION_TYPES gives each channel, whichever reading it follows', async () => {
      const settings = settingsFromEnvironment({ BLITZZ_INVITATION_TYPES: 'sms=4,whatsapp=5,email=6' });
      const blitzzApi = blitzzAnswering(settings, { status: 200, body: sample('blitzz', 'invitation-response') as object });
      const { client } = makeClient(settings);
      for (const invitation of Object.values(INVITATIONS)) await client.sendInvitation(invitation);
      assert.deepEqual(
        blitzzApi.sent.map((sent) => (sent.body as { InvitationType: number }).InvitationType),
        [4, 5, 6],
      );
    });

    for (const entry of codeSamples) {
      it(`${entry.id}: method, URL, headers and body as the code sample sends them`, () => {
        const code = entry.body as CodeSample;
        const documented = new URL(code.url.replace('{SessionId}', SESSION_ID));
        for (const sent of requests) {
          assert.equal(sent.method, code.method);
          assert.equal(sent.url.origin, documented.origin, 'the default BLITZZ_API_URL is the documented host');
          assert.equal(sent.url.pathname, documented.pathname);
          for (const name of Object.keys(code.headers)) assert.ok(header(sent, name), `${name} header missing`);
          // The samples leave the token empty for the reader to fill in: the login's UserToken goes there.
          assert.equal(header(sent, 'UserToken'), TOKEN);
          assert.equal(header(sent, 'Content-Type'), code.headers['Content-Type']);
          assert.equal(code.body, '{body}', 'the code samples post the Request body sample');
          assert.equal(typeof sent.body, 'object', 'the body is JSON');
        }
      });
    }

    it('sends no query string: only the Objective-C sample adds one (entities=true), which no parameter list names', () => {
      const queries = Object.fromEntries(codeSamples.map((entry) => [entry.id, (entry.body as CodeSample).query]));
      assert.deepEqual(
        Object.entries(queries).filter(([, query]) => Object.keys(query).length > 0),
        [['invitation-code-objective-c', { entities: 'true' }]],
      );
      for (const sent of requests) assert.equal(sent.url.search, '');
    });

    it('encodes the body as UTF-8 JSON, as the C# and Objective-C samples do: a non-ASCII message arrives intact', () => {
      const sms = requests[0]!.body as { Message: string };
      assert.equal(sms.Message, INVITATIONS.sms!.message);
    });
  });

  describe('answers', () => {
    it('invitation-response (200 "Success", printed as the request again): sent, after one login whose token every call carries', async () => {
      const entry = samples.find((item) => item.id === 'invitation-response')!;
      assert.equal(entry.status, 200);
      const settings = settingsFromEnvironment();
      // The body exactly as printed, `"InvitationType": {}` included: nothing in it is read.
      const blitzzApi = blitzzAnswering(settings, { status: entry.status!, body: entry.printed });
      const { client, health } = makeClient(settings);
      assert.deepEqual(await client.sendInvitation(INVITATIONS.sms!), { sentAt: new Date(T0).toISOString() });
      assert.deepEqual(await client.sendInvitation(INVITATIONS.email!), { sentAt: new Date(T0).toISOString() });
      assert.equal(blitzzApi.logins(), 1, 'the token is kept between calls');
      assert.deepEqual(
        blitzzApi.sent.map((sent) => header(sent, 'UserToken')),
        [TOKEN, TOKEN],
      );
      assert.deepEqual({ ...health.lastCall('blitzz'), at: undefined }, { operation: 'sendInvitation', ok: true, at: undefined });
    });

    it('invitation-response: the ShowMe provider reports the invitation sent, under the session code, and tracks nothing', async () => {
      const settings = settingsFromEnvironment();
      blitzzAnswering(settings, { status: 200, body: sample('blitzz', 'invitation-response') as object });
      const provider = new BlitzzShowMeProvider({ client: makeClient(settings).client });
      const phone = parseContact('+33612345678');
      assert.ok(phone.ok && phone.contact.kind === 'phone');
      const request: StartRequest = {
        vendor: 'blitzz',
        kind: 'showme',
        shape: 'invite',
        phone: phone.contact,
        delivery: 'sms',
        message: 'Your engineer is ready',
        options: { sessionId: SESSION_ID },
      };
      // Only what the provider reads of the session row; the rest belongs to the lifecycle.
      const session = { contactMasked: '+33 6•• •• •• 78', delivery: 'sms' } as Session;
      const outcome = await provider.create(session, request);
      assert.deepEqual(
        { vendorId: outcome.vendorId, status: outcome.status, vendorState: outcome.vendorState, tracking: outcome.tracking, details: outcome.details },
        { vendorId: SESSION_ID, status: 'sent', vendorState: 'sent', tracking: false, details: { session_id: SESSION_ID, message: 'Your engineer is ready' } },
      );
    });

    it('the document prints no error body and no status but 200, so every sample is a request or that answer', () => {
      assert.deepEqual(
        samples.filter((entry) => entry.kind !== 'request').map((entry) => [entry.id, entry.kind, entry.status]),
        [['invitation-response', 'response', 200]],
      );
    });
  });

  it('has a test above for every sample in the folder', () => {
    assert.deepEqual(
      samples.map((entry) => entry.id).filter((id) => !NAMED_SAMPLES.includes(id) && !id.startsWith(CODE_SAMPLE)),
      [],
    );
    assert.equal(codeSamples.length, 9, 'curl, C#, Java, JavaScript, Objective-C, PHP, Python 2.7 and 3.2, Ruby');
  });
});
