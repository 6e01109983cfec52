import { randomUUID } from 'node:crypto';
import type { KnownBlock } from '@slack/types';
import type { StartRequest } from '../domain/start-request.js';
import { milestoneWords } from '../domain/milestones.js';
import { escapeMrkdwn, link } from '../domain/mrkdwn.js';
import type { CreationOutcome, Outcome } from '../domain/outcome.js';
import { generateReference } from '../domain/reference.js';
import { isFinal, type Session } from '../domain/session.js';
import { productByKind, vendorLabel, type Catalogue } from '../domain/product-catalogue.js';
import { actorLogger, runLogger, type Logger } from '../domain/logger.js';
import type { TeamRef } from '../domain/installation.js';
import { SlackPostError } from '../slack/gateway.js';
import type { SlackGateways } from '../slack/gateways.js';
import type { ContactCrypto } from '../store/contact-crypto.js';
import type { SessionsRepository } from '../store/sessions-repository.js';
import { describeError, VendorError } from '../vendors/errors.js';
import type { CardPublisher } from './card-publisher.js';
import type { SessionProvider } from './provider-registry.js';
import { RefreshLimiter, type RefreshVerdict } from './refresh-limiter.js';
import type { SessionLifecycle } from './session-lifecycle.js';
import { NO_SPARE } from './spare-budget.js';
import type { TeamVendors } from './team-vendors.js';
import { isDuplicateRequest, type CreationJob, type CreationJobsRepository } from '../store/creation-jobs-repository.js';
import { decodeCreationPayload, encodeCreationPayload, type CreationPayload } from './creation-payload.js';
import { waitWords } from './wait-words.js';
import type { SessionAccess } from './session-access.js';
import type { Actor } from '../domain/actor.js';

export type { Actor } from '../domain/actor.js';

/** An ephemeral answer to the acting user, in the conversation they acted from. */
export type Reply = (text: string, blocks?: KnownBlock[]) => Promise<void>;

export interface SessionServiceDeps {
  sessions: SessionsRepository;
  /** Each workspace's Slack gateway (its installation's token, with OAuth install). */
  gateways: SlackGateways;
  /** The guard of every button: the session must be the acting workspace's; Cancel, Resend and Customer link the starter's or an admin's. */
  access: SessionAccess;
  cards: CardPublisher;
  /** Every state change goes through it (compare-and-set, card, outbox). */
  lifecycle: SessionLifecycle;
  crypto: ContactCrypto;
  logger: Logger;
  trackIntervalMs: number;
  /**
   * The vendors of a workspace, each through the account in force for it (its own, else the
   * environment's): products, request budgets (how long a queued request will wait), spare
   * requests for Refresh, and the `via:` delivery channel.
   */
  vendors(teamId: string): TeamVendors;
  /** The vendor modules' declarations, for their labels. */
  catalogue: Catalogue;
  /** Refresh's per-session and per-user limits (default: one a session every 30 s, 5 a user a minute). */
  refreshLimiter?: RefreshLimiter;
  /** Creation jobs: written with the session before the ack, worked off by the creation runner. */
  jobs: CreationJobsRepository;
  /**
   * An ephemeral answer to the starter after the ack: through the response_url when there is one.
   * `orDirectMessage`: when no ephemeral can reach them there, in their DM with the app (never for links).
   */
  replyFor(target: { channelId: string; userId: string; responseUrl?: string; team: TeamRef; orDirectMessage?: boolean }): Reply;
  /** A job was written on this replica: the runner takes it at once rather than at its next poll. */
  onQueued?: () => void;
  /** How long the pre-ack write may take before the ack says nothing was started (default 1 s). */
  writeDeadlineMs?: number;
}

/** The most a Refresh sends a vendor: the lookup, and the media list when the session ended. */
const REFRESH_REQUESTS = 2;

/** What the ack says about a creation request, and whether a creation job was written. */
export interface Acceptance {
  accepted: boolean;
  text: string;
  sessionId?: string;
  /** The same Slack request was accepted before (a redelivery, a double submit): nothing more was started. */
  duplicate?: boolean;
}

/** Said to a request Slack delivered twice: the first delivery's session is the one. */
export const ALREADY_STARTED = '⏳ Already on it: this request reached Rendezvous twice, and one session is being created for it.';

/** What a creation step did, for the runner to record. */
export type StepResult = { kind: 'done' } | { kind: 'retry'; afterMs: number; reason: string } | { kind: 'lost' };

/** Said in the ack when the request could not be written: nothing was started, so nothing can be doubled. */
export const NOTHING_STARTED =
  '⚠️ Nothing was started: Rendezvous could not save your request (its database did not answer in time). Please try again in a moment.';

