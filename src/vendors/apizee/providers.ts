import type { CallVia, Provider } from '../../domain/vendor-module.js';
import { maskContact } from '../../domain/contact.js';
import type { StartRequest } from '../../domain/start-request.js';
import { milestoneWords, STATUS_MILESTONE } from '../../domain/milestones.js';
import { escapeMrkdwn, link } from '../../domain/mrkdwn.js';
import type { CreationOutcome, Outcome } from '../../domain/outcome.js';
import type { Session } from '../../domain/session.js';
import { asMeet, booleanOption, dateOption, maskedParticipants, numberOption, plainContact, textOption } from '../request-parts.js';
import { ApizeeClient, MAX_LIST_LIMIT } from './client.js';
import { type ApizeeConferenceTracker, CONFERENCE_NAME_MARK } from './conference-tracker.js';
import type { Conference, ListedTicket } from './schemas.js';
import type { ApizeeTicketTracker } from './ticket-tracker.js';
import { APIZEE_TICKET_STATUS } from './ticket-status.js';

type Invite = StartRequest & { shape: 'invite' };

function invite(request: StartRequest): Invite {
  if (request.shape !== 'invite') throw new Error(`an Apizee ticket needs an invitation, not ${request.shape}`);
  return request as Invite;
}

/** Apizee sends the invitation to the contact of the chosen delivery only. */
function contactFor(request: Invite) {
  return request.delivery === 'email' ? request.email! : (request.phone ?? request.email)!;
}

export class ApizeeTicketProvider implements Provider {
  readonly kind = 'ticket' as const;

  constructor(private readonly deps: { client: ApizeeClient; tracker: ApizeeTicketTracker; agent: string; portalUrl: string }) {}

  describeInvitee(request: StartRequest): string {
    return maskContact(contactFor(invite(request)));
  }

  contactOf(request: StartRequest): string {
    const contact = contactFor(invite(request));
    return contact.kind === 'phone' ? contact.e164 : contact.address;
  }

  /** `POST /tickets` (seed 003); "invited" is posted from this answer. */
  async create(session: Session, request: StartRequest, via: CallVia = {}): Promise<CreationOutcome> {
    const wanted = invite(request);
    const contact = contactFor(wanted);
    const ticket = await this.deps.client.createTicket({
      ...(contact.kind === 'phone' ? { phone: contact.e164 } : { email: contact.address }),
      agent: textOption(wanted, 'agent') ?? this.deps.agent,
      reference: session.reference,
      description: wanted.message,
    }, via);
    const status = APIZEE_TICKET_STATUS[ticket.state] ?? 'created';
    const key = STATUS_MILESTONE[status];
    return {
      vendorId: String(ticket.id),
      vendorState: ticket.state,
      status,
      agentUrl: ApizeeClient.agentRoomUrl(ticket),
      customerUrl: ticket.requestor_url,
      details: { button_id: ticket.button_id, service_key: ticket.service_key },
      tracking: true,
      milestone: key
        ? milestoneWords(key, { vendorLabel: 'Apizee', invitee: escapeMrkdwn(session.contactMasked), delivery: session.delivery })
        : '',
      privateNote: ticket.sso_url
        ? `🔑 Your agent link for *${escapeMrkdwn(session.reference)}*: ${link(ticket.sso_url, 'open the Apizee session as agent')}. ` +
          'It works once and only for a few minutes; later, use *Join as agent* on the card.'
        : undefined,
    };
  }

  /**
   * Refresh for a session Apizee made; for one whose creation is in doubt (no ticket id: the
   * `POST /tickets` answer was lost or unreadable), the ticket found by the session's reference,
   * adopted as if the answer had come, or undefined when Apizee has none (then, and only then,
   * the creation failed). The durable creation jobs call it too.
   */
  reconcile(session: Session, via: CallVia = {}): Promise<Outcome | undefined> {
    return session.vendorId ? this.deps.tracker.reconcile(session, via) : this.adopt(session, via);
  }

  /** `GET /tickets?reference=…&orderby=date&order=desc&limit=10` (seed 003, "Get a ticket ID from a reference"). */
  private async adopt(session: Session, via: CallVia): Promise<CreationOutcome | undefined> {
    const list = await this.deps.client.listTickets({ limit: 10, reference: session.reference }, 'interactive', via);
    const ticket = madeFor(session, list.data, (row) => row.reference === session.reference);
    if (!ticket) return undefined;
    const status = APIZEE_TICKET_STATUS[ticket.state] ?? 'created';
    const key = STATUS_MILESTONE[status];
    const words = key
      ? milestoneWords(key, { vendorLabel: 'Apizee', invitee: escapeMrkdwn(session.contactMasked), delivery: session.delivery })
      : '';
    return {
      vendorId: String(ticket.id),
      vendorState: ticket.state,
      status,
      // A listed ticket has no agent_url or button_id (seed 003): the agent opens the portal.
      agentUrl: this.deps.portalUrl,
      customerUrl: ticket.requestor_url,
      details: { service_key: ticket.service_key },
      tracking: true,
      milestone: `${words} (Apizee's answer was lost; Rendezvous found the ticket by its reference.)`.trim(),
    };
  }
}

