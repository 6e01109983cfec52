import assert from 'node:assert/strict';
import { startLocalStack, type LocalStack } from '../../sandbox/local-stack.js';
import { ACTION } from '../../src/ui/ids.js';
import { freshPostgresDatabase } from '../helpers/databases.js';

const CHANNEL = 'C0SUPPORT';
const STARTER = 'U0AGENT';
const DAY = 24 * 60 * 60_000;

/**
 * README "Retention": with RETENTION_DAYS=30, sessions whose last activity is older and that are
 * no longer tracked go, with their thread's outbox; recent ones and tracked ones stay, and a
 * button on a purged session's card says, politely, why nothing happens.
 */
for (const kind of ['SQLite', 'PostgreSQL'] as const) {
  describe(`e2e: retention (${kind})`, function () {
    this.timeout(30_000);
    let stack: LocalStack | undefined;
    let dropDatabase: (() => Promise<void>) | undefined;

    beforeEach(async function () {
      let env: Record<string, string> = { RETENTION_DAYS: '30', TRACK_INTERVAL_SECONDS: '30' };
      if (kind === 'PostgreSQL') {
        const database = await freshPostgresDatabase();
        if (!database) this.skip();
        dropDatabase = database!.drop;
        env = { ...env, DATABASE_URL: database!.url };
      }
      stack = await startLocalStack({ apizeeRatePerMinute: 60, env, vendors: ['apizee', 'blitzz'] });
    });
    afterEach(async () => {
      await stack?.close();
      stack = undefined;
      await dropDatabase?.();
      dropDatabase = undefined;
    });

    async function started(text: string, reference: string) {
      await stack!.requester.slash(`${text} ref:${reference}`, { userId: STARTER, channelId: CHANNEL });
      const update = await stack!.slack.waitFor('chat.update', (call) => JSON.stringify(call.args.blocks).includes(reference) && JSON.stringify(call.args.blocks).includes(ACTION.cancel));
      await stack!.slack.waitFor('chat.postMessage', (call) => Boolean(call.args.thread_ts) && call.args.text.includes('started this session') && call.args.thread_ts === update.args.ts);
      return { sessionId: JSON.stringify(update.args.blocks).match(/"value":"([0-9a-f-]{36})"/)![1]!, cardTs: update.args.ts as string };
    }
    /** The session's last activity moved `days` into the past, as if nothing had happened to it since. */
    const age = (sessionId: string, days: number) =>
      stack!.app.database.db.updateTable('sessions').set({ updated_at: new Date(Date.now() - days * DAY).toISOString() }).where('id', '=', sessionId).execute();
    const kept = async () => (await stack!.app.database.db.selectFrom('sessions').select('reference').orderBy('reference').execute()).map((row) => row.reference);
    const outboxOf = async (sessionId: string) => (await stack!.app.database.db.selectFrom('milestones').select('id').where('session_id', '=', sessionId).execute()).length;

    it('purges sessions untouched for longer than RETENTION_DAYS, and only those', async () => {
      const old = await started('+447400123456 blitzz', 'CASE-OLD');
      const recent = await started('+447400123457 blitzz', 'CASE-RECENT');
      const tracked = await started('+33612345678 apizee', 'CASE-TRACKED');
      await age(old.sessionId, 31);
      await age(recent.sessionId, 29);
      await age(tracked.sessionId, 400);
      assert.equal(await outboxOf(old.sessionId), 1);

      assert.deepEqual(await stack!.app.retention.runOnce(), { ran: true, purged: 1 });
      assert.deepEqual(await kept(), ['CASE-RECENT', 'CASE-TRACKED'], 'a session still tracked is never purged');
      assert.equal(await outboxOf(old.sessionId), 0, 'its thread replies went with it');
      assert.equal(await outboxOf(recent.sessionId), 1);
      assert.deepEqual(await stack!.app.retention.runOnce(), { ran: false, purged: 0 }, 'not due again for an hour');

      // The purged session's card still has its buttons: they answer, politely, that it is gone.
      await stack!.requester.interaction(stack!.requester.blockAction({ actionId: ACTION.resend, value: old.sessionId, userId: STARTER, channelId: CHANNEL, messageTs: old.cardTs }));
      const reply = await stack!.slack.waitFor('response_url', (call) => /no such session/.test(call.args.text ?? ''));
      assert.match(reply.args.text, /sessions are removed 30 days after their last activity/);
      assert.equal(reply.args.response_type, 'ephemeral');
      assert.equal(stack!.blitzz.invitations.length, 2, 'nothing sent again');
    });
  });
}
