import assert from 'node:assert/strict';
import type { Session } from '../../src/domain/session.js';
import { createLogger } from '../../src/logger.js';
import { LinkUnfurls } from '../../src/services/link-unfurls.js';
import { SlackPostError, type UnfurlTarget } from '../../src/slack/gateway.js';
import type { SlackApi, SlackGateways } from '../../src/slack/gateways.js';
import { LinkUnfurlsRepository } from '../../src/store/link-unfurls-repository.js';
import { SessionsRepository } from '../../src/store/sessions-repository.js';
import { apizeeAgentLinks } from '../../src/vendors/apizee/agent-links.js';
import { vendorModules } from '../../src/vendors/index.js';
import { eachDatabase, sessionFixture } from '../helpers/databases.js';

const AGENT_URL = 'https://cloud.apizee.com/entrypoint/223/tickets/82070';
const PLACE = { channel: 'C0FIELD', messageTs: '1700000000.000900' };

/** A workspace's Slack as the service sees it: chat.unfurl calls recorded, failures on demand. */
function fakeSlack() {
  const calls: Array<{ place: UnfurlTarget; unfurls: Record<string, { blocks: unknown[] }> }> = [];
  const failures: Error[] = [];
  let permalinks = 0;
  const api = {
    unfurl: async (place: UnfurlTarget, unfurls: Record<string, { blocks: unknown[] }>) => {
      const failure = failures.shift();
      calls.push({ place, unfurls });
      if (failure) throw failure;
    },
    permalink: async () => {
      permalinks += 1;
      return 'https://acme.slack.com/archives/C0SUPPORT/p1700000000000100';
    },
  } as unknown as SlackApi;
  const gateways: SlackGateways = { of: () => api };
  return { calls, failures, gateways, permalinks: () => permalinks };
}

eachDatabase('LinkUnfurls', (ctx) => {
  let sessions: SessionsRepository;
  let session: Session;
  const vendors = () => ({
    agentLinkOf: (url: string) => {
      const found = apizeeAgentLinks('https://cloud.apizee.com').sessionOf(url);
      return found && { vendor: 'apizee', ...found };
    },
  });
  const service = (slack: ReturnType<typeof fakeSlack>, now?: () => Date) =>
    new LinkUnfurls({
      sessions,
      unfurls: new LinkUnfurlsRepository(ctx.db()),
      vendors,
      gateways: slack.gateways,
      backgroundGateways: slack.gateways,
      catalogue: vendorModules,
      logger: createLogger('silent'),
      now,
    });
  const shared = (teamId = 'T0TEAM', links = [AGENT_URL]) =>
    ({ teamId, enterpriseId: null, channel: PLACE.channel, messageTs: PLACE.messageTs, source: 'conversations_history', unfurlId: 'U0A-1', links: links.map((url) => ({ url })) });

  beforeEach(async () => {
    sessions = new SessionsRepository(ctx.db(), ctx.kind);
    session = sessionFixture({ teamId: 'T0TEAM', vendorId: '82070', agentUrl: AGENT_URL, cardTs: '1700000000.000100', channelId: 'C0SUPPORT', reference: 'CASE-9' });
    await sessions.insert(session);
  });

  it('keeps a refresh owed across a restart: the next process’s pass makes it, once', async () => {
    const before = fakeSlack();
    const first = service(before);
    assert.equal(await first.shared(shared()), 1);
    assert.deepEqual(before.calls[0]!.place, { channelId: PLACE.channel, messageTs: PLACE.messageTs });
    // The change is marked, but its refresh loses its answer, and the process stops.
    before.failures.push(new SlackPostError('request_failed'));
    await sessions.apply(session.id, { status: 'joined', joinedAt: new Date() }, { basedOn: session.version });
    await first.changed(session);
    await first.flush();
    await first.stop();
    assert.equal(before.calls.length, 2);

    const after = fakeSlack();
    const restarted = service(after);
    await restarted.flush();
    assert.equal(after.calls.length, 1, 'the owed refresh is made after the restart');
    assert.ok(JSON.stringify(after.calls[0]!.unfurls[AGENT_URL]).includes('In progress'));
    await restarted.flush();
    assert.equal(after.calls.length, 1, 'and only once');
  });

  it('owes a refresh for a change applied while the first unfurl was being made (it found nothing to mark)', async () => {
    const slack = fakeSlack();
    const unfurls = service(slack);
    const api = slack.gateways.of(session);
    const unfurl = api.unfurl.bind(api);
    let changedOnce = false;
    api.unfurl = async (place, previews) => {
      await unfurl(place, previews);
      if (changedOnce) return;
      changedOnce = true;
      await sessions.apply(session.id, { status: 'joined', joinedAt: new Date() }, { basedOn: session.version });
      await unfurls.changed(session);
    };
    await unfurls.shared(shared());
    await unfurls.flush();
    assert.equal(slack.calls.length, 2);
    assert.ok(JSON.stringify(slack.calls[1]!.unfurls[AGENT_URL]).includes('In progress'));
    await unfurls.shared(shared());
    await unfurls.flush();
    assert.equal(slack.calls.length, 3, 'no change meanwhile: nothing more owed');
  });

  it('waits as long as Slack asks after a 429, the refresh still owed', async () => {
    let now = Date.parse('2026-12-02T16:00:00Z');
    const slack = fakeSlack();
    const unfurls = service(slack, () => new Date(now));
    await unfurls.shared(shared());
    slack.failures.push(new SlackPostError('ratelimited', { retryAfterMs: 30_000 }));
    await unfurls.changed(session);
    await unfurls.flush();
    assert.equal(slack.calls.length, 2);
    now += 10_000;
    await unfurls.flush();
    assert.equal(slack.calls.length, 2, 'not before Retry-After');
    now += 25_000;
    await unfurls.flush();
    assert.equal(slack.calls.length, 3);
    assert.equal(slack.permalinks(), 1, 'the card’s permalink is asked for once');
  });

  it('forgets an unfurl whose message Slack says is gone', async () => {
    const slack = fakeSlack();
    const unfurls = service(slack);
    await unfurls.shared(shared());
    slack.failures.push(new SlackPostError('message_not_found'));
    await unfurls.changed(session);
    await unfurls.flush();
    assert.deepEqual(await new LinkUnfurlsRepository(ctx.db()).ofSession(session.id), []);
    await unfurls.changed(session);
    await unfurls.flush();
    assert.equal(slack.calls.length, 2, 'never tried again');
  });

  it('unfurls nothing for another workspace, another host, or a session whose agent link has another origin', async () => {
    const slack = fakeSlack();
    const unfurls = service(slack);
    assert.equal(await unfurls.shared(shared('T0OTHER')), 0);
    assert.equal(await unfurls.shared(shared('T0TEAM', ['https://diag.apizee.com?convId=1&pwd=2', 'https://cloud.apizee.com/entrypoint/223/tickets/1'])), 0);
    const elsewhere = sessionFixture({ teamId: 'T0TEAM', vendorId: '555', agentUrl: 'https://apizee.other.example/entrypoint/223/tickets/555' });
    await sessions.insert(elsewhere);
    assert.equal(await unfurls.shared(shared('T0TEAM', ['https://cloud.apizee.com/entrypoint/223/tickets/555'])), 0);
    assert.equal(slack.calls.length, 0);
  });
});
