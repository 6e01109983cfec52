import type { TeamRef } from '../domain/installation.js';
import { runLogger, type Logger } from '../domain/logger.js';
import type { Outcome } from '../domain/outcome.js';
import { productByKind, type Catalogue } from '../domain/product-catalogue.js';
import { isFinal, statusDisplay, type Session } from '../domain/session.js';
import { vendorLabel } from '../domain/product-catalogue.js';
import { SlackPostError, type SlackCallArgs } from '../slack/gateway.js';
import type { SlackApi } from '../slack/gateways.js';
import type { SlackCallChange, SlackCallsRepository } from '../store/slack-calls-repository.js';
import type { SessionsRepository } from '../store/sessions-repository.js';
import { cardTitle } from '../ui/session-card.js';

/** What a session's Slack call needs next, judged from the stored session alone. */
export type CallStep =
  | { kind: 'none' }
  /** Registered with this title, nothing to send: the call reflects this version. */
  | { kind: 'current' }
  | { kind: 'add'; args: SlackCallArgs }
  | { kind: 'update'; id: string; title: string }
  | { kind: 'end'; id: string; durationSeconds?: number }
  /** Never registered and the meeting is over (or never was): nothing to show. */
  | { kind: 'skip'; why: string }
  /** calls.add went out and no answer was recorded: it may exist, so it is never sent again. */
  | { kind: 'in_doubt' };

/** The call's name in Slack: the card's title, the reference, and the status, so an update shows what tracking learned. */
export function callTitle(session: Session, catalogue: Catalogue): string {
  const { label } = statusDisplay(session.status, vendorLabel(catalogue, session.vendor));
  return `${cardTitle(session, catalogue)} · ${session.reference} · ${label}`;
}

/** Whole seconds from joined to ended, as observed (PRODUCT §1.3) and as the thread's "ended after" counts them; unknown when it never started. */
export function callDuration(session: Pick<Session, 'joinedAt' | 'endedAt'>): number | undefined {
  if (!session.joinedAt || !session.endedAt) return undefined;
  return Math.max(0, Math.floor((session.endedAt.getTime() - session.joinedAt.getTime()) / 1000));
}

export function nextCallStep(session: Session, catalogue: Catalogue): CallStep {
  const call = session.slackCall;
  if (!call || session.status === 'creating') return { kind: 'none' };
  switch (call.state) {
    case 'pending': {
      if (isFinal(session.status)) return { kind: 'skip', why: `the session is ${session.status}` };
      const shared = productByKind(catalogue, session.vendor, session.kind)?.roomLink === 'shared';
      if (!shared || !session.agentUrl) return { kind: 'skip', why: 'no room link to share' };
      return {
        kind: 'add',
        args: {
          externalUniqueId: session.id,
          joinUrl: session.agentUrl,
          title: callTitle(session, catalogue),
          dateStart: Math.floor((session.joinedAt ?? session.createdAt).getTime() / 1000),
          createdBy: session.startedBy,
          externalDisplayId: session.reference,
        },
      };
    }
    case 'adding':
      return { kind: 'in_doubt' };
    case 'added': {
      if (!call.id) return { kind: 'in_doubt' };
      if (isFinal(session.status)) {
        const durationSeconds = callDuration(session);
        return { kind: 'end', id: call.id, ...(durationSeconds !== undefined ? { durationSeconds } : {}) };
      }
      const title = callTitle(session, catalogue);
      return title === call.title ? { kind: 'current' } : { kind: 'update', id: call.id, title };
    }
    default:
      return { kind: 'none' };
  }
}

/** Slack's answers meaning the call is gone or already over: nothing more to send. */
const CALL_GONE: ReadonlySet<string> = new Set(['invalid_call_id', 'call_not_found', 'not_found', 'inactive_call']);

interface StepResult {
  change: SlackCallChange;
  /** What to do once the change is recorded (refresh the card, tell the thread). */
  after?: () => Promise<void>;
}

const UNCONFIRMED = 'Slack did not confirm registering the call, and Rendezvous never registers one twice';

