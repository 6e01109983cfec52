import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sandboxEnvironment, startLocalStack, startSandboxes, type LocalStack, type Sandboxes } from '../../sandbox/local-stack.js';
import { SlackRequester } from '../../sandbox/slack-requests.js';
import { INVITE_STEP_CALLBACK_ID } from '../../src/domain/workflow-step.js';
import { openDatabase } from '../../src/store/database.js';
import { eventually } from '../helpers/eventually.js';
import { captureLogs } from '../helpers/log-capture.js';
import { runOutLeasesOf, startReplica, type Replica } from '../helpers/replica.js';

const CHANNEL = 'C0FLOW';
const AGENT = 'U0AGENT';
const PHONE = '+33612345678';

const inputs = (overrides: Record<string, unknown> = {}) => ({
  vendor: 'apizee',
  kind: 'one-to-one',
  contacts: '+33 6 12 34 56 78',
  channel: CHANNEL,
  reference: 'CASE-WF1',
  message: 'Show us the boiler',
  acting_user: AGENT,
  ...overrides,
});

const cards = (slack: Sandboxes['slack']) => slack.callsTo('chat.postMessage').filter((call) => call.args.channel === CHANNEL && !call.args.thread_ts);

async function completionOf(slack: Sandboxes['slack'], functionExecutionId: string, timeoutMs = 15_000) {
  await eventually('the step completed', () => Boolean(slack.functionExecution(functionExecutionId)?.completion), timeoutMs);
  return slack.functionExecution(functionExecutionId)!.completion!;
}