/** Card posts tried this many times (Slack 429s, 5xx) before the creation is given up. */
const CARD_ATTEMPTS = 5;

export class SessionService {
  private readonly lastClicks = new Map<string, number>();
  private readonly background = new Set<Promise<unknown>>();
  private readonly refreshLimiter: RefreshLimiter;

  constructor(private readonly deps: SessionServiceDeps) {
    this.refreshLimiter = deps.refreshLimiter ?? new RefreshLimiter();
  }

  canDeliverVia(teamId: string): boolean {
    return Boolean(this.deps.vendors(teamId).linkDelivery);
  }

  /** The immediate ephemeral line for a valid request; computed from memory, no I/O. */
  acknowledgement(vendor: string, teamId: string): string {
    const label = this.labelOf(vendor);
    const budget = this.deps.vendors(teamId).budgets[vendor];
    const waitMs = budget?.estimateWaitMs() ?? 0;
    if (budget && waitMs > 1000) {
      return `⏳ Creating the ${label} session: queued behind ${label}'s ${budget.limit} requests a minute, about ${waitWords(waitMs)}.`;
    }
    return `⏳ Creating the ${label} session…`;
  }

  /**
   * Before the ack: the session's row and its creation job, in one write that must answer within
   * a second (the one exception to "ack first"); the card and the vendor call follow in the
   * creation runner, on whichever replica leases the job. When the write fails or is late, the
   * ack says that nothing was started.
   */
  async accept(
    request: StartRequest,
    channelId: string,
    actor: Actor,
    answer: Omit<CreationPayload, 'request'> = {},
    /** The Slack request's own id (a command's trigger_id, a modal's view id): one session per request. */
    requestKey?: string,
    /** A Workflow Builder step's execution: its id and token go with the job (token sealed), to complete the step once settled. */
    workflow?: { functionExecutionId: string; token: string },
  ): Promise<Acceptance> {
    const team = this.deps.vendors(actor.teamId);
    const found = team.providers.forRequest(request);
    if (!found) {
      return { accepted: false, text: `${escapeMrkdwn(this.labelOf(request.vendor))} is not set up for this in this workspace. \`/rendezvous vendors\` lists what is.` };
    }
    const session = this.newSession(found.vendor, found.provider, request, channelId, actor, team.accountOf(found.vendor));
    // The job carries the request's correlation id, so that its lines (on any replica) share it.
    const payload = this.deps.crypto.encrypt(encodeCreationPayload({ request, ...answer, correlationId: actor.correlationId }));
    const log = actorLogger(actor, this.deps.logger);
    const step = workflow && {
      sessionId: session.id,
      teamId: session.teamId,
      enterpriseId: session.enterpriseId,
      functionExecutionId: workflow.functionExecutionId,
      sealedToken: this.deps.crypto.sealer('workflowTokens').seal(workflow.token),
      createdAt: session.createdAt,
    };
    const written = this.deps.jobs.create(session, payload, { requestKey, correlationId: actor.correlationId, workflow: step });
    const within = await settleWithin(written, this.deps.writeDeadlineMs ?? 1000);
    if (within === 'written') {
      this.deps.onQueued?.();
      return { accepted: true, text: this.acknowledgement(found.vendor, actor.teamId), sessionId: session.id };
    }
    if (within !== 'late' && isDuplicateRequest(within.error)) {
      log.info({ vendor: found.vendor }, 'a Slack request delivered twice; its session is already on its way');
      return { accepted: true, duplicate: true, text: ALREADY_STARTED };
    }
    if (within === 'late') this.withdrawWhenWritten(session, written, log);
    else log.warn({ sessionId: session.id, vendor: found.vendor, err: within.error }, 'creation request not saved; nothing started');
    return { accepted: false, text: NOTHING_STARTED };
  }

  /** The write answered after the ack said nothing was started: that stays true. */
  private withdrawWhenWritten(session: Session, written: Promise<void>, log: Logger): void {
    log.warn({ sessionId: session.id, vendor: session.vendor }, 'creation request not saved within its deadline; nothing started');
    this.track(log, async () => {
      try {
        await written;
      } catch {
        return; // never written: nothing to withdraw
      }
      if (await this.deps.jobs.withdraw(session.id)) {
        await this.deps.sessions.apply(session.id, { status: 'failed', statusDetail: 'Not started: saving the request took too long.', lastError: 'not_started' }, { basedOn: session.version });
      } else {
        log.warn({ sessionId: session.id }, 'a late creation request was already taken by a replica; it goes ahead');
      }
    });
  }

