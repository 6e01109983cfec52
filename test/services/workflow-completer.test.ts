import assert from 'node:assert/strict';
import { createLogger } from '../../src/logger.js';
import type { Outcome } from '../../src/domain/outcome.js';
import type { Session } from '../../src/domain/session.js';
import { safeAgentLink, WorkflowCompleter } from '../../src/services/workflow-completer.js';
import type { CompletionAnswer, StepCompletion } from '../../src/slack/function-completion.js';
import { CreationJobsRepository } from '../../src/store/creation-jobs-repository.js';
import { SessionsRepository } from '../../src/store/sessions-repository.js';
import { WorkflowStepsRepository } from '../../src/store/workflow-steps-repository.js';
import type { Db } from '../../src/store/database.js';
import { vendorModules } from '../../src/vendors/index.js';
import { eachDatabase, sessionFixture } from '../helpers/databases.js';

const logger = createLogger('silent');
const SEALED = (token: string) => `sealed(${token})`;

/** Slack as the completer sees it: one completion per execution, recorded; answers scripted per call. */
class FakeCompletions {
  readonly calls: Array<{ token: string; id: string; completion: StepCompletion }> = [];
  answers: CompletionAnswer[] = [];
  delayMs = 0;
  async complete(token: string, id: string, completion: StepCompletion): Promise<CompletionAnswer> {
    this.calls.push({ token, id, completion });
    if (this.delayMs) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    return this.answers.shift() ?? { kind: 'done' };
  }
}

