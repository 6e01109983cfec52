/**
 * The Genesys sandbox answers and notifies with exactly the key paths of the document's samples
 * (test/contracts/genesys): no field the seed does not show, and no `referenceId` on a
 * successful notification. It accepts both readings of the seed's contradictions: the path with
 * or without `/me`, and `targetUri`/`targetPath` (table) or `userUri` (sample).
 */
import assert from 'node:assert/strict';
import { GENESYS_SANDBOX_SMS_TOPIC, startGenesysSandbox, type GenesysSandbox } from '../../sandbox/genesys.js';
import { keyDifference, sample } from './contract-samples.js';

const SMS = '0000Na9B26EF006E';
const AUTH = `Basic ${Buffer.from('agent1:secret').toString('base64')}`;
const NO_DIFFERENCE = { extra: [], missing: [] };

/** Untyped JSON, for reading answers. */
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A raw Bayeux subscriber: every `data` published on the SMS topic, exactly as sent on the wire. */
class RawSubscriber {
  readonly data: Json[] = [];
  private clientId = '';
  private running = true;
  private polling?: Promise<void>;

  constructor(private readonly sandbox: GenesysSandbox) {}

  private async post(messages: object[]): Promise<Json[]> {
    const response = await fetch(this.sandbox.notificationsUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: AUTH },
      body: JSON.stringify(messages),
    });
    return (await response.json()) as Json[];
  }

  async start(): Promise<void> {
    const [handshake] = await this.post([{ channel: '/meta/handshake', version: '1.0', supportedConnectionTypes: ['long-polling'] }]);
    this.clientId = handshake?.clientId as string;
    const [subscribed] = await this.post([{ channel: '/meta/subscribe', clientId: this.clientId, subscription: GENESYS_SANDBOX_SMS_TOPIC }]);
    assert.equal(subscribed?.successful, true);
    this.polling = this.poll();
  }

  private async poll(): Promise<void> {
    while (this.running) {
      const replies = await this.post([{ channel: '/meta/connect', clientId: this.clientId, connectionType: 'long-polling', advice: { timeout: 300 } }]).catch(() => []);
      for (const reply of replies) if (reply.channel === GENESYS_SANDBOX_SMS_TOPIC) this.data.push(reply.data as Json);
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.polling;
  }
}

async function operate(sandbox: GenesysSandbox, path: string, body: unknown): Promise<Json> {
  const me = await fetch(`${sandbox.url}/api/v2/me`, { headers: { authorization: AUTH } });
  const cookie = (me.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const csrf = { [me.headers.get('x-csrf-header') ?? 'x-csrf-token']: me.headers.get('x-csrf-token') ?? '' };
  const response = await fetch(`${sandbox.url}${path}`, {
    method: 'POST',
    headers: { authorization: AUTH, cookie, 'content-type': 'application/json', ...csrf },
    body: JSON.stringify(body),
  });
  assert.equal(response.status, 200);
  return (await response.json()) as Json;
}

async function until(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + 3000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('Genesys contract: the sandbox answers with the samples\' exact shapes', () => {
  let sandbox: GenesysSandbox;
  let subscriber: RawSubscriber;

  beforeEach(async () => {
    sandbox = await startGenesysSandbox({ outcomeDelayMs: 10, connectTimeoutMs: 300 });
    subscriber = new RawSubscriber(sandbox);
    await subscriber.start();
  });

  afterEach(async () => {
    await subscriber.stop();
    await sandbox.close();
  });

  it('the request sample, sent as printed to the sample\'s path, gets the response sample\'s keys', async () => {
    const answer = await operate(sandbox, `/api/v2/smssessions/${SMS}`, sample('genesys', 'invite-request'));
    assert.deepEqual(keyDifference(answer, sample('genesys', 'invite-response')), NO_DIFFERENCE);
    assert.equal(answer.statusCode, 0);
  });

  for (const [reading, path, body] of [
    ['table: targetUri on /me', `/api/v2/me/smssessions/${SMS}`, (target: string) => ({ operationName: 'Invite', targetUri: target })],
    ['table: targetPath on /me', `/api/v2/me/smssessions/${SMS}`, () => ({ operationName: 'Invite', targetPath: '/users/agent-2' })],
    ['sample: userUri without /me', `/api/v2/smssessions/${SMS}`, (target: string) => ({ operationName: 'Invite', userUri: target })],
  ] as const) {
    it(`a successful Invite (${reading}): the response, then the First and Second Notifications, key for key, no referenceId`, async () => {
      const answer = await operate(sandbox, path, body(sandbox.targets[0]!));
      assert.deepEqual(keyDifference(answer, sample('genesys', 'invite-response')), NO_DIFFERENCE);
      await until('both notifications', () => subscriber.data.length === 2);
      const [first, second] = subscriber.data;
      assert.deepEqual(keyDifference(first, sample('genesys', 'invite-notification-participants-updated')), NO_DIFFERENCE);
      assert.deepEqual(keyDifference(second, sample('genesys', 'invite-notification-new-messages')), NO_DIFFERENCE);
      assert.equal(first?.notificationType, 'ParticipantsUpdated');
      assert.equal(second?.messages[0].type, 'ParticipantJoined');
      assert.equal(second?.smssessionUri, `${sandbox.url}/api/v2/smssessions/${SMS}`);
    });
  }

  it('a failed Invite (the sample\'s contact URI is no user or queue): the Failed sample\'s keys, with the operation\'s referenceId', async () => {
    const answer = await operate(sandbox, `/api/v2/smssessions/${SMS}`, sample('genesys', 'invite-request'));
    await until('the Error', () => subscriber.data.length === 1);
    const [error] = subscriber.data;
    assert.deepEqual(keyDifference(error, sample('genesys', 'invite-notification-error')), NO_DIFFERENCE);
    assert.equal(error?.notificationType, 'Error');
    assert.equal(error?.referenceId, answer.referenceId);
  });

  it('SendUrl: the response sample\'s keys, no notification on success (the seed shows none), the Error\'s keys on failure', async () => {
    const sent = await operate(sandbox, `/api/v2/me/smssessions/${SMS}`, { operationName: 'SendUrl', url: 'https://meet.example/r/1' });
    assert.deepEqual(keyDifference(sent, sample('genesys', 'invite-response')), NO_DIFFERENCE);
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.equal(subscriber.data.length, 0);
    sandbox.failNextOperations();
    const failed = await operate(sandbox, `/api/v2/me/smssessions/${SMS}`, { operationName: 'SendUrl', url: 'https://meet.example/r/2' });
    await until('the Error', () => subscriber.data.length === 1);
    assert.deepEqual(keyDifference(subscriber.data[0], sample('genesys', 'invite-notification-error')), NO_DIFFERENCE);
    assert.equal(subscriber.data[0]?.referenceId, failed.referenceId);
  });
});