  /**
   * A creation job's logger: its lines carry the id of the request that asked for it (its own
   * column; in its payload for a job written before that column), or an id of its own for a job
   * written before ids were (or whose payload is gone).
   */
  loggerFor(job: CreationJob): Logger {
    return runLogger(this.deps.logger, job.correlationId ?? this.readablePayload(job)?.correlationId);
  }

  /** The job's payload, or undefined when it has none or it cannot be read: the step that needs it says so. */
  private readablePayload(job: CreationJob): CreationPayload | undefined {
    try {
      return job.payload ? decodeCreationPayload(this.deps.crypto.decrypt(job.payload)) : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Step 1 of a creation job: the card, so that what follows has a place to show and the agent
   * sees it at once. Idempotent: a card already stored is not posted again. Retried on Slack's
   * passing errors; a conversation the app cannot post in ends the job (nothing was sent).
   */
  async postCard(job: CreationJob, log: Logger = this.loggerFor(job)): Promise<StepResult | { kind: 'posted' }> {
    const session = await this.deps.sessions.get(job.sessionId);
    if (!session || session.status !== 'creating') return { kind: 'done' };
    if (session.cardTs) return { kind: 'posted' };
    try {
      await this.deps.cards.post(session);
      return { kind: 'posted' };
    } catch (error) {
      const code = error instanceof SlackPostError ? error.code : undefined;
      const final = (error instanceof SlackPostError && error.needsInvitation) || job.attempts + 1 >= CARD_ATTEMPTS;
      log.warn({ sessionId: session.id, vendor: session.vendor, kind: session.kind, reference: session.reference, code, attempt: job.attempts + 1, final }, 'session card not posted');
      if (!final) {
        const retryAfterMs = error instanceof SlackPostError ? error.retryAfterMs : undefined;
        return { kind: 'retry', afterMs: retryAfterMs ?? 1000 * 2 ** job.attempts, reason: code ?? 'card_not_posted' };
      }
      await this.deps.lifecycle.apply(session, { status: 'failed', lastError: 'card_not_posted' }, { logger: log });
      // The conversation may be one the app cannot see at all: then the words go to the starter's DM.
      await this.replyForJob(session, job, { orDirectMessage: true }).then((reply) => reply(cardNotPostedWords(error, session.channelId)));
      return { kind: 'done' };
    }
  }

  /**
   * Step 2: asks the vendor, then applies what it said (or why not). `calling` is recorded first,
   * so that a crash during the call is never answered by a second call. A job found in
   * `calling` (its owner died mid-call) is reconciled instead.
   */
  async callVendor(job: CreationJob, markCalling: () => Promise<boolean>, log: Logger = this.loggerFor(job)): Promise<StepResult> {
    const session = await this.deps.sessions.get(job.sessionId);
    if (!session || session.status !== 'creating') return { kind: 'done' };
    if (job.step === 'calling' || !job.payload) {
      await this.settleInDoubt(session, 'interrupted', log);
      return { kind: 'done' };
    }
    const payload = decodeCreationPayload(this.deps.crypto.decrypt(job.payload));
    const provider = this.providerOf(session);
    const actor: Actor = { teamId: session.teamId, enterpriseId: session.enterpriseId ?? undefined, userId: session.startedBy, logger: log };
    if (!provider) {
      await this.recordFailure(session, actor, new Error(`${this.labelOf(session.vendor)} is no longer set up for this`));
      return { kind: 'done' };
    }
    if (!(await markCalling())) return { kind: 'lost' };
    const reply = this.deps.replyFor({ channelId: session.channelId, userId: session.startedBy, responseUrl: payload.responseUrl, team: session });
    const created = await this.create(session, provider, payload.request, actor, reply);
    if (payload.source && created.cardTs) await this.linkFromMessage(created, payload.source, log);
    return { kind: 'done' };
  }

  /**
   * A job older than the creation limit that nobody holds: if the vendor was never asked, the
   * session failed and nothing was sent; if it may have been, the vendor is asked what it made.
   * The card (posted now if it never was) says what happened.
   */
  async settleStale(job: CreationJob, limitMs: number, log: Logger = this.loggerFor(job)): Promise<StepResult> {
    const session = await this.deps.sessions.get(job.sessionId);
    if (!session || session.status !== 'creating') return { kind: 'done' };
    if (job.step === 'calling' || !job.payload) {
      await this.settleInDoubt(session, 'stale', log);
    } else {
      const label = this.labelOf(session.vendor);
      const detail = `Not created: it waited more than ${waitWords(limitMs)} for its turn, so Rendezvous gave up before asking ${label}. Nothing was sent to the invitee; try again.`;
      await this.recordFailure(session, { teamId: session.teamId, userId: session.startedBy, logger: log }, new CreationAbandoned(detail));
    }
    await this.ensureCard(session.id, log);
    return { kind: 'done' };
  }

  /** A card for a session settled before its card was ever posted (best effort). */
  private async ensureCard(sessionId: string, log: Logger): Promise<void> {
    const session = await this.deps.sessions.get(sessionId);
    if (!session || session.cardTs) return;
    await this.deps.cards.post(session).catch((error: unknown) => log.warn({ sessionId, err: error }, 'card of a settled creation not posted'));
  }

  private async replyForJob(session: Session, job: CreationJob, options: { orDirectMessage?: boolean } = {}): Promise<Reply> {
    const responseUrl = this.readablePayload(job)?.responseUrl;
    return this.deps.replyFor({ channelId: session.channelId, userId: session.startedBy, responseUrl, team: session, ...options });
  }

  /**
   * A creation interrupted while its vendor call may have gone out (its replica died, or it is
   * past the creation limit): never called again, but looked up through the vendor module's
   * `reconcile` where it has one; without one, failed with words that say the vendor may have acted.
   */
  private async settleInDoubt(session: Session, why: 'interrupted' | 'stale', log: Logger): Promise<void> {
    const actor: Actor = { teamId: session.teamId, enterpriseId: session.enterpriseId ?? undefined, userId: session.startedBy, logger: log };
    const provider = this.providerOf(session);
    const label = this.labelOf(session.vendor);
    if (!provider?.reconcile) {
      log.warn({ sessionId: session.id, vendor: session.vendor, why }, 'creation interrupted mid-call; no lookup for this vendor');
      await this.recordFailure(session, actor, new CreationAbandoned(`Rendezvous was interrupted while asking ${label} to create this session: ${label} may have created it and sent the invitation. Check in ${label} before trying again.`, 'interrupted'));
      return;
    }
    let found: Outcome | undefined;
    try {
      found = await provider.reconcile(session, { logger: log });
    } catch (error) {
      log.warn({ sessionId: session.id, vendor: session.vendor, err: error }, 'interrupted creation: the lookup failed');
      await this.recordFailure(session, actor, new CreationUnconfirmed(error));
      return;
    }
    if (found && isCreationOutcome(found)) {
      log.info({ sessionId: session.id, vendor: session.vendor, vendorId: found.vendorId, why }, 'interrupted creation: adopted what the vendor made');
      await this.deps.lifecycle.apply(session, creationChange(found, actor, this.deps.trackIntervalMs), { logger: log });
      return;
    }
    await this.recordFailure(session, actor, new CreationAbandoned(`Rendezvous was interrupted while asking ${label} to create this session, and ${label} has no record of it: it was not created and nothing was sent. Try again.`, 'interrupted'));
  }

  /** Asks the vendor, then applies what it said (or why not) to the session and its card. */
  private async create(session: Session, provider: SessionProvider, request: StartRequest, actor: Actor, reply: Reply): Promise<Session> {
    let outcome: CreationOutcome;
    const log = actorLogger(actor, this.deps.logger);
    try {
      outcome = await provider.create(session, request, { logger: log });
    } catch (error) {
      const adopted = await this.reconcileInDoubt(session, provider, error, log);
      if (!adopted) {
        await this.recordFailure(session, actor, adopted === null ? new CreationUnconfirmed(error) : error);
        return (await this.deps.sessions.get(session.id)) ?? session;
      }
      outcome = adopted;
    }
    log.info({ sessionId: session.id, vendor: session.vendor, kind: session.kind, vendorId: outcome.vendorId, status: outcome.status }, 'session created');
    const created = await this.deps.lifecycle.apply(session, creationChange(outcome, actor, this.deps.trackIntervalMs), { logger: log });
    if (outcome.privateNote) await reply(outcome.privateNote);
    const basis = created.session ?? session;
    if (outcome.later) this.settleLater(basis, outcome.later, log);
    const via = request.via;
    if (via && outcome.customerUrl) this.pushThroughDelivery(basis, via, outcome.customerUrl, log);
    return basis;
  }

  /** "Invite from this message": a reply in that message's thread links to the session card. */
  async linkFromMessage(session: Session, source: { channelId: string; ts: string }, log: Logger = this.deps.logger): Promise<void> {
    const permalink = await this.permalink(session);
    const card = permalink ? `<${permalink}|the session card>` : 'the session card';
    try {
      await this.deps.gateways.of(session).postMessage({
        channel: source.channelId,
        threadTs: source.ts,
        text: `🎥 <@${session.startedBy}> started a remote session (${escapeMrkdwn(session.reference)}) from this message: see ${card}.`,
        blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `🎥 <@${session.startedBy}> started a remote session (${escapeMrkdwn(session.reference)}) from this message: see ${card}.` } }],
      });
    } catch (error) {
      log.info({ err: error }, 'no link posted under the source message');
    }
  }

  /**
   * Anyone who sees the card may refresh (PRODUCT §1.3), within the RefreshLimiter's limits, and
   * the vendor is asked only with a request to spare (SpareBudget): a Refresh never queues ahead
   * of a new session nor takes tracking's turn. Refused, it answers ephemerally and asks nothing.
   */
  async refresh(sessionId: string, actor: Actor, reply: Reply): Promise<void> {
    const session = await this.sessionFor(sessionId, actor, reply, 'refresh');
    if (!session) return;
    const verdict = this.refreshLimiter.check(session.id, actor.userId);
    if (!verdict.ok) {
      await reply(refreshRefusedWords(verdict, session.reference));
      return;
    }
    const provider = this.providerOf(session);
    // Every line of the Refresh, the vendor's and the lifecycle's included, carries the request's id.
    const log = actorLogger(actor, this.deps.logger);
    if (!session.tracking || !provider?.reconcile) {
      this.acceptRefresh(session.id, actor.userId);
      await this.deps.cards.refresh(session.id, log);
      return;
    }
    const label = this.labelOf(session.vendor);
    // The vendor is asked once a session every 30 s whichever replica the clicks reach.
    const { now, everyMs } = this.refreshLimiter.claimFor();
    const claim = await this.deps.sessions.claimRefresh(session.id, now, everyMs);
    if (!claim.claimed) {
      await reply(refreshRefusedWords(this.refreshLimiter.refusedBySession(claim.refreshedAt.getTime()), session.reference));
      return;
    }
    try {
      const outcome = await this.deps.vendors(session.teamId).spare.run(session.vendor, REFRESH_REQUESTS, () => {
        this.acceptRefresh(session.id, actor.userId);
        return provider.reconcile!(session, { logger: log });
      });
      if (outcome === NO_SPARE) {
        await this.deps.sessions.unclaimRefresh(session.id, claim);
        await reply(
          `⏳ ${label}'s requests are kept for new sessions and tracking right now, so Rendezvous did not ask ${label} again: tracking will bring ${escapeMrkdwn(session.reference)}'s status up to date shortly.`,
        );
        return;
      }
      const applied = outcome ? await this.deps.lifecycle.apply(session, outcome, { logger: log }) : undefined;
      if (!applied?.cardRefreshed) await this.deps.cards.refresh(session.id, log);
    } catch (error) {
      await reply(`Could not refresh ${escapeMrkdwn(session.reference)}: ${escapeMrkdwn(this.describe(error))}`);
    }
  }

  /** A Refresh that goes ahead: it counts against the user, and the session was checked now. */
  private acceptRefresh(sessionId: string, userId: string): void {
    this.refreshLimiter.countClick(userId);
    this.refreshLimiter.markChecked(sessionId);
  }

  async cancel(sessionId: string, actor: Actor, reply: Reply): Promise<void> {
    const session = await this.sessionFor(sessionId, actor, reply, 'cancel');
    if (!session || !(await this.mayManage(session, actor, reply, 'cancel'))) return;
    if (isFinal(session.status)) {
      await reply(`${escapeMrkdwn(session.reference)} is already over (${session.status}).`);
      return;
    }
    const label = this.labelOf(session.vendor);
    const provider = this.providerOf(session);
    let detail: string;
    if (provider?.cancel) {
      try {
        await provider.cancel(session);
      } catch (error) {
        await reply(`${escapeMrkdwn(session.reference)} was not cancelled: ${escapeMrkdwn(this.describe(error))}`);
        return;
      }
      detail = `Cancelled by <@${actor.userId}>.`;
    } else {
      // No vendor's documents name a cancel call (for Apizee tickets: seed 003, REFERENCE §4), so
      // Rendezvous alone stops following the session, and says so.
      detail = `Cancelled in Rendezvous by <@${actor.userId}>. ${label}'s documents name no cancel call, so ${label} was not told: the guest's link may still work.`;
    }
    const cancelled = await this.deps.lifecycle.apply(session, {
      status: 'cancelled',
      statusDetail: detail,
      tracking: false,
      nextCheckAt: null,
      endedAt: new Date(),
      milestones: [{ key: 'cancelled', text: milestoneWords('cancelled', { vendorLabel: label, invitee: '', detail }) }],
    }, { logger: actorLogger(actor, this.deps.logger) });
    // It ended on its own while the agent was clicking: a final status is never overwritten.
    const now = cancelled.session;
    if (!cancelled.applied && now && isFinal(now.status) && now.status !== 'cancelled') {
      await reply(`${escapeMrkdwn(session.reference)} is already over (${now.status}).`);
    }
  }

  /** Sends the invitation again, to the stored (encrypted) contact; starter or admin only. */
  async resend(sessionId: string, actor: Actor, reply: Reply): Promise<void> {
    const session = await this.sessionFor(sessionId, actor, reply, 'resend');
    if (!session || !(await this.mayManage(session, actor, reply, 'resend the invitation of'))) return;
    if (this.isDoubleClick(`resend:${sessionId}`)) return;
    const provider = this.providerOf(session);
    if (!provider?.resend || !session.contactEncrypted || isFinal(session.status)) {
      await reply(`The invitation of ${escapeMrkdwn(session.reference)} cannot be sent again.`);
      return;
    }
    try {
      const log = actorLogger(actor, this.deps.logger);
      const words = await provider.resend(session, this.deps.crypto.decrypt(session.contactEncrypted), { logger: log });
      await this.deps.lifecycle.apply(session, {
        statusDetail: null,
        milestones: [{ key: `resent:${new Date().toISOString()}`, text: `🔁 <@${actor.userId}> sent the invitation again. ${words}`.trim() }],
      }, { logger: log });
    } catch (error) {
      await reply(`The invitation of ${escapeMrkdwn(session.reference)} was not sent again: ${escapeMrkdwn(this.describe(error))}`);
    }
  }

  /** The customer's link, shown only to the clicker, and only to the starter or an admin. */
  async revealCustomerLink(sessionId: string, actor: Actor, reply: Reply): Promise<void> {
    const session = await this.sessionFor(sessionId, actor, reply, 'customer_link');
    if (!session || !(await this.mayManage(session, actor, reply, 'see the customer link of'))) return;
    if (!session.customerUrl) {
      await reply(`${escapeMrkdwn(session.reference)} has no customer link.`);
      return;
    }
    await reply(
      `🔗 Customer link for *${escapeMrkdwn(session.reference)}* (${escapeMrkdwn(session.contactMasked)}): ${link(session.customerUrl, session.customerUrl)}\n` +
        'Only you can see this. Share it only with the invitee.',
    );
  }

  /** Sessions with that reference in the actor's workspace, newest first. */
  async byReference(reference: string, actor: Actor): Promise<Session[]> {
    return this.deps.sessions.byReference(actor.teamId, reference);
  }

  async permalink(session: Pick<Session, 'channelId' | 'cardTs' | 'teamId' | 'enterpriseId'>): Promise<string | undefined> {
    return session.cardTs ? this.deps.gateways.of(session).permalink(session.channelId, session.cardTs) : undefined;
  }

  /** The same button on the same session within a few seconds: a double click, done once. */
  private isDoubleClick(key: string): boolean {
    const now = Date.now();
    const last = this.lastClicks.get(key) ?? 0;
    this.lastClicks.set(key, now);
    if (this.lastClicks.size > 10_000) this.lastClicks.clear();
    return now - last < 5000;
  }

  private describe(error: unknown): string {
    return describeError(error, (vendor) => this.labelOf(vendor));
  }

  /** The product that may act on this session: its own vendor account's, never another's. */
  private providerOf(session: Session): SessionProvider | undefined {
    return this.deps.vendors(session.teamId).providerOf(session);
  }

  private labelOf(vendor: string): string {
    return vendorLabel(this.deps.catalogue, vendor);
  }

  /** Waits for outcomes still on their way (stopping the app, tests). */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.background]);
  }

  /** `vendorAccount`: the identity key of the account that will create it (none: the environment's). */
  private newSession(vendor: string, provider: SessionProvider, request: StartRequest, channelId: string, actor: Actor, vendorAccount?: string): Session {
    const now = new Date();
    const contact = provider.contactOf(request);
    return {
      id: randomUUID(),
      teamId: actor.teamId,
      enterpriseId: actor.enterpriseId ?? null,
      vendor,
      kind: provider.kind,
      vendorId: null,
      vendorState: null,
      reference: request.reference ?? generateReference(),
      contactMasked: provider.describeInvitee(request),
      contactEncrypted: contact ? this.deps.crypto.encrypt(contact) : null,
      contactHash: contact ? this.deps.crypto.hash(contact) : null,
      delivery: request.delivery ?? null,
      status: 'creating',
      statusDetail: null,
      channelId,
      cardTs: null,
      startedBy: actor.userId,
      agentUrl: null,
      customerUrl: null,
      details: {},
      createdAt: now,
      updatedAt: now,
      joinedAt: null,
      endedAt: null,
      tracking: false,
      nextCheckAt: null,
      mediaPosted: false,
      lastError: null,
      vendorAccount: vendorAccount ?? null,
      version: 0,
      // Only a meeting whose one room link everyone uses can be shown as a Slack call.
      ...(request.slackCall && productByKind(this.deps.catalogue, vendor, provider.kind)?.roomLink === 'shared'
        ? { slackCall: { state: 'pending' as const, id: null, title: null } }
        : {}),
    };
  }

  /**
   * A creation whose answer was lost or unreadable (`VendorError.inDoubt`) may have been carried
   * out, and the invitation sent: it is never sent again, but looked up (the provider's
   * `reconcile`, by the session's reference). Returns what the vendor made, to adopt; undefined
   * when the vendor has nothing (or the failure was a clear refusal), so it failed; null when
   * the lookup itself failed, so nobody knows.
   */
  private async reconcileInDoubt(session: Session, provider: SessionProvider, error: unknown, log: Logger): Promise<CreationOutcome | undefined | null> {
    if (!(error instanceof VendorError && error.inDoubt) || !provider.reconcile) return undefined;
    try {
      const found = await provider.reconcile(session, { logger: log });
      if (found && isCreationOutcome(found)) {
        log.info({ sessionId: session.id, vendor: session.vendor, vendorId: found.vendorId }, 'creation in doubt: adopted what the vendor made');
        return found;
      }
      return undefined;
    } catch (lookup) {
      log.warn({ sessionId: session.id, vendor: session.vendor, err: lookup }, 'creation in doubt: the lookup failed too');
      return null;
    }
  }

  private async recordFailure(session: Session, actor: Actor, error: unknown): Promise<void> {
    const detail = error instanceof CreationUnconfirmed ? error.words(this.labelOf(session.vendor)) : error instanceof CreationAbandoned ? error.message : this.describe(error);
    const code = error instanceof VendorError ? error.code : error instanceof CreationUnconfirmed ? 'unconfirmed' : error instanceof CreationAbandoned ? error.code : 'internal';
    const log = actorLogger(actor, this.deps.logger);
    log.warn({ sessionId: session.id, vendor: session.vendor, code, err: error }, 'session not created');
    const label = this.labelOf(session.vendor);
    await this.deps.lifecycle.apply(session, {
      status: 'failed',
      statusDetail: detail,
      lastError: code,
      milestones: [{ key: 'failed', text: `<@${actor.userId}> ${milestoneWords('failed', { vendorLabel: label, invitee: '', detail: escapeMrkdwn(detail) })}` }],
    }, { logger: log });
  }

  /** An asynchronous outcome (an answer the vendor pushes later): applied when it arrives, never blocking the request. */
  private settleLater(session: Session, later: () => Promise<Outcome | undefined>, log: Logger): void {
    this.track(log, async () => {
      const outcome = await later();
      if (outcome) await this.deps.lifecycle.apply(session, outcome, { logger: log });
    });
  }

  /** `via:` — the room link also goes through another module's delivery channel (its `LinkDelivery`). */
  private pushThroughDelivery(session: Session, target: string, url: string, log: Logger): void {
    const delivery = this.deps.vendors(session.teamId).linkDelivery;
    if (!delivery) return;
    this.track(log, async () => {
      let outcome: Outcome | undefined;
      try {
        outcome = await (await delivery.pushLink(target, url, session.id, { logger: log })).outcome;
      } catch (error) {
        outcome = { milestones: [{ key: 'delivery_failed', text: `⚠️ The link did not go through ${escapeMrkdwn(delivery.label)}: ${escapeMrkdwn(this.describe(error))}` }] };
      }
      if (outcome) await this.deps.lifecycle.apply(session, outcome, { logger: log });
    });
  }

  private track(log: Logger, work: () => Promise<void>): void {
    const running = work().catch((error) => log.error({ err: error }, 'background session work failed'));
    this.background.add(running);
    void running.finally(() => this.background.delete(running));
  }

  /** The session a button names, if it is the acting workspace's; otherwise the clicker is told, politely. */
  private async sessionFor(sessionId: string, actor: Actor, reply: Reply, action: string): Promise<Session | undefined> {
    const found = await this.deps.access.sessionFor(sessionId, actor, action);
    if ('session' in found) return found.session;
    await reply(found.refused);
    return undefined;
  }

  private async mayManage(session: Session, actor: Actor, reply: Reply, verb: string): Promise<boolean> {
    if (await this.deps.access.mayManage(session, actor)) return true;
    await reply(this.deps.access.managerOnly(session, verb));
    return false;
  }
}

