import { runLogger, type Logger } from '../domain/logger.js';
import { productByKind, vendorLabel, type Catalogue } from '../domain/product-catalogue.js';
import { statusDisplay, type Session } from '../domain/session.js';
import type { CompletionAnswer, StepCompletion } from '../slack/function-completion.js';
import type { SessionsRepository } from '../store/sessions-repository.js';
import type { WorkflowResult, WorkflowStep, WorkflowStepsRepository } from '../store/workflow-steps-repository.js';
import type { SessionLifecycle } from './session-lifecycle.js';

export interface WorkflowCompleterDeps {
  steps: Pick<WorkflowStepsRepository, 'leaseReady' | 'finish' | 'retryAt'>;
  sessions: Pick<SessionsRepository, 'get'>;
  /** Writes the card's workflow line (and refreshes the card). */
  lifecycle: Pick<SessionLifecycle, 'apply'>;
  /** Opens a sealed execution token. */
  openToken(sealed: string): string;
  /** Calls functions.completeSuccess / completeError with the execution's token. */
  complete(token: string, functionExecutionId: string, completion: StepCompletion): Promise<CompletionAnswer>;
  /** The card's permalink, for the step's outputs (best effort). */
  permalink(session: Session): Promise<string | undefined>;
  catalogue: Catalogue;
  owner: string;
  logger: Logger;
  pollMs?: number;
  leaseMs?: number;
  /** Tries before a completion Slack never answered is given up (the card then says so). */
  maxAttempts?: number;
  now?: () => Date;
}

/** Statuses in which the invitation is out (or the session already ran): the step succeeded. */
const FAILED_STATUSES = new Set(['failed', 'rejected', 'cancelled', 'declined', 'expired', 'unconfirmed']);

/**
 * Completes Workflow Builder steps once their session's creation has settled, on whichever
 * replica leases them first (every replica polls): `functions.completeSuccess` with the outputs
 * when the invitation is out, `functions.completeError` with a plain reason when it failed.
 *
 * Exactly once: a step is leased by one replica at a time and marked done under that lease as
 * soon as Slack answers, so neither a second replica nor a restart sends it again. A completion
 * whose answer was lost is tried again (Slack cannot be asked whether it arrived); if it had
 * arrived, Slack refuses the second one (`function_execution_not_found`), which is taken as done:
 * Workflow Builder sees one completion. A token Slack refuses (expired) ends it: the card says
 * the workflow was not told.
 */
export class WorkflowCompleter {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private stopped = true;

