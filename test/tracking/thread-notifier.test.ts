import assert from 'node:assert/strict';
import { createLogger } from '../../src/logger.js';
import { SlackPostError } from '../../src/slack/gateway.js';
import type { SlackApi } from '../../src/slack/gateways.js';
import { MilestonesRepository } from '../../src/store/milestones-repository.js';
import type { NewSessionRow } from '../../src/store/schema.js';
import { DEFAULT_RETRY_POLICY, retryDelayMs } from '../../src/tracking/outbox-policy.js';
import { ThreadNotifier, type ThreadNotifierDeps } from '../../src/tracking/thread-notifier.js';
import { eachDatabase, milestoneRow, sessionRow } from '../helpers/databases.js';

const NOW = new Date('2026-11-25T12:00:00.000Z');
const LEASE_MS = 30_000;

type Post = Parameters<SlackApi['postMessage']>[0];

/**
 * Slack as the outbox sees it: posts land in `posted` (with their outbox id), and `answer` decides
 * per post whether Slack takes it, refuses it, or takes it and the answer is lost.
 */
class FakeGateway {
  posted: Array<Post & { ts: string }> = [];
  attempts: Post[] = [];
  lookups = 0;
  answer: (post: Post) => 'ok' | 'lost' | SlackPostError = () => 'ok';
  lookupFails?: SlackPostError;
  onPost?: (post: Post) => void | Promise<void>;
  private sequence = 0;

  async postMessage(post: Post) {
    this.attempts.push(post);
    await this.onPost?.(post);
    const answer = this.answer(post);
    if (answer instanceof SlackPostError) throw answer;
    const ts = `1764064900.${String(++this.sequence).padStart(6, '0')}`;
    this.posted.push({ ...post, ts });
    if (answer === 'lost') throw new SlackPostError('request_failed');
    return { channel: post.channel, ts };
  }

  async findReplyByOutboxId(channel: string, threadTs: string, outboxId: string) {
    this.lookups += 1;
    if (this.lookupFails) throw this.lookupFails;
    return this.posted.find((post) => post.channel === channel && post.threadTs === threadTs && post.metadata?.outboxId === outboxId)?.ts;
  }

  threadPosts() {
    return this.posted.filter((post) => post.threadTs);
  }
  dms() {
    return this.posted.filter((post) => !post.threadTs);
  }
}

describe('retryDelayMs', () => {
  it('doubles from the base, caps at the maximum, and jitters between half and all of it', () => {
    const policy = { maxAttempts: 8, baseDelayMs: 1000, maxDelayMs: 10_000 };
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6].map((attempts) => retryDelayMs(attempts, policy, () => 0)),
      [500, 1000, 2000, 4000, 5000, 5000],
    );
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6].map((attempts) => retryDelayMs(attempts, policy, () => 0.999_999)),
      [1000, 2000, 4000, 8000, 10_000, 10_000],
    );
    assert.equal(retryDelayMs(3, policy, () => 0.5), 3000);
    assert.equal(retryDelayMs(1000, DEFAULT_RETRY_POLICY, () => 0.999_999), DEFAULT_RETRY_POLICY.maxDelayMs);
  });
});

