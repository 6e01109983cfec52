import { randomUUID } from 'node:crypto';
import { maskContact } from '../domain/contact.js';
import type { InviteRequest } from '../domain/invite-request.js';
import { APIZEE_TICKET_STATUS, milestoneWords, STATUS_MILESTONE } from '../domain/milestones.js';
import { generateReference } from '../domain/reference.js';
import { isFinal } from '../domain/session.js';
import { VENDOR_LABELS, type ContactVendor } from '../domain/vendors.js';
import type { Logger } from '../logger.js';
import { SlackPostError, type SlackGateway } from '../slack/gateway.js';
import type { ContactCrypto } from '../store/contact-crypto.js';
import type { SessionRow } from '../store/schema.js';
import type { SessionsRepository } from '../store/sessions-repository.js';
import type { ApizeeTicketTracker } from '../tracking/apizee-tickets.js';
import { milestoneRow } from '../tracking/milestone-rows.js';
import type { ThreadNotifier } from '../tracking/thread-notifier.js';
import { escapeMrkdwn, link } from '../ui/mrkdwn.js';
import { ApizeeClient } from '../vendors/apizee/client.js';
import { describeError, VendorError } from '../vendors/errors.js';
import type { CardPublisher } from './card-publisher.js';
import { waitWords } from './wait-words.js';

/** Who acts, from the Slack request: every row carries the team (and enterprise). */
export interface Actor {
  teamId: string;
  enterpriseId?: string;
  userId: string;
}

/** An ephemeral answer to the acting user, in the conversation they acted from. */
export type Reply = (text: string) => Promise<void>;

export interface SessionServiceDeps {
  sessions: SessionsRepository;
  gateway: SlackGateway;
  cards: CardPublisher;
  notifier: ThreadNotifier;
  crypto: ContactCrypto;
  logger: Logger;
  trackIntervalMs: number;
  apizee?: { client: ApizeeClient; tracker: ApizeeTicketTracker; agent: string };
}

/**
 * Apizee's documents name no call that cancels a ticket (seed 003 and REFERENCE §4 list none
 * with a path), so Cancel ends the session in Rendezvous only, and says so.
 */
const VENDOR_CANCELS: Record<ContactVendor, boolean> = { apizee: false, blitzz: false, conpeek: false, imbee: false };

export class SessionService {
  private readonly lastRefresh = new Map<string, number>();

  constructor(private readonly deps: SessionServiceDeps) {}

  configuredVendors(): ContactVendor[] {
    return this.deps.apizee ? ['apizee'] : [];
  }

  /** The immediate ephemeral line for a valid request; computed from memory, no I/O. */
  acknowledgement(vendor: ContactVendor): string {
    const label = VENDOR_LABELS[vendor];
    const client = vendor === 'apizee' ? this.deps.apizee?.client : undefined;
    const waitMs = client?.budget.estimateWaitMs() ?? 0;
    if (waitMs > 1000) {
      return `⏳ Creating the ${label} session: queued behind ${label}'s ${client!.budget.limit} requests a minute, about ${waitWords(waitMs)}.`;
    }
    return `⏳ Creating the ${label} session…`;
  }

