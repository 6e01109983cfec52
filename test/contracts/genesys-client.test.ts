/**
 * The Genesys document's samples (test/contracts/genesys, seed 001 "Invite") replayed into the
 * real client: the request it sends against the request sample, the response sample through nock,
 * and each notification sample through the real CometD listener and what the app makes of it.
 */
import assert from 'node:assert/strict';
import nock from 'nock';
import { GENESYS_SANDBOX_SMS_TOPIC, startGenesysSandbox, type GenesysSandbox } from '../../sandbox/genesys.js';
import type { Outcome } from '../../src/domain/outcome.js';
import type { Session } from '../../src/domain/session.js';
import type { TrackingPort } from '../../src/domain/vendor-module.js';
import { createLogger } from '../../src/logger.js';
import { GenesysClient, type GenesysSettings } from '../../src/vendors/genesys/client.js';
import { MemoryPendingOperations } from '../../src/vendors/genesys/memory-pending.js';
import { GenesysNotifications } from '../../src/vendors/genesys/notifications.js';
import { GenesysOutcomes } from '../../src/vendors/genesys/outcomes.js';
import type { SmsNotification } from '../../src/vendors/genesys/schemas.js';
import { parseTarget } from '../../src/vendors/genesys/targets.js';
import { VendorHealth } from '../../src/vendors/health.js';
import { sessionFixture } from '../helpers/databases.js';
import { eventually } from '../helpers/eventually.js';
import { keyDifference, sample } from './contract-samples.js';

/** The sample's own host and session: `http://localhost:8080`, `0000Na9B26EF006E`. */
const BASE = 'http://localhost:8080';
const SMS = '0000Na9B26EF006E';
const CONTACT_URI = 'http://localhost:8080/api/v2/contacts/429a55994ef64991a77acb77c1cf9041';
const USER_URI = 'http://localhost:8080/api/v2/users/429a55994ef64991a77acb77c1cf9041';

function settings(overrides: Partial<GenesysSettings> = {}): GenesysSettings {
  return { apiUrl: BASE, username: 'agent1', password: 'pw', smsPath: 'me/smssessions', inviteParameter: 'target', outcomeTimeoutMs: 60_000, timeoutMs: 2000, ...overrides };
}

const logger = createLogger('silent');

