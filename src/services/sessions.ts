import { randomUUID } from 'node:crypto';
import type { KnownBlock } from '@slack/types';
import type { StartRequest } from '../domain/start-request.js';
import { milestoneWords } from '../domain/milestones.js';
import { generateReference } from '../domain/reference.js';
import { isFinal } from '../domain/session.js';
import { vendorLabel } from '../domain/product-catalogue.js';
import { vendorModules } from '../vendors/index.js';
import type { Logger } from '../logger.js';
import { SlackPostError, type SlackGateway } from '../slack/gateway.js';
import type { ContactCrypto } from '../store/contact-crypto.js';
import type { SessionRow } from '../store/schema.js';
import type { SessionsRepository } from '../store/sessions-repository.js';
import { milestoneRow } from '../tracking/milestone-rows.js';
import type { ThreadNotifier } from '../tracking/thread-notifier.js';
import { escapeMrkdwn, link } from '../ui/mrkdwn.js';
import { describeError, VendorError } from '../vendors/errors.js';
import type { RateBudget } from '../vendors/rate-budget.js';
import type { CardPublisher } from './card-publisher.js';
import type { ProviderRegistry } from './provider-registry.js';
import type { CreationOutcome, LaterOutcome, SessionProvider } from './providers/provider.js';
import { waitWords } from './wait-words.js';
import { WorkQueue } from './work-queue.js';

/** Who acts, from the Slack request: every row carries the team (and enterprise). */
export interface Actor {
  teamId: string;
  enterpriseId?: string;
  userId: string;
}

/** An ephemeral answer to the acting user, in the conversation they acted from. */
export type Reply = (text: string, blocks?: KnownBlock[]) => Promise<void>;

/** Pushes a room link into a customer's Genesys SMS session (`SendUrl`); the outcome comes later. */
export interface LinkDelivery {
  pushLink(smsSessionId: string, url: string): Promise<{ outcome: Promise<LaterOutcome | undefined> }>;
}

export interface SessionServiceDeps {
  sessions: SessionsRepository;
  gateway: SlackGateway;
  cards: CardPublisher;
  notifier: ThreadNotifier;
  crypto: ContactCrypto;
  logger: Logger;
  trackIntervalMs: number;
  providers: ProviderRegistry;
  /** Per-account request budgets, to tell a user how long a queued request will wait. */
  budgets?: Partial<Record<string, RateBudget>>;
  linkDelivery?: LinkDelivery;
}

export class SessionService {
  private readonly lastClicks = new Map<string, number>();
  /** Creations in flight at once; vendor waits (Apizee's budget, slow answers) do not count against CPU. */
  private readonly creations = new WorkQueue(16);
  private readonly background = new Set<Promise<unknown>>();

  constructor(private readonly deps: SessionServiceDeps) {}

  canDeliverThroughGenesys(): boolean {
    return Boolean(this.deps.linkDelivery);
  }

  /** The immediate ephemeral line for a valid request; computed from memory, no I/O. */
  acknowledgement(vendor: string): string {
    const label = labelOf(vendor);
    const budget = this.deps.budgets?.[vendor];
    const waitMs = budget?.estimateWaitMs() ?? 0;
    if (budget && waitMs > 1000) {
      return `⏳ Creating the ${label} session: queued behind ${label}'s ${budget.limit} requests a minute, about ${waitWords(waitMs)}.`;
    }
    return `⏳ Creating the ${label} session…`;
  }

  /**
   * Creates a session: card first (so failures have a place to show), then the vendor. Returns
   * the session once its card is up (whatever the vendor then said), else undefined.
   */
  start(request: StartRequest, channelId: string, actor: Actor, reply: Reply): Promise<SessionRow | undefined> {
    return this.creations.run(() => this.create(request, channelId, actor, reply));
  }