/** What a creation answer changes; the first reply mentions the starter, so Slack notifies them of the thread's later replies. */
function creationChange(outcome: CreationOutcome, actor: Actor, trackIntervalMs: number): Outcome {
  const final = isFinal(outcome.status);
  return {
    vendorId: outcome.vendorId,
    vendorState: outcome.vendorState ?? null,
    status: outcome.status,
    agentUrl: outcome.agentUrl ?? null,
    customerUrl: outcome.customerUrl ?? null,
    details: outcome.details ?? {},
    tracking: Boolean(outcome.tracking) && !final,
    nextCheckAt: new Date(Date.now() + trackIntervalMs),
    ...(final ? { endedAt: new Date() } : {}),
    milestones: [{ key: 'invited', text: `<@${actor.userId}> started this session. ${outcome.milestone}`.trim() }],
  };
}

/** Whether a provider's `reconcile` found a creation to adopt (not a Refresh's change). */
function isCreationOutcome(outcome: Outcome): outcome is CreationOutcome {
  return typeof outcome.vendorId === 'string' && outcome.status !== undefined && typeof (outcome as Partial<CreationOutcome>).milestone === 'string';
}

/** A creation in doubt whose lookup failed as well: the vendor may have sent the invitation. */
class CreationUnconfirmed extends Error {
  constructor(readonly original: unknown) {
    super('creation in doubt, lookup failed', { cause: original });
    this.name = 'CreationUnconfirmed';
  }