eachDatabase('ThreadNotifier', (ctx) => {
  let clock: Date;
  let gateway: FakeGateway;
  const deadLettered: string[] = [];
  const repo = () => new MilestonesRepository(ctx.db(), ctx.kind);
  const notifier = (overrides: Partial<ThreadNotifierDeps> = {}) =>
    new ThreadNotifier({
      milestones: repo(),
      gateways: { of: () => gateway },
      logger: createLogger('silent'),
      owner: 'replica-1',
      leaseMs: LEASE_MS,
      channelSpacingMs: 0,
      now: () => clock,
      random: () => 0,
      onDeadLettered: (team, user) => deadLettered.push(`${team}:${user}`),
      ...overrides,
    });
  const advance = (ms: number) => {
    clock = new Date(clock.getTime() + ms);
  };
  const rows = () => ctx.db().selectFrom('milestones').selectAll().orderBy('created_at').orderBy('id').execute();

  async function thread(overrides: Partial<NewSessionRow>, keys: string[]) {
    const session = sessionRow({ card_ts: '1764064800.000100', ...overrides });
    await ctx.db().insertInto('sessions').values(session).execute();
    const milestones = keys.map((key, i) => milestoneRow(session.id, key, { created_at: new Date(NOW.getTime() - 60_000 + i).toISOString() }));
    if (milestones.length > 0) await ctx.db().insertInto('milestones').values(milestones).execute();
    return { session, milestones };
  }

  beforeEach(() => {
    clock = NOW;
    gateway = new FakeGateway();
    deadLettered.length = 0;
  });

  it('posts a thread in order, each reply once with its outbox id, and frees the lease', async () => {
    const { session, milestones } = await thread({}, ['created', 'joined', 'ended']);
    await notifier().flush();
    assert.deepEqual(
      gateway.threadPosts().map((post) => post.metadata?.outboxId),
      milestones.map((m) => m.id),
    );
    assert.ok((await rows()).every((row) => row.posted_ts && Number(row.attempts) === 1 && row.dead_lettered_at === null));
    const lease = await ctx.db().selectFrom('sessions').select(['outbox_owner']).where('id', '=', session.id).executeTakeFirstOrThrow();
    assert.equal(lease.outbox_owner, null);
  });

  it('backs a failing reply off exponentially, holds the rest of its thread behind it, and sets it aside after the limit', async () => {
    await thread({}, ['created', 'joined']);
    gateway.answer = () => new SlackPostError('http_503');
    const outbox = notifier({ retry: { maxAttempts: 4, baseDelayMs: 1000, maxDelayMs: 60_000 } });
    const waits: number[] = [];
    for (let attempt = 1; attempt <= 3; attempt++) {
      await outbox.flush();
      const [head, next] = await rows();
      assert.equal(Number(head!.attempts), attempt);
      assert.equal(head!.last_error, 'http_503');
      assert.equal(Number(next!.attempts), 0, 'the next reply waits behind the failing one');
      const wait = new Date(head!.next_attempt_at!).getTime() - clock.getTime();
      waits.push(wait);
      // Not again before its time, however often the outbox is flushed.
      advance(wait - 1);
      await outbox.flush();
      assert.equal(gateway.attempts.length, attempt);
      advance(1);
    }
    assert.deepEqual(waits, [500, 1000, 2000]);
    await outbox.flush();
    const [head, next] = await rows();
    assert.equal(Number(head!.attempts), 4);
    assert.ok(head!.dead_lettered_at, 'set aside after the fourth try');
    assert.equal(gateway.dms().length, 0, 'no DM: the channel did not refuse, Slack failed');
    assert.deepEqual(deadLettered, ['T0TEAM:U0STARTER']);
    // The thread goes on past the reply set aside.
    gateway.answer = () => 'ok';
    await outbox.flush();
    assert.equal((await rows())[1]!.id, next!.id);
    assert.ok((await rows())[1]!.posted_ts);
  });

  it('sets aside a reply Slack refuses for good at once, with the rest of its thread, and tells the starter once per session by DM', async () => {
    const archived = await thread({ channel_id: 'C0ARCHIVED', reference: 'CASE-ARCH', started_by: 'U0STARTER' }, ['created', 'joined']);
    const healthy = await thread({ channel_id: 'C0HEALTHY', card_ts: '1764064800.000200' }, ['created', 'joined']);
    gateway.answer = (post) => (post.channel === 'C0ARCHIVED' ? new SlackPostError('is_archived') : 'ok');
    const outbox = notifier();
    await outbox.flush();
    assert.equal(gateway.attempts.filter((post) => post.channel === 'C0ARCHIVED').length, 1, 'tried once');
    const byId = new Map((await rows()).map((row) => [row.id, row]));
    for (const m of archived.milestones) {
      assert.ok(byId.get(m.id)!.dead_lettered_at, `${m.key} set aside`);
      assert.equal(byId.get(m.id)!.last_error, 'is_archived');
    }
    for (const m of healthy.milestones) assert.ok(byId.get(m.id)!.posted_ts, `${m.key} of the healthy session posted`);
    const [dm, ...more] = gateway.dms();
    assert.equal(more.length, 0);
    assert.equal(dm!.channel, 'U0STARTER');
    assert.match(dm!.text, /CASE-ARCH/);
    assert.match(dm!.text, /<#C0ARCHIVED>/);
    assert.match(dm!.text, /refuses posts/);
    assert.match(dm!.text, /Home tab/);

    // A later milestone of the same session is tried once too, and no second DM is sent.
    await ctx.db().insertInto('milestones').values(milestoneRow(archived.session.id, 'ended', { created_at: NOW.toISOString() })).execute();
    await outbox.flush();
    assert.equal(gateway.attempts.filter((post) => post.channel === 'C0ARCHIVED').length, 2);
    assert.equal(gateway.dms().length, 1, 'the starter is told once per session');
    assert.equal((await repo().deadLettersOf('T0TEAM', 'U0STARTER', 10)).length, 3);
    await outbox.flush();
    assert.equal(gateway.attempts.filter((post) => post.channel === 'C0ARCHIVED').length, 2, 'never tried again');
  });

  it('a 429 pauses the outbox as Slack asks and costs the reply no try; a 429 on the look-up too', async () => {
    await thread({}, ['created']);
    gateway.answer = () => new SlackPostError('ratelimited', { retryAfterMs: 5000 });
    const outbox = notifier();
    await outbox.flush();
    let [row] = await rows();
    assert.equal(Number(row!.attempts), 0);
    assert.equal(row!.next_attempt_at, null);
    gateway.answer = () => 'ok';
    advance(4999);
    await outbox.flush();
    assert.equal(gateway.attempts.length, 1, 'paused');
    advance(1);
    // Say an earlier try may have reached Slack: the look-up comes first, and it is throttled.
    await ctx.db().updateTable('milestones').set({ attempts: 1 }).execute();
    gateway.lookupFails = new SlackPostError('ratelimited', { retryAfterMs: 3000 });
    await outbox.flush();
    [row] = await rows();
    assert.equal(gateway.lookups, 1);
    assert.equal(Number(row!.attempts), 1, 'a throttled look-up is no try');
    assert.equal(row!.next_attempt_at, null);
    assert.equal(gateway.attempts.length, 1, 'nothing posted while paused');
    gateway.lookupFails = undefined;
    advance(3000);
    await outbox.flush();
    [row] = await rows();
    assert.ok(row!.posted_ts);
    assert.equal(gateway.threadPosts().length, 1);
  });

  it('settles a post whose answer was lost by its metadata: the reply stands once', async () => {
    await thread({}, ['created', 'joined']);
    let lose = true;
    gateway.answer = () => (lose ? ((lose = false), 'lost') : 'ok');
    const outbox = notifier();
    await outbox.flush();
    const [head] = await rows();
    assert.equal(head!.posted_ts, null);
    assert.equal(head!.last_error, 'request_failed');
    advance(new Date(head!.next_attempt_at!).getTime() - clock.getTime());
    await outbox.flush();
    assert.equal(gateway.lookups, 1);
    const posts = gateway.threadPosts().map((post) => post.metadata?.outboxId);
    assert.deepEqual(posts, [head!.id, (await rows())[1]!.id], 'each reply once');
    assert.ok((await rows()).every((row) => row.posted_ts));
  });

  it('one flush is bounded: fifty threads that always fail end it after one try each, within the session limit', async () => {
    for (let i = 0; i < 50; i++) await thread({ channel_id: `C0FAIL${i}`, card_ts: `1764064800.${String(i).padStart(6, '0')}` }, ['created', 'joined']);
    gateway.answer = () => new SlackPostError('http_500');
    const outbox = notifier({ maxSessionsPerPass: 20 });
    await outbox.flush();
    assert.equal(gateway.attempts.length, 20);
    // Flushed again and again at the same instant: the rest get their turn, nothing twice.
    await outbox.flush();
    await outbox.flush();
    await outbox.flush();
    assert.equal(gateway.attempts.length, 50);
    assert.equal(new Set(gateway.attempts.map((post) => post.metadata?.outboxId)).size, 50);
  });

  it('posts at most the row limit of one thread per pass', async () => {
    await thread({}, ['a', 'b', 'c', 'd', 'e']);
    const outbox = notifier({ maxRowsPerSession: 2 });
    await outbox.flush();
    assert.equal(gateway.threadPosts().length, 2);
    await outbox.flush();
    await outbox.flush();
    assert.equal(gateway.threadPosts().length, 5);
  });

  it('renews its lease during a long drain, and stops a thread once another replica holds it', async () => {
    const { session } = await thread({}, ['a', 'b', 'c', 'd']);
    const leaseOf = () => ctx.db().selectFrom('sessions').select(['outbox_owner', 'outbox_until']).where('id', '=', session.id).executeTakeFirstOrThrow();
    const seen: Array<string | null> = [];
    gateway.onPost = async () => {
      seen.push((await leaseOf()).outbox_until);
      advance(LEASE_MS / 2); // each post takes half a lease
      if (gateway.attempts.length === 3) {
        // Another replica took the outbox over (say this one stalled): the drain must not go on.
        await ctx.db().updateTable('sessions').set({ outbox_owner: 'replica-2' }).where('id', '=', session.id).execute();
      }
    };
    await notifier().flush();
    assert.equal(gateway.attempts.length, 3, 'the fourth reply is left to the replica holding the lease');
    // Renewed before each post once a third of the lease had gone: it never ran out under the drain.
    assert.deepEqual(seen, [new Date(NOW.getTime() + LEASE_MS).toISOString(), new Date(NOW.getTime() + LEASE_MS / 2 + LEASE_MS).toISOString(), new Date(NOW.getTime() + LEASE_MS + LEASE_MS).toISOString()]);
    const [, , third, fourth] = await rows();
    assert.equal(third!.posted_ts, null, 'a post made after the lease was lost is not recorded by the loser');
    assert.equal(Number(fourth!.attempts), 0);
    assert.equal((await leaseOf()).outbox_owner, 'replica-2', 'the loser does not release what it no longer holds');
  });

  it('stop() lets the reply in flight finish and takes no more', async () => {
    await thread({}, ['a', 'b', 'c']);
    const outbox = notifier();
    let stopped: Promise<void> | undefined;
    gateway.onPost = () => {
      stopped ??= outbox.stop();
    };
    const flushed = outbox.flush();
    await flushed;
    await stopped;
    assert.equal(gateway.threadPosts().length, 1);
    await outbox.flush();
    assert.equal(gateway.threadPosts().length, 1);
  });
});