describe('Genesys contract: the seed\'s samples through the client', () => {
  describe('Invite request and response', () => {
    /** Sends one Invite and returns the body and path Genesys received. */
    async function sent(overrides: Partial<GenesysSettings>, written: string, answer: unknown = sample('genesys', 'invite-response')) {
      let body: unknown;
      let path = '';
      const scope = nock(BASE)
        .get('/api/v2/me')
        .reply(200, { statusCode: 0 })
        .post(/smssessions/, (received) => {
          body = received;
          return true;
        })
        .reply(200, (uri) => {
          path = uri;
          return answer as nock.Body;
        });
      const client = new GenesysClient(settings(overrides), { logger, health: new VendorHealth() });
      const result = await client.invite({ smsSessionId: SMS, target: parseTarget(written)! });
      scope.done();
      return { body, path, result };
    }

    it('the sample\'s reading (GENESYS_SMS_PATH=smssessions, GENESYS_INVITE_PARAMETER=userUri) sends exactly the sample\'s keys to its path', async () => {
      const { body, path } = await sent({ smsPath: 'smssessions', inviteParameter: 'userUri' }, USER_URI);
      assert.equal(path, `/api/v2/smssessions/${SMS}`);
      assert.deepEqual(keyDifference(body, sample('genesys', 'invite-request')), { extra: [], missing: [] });
      assert.deepEqual(body, { operationName: 'Invite', userUri: USER_URI });
    });

    it('by default follows the parameter table: /api/v2/me/smssessions/{id} and targetUri instead of the sample\'s userUri', async () => {
      const { body, path } = await sent({}, USER_URI);
      assert.equal(path, `/api/v2/me/smssessions/${SMS}`);
      assert.deepEqual(keyDifference(body, sample('genesys', 'invite-request')), { extra: ['targetUri'], missing: ['userUri'] });
      const byPath = await sent({}, 'agent:429a55994ef64991a77acb77c1cf9041');
      assert.deepEqual(byPath.body, { operationName: 'Invite', targetPath: '/users/429a55994ef64991a77acb77c1cf9041' });
    });

    it('the sample\'s own target is a contact URI, which the grammar refuses (a user or a queue is invited)', () => {
      const request = sample<{ userUri: string }>('genesys', 'invite-request');
      assert.equal(request.userUri, CONTACT_URI);
      assert.equal(parseTarget(request.userUri), undefined);
    });

    it('the response sample ({statusCode: 0, referenceId: 35}) is an accepted Invite with its reference', async () => {
      const { result } = await sent({}, USER_URI);
      assert.deepEqual(result, { referenceId: 35 });
    });
  });

  describe('notifications: through the real CometD listener, then what the app makes of them', () => {
    let sandbox: GenesysSandbox;
    let listener: GenesysNotifications;
    const heard: SmsNotification[] = [];

    beforeEach(async () => {
      sandbox = await startGenesysSandbox({ connectTimeoutMs: 2000 });
      const own = settings({ apiUrl: sandbox.url, password: 'secret' });
      const client = new GenesysClient(own, { logger, health: new VendorHealth() });
      listener = new GenesysNotifications(own, { logger, session: client });
      heard.splice(0);
      listener.on('notification', (notification) => heard.push(notification));
      await listener.start();
    });

    afterEach(async () => {
      await listener.stop();
      await sandbox.close();
    });

    /** Publishes the sample as Genesys would, and returns what the listener emitted for it. */
    async function replay(id: string): Promise<SmsNotification> {
      const count = heard.length;
      sandbox.publish(GENESYS_SANDBOX_SMS_TOPIC, sample('genesys', id));
      await eventually(`${id} heard`, () => heard.length > count, 2000);
      return heard[count]!;
    }

    for (const id of ['invite-notification-participants-updated', 'invite-notification-new-messages', 'invite-notification-error']) {
      it(`${id}: parsed with every field the sample shows`, async () => {
        const notification = await replay(id);
        assert.deepEqual(notification, sample('genesys', id));
      });
    }

    /** Sessions the outcomes are applied to, and what was applied. */
    function port() {
      const sessions = new Map<string, Session>(['s35', 's36'].map((id) => [id, sessionFixture({ id, vendor: 'genesys', kind: 'sms_invite', status: 'requested' })]));
      const applied: Array<{ id: string; outcome: Outcome }> = [];
      const tracking = {
        get: async (id: string) => sessions.get(id),
        apply: async (session: Session, outcome: Outcome) => applied.push({ id: session.id, outcome }) > 0,
      } as unknown as TrackingPort;
      return { tracking, applied };
    }

    it('the successful samples settle the Invite of that SMS session as joined by BFriend; the Failed sample fails the Invite with referenceId 36', async () => {
      const { tracking, applied } = port();
      const outcomes = new GenesysOutcomes({ pending: new MemoryPendingOperations(), logger, listen: async () => true, timeoutMs: 60_000 });
      listener.on('notification', (notification) => outcomes.onNotification(notification));
      await outcomes.tick(tracking);
      await outcomes.inviteRequested({ sessionId: 's35', smsSessionId: SMS, target: '429a55994ef64991a77acb77c1cf9041' });
      await outcomes.accepted('s35', 35);
      await outcomes.inviteRequested({ sessionId: 's36', smsSessionId: '0000Na9B26EF006M', target: 'agent-3' });
      await outcomes.accepted('s36', 36);
      await replay('invite-notification-participants-updated');
      await replay('invite-notification-new-messages');
      await replay('invite-notification-error');
      await outcomes.idle();
      await eventually('both settled', () => applied.length === 2, 2000);
      const byId = Object.fromEntries(applied.map(({ id, outcome }) => [id, outcome]));
      assert.equal(byId.s35?.status, 'joined');
      assert.equal(byId.s35?.statusDetail, 'BFriend joined the SMS session.');
      assert.equal(byId.s36?.status, 'failed');
      assert.equal(byId.s36?.statusDetail, 'Genesys said: Operation failed');
      await outcomes.stop();
    });
  });
});