  private async create(request: StartRequest, channelId: string, actor: Actor, reply: Reply): Promise<SessionRow | undefined> {
    const provider = this.deps.providers.forRequest(request);
    if (!provider) {
      await reply(`${labelOf(request.vendor)} is not set up for this in this workspace. \`/rendezvous vendors\` lists what is.`);
      return undefined;
    }
    const row = this.newRow(provider, request, channelId, actor);
    await this.deps.sessions.insert(row);
    const log = this.deps.logger.child({ sessionId: row.id, vendor: row.vendor, kind: row.kind, reference: row.reference });

    try {
      row.card_ts = await this.deps.cards.post(row);
    } catch (error) {
      await this.deps.sessions.update(row.id, { status: 'failed', last_error: 'card_not_posted' });
      log.warn({ code: error instanceof SlackPostError ? error.code : undefined }, 'session card not posted');
      await reply(cardNotPostedWords(error, channelId));
      return undefined;
    }

    let outcome: CreationOutcome;
    try {
      outcome = await provider.create(row, request);
    } catch (error) {
      await this.recordFailure(row, actor, error);
      return row;
    }
    log.info({ vendorId: outcome.vendorId, status: outcome.status }, 'session created');
    await this.deps.sessions.applyChange(
      row.id,
      {
        vendor_id: outcome.vendorId,
        vendor_state: outcome.vendorState,
        status: outcome.status,
        agent_url: outcome.agentUrl ?? null,
        customer_url: outcome.customerUrl ?? null,
        details: JSON.stringify(outcome.details ?? {}),
        tracking: outcome.tracking && !isFinal(outcome.status) ? 1 : 0,
        next_check_at: new Date(Date.now() + this.deps.trackIntervalMs).toISOString(),
        ...(isFinal(outcome.status) ? { ended_at: new Date().toISOString() } : {}),
      },
      // The first reply mentions the starter, so Slack notifies them of the thread's later replies.
      [milestoneRow(row, 'invited', `<@${actor.userId}> started this session. ${outcome.milestone}`.trim())],
    );
    await this.publish(row.id);
    if (outcome.privateNote) await reply(outcome.privateNote);
    if (outcome.later) this.settleLater(row, outcome.later);
    const via = request.via;
    if (via && outcome.customerUrl) this.pushThroughGenesys(row, via, outcome.customerUrl);
    return row;
  }