  words(label: string): string {
    return `${label} did not confirm the session and Rendezvous could not check: ${label} may have sent the invitation. Check in ${label} before trying again.`;
  }
}

/** A Refresh over its limits, said kindly: when the session was last checked, and when to try again. */
function refreshRefusedWords(verdict: Exclude<RefreshVerdict, { ok: true }>, reference: string): string {
  const { now } = verdict;
  const again = `in ${waitWords(verdict.nextAt - now)}`;
  if (verdict.reason === 'session') {
    const seconds = Math.max(0, Math.round((now - verdict.checkedAt) / 1000));
    const at = `<!date^${Math.floor(verdict.checkedAt / 1000)}^{time_secs}|${new Date(verdict.checkedAt).toISOString()}>`;
    return `${escapeMrkdwn(reference)} was checked ${seconds} s ago (at ${at}); the card shows what came back. You can refresh it again ${again}, and tracking keeps it up to date meanwhile.`;
  }
  return `You have refreshed several cards in the last minute. Tracking keeps every card up to date by itself; you can refresh again ${again}.`;
}

/** A creation given up by Rendezvous itself (interrupted, or past the creation limit): its words are final. */
class CreationAbandoned extends Error {
  constructor(
    message: string,
    readonly code: string = 'stale',
  ) {
    super(message);
    this.name = 'CreationAbandoned';
  }
}

