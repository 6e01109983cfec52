import type { Provider } from '../../domain/vendor-module.js';
import { maskContact } from '../../domain/contact.js';
import type { StartRequest } from '../../domain/start-request.js';
import { milestoneWords, STATUS_MILESTONE } from '../../domain/milestones.js';
import { escapeMrkdwn, link } from '../../domain/mrkdwn.js';
import type { CreationOutcome, Outcome } from '../../domain/outcome.js';
import type { Session } from '../../domain/session.js';
import { asMeet, booleanOption, dateOption, maskedParticipants, numberOption, plainContact, textOption } from '../request-parts.js';
import { ApizeeClient } from './client.js';
import { type ApizeeConferenceTracker, CONFERENCE_NAME_MARK } from './conference-tracker.js';
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

  constructor(private readonly deps: { client: ApizeeClient; tracker: ApizeeTicketTracker; agent: string }) {}

  describeInvitee(request: StartRequest): string {
    return maskContact(contactFor(invite(request)));
  }

  contactOf(request: StartRequest): string {
    const contact = contactFor(invite(request));
    return contact.kind === 'phone' ? contact.e164 : contact.address;
  }

  /** `POST /tickets` (seed 003); "invited" is posted from this answer. */
  async create(session: Session, request: StartRequest): Promise<CreationOutcome> {
    const wanted = invite(request);
    const contact = contactFor(wanted);
    const ticket = await this.deps.client.createTicket({
      ...(contact.kind === 'phone' ? { phone: contact.e164 } : { email: contact.address }),
      agent: textOption(wanted, 'agent') ?? this.deps.agent,
      reference: session.reference,
      description: wanted.message,
    });
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

  reconcile(session: Session): Promise<Outcome | undefined> {
    return this.deps.tracker.reconcile(session);
  }
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

  async create(session: Session, request: StartRequest): Promise<CreationOutcome> {
    const meet = asMeet(request);
    const name = `${meet.name ?? 'Meeting'} · ${CONFERENCE_NAME_MARK} ${session.reference}`.slice(0, 255);
    const conference = await this.deps.client.createConference({
      participants: meet.participants.map(plainContact),
      name,
      message: meet.message,
      moderation: booleanOption(meet, 'moderation'),
      invite: true,
      startTime: dateOption(meet, 'startTime'),
      duration: numberOption(meet, 'durationMinutes'),
      moderator: textOption(meet, 'moderator') ?? this.deps.agent,
    });
    const count = meet.participants.length;
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
      milestone: `🗓️ Apizee invited ${count} participant${count === 1 ? '' : 's'} (${escapeMrkdwn(session.contactMasked)}) to “${escapeMrkdwn(meet.name ?? 'Meeting')}”.${dialIn}`,
      privateNote: `🎥 Room link for *${escapeMrkdwn(session.reference)}*: ${link(conference.url, 'join the meeting')} · short link for participants: ${link(conference.short_url, conference.short_url)}`,
    };
  }

  reconcile(session: Session): Promise<Outcome | undefined> {
    return this.deps.tracker.reconcile(session);
  }
}