  constructor(private readonly deps: WorkflowCompleterDeps) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.timer = setInterval(() => this.wake(), this.deps.pollMs ?? 1000);
    this.wake();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }

  /** Looks for steps to complete now (a pass at a time; a wake during a pass runs one more). */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    // Each pass logs under a correlation id of its own.
    const log = runLogger(this.deps.logger);
    this.running = this.runOnce(log)
      .catch((error: unknown) => log.warn({ err: error }, 'workflow steps not completed; the next poll retries'))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  /** One pass: every step ready now, completed (tests call it directly). */
  async runOnce(log: Logger = runLogger(this.deps.logger)): Promise<void> {
    const now = this.now();
    const ready = await this.deps.steps.leaseReady(this.deps.owner, now, this.deps.leaseMs ?? 30_000, 20);
    for (const step of ready) await this.completeOne(step, log);
  }

  private async completeOne(step: WorkflowStep, logger: Logger): Promise<void> {
    const session = await this.deps.sessions.get(step.sessionId);
    const completion = session ? await this.completionFor(session) : { kind: 'error' as const, error: 'The session was removed before it was created.' };
    let token: string;
    try {
      token = this.deps.openToken(step.sealedToken);
    } catch (error) {
      // Sealed under a key no longer configured: the step cannot be completed any more.
      logger.warn({ sessionId: step.sessionId, err: error }, 'workflow step token cannot be opened');
      await this.end(step, session, 'expired', 'sealed_under_an_old_key');
      return;
    }
    const answer = await this.deps.complete(token, step.functionExecutionId, completion);
    const intended: WorkflowResult = completion.kind;
    if (answer.kind === 'done') {
      logger.info({ sessionId: step.sessionId, result: intended }, 'workflow step completed');
      await this.deps.steps.finish(step.sessionId, this.deps.owner, intended, this.now());
      return;
    }
    if (answer.kind === 'gone' && step.attempts > 0) {
      // An earlier try whose answer was lost did arrive: Slack completed the step then.
      logger.info({ sessionId: step.sessionId, result: intended, code: answer.code }, 'workflow step already completed by an earlier try');
      await this.deps.steps.finish(step.sessionId, this.deps.owner, intended, this.now(), answer.code);
      return;
    }
    if (answer.kind === 'retry' && step.attempts + 1 < (this.deps.maxAttempts ?? 8)) {
      const afterMs = answer.afterMs ?? Math.min(60_000, 1000 * 2 ** step.attempts);
      logger.info({ sessionId: step.sessionId, code: answer.code, attempt: step.attempts + 1 }, 'workflow step completion not answered; tried again later');
      await this.deps.steps.retryAt(step.sessionId, this.deps.owner, new Date(this.now().getTime() + afterMs), answer.code);
      return;
    }
    logger.warn({ sessionId: step.sessionId, code: answer.code, kind: answer.kind }, 'workflow step not completed');
    await this.end(step, session, answer.kind === 'expired' ? 'expired' : answer.kind === 'gone' ? 'gone' : 'error', answer.code);
  }

  /** The step will never be completed: recorded so, and the card says why. */
  private async end(step: WorkflowStep, session: Session | undefined, result: WorkflowResult, code: string): Promise<void> {
    if (!(await this.deps.steps.finish(step.sessionId, this.deps.owner, result, this.now(), code)) || !session) return;
    await this.deps.lifecycle.apply(session, { workflowNote: noteFor(result, code) });
  }

  private async completionFor(session: Session): Promise<StepCompletion> {
    const label = vendorLabel(this.deps.catalogue, session.vendor);
    if (FAILED_STATUSES.has(session.status)) return { kind: 'error', error: failureReason(session, label) };
    const outputs: Record<string, string> = {
      session_id: session.id,
      status: statusDisplay(session.status, label).label,
      reference: session.reference,
    };
    const card = await this.deps.permalink(session).catch(() => undefined);
    if (card) outputs.card_link = card;
    const agent = safeAgentLink(session, this.deps.catalogue);
    if (agent) outputs.agent_link = agent;
    return { kind: 'success', outputs };
  }

  private now(): Date {
    return (this.deps.now ?? (() => new Date()))();
  }
}

/**
 * The agent link goes out as an output only where it is the agent's alone: a one-to-one session
 * whose agent link differs from the guest's. A meeting's room link (Apizee `url`) and a
 * link-only vendor's link (Conpeek, Imbee: the same link for agent and guest) are the guests'
 * credentials too, and a workflow's outputs can be posted anywhere by its next steps.
 */
export function safeAgentLink(session: Pick<Session, 'vendor' | 'kind' | 'agentUrl' | 'customerUrl'>, catalogue: Catalogue): string | undefined {
  if (!session.agentUrl || session.agentUrl === session.customerUrl) return undefined;
  if (productByKind(catalogue, session.vendor, session.kind)?.shape !== 'invite') return undefined;
  return session.agentUrl;
}

/** What the workflow's run shows when the session was not made: the card's own words, without mrkdwn. */
function failureReason(session: Session, label: string): string {
  const detail = session.statusDetail ?? (session.lastError === 'card_not_posted' ? `Rendezvous could not post the session card in that channel (add the app to it), so nothing was sent to the invitee.` : undefined);
  const status = statusDisplay(session.status, label).label;
  const words = detail ? `${status}: ${detail}` : `${status}.`;
  return `${label} session ${session.reference} not started. ${words}`.replace(/<@([A-Z0-9]+)>/g, 'someone').replace(/[*`]/g, '');
}

function noteFor(result: WorkflowResult, code: string): string {
  if (result === 'expired') {
    return `⚠️ The workflow that started this session was not told how it went: its step's Slack token had expired (${code}). Check the workflow's run in Workflow Builder.`;
  }
  if (result === 'gone') return `⚠️ The workflow that started this session no longer waited for it (Slack: ${code}), so it was not told how it went.`;
  return `⚠️ The workflow that started this session was not told how it went: Slack refused the step's completion (${code}).`;
}
