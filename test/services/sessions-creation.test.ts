import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { CreationOutcome, Outcome } from '../../src/domain/outcome.js';
import type { Session } from '../../src/domain/session.js';
import type { StartRequest } from '../../src/domain/start-request.js';
import type { Provider } from '../../src/domain/vendor-module.js';
import { createLogger } from '../../src/logger.js';
import { CardPublisher } from '../../src/services/card-publisher.js';
import { decodeCreationPayload } from '../../src/services/creation-payload.js';
import { ProviderRegistry } from '../../src/services/provider-registry.js';
import { SessionAccess } from '../../src/services/session-access.js';
import { SessionLifecycle } from '../../src/services/session-lifecycle.js';
import { NOTHING_STARTED, SessionService } from '../../src/services/sessions.js';
import { sameForEveryTeam } from '../../src/services/team-vendors.js';
import { SlackPostError, type SlackGateway } from '../../src/slack/gateway.js';
import { oneGateway } from '../../src/slack/gateways.js';
import { ContactCrypto } from '../../src/store/contact-crypto.js';
import { CreationJobsRepository, type CreationJob } from '../../src/store/creation-jobs-repository.js';
import { SessionsRepository } from '../../src/store/sessions-repository.js';
import { VendorError } from '../../src/vendors/errors.js';
import { vendorModules } from '../../src/vendors/index.js';
import { eachDatabase } from '../helpers/databases.js';

const PHONE = '+33612345678';
const ACTOR = { teamId: 'T0TEAM', userId: 'U0STARTER' };
const REQUEST: StartRequest = {
  vendor: 'apizee',
  kind: 'ticket',
  shape: 'invite',
  phone: { kind: 'phone', e164: PHONE },
  delivery: 'sms',
  reference: 'CASE-9',
  options: { due: new Date('2026-12-03T09:00:00.000Z') },
};

const CREATED: CreationOutcome = { vendorId: 'ticket-9', status: 'invited', vendorState: 'pending', tracking: true, milestone: 'Apizee sent the invitation by SMS.' };