/** Clock difference tolerated between Rendezvous and Apizee when telling an earlier ticket from this session's. */
const CLOCK_SKEW_MS = 2 * 60_000;

/**
 * The newest row the vendor made for this session: with its reference (an agent may reuse a
 * case number), created no earlier than the session, give or take the clocks' difference.
 */
function madeFor<T extends Pick<ListedTicket, 'created'>>(session: Session, rows: T[], mine: (row: T) => boolean): T | undefined {
  const created = (row: T) => Date.parse(row.created);
  return rows
    .filter((row) => mine(row) && !(created(row) < session.createdAt.getTime() - CLOCK_SKEW_MS))
    .sort((a, b) => (created(b) || 0) - (created(a) || 0))[0];
}

/** An Apizee Video Meeting (`POST /conferences`, seed 003): Apizee invites every participant. */
export class ApizeeConferenceProvider implements Provider {
  readonly kind = 'conference' as const;

  constructor(private readonly deps: { client: ApizeeClient; tracker: ApizeeConferenceTracker; agent: string }) {}

  describeInvitee(request: StartRequest): string {
    return maskedParticipants(asMeet(request).participants);
  }

  contactOf(request: StartRequest): string {
    return asMeet(request).participants.map(plainContact).join(',');
  }

  async create(session: Session, request: StartRequest, via: CallVia = {}): Promise<CreationOutcome> {
    const meet = asMeet(request);
    const name = `${meet.name ?? 'Meeting'} · ${conferenceMark(session)}`.slice(0, 255);
    const conference = await this.deps.client.createConference({
      participants: meet.participants.map(plainContact),
      name,
      message: meet.message,
      moderation: booleanOption(meet, 'moderation'),
      invite: true,
      startTime: dateOption(meet, 'startTime'),
      duration: numberOption(meet, 'durationMinutes'),
      moderator: textOption(meet, 'moderator') ?? this.deps.agent,
    }, 'interactive', via);
    const count = meet.participants.length;
    const invited = `🗓️ Apizee invited ${count} participant${count === 1 ? '' : 's'} (${escapeMrkdwn(session.contactMasked)}) to “${escapeMrkdwn(meet.name ?? 'Meeting')}”.`;
    return conferenceCreation(session, conference, invited);
  }

  /**
   * Refresh for a meeting Apizee made; for one whose creation is in doubt (no conference id),
   * the conference found by the reference its name carries (`GET /conferences?search=…`, seed
   * 003), adopted, or undefined when Apizee has none.
   */
  reconcile(session: Session, via: CallVia = {}): Promise<Outcome | undefined> {
    return session.vendorId ? this.deps.tracker.reconcile(session, via) : this.adopt(session, via);
  }

  private async adopt(session: Session, via: CallVia): Promise<CreationOutcome | undefined> {
    const since = new Date(session.createdAt.getTime() - CLOCK_SKEW_MS);
    const list = await this.deps.client.listConferences({ search: session.reference, since, limit: MAX_LIST_LIMIT }, 'interactive', via);
    const conference = madeFor(session, list.data, (row) => (row.name ?? '').endsWith(conferenceMark(session)));
    if (!conference) return undefined;
    const invited = `🗓️ Apizee invited the participants (${escapeMrkdwn(session.contactMasked)}). (Apizee's answer was lost; Rendezvous found the meeting by its reference.)`;
    return conferenceCreation(session, conference, invited);
  }
}

/** The end of every conference name Rendezvous gives: the mark and the session's reference. */
function conferenceMark(session: Pick<Session, 'reference'>): string {
  return `${CONFERENCE_NAME_MARK} ${session.reference}`;
}

function conferenceCreation(session: Session, conference: Conference, invited: string): CreationOutcome {
    const dialIn = conference.sip_phone_number
      ? ` Dial-in ${escapeMrkdwn(conference.sip_phone_number)}${conference.sip_dtmf_code ? `, code ${escapeMrkdwn(conference.sip_dtmf_code)}` : ''}.`
      : '';
    return {
      vendorId: String(conference.id),
      vendorState: conference.status,
      status: conference.status === 'ongoing' ? 'joined' : 'scheduled',
      agentUrl: conference.url,
      customerUrl: conference.short_url,
      details: {
        name: conference.name,
        room_name: conference.room_name,
        sip_phone_number: conference.sip_phone_number,
        sip_dtmf_code: conference.sip_dtmf_code,
        start_time: conference.start_time,
        end_time: conference.end_time,
      },
      tracking: true,
      milestone: `${invited}${dialIn}`,
      privateNote: `🎥 Room link for *${escapeMrkdwn(session.reference)}*: ${link(conference.url, 'join the meeting')} · short link for participants: ${link(conference.short_url, conference.short_url)}`,
    };
}