  /** Creates a one-to-one session: card first (so failures have a place to show), then the vendor. */
  async startInvite(request: InviteRequest, channelId: string, actor: Actor, reply: Reply): Promise<void> {
    const apizee = this.deps.apizee;
    if (request.vendor !== 'apizee' || !apizee) {
      await reply(`${VENDOR_LABELS[request.vendor]} is not set up in this workspace. \`/rendezvous vendors\` lists what is.`);
      return;
    }
    const contact = request.delivery === 'email' ? request.email! : request.phone!;
    const plain = contact.kind === 'phone' ? contact.e164 : contact.address;
    const now = new Date().toISOString();
    const row: SessionRow = {
      id: randomUUID(),
      team_id: actor.teamId,
      enterprise_id: actor.enterpriseId ?? null,
      vendor: 'apizee',
      kind: 'ticket',
      vendor_id: null,
      reference: request.reference ?? generateReference(),
      contact_masked: maskContact(contact),
      contact_encrypted: this.deps.crypto.encrypt(plain),
      contact_hash: this.deps.crypto.hash(plain),
      delivery: request.delivery,
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
    };
    await this.deps.sessions.insert(row);
    const log = this.deps.logger.child({ sessionId: row.id, vendor: 'apizee', reference: row.reference });

    try {
      row.card_ts = await this.deps.cards.post(row);
    } catch (error) {
      await this.deps.sessions.update(row.id, { status: 'failed', last_error: 'card_not_posted' });
      log.warn({ code: error instanceof SlackPostError ? error.code : undefined }, 'session card not posted');
      await reply(cardNotPostedWords(error, channelId));
      return;
    }

    try {
      const ticket = await apizee.client.createTicket({
        ...(contact.kind === 'phone' ? { phone: contact.e164 } : { email: contact.address }),
        agent: request.agent ?? apizee.agent,
        reference: row.reference,
        description: request.message,
      });
      const status = APIZEE_TICKET_STATUS[ticket.state] ?? 'created';
      const key = STATUS_MILESTONE[status];
      const words = key
        ? milestoneWords(key, { vendorLabel: 'Apizee', invitee: escapeMrkdwn(row.contact_masked), delivery: row.delivery })
        : '';
      await this.deps.sessions.applyChange(
        row.id,
        {
          vendor_id: String(ticket.id),
          vendor_state: ticket.state,
          status,
          agent_url: ApizeeClient.agentRoomUrl(ticket),
          customer_url: ticket.requestor_url,
          details: JSON.stringify({ button_id: ticket.button_id, service_key: ticket.service_key }),
          tracking: 1,
          next_check_at: new Date(Date.now() + this.deps.trackIntervalMs).toISOString(),
          ...(isFinal(status) ? { ended_at: new Date().toISOString() } : {}),
        },
        // The first reply mentions the starter, so Slack notifies them of the thread's later replies.
        key ? [milestoneRow(row, key, `<@${actor.userId}> started this session. ${words}`)] : [],
      );
      log.info({ ticketId: ticket.id, state: ticket.state }, 'session created');
      await this.deps.cards.refresh(row.id);
      await this.deps.notifier.flush();
      if (ticket.sso_url) {
        await reply(
          `🔑 Your agent link for *${escapeMrkdwn(row.reference)}*: ${link(ticket.sso_url, 'open the Apizee session as agent')}. ` +
            'It works once and only for a few minutes; later, use *Join as agent* on the card.',
        );
      }
    } catch (error) {
      const detail = describeError(error);
      log.warn({ code: error instanceof VendorError ? error.code : 'internal', err: error }, 'session not created');
      await this.deps.sessions.applyChange(
        row.id,
        { status: 'failed', status_detail: detail, last_error: error instanceof VendorError ? error.code : 'internal' },
        [milestoneRow(row, 'failed', `<@${actor.userId}> ${milestoneWords('failed', { vendorLabel: 'Apizee', invitee: '', detail: escapeMrkdwn(detail) })}`)],
      );
      await this.deps.cards.refresh(row.id);
      await this.deps.notifier.flush();
    }
  }

  /** Anyone may refresh; double clicks within a few seconds are ignored. */
  async refresh(sessionId: string, actor: Actor, reply: Reply): Promise<void> {
    const row = await this.sessionFor(sessionId, actor, reply);
    if (!row) return;
    const last = this.lastRefresh.get(sessionId) ?? 0;
    if (Date.now() - last < 5000) return;
    this.lastRefresh.set(sessionId, Date.now());
    if (!row.tracking || row.vendor !== 'apizee' || !this.deps.apizee) {
      await this.deps.cards.refresh(row.id);
      return;
    }
    const waitMs = this.deps.apizee.client.budget.estimateWaitMs();
    if (waitMs > 1000) await reply(`⏳ Refreshing: queued behind Apizee's request limit, about ${waitWords(waitMs)}.`);
    try {
      const changed = await this.deps.apizee.tracker.refresh(row);
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
    const label = VENDOR_LABELS[row.vendor as ContactVendor] ?? row.vendor;
    const detail = VENDOR_CANCELS[row.vendor as ContactVendor]
      ? `Cancelled by <@${actor.userId}>.`
      : `Cancelled in Rendezvous by <@${actor.userId}>. ${label}'s documents name no cancel call, so ${label} was not told: the guest's link may still work.`;
    await this.deps.sessions.applyChange(
      row.id,
      { status: 'cancelled', status_detail: detail, tracking: 0, next_check_at: null, ended_at: new Date().toISOString() },
      [milestoneRow(row, 'cancelled', milestoneWords('cancelled', { vendorLabel: label, invitee: '', detail }))],
    );
    await this.deps.cards.refresh(row.id);
    await this.deps.notifier.flush();
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