eachDatabase('SessionService creation steps', (ctx) => {
  function harness(provider: Partial<Provider> = {}, options: { jobs?: CreationJobsRepository; writeDeadlineMs?: number } = {}) {
    const sessions = new SessionsRepository(ctx.db(), ctx.kind);
    const jobs = options.jobs ?? new CreationJobsRepository(ctx.db(), ctx.kind);
    const posted: string[] = [];
    const updated: string[] = [];
    let postFailure: Error | undefined;
    const gateway = {
      postMessage: async ({ text, threadTs }: { text: string; threadTs?: string }) => {
        if (postFailure && !threadTs) throw postFailure;
        posted.push(text);
        return { channel: 'C0CHANNEL', ts: `1764064800.${String(posted.length).padStart(6, '0')}` };
      },
      updateMessage: async ({ text }: { text: string }) => void updated.push(text),
      permalink: async () => 'https://example.slack.com/archives/C0CHANNEL/p1764064800000001',
    } as unknown as SlackGateway;
    const logger = createLogger('silent');
    const cards = new CardPublisher({ gateways: oneGateway(gateway), sessions, logger, catalogue: vendorModules });
    const lifecycle = new SessionLifecycle({ sessions, cards, onOutbox: async () => undefined, logger });
    const created: Session[] = [];
    const requests: StartRequest[] = [];
    const crypto = new ContactCrypto(randomBytes(32));
    const fake: Provider = {
      kind: 'ticket',
      describeInvitee: () => '+33 6 •• •• •• 78',
      contactOf: (request) => request.phone?.e164,
      create: async (session, request) => {
        created.push(session);
        requests.push(request);
        return CREATED;
      },
      ...provider,
    };
    const replies: string[] = [];
    let queued = 0;
    const service = new SessionService({
      sessions,
      gateways: oneGateway(gateway),
      access: new SessionAccess({ sessions, admins: { isAdmin: async () => false }, logger, retentionDays: 90 }),
      cards,
      lifecycle,
      crypto,
      logger,
      trackIntervalMs: 30_000,
      vendors: sameForEveryTeam({ providers: new ProviderRegistry().add('apizee', fake) }),
      catalogue: vendorModules,
      jobs,
      replyFor: () => async (text) => void replies.push(text),
      onQueued: () => void queued++,
      writeDeadlineMs: options.writeDeadlineMs,
    });
    return {
      service,
      sessions,
      jobs,
      posted,
      updated,
      created,
      requests,
      crypto,
      replies,
      queued: () => queued,
      failCardsWith: (error: Error) => (postFailure = error),
    };
  }

  async function accepted(h: ReturnType<typeof harness>, answer = {}): Promise<{ id: string; job: () => Promise<CreationJob> }> {
    const acceptance = await h.service.accept(REQUEST, 'C0CHANNEL', ACTOR, answer);
    assert.equal(acceptance.accepted, true, acceptance.text);
    const id = acceptance.sessionId!;
    return { id, job: async () => (await h.jobs.get(id))! };
  }

  it('accept writes the session and its job, with the contact encrypted and never in clear, and wakes the runner', async () => {
    const h = harness();
    const acceptance = await h.service.accept(REQUEST, 'C0CHANNEL', ACTOR, { responseUrl: 'https://hooks.slack.com/commands/T0/1/abc' });
    assert.equal(acceptance.text, '⏳ Creating the Apizee session…');
    assert.equal(h.queued(), 1);
    const session = await h.sessions.get(acceptance.sessionId!);
    assert.equal(session?.status, 'creating');
    const rows = JSON.stringify([await ctx.db().selectFrom('sessions').selectAll().execute(), await ctx.db().selectFrom('creation_jobs').selectAll().execute()]);
    assert.ok(!rows.includes('612345678'), 'no phone in clear in either table');
    const job = await h.jobs.get(acceptance.sessionId!);
    assert.equal(job?.step, 'queued');
  });

  it('the stored request reads back whole (contact, dates, response_url, source) and reaches the vendor as it was asked', async () => {
    const h = harness();
    const source = { channelId: 'C0SOURCE', ts: '1764064700.000100' };
    const { job } = await accepted(h, { responseUrl: 'https://hooks.slack.com/commands/T0/1/abc', source });
    const payload = decodeCreationPayload(h.crypto.decrypt((await job()).payload!));
    assert.equal(payload.responseUrl, 'https://hooks.slack.com/commands/T0/1/abc');
    assert.deepEqual(payload.source, source);
    assert.deepEqual(payload.request, REQUEST);
    assert.ok(payload.request.options.due instanceof Date);
    await h.service.postCard(await job());
    await h.service.callVendor({ ...(await job()), step: 'card_posted' }, async () => true);
    assert.deepEqual(h.requests, [REQUEST]);
    assert.match(h.posted.at(-1) ?? '', /started a remote session \(CASE-9\) from this message/, 'the source message links to the card');
  });

  it('each creation job logs, and calls its vendor, under the correlation id of the request that asked for it', async () => {
    const seen = new Map<string, unknown>();
    const h = harness({
      create: async (session, _request, via) => {
        // Both calls are in flight at once: neither may take the other's id.
        await new Promise((resolve) => setTimeout(resolve, 20));
        seen.set(session.id, via?.logger?.bindings().correlationId);
        return CREATED;
      },
    });
    const a = await h.service.accept(REQUEST, 'C0CHANNEL', { ...ACTOR, correlationId: 'request-a' }, {}, 'command:a');
    const b = await h.service.accept(REQUEST, 'C0CHANNEL', { ...ACTOR, correlationId: 'request-b' }, {}, 'command:b');
    const jobs = await Promise.all([a, b].map(async ({ sessionId }) => (await h.jobs.get(sessionId!))!));
    assert.deepEqual(jobs.map((job) => h.service.loggerFor(job).bindings().correlationId), ['request-a', 'request-b']);
    await Promise.all(jobs.map((job) => h.service.callVendor({ ...job, step: 'card_posted' }, async () => true, h.service.loggerFor(job))));
    assert.equal(seen.get(a.sessionId!), 'request-a');
    assert.equal(seen.get(b.sessionId!), 'request-b');
    // A job written without an id (before ids were carried) gets one of its own.
    const old = await h.service.accept(REQUEST, 'C0CHANNEL', ACTOR, {}, 'command:c');
    const own = h.service.loggerFor((await h.jobs.get(old.sessionId!))!).bindings().correlationId;
    assert.match(String(own), /^[0-9a-f-]{36}$/);
    // A job written before the id had its own column still finds it, in its payload.
    const earlier = await h.service.accept(REQUEST, 'C0CHANNEL', { ...ACTOR, correlationId: 'request-d' }, {}, 'command:d');
    await ctx.db().updateTable('creation_jobs').set({ correlation_id: null }).where('session_id', '=', earlier.sessionId!).execute();
    const fromPayload = (await h.jobs.get(earlier.sessionId!))!;
    assert.equal(fromPayload.correlationId, null);
    assert.equal(h.service.loggerFor(fromPayload).bindings().correlationId, 'request-d');
  });

  it('says nothing was started when the write does not answer within the deadline', async () => {
    const stuck = new CreationJobsRepository(ctx.db(), ctx.kind);
    stuck.create = () => new Promise(() => undefined);
    const h = harness({}, { jobs: stuck, writeDeadlineMs: 50 });
    const started = Date.now();
    const acceptance = await h.service.accept(REQUEST, 'C0CHANNEL', ACTOR);
    assert.ok(Date.now() - started < 1000);
    assert.deepEqual([acceptance.accepted, acceptance.text], [false, NOTHING_STARTED]);
    assert.equal(h.queued(), 0);
  });

  it('says nothing was started when the write fails', async () => {
    const failing = new CreationJobsRepository(ctx.db(), ctx.kind);
    failing.create = async () => {
      throw new Error('connection refused');
    };
    const h = harness({}, { jobs: failing });
    assert.equal((await h.service.accept(REQUEST, 'C0CHANNEL', ACTOR)).text, NOTHING_STARTED);
  });

  it('posts the card once, then creates: the session is invited and its first reply names the starter', async () => {
    const h = harness();
    const { id, job } = await accepted(h);
    assert.deepEqual(await h.service.postCard(await job()), { kind: 'posted' });
    assert.deepEqual(await h.service.postCard(await job()), { kind: 'posted' }, 'a card already stored is not posted again');
    assert.equal(h.posted.length, 1);
    let marked = 0;
    assert.deepEqual(await h.service.callVendor({ ...(await job()), step: 'card_posted' }, async () => ++marked > 0), { kind: 'done' });
    assert.equal(marked, 1, '`calling` recorded before the call');
    const session = await h.sessions.get(id);
    assert.equal(session?.status, 'invited');
    assert.equal(session?.vendorId, 'ticket-9');
    assert.equal(h.created[0]?.id, id);
  });

  it('does not call the vendor when it lost the job before recording `calling`', async () => {
    const h = harness();
    const { job } = await accepted(h);
    await h.service.postCard(await job());
    assert.deepEqual(await h.service.callVendor({ ...(await job()), step: 'card_posted' }, async () => false), { kind: 'lost' });
    assert.equal(h.created.length, 0);
  });

  it('a vendor refusal is final: failed, in plain words, called once', async () => {
    let calls = 0;
    const h = harness({
      create: async () => {
        calls++;
        throw new VendorError('apizee', 'create ticket', 'unavailable', { status: 503 });
      },
    });
    const { id, job } = await accepted(h);
    await h.service.postCard(await job());
    assert.deepEqual(await h.service.callVendor({ ...(await job()), step: 'card_posted' }, async () => true), { kind: 'done' });
    assert.equal(calls, 1);
    assert.equal((await h.sessions.get(id))?.status, 'failed');
  });

  it('a call interrupted mid-flight, vendor without a lookup: failed with words saying the vendor may have acted, never called again', async () => {
    const h = harness({ reconcile: undefined });
    const { id, job } = await accepted(h);
    await h.service.postCard(await job());
    await h.service.callVendor({ ...(await job()), step: 'calling' }, async () => assert.fail('never marked again'));
    assert.equal(h.created.length, 0);
    const session = await h.sessions.get(id);
    assert.equal(session?.status, 'failed');
    assert.equal(session?.lastError, 'interrupted');
    assert.match(session?.statusDetail ?? '', /Apizee may have created it and sent the invitation\. Check in Apizee before trying again/);
  });

  it('a call interrupted mid-flight: the lookup adopts what the vendor made', async () => {
    const seen: Session[] = [];
    const h = harness({
      reconcile: async (session): Promise<Outcome> => {
        seen.push(session);
        return { ...CREATED, milestone: 'Apizee had made it: found the ticket by its reference.' } as CreationOutcome;
      },
    });
    const { id, job } = await accepted(h);
    await h.service.postCard(await job());
    await h.service.callVendor({ ...(await job()), step: 'calling' }, async () => assert.fail('never marked again'));
    assert.equal(h.created.length, 0);
    assert.equal(seen[0]?.reference, 'CASE-9');
    const session = await h.sessions.get(id);
    assert.deepEqual([session?.status, session?.vendorId], ['invited', 'ticket-9']);
    assert.ok(h.updated.some((text) => /Invited|invited/.test(text)), 'the card says so');
  });

  it('a call interrupted mid-flight: the vendor has nothing, so it failed, and says so', async () => {
    const h = harness({ reconcile: async () => undefined });
    const { id, job } = await accepted(h);
    await h.service.postCard(await job());
    await h.service.callVendor({ ...(await job()), step: 'calling' }, async () => assert.fail('never marked again'));
    const session = await h.sessions.get(id);
    assert.equal(session?.status, 'failed');
    assert.match(session?.statusDetail ?? '', /Apizee has no record of it: it was not created and nothing was sent/);
  });

  it('a card Slack refuses for good ends the creation and tells the starter; a rate limit is retried when Slack says', async () => {
    const h = harness();
    const first = await accepted(h);
    h.failCardsWith(new SlackPostError('ratelimited', { retryAfterMs: 7000 }));
    assert.deepEqual(await h.service.postCard(await first.job()), { kind: 'retry', afterMs: 7000, reason: 'ratelimited' });
    assert.equal((await h.sessions.get(first.id))?.status, 'creating');
    h.failCardsWith(new SlackPostError('not_in_channel'));
    assert.deepEqual(await h.service.postCard(await first.job()), { kind: 'done' });
    assert.equal((await h.sessions.get(first.id))?.status, 'failed');
    assert.match(h.replies[0] ?? '', /Rendezvous is not in that conversation/);
    assert.equal(h.created.length, 0);
  });

  it('a creation past the limit that never reached the vendor fails in words, and gets a card if it had none', async () => {
    const h = harness();
    const { id, job } = await accepted(h);
    assert.deepEqual(await h.service.settleStale(await job(), 10 * 60_000), { kind: 'done' });
    const session = await h.sessions.get(id);
    assert.equal(session?.status, 'failed');
    assert.match(session?.statusDetail ?? '', /waited more than .* before asking Apizee\. Nothing was sent/);
    assert.equal(h.posted.length, 1, 'its card, saying it failed');
    assert.ok(session?.cardTs);
    assert.equal(h.created.length, 0);
  });
});
