import assert from 'node:assert/strict';
import type { HomeView } from '@slack/types';
import { createLogger } from '../../src/logger.js';
import { HOME_PERMALINKS_MAX, HOME_SESSIONS_READ, HomeService } from '../../src/services/home.js';
import { oneGateway, type SlackApi } from '../../src/slack/gateways.js';
import type { Session } from '../../src/domain/session.js';
import { vendorModules } from '../../src/vendors/index.js';
import { captureLogs } from '../helpers/log-capture.js';

const TEAM = 'T0001';
const USER = 'U0AGENT';

function row(i: number, status: Session['status'], overrides: Partial<Session> = {}): Session {
  return {
    id: `s${i}`,
    teamId: TEAM,
    enterpriseId: null,
    vendor: 'apizee',
    kind: 'ticket',
    vendorId: `v${i}`,
    reference: `CASE-${i}`,
    contactMasked: '+33 6•• •• •• 78',
    contactEncrypted: 'enc:+33612345678',
    contactHash: null,
    delivery: 'sms',
    vendorState: null,
    status,
    statusDetail: null,
    channelId: 'C0SUPPORT',
    cardTs: `1700000000.${String(i).padStart(6, '0')}`,
    startedBy: USER,
    agentUrl: null,
    customerUrl: 'https://diag.apizee.com?pwd=798042',
    details: {},
    createdAt: new Date(Date.UTC(2025, 0, 1) - i * 60_000),
    updatedAt: new Date(),
    joinedAt: null,
    endedAt: null,
    tracking: true,
    nextCheckAt: null,
    mediaPosted: false,
    lastError: null,
    vendorAccount: null,
    version: 0,
    ...overrides,
  };
}

function harness(rows: Session[], options: { admin?: boolean; publishFails?: boolean; readFails?: boolean } = {}) {
  const published: Array<{ userId: string; view: HomeView }> = [];
  const permalinkCalls: string[] = [];
  const reads: Array<[string, string, number]> = [];
  const adminChecks: Array<[string, string]> = [];
  const adminCheckLoggers: unknown[] = [];
  const warnings: unknown[] = [];
  const logger = createLogger('silent');
  logger.warn = ((...args: unknown[]) => void warnings.push(args)) as typeof logger.warn;
  const service = new HomeService({
    sessions: {
      startedBy: async (teamId, userId, limit) => {
        reads.push([teamId, userId, limit]);
        if (options.readFails) throw new Error('database down');
        return rows.slice(0, limit);
      },
    },
    permalink: async (session) => {
      permalinkCalls.push(session.id);
      return `https://acme.slack.com/archives/${session.channelId}/p${session.cardTs!.replace('.', '')}`;
    },
    admins: {
      isAdmin: async (teamId, actor) => {
        adminChecks.push([teamId, actor.userId]);
        adminCheckLoggers.push(actor.logger);
        return options.admin ?? false;
      },
    },
    gateways: oneGateway({
      publishHome: async (userId: string, view: HomeView) => {
        if (options.publishFails) throw new Error('views.publish failed');
        published.push({ userId, view });
      },
    } as unknown as SlackApi),
    vendors: () => [{ vendor: 'apizee' }],
    vendorAccounts: () => [{ vendor: 'apizee', label: 'Apizee', source: 'environment' }],
    logger,
    catalogue: vendorModules,
  });
  return { service, published, permalinkCalls, reads, warnings, adminChecks, adminCheckLoggers };
}

describe('HomeService', () => {
  it('reads the user’s newest sessions and publishes active and finished ones with their links', async () => {
    const rows = [row(1, 'joined'), row(2, 'ended'), row(3, 'invited', { cardTs: null })];
    const { service, published, reads } = harness(rows);
    await service.publish(TEAM, USER);
    assert.deepEqual(reads, [[TEAM, USER, HOME_SESSIONS_READ]]);
    assert.equal(published.length, 1);
    assert.equal(published[0]!.userId, USER);
    const json = JSON.stringify(published[0]!.view);
    assert.ok(json.includes('/p1700000000000001|open the card'), json);
    assert.ok(json.includes('/p1700000000000002|open the card'), json);
    assert.ok(json.includes('`CASE-3`'), json);
    assert.ok(!json.includes('612345678') && !json.includes('pwd=798042'), 'nothing but the masked contact');
    const active = json.indexOf('Your active sessions');
    const recent = json.indexOf('Recently finished');
    assert.ok(active < json.indexOf('CASE-1') && json.indexOf('CASE-1') < recent, 'CASE-1 is active');
    assert.ok(json.indexOf('CASE-2') > recent, 'CASE-2 is finished');
  });

  it(`looks up at most ${HOME_PERMALINKS_MAX} permalinks, active sessions first`, async () => {
    const rows = [...Array.from({ length: 10 }, (_, i) => row(i, 'ended')), ...Array.from({ length: 20 }, (_, i) => row(100 + i, 'joined'))];
    const { service, published, permalinkCalls } = harness(rows);
    await service.publish(TEAM, USER);
    assert.equal(permalinkCalls.length, HOME_PERMALINKS_MAX);
    assert.ok(permalinkCalls.every((id) => Number(id.slice(1)) >= 100), permalinkCalls.join(','));
    assert.equal(published.length, 1);
  });

  it('shows the admin part to admins only', async () => {
    const member = harness([]);
    await member.service.publish(TEAM, USER);
    assert.ok(!JSON.stringify(member.published[0]!.view).includes('*Vendors*'));
    const admin = harness([], { admin: true });
    await admin.service.publish(TEAM, USER);
    assert.ok(JSON.stringify(admin.published[0]!.view).includes('*Vendors*'));
    assert.deepEqual(admin.adminChecks, [[TEAM, USER]], 'asked about this workspace');
  });

  it('writes with the request’s logger when given one, its admin check too', async () => {
    const { service, warnings, adminCheckLoggers } = harness([row(1, 'joined')], { publishFails: true });
    const request = captureLogs('warn');
    const logger = request.logger.child({ correlationId: 'req-home-1' });
    await service.publish(TEAM, USER, null, logger);
    assert.deepEqual(warnings, [], 'not the service’s own logger');
    const [line] = request.lines.map((text) => JSON.parse(text) as { msg: string; correlationId?: string });
    assert.deepEqual([line?.msg, line?.correlationId], ['App Home not published', 'req-home-1']);
    assert.deepEqual(adminCheckLoggers, [logger]);
  });

  it('logs failures and never throws', async () => {
    for (const options of [{ publishFails: true }, { readFails: true }]) {
      const { service, warnings } = harness([row(1, 'joined')], options);
      await assert.doesNotReject(service.publish(TEAM, USER));
      assert.equal(warnings.length, 1, JSON.stringify(options));
    }
  });
});