  /** "Invite from this message": a reply in that message's thread links to the session card. */
  async linkFromMessage(row: SessionRow, source: { channelId: string; ts: string }): Promise<void> {
    const permalink = await this.permalink(row);
    const card = permalink ? `<${permalink}|the session card>` : 'the session card';
    try {
      await this.deps.gateway.postMessage({
        channel: source.channelId,
        threadTs: source.ts,
        text: `🎥 <@${row.started_by}> started a remote session (${escapeMrkdwn(row.reference)}) from this message: see ${card}.`,
        blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `🎥 <@${row.started_by}> started a remote session (${escapeMrkdwn(row.reference)}) from this message: see ${card}.` } }],
      });
    } catch (error) {
      this.deps.logger.info({ err: error }, 'no link posted under the source message');
    }
  }

  /** Anyone may refresh; double clicks within a few seconds are ignored. */
  async refresh(sessionId: string, actor: Actor, reply: Reply): Promise<void> {
    const row = await this.sessionFor(sessionId, actor, reply);
    if (!row) return;
    if (this.isDoubleClick(`refresh:${sessionId}`)) return;
    const provider = this.deps.providers.get(row.vendor, row.kind);
    if (!row.tracking || !provider?.refresh) {
      await this.deps.cards.refresh(row.id);
      return;
    }
    const waitMs = this.deps.budgets?.[row.vendor]?.estimateWaitMs() ?? 0;
    if (waitMs > 1000) await reply(`⏳ Refreshing: queued behind ${labelOf(row.vendor)}'s request limit, about ${waitWords(waitMs)}.`);
    try {
      const changed = await provider.refresh(row);
      if (!changed) await this.deps.cards.refresh(row.id);
    } catch (error) {
      await reply(`Could not refresh ${escapeMrkdwn(row.reference)}: ${describeError(error)}`);
    }
  }

  async cancel(sessionId: string, actor: Actor, reply: Reply): Promise<void> {
    const row = await this.sessionFor(sessionId, actor, reply);
    if (!row || !(await this.mayManage(row, actor, reply, 'cancel'))) return;
    if (isFinal(row.status)) {
      await reply(`${escapeMrkdwn(row.reference)} is already over (${row.status}).`);
      return;
    }
    const label = labelOf(row.vendor);
    // No vendor's documents name a cancel call (for Apizee tickets: seed 003, REFERENCE §4), so Rendezvous alone stops following the session.
    const detail = `Cancelled in Rendezvous by <@${actor.userId}>. ${label}'s documents name no cancel call, so ${label} was not told: the guest's link may still work.`;
    await this.deps.sessions.applyChange(
      row.id,
      { status: 'cancelled', status_detail: detail, tracking: 0, next_check_at: null, ended_at: new Date().toISOString() },
      [milestoneRow(row, 'cancelled', milestoneWords('cancelled', { vendorLabel: label, invitee: '', detail }))],
    );
    await this.publish(row.id);
  }

  /** Sends the invitation again, to the stored (encrypted) contact; starter or admin only. */
  async resend(sessionId: string, actor: Actor, reply: Reply): Promise<void> {
    const row = await this.sessionFor(sessionId, actor, reply);
    if (!row || !(await this.mayManage(row, actor, reply, 'resend the invitation of'))) return;
    if (this.isDoubleClick(`resend:${sessionId}`)) return;
    const provider = this.deps.providers.get(row.vendor, row.kind);
    if (!provider?.resend || !row.contact_encrypted || isFinal(row.status)) {
      await reply(`The invitation of ${escapeMrkdwn(row.reference)} cannot be sent again.`);
      return;
    }
    try {
      const words = await provider.resend(row, this.deps.crypto.decrypt(row.contact_encrypted));
      await this.deps.sessions.applyChange(row.id, { status_detail: null }, [
        milestoneRow(row, `resent:${new Date().toISOString()}`, `🔁 <@${actor.userId}> sent the invitation again. ${words}`.trim()),
      ]);
      await this.publish(row.id);
    } catch (error) {
      await reply(`The invitation of ${escapeMrkdwn(row.reference)} was not sent again: ${describeError(error)}`);
    }
  }

  /** The customer's link, shown only to the clicker, and only to the starter or an admin. */
  async revealCustomerLink(sessionId: string, actor: Actor, reply: Reply): Promise<void> {
    const row = await this.sessionFor(sessionId, actor, reply);
    if (!row || !(await this.mayManage(row, actor, reply, 'see the customer link of'))) return;
    if (!row.customer_url) {
      await reply(`${escapeMrkdwn(row.reference)} has no customer link.`);
      return;
    }
    await reply(
      `🔗 Customer link for *${escapeMrkdwn(row.reference)}* (${escapeMrkdwn(row.contact_masked)}): ${link(row.customer_url, row.customer_url)}\n` +
        'Only you can see this. Share it only with the invitee.',
    );
  }

  /** Sessions with that reference in the actor's workspace, newest first. */
  async byReference(reference: string, actor: Actor): Promise<SessionRow[]> {
    return this.deps.sessions.byReference(actor.teamId, reference);
  }

  async permalink(row: SessionRow): Promise<string | undefined> {
    return row.card_ts ? this.deps.gateway.permalink(row.channel_id, row.card_ts) : undefined;
  }

  /** The same button on the same session within a few seconds: a double click, done once. */
  private isDoubleClick(key: string): boolean {
    const now = Date.now();
    const last = this.lastClicks.get(key) ?? 0;
    this.lastClicks.set(key, now);
    if (this.lastClicks.size > 10_000) this.lastClicks.clear();
    return now - last < 5000;
  }

  /** Waits for outcomes still on their way (stopping the app, tests). */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.background]);
  }

  private newRow(provider: SessionProvider, request: StartRequest, channelId: string, actor: Actor): SessionRow {
    const now = new Date().toISOString();
    const contact = provider.contactOf(request);
    return {
      id: randomUUID(),
      team_id: actor.teamId,
      enterprise_id: actor.enterpriseId ?? null,
      vendor: provider.vendor,
      kind: provider.kind,
      vendor_id: null,
      reference: request.reference ?? generateReference(),
      contact_masked: provider.describeInvitee(request),
      contact_encrypted: contact ? this.deps.crypto.encrypt(contact) : null,
      contact_hash: contact ? this.deps.crypto.hash(contact) : null,
      delivery: request.delivery ?? null,
      vendor_state: null,
      status: 'creating',
      status_detail: null,
      channel_id: channelId,
      card_ts: null,
      started_by: actor.userId,
      agent_url: null,
      customer_url: null,
      details: '{}',
      created_at: now,
      updated_at: now,
      joined_at: null,
      ended_at: null,
      tracking: 0,
      next_check_at: null,
      media_posted: 0,
      last_error: null,
      lease_owner: null,
      lease_until: null,
      outbox_owner: null,
      outbox_until: null,
    };
  }

  private async recordFailure(row: SessionRow, actor: Actor, error: unknown): Promise<void> {
    const detail = describeError(error);
    this.deps.logger.warn({ sessionId: row.id, vendor: row.vendor, code: error instanceof VendorError ? error.code : 'internal', err: error }, 'session not created');
    const label = labelOf(row.vendor);
    await this.deps.sessions.applyChange(
      row.id,
      { status: 'failed', status_detail: detail, last_error: error instanceof VendorError ? error.code : 'internal' },
      [milestoneRow(row, 'failed', `<@${actor.userId}> ${milestoneWords('failed', { vendorLabel: label, invitee: '', detail: escapeMrkdwn(detail) })}`)],
    );
    await this.publish(row.id);
  }

  /** An asynchronous outcome (Genesys): applied when it arrives, never blocking the request. */
  private settleLater(row: SessionRow, later: () => Promise<LaterOutcome | undefined>): void {
    this.track(async () => {
      const outcome = await later();
      if (!outcome) return;
      await this.deps.sessions.applyChange(
        row.id,
        {
          status: outcome.status,
          status_detail: outcome.detail ?? null,
          tracking: 0,
          ...(outcome.status === 'joined' ? { joined_at: new Date().toISOString() } : {}),
          ...(isFinal(outcome.status) ? { ended_at: new Date().toISOString() } : {}),
        },
        [milestoneRow(row, outcome.status === 'failed' ? 'failed' : 'joined', outcome.milestone)],
      );
      await this.publish(row.id);
    });
  }

  /** `via:` — the room link also goes to the customer's Genesys SMS session. */
  private pushThroughGenesys(row: SessionRow, smsSessionId: string, url: string): void {
    const delivery = this.deps.linkDelivery;
    if (!delivery) return;
    this.track(async () => {
      let outcome: LaterOutcome | undefined;
      try {
        outcome = await (await delivery.pushLink(smsSessionId, url)).outcome;
      } catch (error) {
        outcome = { status: 'failed', milestone: `⚠️ The link did not go through Genesys: ${escapeMrkdwn(describeError(error))}` };
      }
      if (!outcome) return;
      await this.deps.sessions.applyChange(row.id, {}, [milestoneRow(row, outcome.status === 'failed' ? 'delivery_failed' : 'delivered', outcome.milestone)]);
      await this.deps.notifier.flush();
    });
  }

  private track(work: () => Promise<void>): void {
    const running = work().catch((error) => this.deps.logger.error({ err: error }, 'background session work failed'));
    this.background.add(running);
    void running.finally(() => this.background.delete(running));
  }

  private async publish(sessionId: string): Promise<void> {
    await this.deps.cards.refresh(sessionId);
    await this.deps.notifier.flush();
  }

  private async sessionFor(sessionId: string, actor: Actor, reply: Reply): Promise<SessionRow | undefined> {
    const row = await this.deps.sessions.get(sessionId);
    if (!row || row.team_id !== actor.teamId) {
      await reply('This session is not known to Rendezvous any more.');
      return undefined;
    }
    return row;
  }

  private async mayManage(row: SessionRow, actor: Actor, reply: Reply, verb: string): Promise<boolean> {
    if (row.started_by === actor.userId || (await this.deps.gateway.isAdmin(actor.teamId, actor.userId))) return true;
    await reply(`Only <@${row.started_by}>, who started ${escapeMrkdwn(row.reference)}, or a Rendezvous admin may ${verb} this session.`);
    return false;
  }
}

function cardNotPostedWords(error: unknown, channelId: string): string {
  if (error instanceof SlackPostError && error.needsInvitation) {
    return `I can't post the session card in <#${channelId}>: Rendezvous is not in that conversation. Add it with \`/invite @Rendezvous\` (or the channel's *Integrations* tab) and try again. Nothing was sent to the invitee.`;
  }
  return 'Slack did not accept the session card, so nothing was sent to the invitee. Please try again in a moment.';
}

const labelOf = (vendor: string): string => vendorLabel(vendorModules, vendor);
