/**
 * ENCRYPTION_KEY rotated on a live database: contacts written before key versioning (v1, raw key)
 * are re-keyed at startup, a Resend after each restart still reaches the original contact, and
 * Imbee keeps seeing the same `virtual_user` for the same person.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sandboxEnvironment, startSandboxes, type Sandboxes } from '../../sandbox/local-stack.js';
import { SlackRequester } from '../../sandbox/slack-requests.js';
import { createApp, type Rendezvous } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { ContactCrypto, keyIdOf } from '../../src/store/contact-crypto.js';
import { openDatabase } from '../../src/store/database.js';
import { virtualUserFor } from '../../src/vendors/imbee/client.js';
import { ACTION } from '../../src/ui/ids.js';
import { eventually } from '../helpers/eventually.js';
import { legacyEncrypt, legacyHash, legacySalt } from '../store/legacy-keys.js';

const CHANNEL = 'C0SUPPORT';
const STARTER = 'U0AGENT';
const PHONE = '+33612345678';
const EMAIL = 'jane@example.com';

describe('e2e: rotating ENCRYPTION_KEY on a database from before key versioning', function () {
  this.timeout(60_000);
  const keyA = randomBytes(32);
  const keyB = randomBytes(32);
  const signingSecret = randomBytes(16).toString('hex');
  let sandboxes: Sandboxes;
  let dataDir: string;
  let databaseUrl: string;
  let running: Rendezvous | undefined;

  beforeEach(async () => {
    sandboxes = await startSandboxes();
    dataDir = mkdtempSync(join(tmpdir(), 'rendezvous-keys-'));
    databaseUrl = `file:${join(dataDir, 'rendezvous.db')}`;
  });
  afterEach(async () => {
    await running?.stop();
    running = undefined;
    await sandboxes.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function start(keys: { current: Buffer; previous?: Buffer }): Promise<SlackRequester> {
    await running?.stop();
    const config = loadConfig({
      ...sandboxEnvironment(sandboxes, { vendors: ['blitzz', 'imbee'] }),
      SLACK_SIGNING_SECRET: signingSecret,
      PORT: '0',
      DATABASE_URL: databaseUrl,
      ENCRYPTION_KEY: keys.current.toString('base64'),
      ...(keys.previous ? { ENCRYPTION_KEY_PREVIOUS: keys.previous.toString('base64') } : {}),
      TRACK_INTERVAL_SECONDS: '1',
    });
    running = createApp(config, { logger: createLogger('silent') });
    const { port } = await running.start();
    return new SlackRequester({ appUrl: `http://127.0.0.1:${port}`, signingSecret, fakeSlack: sandboxes.slack });
  }

  async function stop(): Promise<void> {
    await running?.stop();
    running = undefined;
  }

  /** Rewrites what the first run stored as the release before key versioning wrote it: v1, raw key, no pin, no account keys. */
  async function asBeforeVersioning(rawKey: Buffer): Promise<void> {
    const { db } = openDatabase(databaseUrl);
    const crypto = new ContactCrypto(rawKey);
    const rows = await db.selectFrom('sessions').select(['id', 'contact_encrypted']).where('contact_encrypted', 'is not', null).execute();
    for (const row of rows) {
      const contact = crypto.decrypt(row.contact_encrypted!);
      await db
        .updateTable('sessions')
        .set({ contact_encrypted: legacyEncrypt(rawKey, contact), contact_hash: legacyHash(rawKey, contact), vendor_account: null })
        .where('id', '=', row.id)
        .execute();
    }
    await db.deleteFrom('key_pins').execute();
    await db.destroy();
  }

  async function storedPrefixes(): Promise<string[]> {
    const { db } = openDatabase(databaseUrl);
    const rows = await db.selectFrom('sessions').select('contact_encrypted').where('contact_encrypted', 'is not', null).execute();
    await db.destroy();
    return rows.map((row) => row.contact_encrypted!.split(':').slice(0, 2).join(':'));
  }

  async function resend(requester: SlackRequester, card: { sessionId: string; ts: string }): Promise<void> {
    const before = sandboxes.blitzz.invitations.length;
    await requester.interaction(
      requester.blockAction({ actionId: ACTION.resend, value: card.sessionId, userId: STARTER, channelId: CHANNEL, messageTs: card.ts }),
    );
    await eventually('Blitzz got the invitation again', () => sandboxes.blitzz.invitations.length === before + 1, 8000);
    assert.equal(sandboxes.blitzz.invitations.at(-1)!.body.MobileNo, '612345678', 'the original contact');
  }

  /** The `virtual_user` the app sends Imbee for EMAIL (the request's, as Imbee answers "previously created" after the first). */
  async function imbeeVirtualUser(requester: SlackRequester): Promise<string> {
    const tokenRequests = () => sandboxes.imbee.requests.filter((request) => request.path.endsWith('/token/new'));
    const before = tokenRequests().length;
    await requester.slash(`${EMAIL} imbee`, { userId: STARTER, channelId: CHANNEL });
    await eventually('Imbee was asked for a link', () => tokenRequests().length > before, 8000);
    const body = tokenRequests().at(-1)!.body as { virtual_user?: unknown };
    assert.equal(typeof body.virtual_user, 'string');
    return body.virtual_user as string;
  }

  it('re-keys v1 contacts at startup; Resend reaches the contact and Imbee’s virtual_user stays, through A → B/A → B', async () => {
    // The previous release's deployment, key A: one Blitzz invitation with a Resend button.
    let requester = await start({ current: keyA });
    await requester.slash(`${PHONE} blitzz sms ref:CASE-K`, { userId: STARTER, channelId: CHANNEL });
    const update = await sandboxes.slack.waitFor('chat.update', (call) => JSON.stringify(call.args.blocks).includes('Resend invitation'));
    const card = { sessionId: JSON.stringify(update.args.blocks).match(/"value":"([0-9a-f-]{36})"/)![1]!, ts: update.args.ts as string };
    await stop();
    await asBeforeVersioning(keyA);
    assert.deepEqual((await storedPrefixes()).map((prefix) => prefix.slice(0, 3)), ['v1:']);
    // What Imbee saw from that release for this person: HMAC keyed with ENCRYPTION_KEY in base64.
    const legacyVirtualUser = virtualUserFor(EMAIL, legacySalt(keyA));

    // This release, same key: the v1 row is re-keyed at startup and still resends.
    requester = await start({ current: keyA });
    assert.deepEqual(await storedPrefixes(), [`v2:${keyIdOf(keyA)}`]);
    await resend(requester, card);
    assert.equal(await imbeeVirtualUser(requester), legacyVirtualUser);

    // Rotation: ENCRYPTION_KEY=B, ENCRYPTION_KEY_PREVIOUS=A.
    requester = await start({ current: keyB, previous: keyA });
    assert.deepEqual((await storedPrefixes()).filter((prefix) => prefix !== `v2:${keyIdOf(keyB)}`), [], 'everything under B');
    await resend(requester, card);
    assert.equal(await imbeeVirtualUser(requester), legacyVirtualUser);

    // A dropped.
    requester = await start({ current: keyB });
    await resend(requester, card);
    assert.equal(await imbeeVirtualUser(requester), legacyVirtualUser);
    assert.equal(sandboxes.imbee.tokens.length, 1, 'Imbee made one link for this person and gave it back each time');
    assert.equal(sandboxes.imbee.tokens[0]!.virtualUser, legacyVirtualUser);
  });

  it('goes straight from v1 under A to ENCRYPTION_KEY=B with ENCRYPTION_KEY_PREVIOUS=A (upgrade and rotation in one deploy)', async () => {
    let requester = await start({ current: keyA });
    await requester.slash(`${PHONE} blitzz sms ref:CASE-L`, { userId: STARTER, channelId: CHANNEL });
    const update = await sandboxes.slack.waitFor('chat.update', (call) => JSON.stringify(call.args.blocks).includes('Resend invitation'));
    const card = { sessionId: JSON.stringify(update.args.blocks).match(/"value":"([0-9a-f-]{36})"/)![1]!, ts: update.args.ts as string };
    await stop();
    await asBeforeVersioning(keyA);

    requester = await start({ current: keyB, previous: keyA });
    assert.deepEqual(await storedPrefixes(), [`v2:${keyIdOf(keyB)}`]);
    assert.equal(await imbeeVirtualUser(requester), virtualUserFor(EMAIL, legacySalt(keyA)));
    requester = await start({ current: keyB });
    await resend(requester, card);
  });
});