eachDatabase('WorkflowCompleter', (ctx) => {
  const applied: Array<{ id: string; outcome: Outcome }> = [];

  function completer(db: Db, owner: string, slack: FakeCompletions, now?: () => Date) {
    const sessions = new SessionsRepository(db, ctx.kind);
    return new WorkflowCompleter({
      steps: new WorkflowStepsRepository(db, ctx.kind),
      sessions,
      lifecycle: {
        apply: async (session: Session, outcome: Outcome) => {
          applied.push({ id: session.id, outcome });
          return { applied: true, session, cardRefreshed: true };
        },
      },
      openToken: (sealed) => /^sealed\((.*)\)$/.exec(sealed)![1]!,
      complete: (token, id, completion) => slack.complete(token, id, completion),
      permalink: async (session) => `https://example.slack.com/archives/${session.channelId}/p1`,
      catalogue: vendorModules,
      owner,
      logger,
      now,
    });
  }

  /** A session accepted from a workflow step: its row, its creation job and the step, in one write. */
  async function accepted(overrides: Partial<Session> = {}) {
    const session = sessionFixture({ status: 'creating', reference: 'CASE-WF', ...overrides });
    await new CreationJobsRepository(ctx.db(), ctx.kind).create(session, 'payload', {
      requestKey: `function:Fx-${session.id}`,
      workflow: {
        sessionId: session.id,
        teamId: session.teamId,
        enterpriseId: null,
        functionExecutionId: `Fx-${session.id}`,
        sealedToken: SEALED('xwfp-secret'),
        createdAt: new Date(),
      },
    });
    return session;
  }

  const settle = (id: string, patch: Record<string, unknown>) => ctx.db().updateTable('sessions').set(patch).where('id', '=', id).execute();

  beforeEach(() => {
    applied.length = 0;
  });

  it('waits while the session is being created, then completes it once with its outputs', async () => {
    const slack = new FakeCompletions();
    const session = await accepted();
    const one = completer(ctx.db(), 'replica-a', slack);
    await one.runOnce();
    assert.equal(slack.calls.length, 0, 'nothing while creating');
    await settle(session.id, { status: 'invited', agent_url: 'https://agent.example/room/1', customer_url: 'https://guest.example/t/1', card_ts: '1.2' });
    await one.runOnce();
    await one.runOnce();
    assert.equal(slack.calls.length, 1);
    const [call] = slack.calls;
    assert.equal(call!.token, 'xwfp-secret');
    assert.equal(call!.id, `Fx-${session.id}`);
    assert.deepEqual(call!.completion, {
      kind: 'success',
      outputs: { session_id: session.id, status: 'Invited, waiting for the guest', reference: 'CASE-WF', card_link: `https://example.slack.com/archives/C0CHANNEL/p1`, agent_link: 'https://agent.example/room/1' },
    });
  });

  it('two replicas polling at once complete it once', async () => {
    const slack = new FakeCompletions();
    slack.delayMs = 50;
    const sessions = await Promise.all([accepted(), accepted(), accepted()]);
    for (const session of sessions) await settle(session.id, { status: 'sent' });
    const a = completer(ctx.db(), 'replica-a', slack);
    const b = completer(ctx.open(), 'replica-b', slack);
    await Promise.all([a.runOnce(), b.runOnce(), a.runOnce(), b.runOnce()]);
    await Promise.all([a.runOnce(), b.runOnce()]);
    assert.deepEqual(slack.calls.map((call) => call.id).sort(), sessions.map((session) => `Fx-${session.id}`).sort());
  });

  it('a step leased by a replica that died is completed by another once the lease runs out, not before', async () => {
    const slack = new FakeCompletions();
    const session = await accepted();
    await settle(session.id, { status: 'sent' });
    const leased = await new WorkflowStepsRepository(ctx.db(), ctx.kind).leaseReady('dead-replica', new Date(), 30_000, 10);
    assert.equal(leased.length, 1);
    await completer(ctx.open(), 'replica-b', slack).runOnce();
    assert.equal(slack.calls.length, 0, 'the lease is still held');
    await completer(ctx.open(), 'replica-b', slack, () => new Date(Date.now() + 31_000)).runOnce();
    assert.equal(slack.calls.length, 1);
  });

  it("a failed creation completes the step with the card's reason, in plain words", async () => {
    const slack = new FakeCompletions();
    const session = await accepted();
    await settle(session.id, { status: 'failed', status_detail: 'Apizee refused the phone number. <@U0AGENT> may retry.' });
    await completer(ctx.db(), 'replica-a', slack).runOnce();
    assert.deepEqual(slack.calls[0]!.completion, { kind: 'error', error: 'Apizee session CASE-WF not started. Failed: Apizee refused the phone number. someone may retry.' });
  });

  it('no answer: tried again later; the token refused: given up, and the card says so', async () => {
    const slack = new FakeCompletions();
    const session = await accepted();
    await settle(session.id, { status: 'sent' });
    slack.answers = [{ kind: 'retry', code: 'slack_requesterror' }, { kind: 'expired', code: 'token_expired' }];
    const steps = new WorkflowStepsRepository(ctx.db(), ctx.kind);
    await completer(ctx.db(), 'replica-a', slack).runOnce();
    assert.equal((await steps.get(session.id))?.state, 'waiting');
    assert.equal((await steps.get(session.id))?.attempts, 1);
    await completer(ctx.db(), 'replica-a', slack, () => new Date(Date.now() + 5000)).runOnce();
    const row = await steps.get(session.id);
    assert.equal(row?.state, 'done');
    assert.equal(row?.result, 'expired');
    assert.equal(row?.token, '', 'the token is wiped');
    assert.match(String(applied[0]?.outcome.workflowNote), /token had expired \(token_expired\)/);
    await completer(ctx.db(), 'replica-a', slack, () => new Date(Date.now() + 60_000)).runOnce();
    assert.equal(slack.calls.length, 2, 'never tried again');
  });

  it('Slack no longer knowing the execution after a try whose answer was lost: done, nothing on the card', async () => {
    const slack = new FakeCompletions();
    const session = await accepted();
    await settle(session.id, { status: 'sent' });
    slack.answers = [{ kind: 'retry', code: 'slack_requesterror' }, { kind: 'gone', code: 'function_execution_not_found' }];
    await completer(ctx.db(), 'replica-a', slack).runOnce();
    await completer(ctx.db(), 'replica-a', slack, () => new Date(Date.now() + 5000)).runOnce();
    const row = await new WorkflowStepsRepository(ctx.db(), ctx.kind).get(session.id);
    assert.equal(row?.result, 'success');
    assert.equal(applied.length, 0);
  });

  it('the step goes with its session: a duplicate execution writes nothing', async () => {
    const session = await accepted();
    const again = sessionFixture({ status: 'creating' });
    await assert.rejects(
      new CreationJobsRepository(ctx.db(), ctx.kind).create(again, 'payload', {
        requestKey: 'other-key',
        workflow: {
          sessionId: again.id,
          teamId: again.teamId,
          enterpriseId: null,
          functionExecutionId: `Fx-${session.id}`,
          sealedToken: SEALED('x'),
          createdAt: new Date(),
        },
      }),
    );
    const rows = await ctx.db().selectFrom('sessions').select('id').where('id', '=', again.id).execute();
    assert.equal(rows.length, 0, 'no session without its step');
    assert.equal(await new CreationJobsRepository(ctx.db(), ctx.kind).count(), 1);
  });
});

describe('safeAgentLink', () => {
  const ticket = { vendor: 'apizee', kind: 'ticket', agentUrl: 'https://agent.example/room', customerUrl: 'https://guest.example/t' };
  it("gives a one-to-one session's agent link when it is not the guest's", () => {
    assert.equal(safeAgentLink(ticket, vendorModules), 'https://agent.example/room');
  });
  it("withholds a meeting's room link (the guests' too) and a link equal to the guest's", () => {
    assert.equal(safeAgentLink({ ...ticket, kind: 'conference' }, vendorModules), undefined);
    assert.equal(safeAgentLink({ ...ticket, customerUrl: ticket.agentUrl }, vendorModules), undefined);
    assert.equal(safeAgentLink({ ...ticket, agentUrl: null }, vendorModules), undefined);
  });
});