/** Waits after a failure other than a 429 (Slack said when for those). */
const RETRY_MS = 30_000;

export interface SlackCallsDeps {
  store: Pick<SlackCallsRepository, 'due' | 'lease' | 'record'>;
  sessions: Pick<SessionsRepository, 'get'>;
  /** Background gateways (no automatic retries): a calls.add the client repeated could register the call twice. */
  gateways: { of(team: TeamRef): Pick<SlackApi, 'addCall' | 'updateCall' | 'endCall'> };
  /** The card shows the call block once it is registered. */
  refreshCard(sessionId: string): Promise<void>;
  /** A thread reply when the call cannot be shown (through the lifecycle and its outbox). */
  note(session: Session, outcome: Outcome): Promise<void>;
  catalogue: Catalogue;
  logger: Logger;
  leaseMs?: number;
  now?: () => Date;
}

/**
 * Keeps a meeting's Slack call in step with its session (issue 12): calls.add once it is created,
 * calls.update when its title (status) changed, calls.end with the duration once it is over.
 * Everything it needs is on the session row (migration 019), so any replica can take it up, also
 * after a restart: the lifecycle asks for a sync after each change, and the tracking pass sweeps
 * whatever is still behind (a 429's wait, a failure, a replica that died).
 *
 * calls.add has no idempotency key and Slack offers no lookup by `external_unique_id`, so the
 * state `adding` is written before it goes out; a sync that finds `adding` (its answer lost, its
 * replica dead) never sends it again: the call is `unknown` and the thread says so. A 429, or a
 * plain refusal (ok:false), means nothing was registered, and it is tried again.
 */
