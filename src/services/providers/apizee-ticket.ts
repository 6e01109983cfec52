import { maskContact } from '../../domain/contact.js';
import type { StartRequest } from '../../domain/start-request.js';
import { APIZEE_TICKET_STATUS, milestoneWords, STATUS_MILESTONE } from '../../domain/milestones.js';
import type { ApizeeTicketTracker } from '../../tracking/apizee-tickets.js';
import { escapeMrkdwn, link } from '../../ui/mrkdwn.js';
import { ApizeeClient } from '../../vendors/apizee/client.js';
import type { SessionRow } from '../../store/schema.js';
import type { CreationOutcome, SessionProvider } from './provider.js';
import { textOption } from './request-parts.js';

type Invite = StartRequest & { shape: 'invite' };

function invite(request: StartRequest): Invite {
  if (request.shape !== 'invite') throw new Error(`an Apizee ticket needs an invitation, not ${request.shape}`);
  return request as Invite;
}

/** Apizee sends the invitation to the contact of the chosen delivery only. */
function contactFor(request: Invite) {
  return request.delivery === 'email' ? request.email! : (request.phone ?? request.email)!;
}

export class ApizeeTicketProvider implements SessionProvider {
  readonly vendor = 'apizee' as const;
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
  async create(session: SessionRow, request: StartRequest): Promise<CreationOutcome> {
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
        ? milestoneWords(key, { vendorLabel: 'Apizee', invitee: escapeMrkdwn(session.contact_masked), delivery: session.delivery })
        : '',
      privateNote: ticket.sso_url
        ? `🔑 Your agent link for *${escapeMrkdwn(session.reference)}*: ${link(ticket.sso_url, 'open the Apizee session as agent')}. ` +
          'It works once and only for a few minutes; later, use *Join as agent* on the card.'
        : undefined,
    };
  }

  refresh(session: SessionRow): Promise<boolean> {
    return this.deps.tracker.refresh(session);
  }
}