describe('e2e: the Workflow Builder step "Invite someone to a remote session"', function () {
  this.timeout(60_000);

  describe('in one instance', () => {
    let stack: LocalStack;
    beforeEach(async () => {
      stack = await startLocalStack({ apizeeRatePerMinute: 240, env: { TRACK_INTERVAL_SECONDS: '0.25' } });
    });
    afterEach(async () => {
      await stack.close();
    });

    it('creates the session, posts its card and completes the step with its outputs, once, with the execution token', async () => {
      const run = await stack.requester.functionExecuted(INVITE_STEP_CALLBACK_ID, inputs());
      assert.equal(run.status, 200);
      const completion = await completionOf(stack.slack, run.functionExecutionId);
      assert.equal(completion.method, 'functions.completeSuccess');
      const outputs = completion.outputs as Record<string, string>;
      const [ticket] = [...stack.apizee.tickets.values()];
      assert.ok(ticket, 'Apizee made the ticket');
      assert.equal(ticket.reference, 'CASE-WF1');
      assert.equal(outputs.reference, 'CASE-WF1');
      assert.match(outputs.status!, /Invited|Invitation sent|Created/);
      const stored = await stack.app.database.db.selectFrom('sessions').selectAll().where('id', '=', outputs.session_id!).executeTakeFirstOrThrow();
      assert.equal(stored.started_by, AGENT, 'the card names the person the step acts for');
      assert.equal(stored.channel_id, CHANNEL);
      // A one-to-one ticket's agent link is the agent's alone (not the guest's requestor_url).
      assert.equal(outputs.agent_link, stored.agent_url);
      assert.notEqual(outputs.agent_link, stored.customer_url);
      assert.match(outputs.card_link!, /^https:\/\//);

      const [card] = cards(stack.slack);
      assert.ok(card, 'the card is in the channel');
      assert.ok(JSON.stringify(card.args.blocks).includes('CASE-WF1'));
      assert.ok(!JSON.stringify(stack.slack.calls).includes('612345678'), 'the phone never reaches Slack');

      const completions = stack.slack.callsTo('functions.completeSuccess');
      assert.equal(completions.length, 1);
      assert.equal(completions[0]!.token, run.token, "completed with the execution's own token");
      const row = await stack.app.database.db.selectFrom('workflow_steps').selectAll().executeTakeFirstOrThrow();
      assert.equal(row.state, 'done');
      assert.equal(row.result, 'success');
      assert.equal(row.token, '', 'the sealed token is wiped once the step is completed');
      // Two more passes of every replica's poll: nothing is completed twice.
      await new Promise((resolve) => setTimeout(resolve, 2500));
      assert.equal(stack.slack.callsTo('functions.completeSuccess').length + stack.slack.callsTo('functions.completeError').length, 1);
    });

    it('a redelivered event starts nothing more', async () => {
      const run = await stack.requester.functionExecuted(INVITE_STEP_CALLBACK_ID, inputs({ reference: 'CASE-TWICE' }));
      await stack.requester.functionExecuted(INVITE_STEP_CALLBACK_ID, inputs({ reference: 'CASE-TWICE' }), {
        execution: { functionExecutionId: run.functionExecutionId, token: run.token },
        retryNum: 1,
      });
      await completionOf(stack.slack, run.functionExecutionId);
      assert.equal(stack.apizee.tickets.size, 1);
      assert.equal(cards(stack.slack).length, 1);
      assert.equal(stack.slack.callsTo('functions.completeError').length, 0);
    });

    it('bad input fails the step at once with a plain reason, and creates nothing', async () => {
      const cases: Array<[Record<string, unknown>, RegExp]> = [
        [{ contacts: '0612345678' }, /country code/],
        [{ contacts: 'jane@example' }, /not a valid e-mail address/],
        [{ vendor: 'zoom' }, /"zoom" is not a vendor Rendezvous can use.*apizee/],
        [{ kind: 'webinar' }, /kind must be "one-to-one" or "meeting"/],
        [{ contacts: '+33612345678, +33698765432' }, /invites one person; 2 contacts/],
        [{ reference: 'CASE 1 with spaces' }, /reference takes up to 64/],
        [{ vendor: 'blitzz', message: 'x'.repeat(101) }, /Blitzz takes at most 100 characters/],
        [{ acting_user: 'U0GUEST' }, /not a member of this workspace/],
        [{ channel: undefined }, /Choose the channel/],
      ];
      stack.slack.setUser('U0GUEST', { teamId: 'T0OTHER' });
      for (const [overrides, reason] of cases) {
        const run = await stack.requester.functionExecuted(INVITE_STEP_CALLBACK_ID, inputs(overrides));
        assert.equal(run.status, 200);
        const completion = await completionOf(stack.slack, run.functionExecutionId, 5000);
        assert.equal(completion.method, 'functions.completeError', JSON.stringify(overrides));
        assert.match(completion.error!, reason);
      }
      assert.equal(stack.apizee.tickets.size, 0);
      assert.equal(cards(stack.slack).length, 0);
      const sessions = await stack.app.database.db.selectFrom('sessions').select('id').execute();
      assert.equal(sessions.length, 0, 'nothing was created');
    });

    it('a vendor failure completes the step with an error that says why', async () => {
      stack.apizee.faults.failNext(/^\/api\/tickets$/, { status: 400, body: { error: 'Invalid phone number' } });
      const run = await stack.requester.functionExecuted(INVITE_STEP_CALLBACK_ID, inputs({ reference: 'CASE-BROKEN' }));
      const completion = await completionOf(stack.slack, run.functionExecutionId);
      assert.equal(completion.method, 'functions.completeError');
      assert.match(completion.error!, /Apizee session CASE-BROKEN not started\. Failed/);
      assert.equal(cards(stack.slack).length, 1, 'the card says it failed, as for a command');
    });

    it('an expired execution token: the step cannot be told, and the card says so', async () => {
      stack.slack.setFunctionTokenLifetime(1);
      const run = await stack.requester.functionExecuted(INVITE_STEP_CALLBACK_ID, inputs({ reference: 'CASE-LATE' }));
      const update = await stack.slack.waitFor(
        'chat.update',
        (call) => call.args.channel === CHANNEL && /token had expired \(token_expired\)/.test(JSON.stringify(call.args.blocks)),
        15_000,
      );
      assert.ok(update);
      assert.equal(stack.slack.functionExecution(run.functionExecutionId)?.completion, undefined);
      const refused = stack.slack.callsTo('functions.completeSuccess');
      assert.equal(refused.length, 1, 'tried once: an expired token is not tried again');
      assert.equal(refused[0]!.response.error, 'token_expired');
    });

    it('a completion whose answer was lost is not completed twice', async () => {
      stack.slack.loseAnswerNext('functions.completeSuccess', { mode: 'reset' });
      const run = await stack.requester.functionExecuted(INVITE_STEP_CALLBACK_ID, inputs({ reference: 'CASE-LOST' }));
      await completionOf(stack.slack, run.functionExecutionId);
      await eventually('the step recorded done', async () => (await stack.app.database.db.selectFrom('workflow_steps').select('state').executeTakeFirst())?.state === 'done', 15_000);
      const calls = stack.slack.callsTo('functions.completeSuccess');
      assert.equal(calls.length, 2, 'tried again after the lost answer');
      assert.equal(calls[1]!.response.error, 'function_execution_not_found', 'Slack had completed it the first time');
      assert.ok(!stack.slack.callsTo('chat.update').some((call) => /workflow that started/.test(JSON.stringify(call.args.blocks))), 'no warning on the card');
    });
  });

  it('logs neither the execution tokens nor the contacts, at debug level', async () => {
    const captured = captureLogs('debug');
    const stack = await startLocalStack({ logger: captured.logger, vendors: ['apizee'], apizeeRatePerMinute: 240 });
    const tokens: string[] = [];
    try {
      const good = await stack.requester.functionExecuted(INVITE_STEP_CALLBACK_ID, inputs({ reference: 'CASE-LOGS' }));
      tokens.push(good.token);
      await completionOf(stack.slack, good.functionExecutionId);
      const bad = await stack.requester.functionExecuted(INVITE_STEP_CALLBACK_ID, inputs({ contacts: '0698765432' }));
      tokens.push(bad.token);
      await completionOf(stack.slack, bad.functionExecutionId);
      stack.slack.setFunctionTokenLifetime(1);
      const late = await stack.requester.functionExecuted(INVITE_STEP_CALLBACK_ID, inputs({ reference: 'CASE-LOGS2' }));
      tokens.push(late.token);
      await eventually('the expired token refused', () => stack.slack.callsTo('functions.completeSuccess').some((call) => call.token === late.token), 15_000);
    } finally {
      await stack.close();
    }
    const all = captured.lines.join('\n');
    for (const expected of ['workflow step accepted', 'workflow step completed', 'workflow step not completed']) assert.ok(all.includes(expected), expected);
    for (const needle of [...tokens, PHONE, '612345678', '06 12 34 56 78', '0698765432']) assert.ok(!all.includes(needle), `${needle.slice(0, 10)}… is in the logs`);
  });

  describe('across a restart', () => {
    let sandboxes: Sandboxes | undefined;
    const replicas: Replica[] = [];
    let dataDir: string | undefined;
    const signingSecret = randomBytes(16).toString('hex');
    const encryptionKey = randomBytes(32).toString('base64');
    afterEach(async () => {
      await Promise.all(replicas.splice(0).map((replica) => replica.stop()));
      await sandboxes?.close();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    });

    it('a step accepted by a replica killed before its card is completed by the next one', async () => {
      sandboxes = await startSandboxes({ apizeeRatePerMinute: 600 });
      dataDir = mkdtempSync(join(tmpdir(), 'rendezvous-workflow-'));
      const url = `file:${join(dataDir, 'rendezvous.db')}`;
      const env = { ...sandboxEnvironment(sandboxes, { vendors: ['apizee'], apizeeRatePerMinute: 600 }), SLACK_SIGNING_SECRET: signingSecret, ENCRYPTION_KEY: encryptionKey, DATABASE_URL: url, TRACK_INTERVAL_SECONDS: '0.5' };
      // Slack holds the card for 20 s: the kill comes before anything is created.
      sandboxes.slack.failNext('chat.postMessage', 'ratelimited', { status: 429, retryAfter: 20 });
      const first = await startReplica(env);
      replicas.push(first);
      const requester = new SlackRequester({ appUrl: first.url, signingSecret, fakeSlack: sandboxes.slack });
      const run = await requester.functionExecuted(INVITE_STEP_CALLBACK_ID, inputs({ reference: 'CASE-RESTART' }));
      assert.equal(run.status, 200);
      await eventually('the card post refused', () => cards(sandboxes!.slack).length === 1, 10_000);
      await first.crash();
      assert.ok((await runOutLeasesOf(first, url)) >= 1, 'the killed replica held the job');
      const { db } = openDatabase(url);
      try {
        const row = await db.selectFrom('workflow_steps').selectAll().executeTakeFirstOrThrow();
        assert.equal(row.function_execution_id, run.functionExecutionId);
        assert.ok(!row.token.includes(run.token), 'the token is stored sealed');
      } finally {
        await db.destroy();
      }
      assert.ok(!first.logs.some((line) => line.includes(run.token)), 'the token is never logged');

      const second = await startReplica(env);
      replicas.push(second);
      const completion = await completionOf(sandboxes.slack, run.functionExecutionId, 40_000);
      assert.equal(completion.method, 'functions.completeSuccess');
      assert.equal((completion.outputs as Record<string, string>).reference, 'CASE-RESTART');
      assert.equal(sandboxes.apizee.tickets.size, 1);
      assert.ok(!second.logs.some((line) => line.includes(run.token) || line.includes(PHONE)), 'neither token nor phone logged');
    });
  });
});