/** Resolves 'written' when the write answered within `ms`, 'late' when it did not (yet), or the error it raised. */
async function settleWithin(write: Promise<void>, ms: number): Promise<'written' | 'late' | { error: unknown }> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), ms);
  });
  // Never rejects: a write that fails after the deadline is handled by its withdrawal.
  const answered = write.then(
    () => 'written' as const,
    (error: unknown) => ({ error }),
  );
  try {
    return await Promise.race([answered, late]);
  } finally {
    clearTimeout(timer);
  }
}

function cardNotPostedWords(error: unknown, channelId: string): string {
  // A direct message between people: Rendezvous cannot be added to it (PRODUCT §1.3).
  if (error instanceof SlackPostError && error.needsInvitation && channelId.startsWith('D')) {
    return (
      "I can't post the session card in that direct message: Rendezvous is not part of it. Start the session from a channel instead " +
      '(public channels need no invitation; add Rendezvous to a private one with `/invite @Rendezvous`), or from your own messages with Rendezvous. Nothing was sent to the invitee.'
    );
  }
  if (error instanceof SlackPostError && error.needsInvitation) {
    return `I can't post the session card in <#${channelId}>: Rendezvous is not in that conversation. Add it with \`/invite @Rendezvous\` (or the channel's *Integrations* tab) and try again. Nothing was sent to the invitee.`;
  }
  return 'Slack did not accept the session card, so nothing was sent to the invitee. Please try again in a moment.';
}