export class SlackCalls {
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly deps: SlackCallsDeps) {}

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  /** Starts a sync without waiting (after a lifecycle change); `log`: the change's (its correlation id). */
  trigger(session: Pick<Session, 'id' | 'slackCall'>, log: Logger = runLogger(this.deps.logger)): void {
    if (!session.slackCall) return;
    const work = this.sync(session.id, log).catch((error: unknown) => log.warn({ sessionId: session.id, err: error }, 'Slack call not synced; the next pass retries'));
    this.running.add(work);
    void work.finally(() => this.running.delete(work));
  }

  /** The tracking pass: every session whose call is behind. */
  async sweep(log: Logger = runLogger(this.deps.logger), limit = 20): Promise<void> {
    const ids = await this.deps.store.due(this.now(), limit);
    for (const id of ids) {
      try {
        await this.sync(id, log);
      } catch (error) {
        log.warn({ sessionId: id, err: error }, 'Slack call not synced; the next pass retries');
      }
    }
  }

  /** Waits for syncs started by `trigger` (shutdown, tests). */
  async settle(): Promise<void> {
    await Promise.all([...this.running]);
  }

  async sync(sessionId: string, log: Logger = runLogger(this.deps.logger)): Promise<void> {
    const leaseMs = this.deps.leaseMs ?? 30_000;
    if (!(await this.deps.store.lease(sessionId, this.now(), leaseMs))) return;
    let result: StepResult = { change: {} };
    try {
      result = await this.step(sessionId, log);
    } finally {
      await this.deps.store.record(sessionId, result.change);
    }
    // After the lease is released: the card and the note read what was just recorded.
    if (result.after) await result.after();
  }

  /** One step under the lease: at most one Slack call, and what to record. */
  private async step(sessionId: string, log: Logger): Promise<StepResult> {
    const session = await this.deps.sessions.get(sessionId);
    if (!session) return { change: {} };
    const step = nextCallStep(session, this.deps.catalogue);
    const gateway = this.deps.gateways.of(session);
    const context = { sessionId, step: step.kind };
    switch (step.kind) {
      case 'none':
        return { change: {} };
      case 'current':
        return { change: { version: session.version } };
      case 'skip':
        log.info({ ...context, why: step.why }, 'Slack call not registered');
        return { change: { state: 'failed', error: 'not_started' } };
      case 'in_doubt':
        log.warn(context, 'calls.add may have gone through without an answer; not sent again');
        return { change: { state: 'unknown', error: 'answer_lost' }, after: () => this.deps.note(session, notShown(session, UNCONFIRMED)) };
      case 'add':
        // Recorded before the call: whatever happens next, calls.add never goes out twice.
        await this.deps.store.record(sessionId, { state: 'adding' }, false);
        try {
          const id = await gateway.addCall(step.args);
          log.info({ ...context, callId: id }, 'meeting registered as a Slack call');
          return { change: { state: 'added', id, title: step.args.title, version: session.version, retryAt: null, error: null }, after: () => this.deps.refreshCard(sessionId) };
        } catch (error) {
          return this.addFailed(session, error, log);
        }
      case 'update':
        try {
          await gateway.updateCall(step.id, step.title);
          return { change: { title: step.title, version: session.version, retryAt: null, error: null } };
        } catch (error) {
          return { change: this.laterOrGone(session, error, log) };
        }
      case 'end':
        try {
          await gateway.endCall(step.id, step.durationSeconds);
          log.info({ ...context, callId: step.id, durationSeconds: step.durationSeconds }, 'Slack call ended');
          return { change: { state: 'ended', version: session.version, retryAt: null, error: null } };
        } catch (error) {
          return { change: this.laterOrGone(session, error, log) };
        }
    }
  }

  /** calls.add failed: a 429 or a plain refusal registered nothing (tried again); a lost answer or a 5xx may have. */
  private addFailed(session: Session, error: unknown, log: Logger): StepResult {
    const code = error instanceof SlackPostError ? error.code : 'request_failed';
    const context = { sessionId: session.id, code };
    if (error instanceof SlackPostError && error.rateLimited) {
      log.info({ ...context, retryAfterMs: error.retryAfterMs }, 'Slack asked calls.add to wait');
      return { change: { state: 'pending', retryAt: new Date(this.now().getTime() + error.retryAfterMs!), error: code } };
    }
    if (code === 'request_failed' || code.startsWith('http_5')) {
      log.warn(context, 'calls.add got no answer; it may have registered the call, so it is not sent again');
      return {
        change: { state: 'unknown', error: code },
        after: () => this.deps.note(session, notShown(session, UNCONFIRMED)),
      };
    }
    if (error instanceof SlackPostError && error.permanent) {
      log.warn(context, 'Slack refused the call for good');
      return { change: { state: 'failed', error: code }, after: () => this.deps.note(session, notShown(session, `Slack refused it (${code})`)) };
    }
    log.warn(context, 'Slack refused calls.add; tried again later');
    return { change: { state: 'pending', retryAt: new Date(this.now().getTime() + RETRY_MS), error: code } };
  }

  /** calls.update / calls.end failed: a call Slack no longer knows is left alone; anything else is tried again. */
  private laterOrGone(session: Session, error: unknown, log: Logger): SlackCallChange {
    const code = error instanceof SlackPostError ? error.code : 'request_failed';
    if (CALL_GONE.has(code)) {
      log.info({ sessionId: session.id, code }, 'Slack no longer knows the call; nothing more sent');
      return { state: 'ended', error: code };
    }
    if (error instanceof SlackPostError && error.permanent) {
      log.warn({ sessionId: session.id, code }, 'Slack refused the call change for good');
      return { state: 'failed', error: code };
    }
    const wait = error instanceof SlackPostError && error.rateLimited ? error.retryAfterMs! : RETRY_MS;
    log.info({ sessionId: session.id, code, retryInMs: wait }, 'Slack call change not sent; tried again later');
    return { retryAt: new Date(this.now().getTime() + wait), error: code };
  }
}

function notShown(session: Session, why: string): Outcome {
  return {
    milestones: [
      {
        key: 'call_not_shown',
        text: `⚠️ This meeting is not shown as a Slack call: ${why}. <@${session.startedBy}> has the room link.`,
      },
    ],
  };
}
