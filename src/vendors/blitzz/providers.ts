import type { CallVia, Provider } from '../../domain/vendor-module.js';
import { parseContact } from '../../domain/contact.js';
import type { StartRequest } from '../../domain/start-request.js';
import { milestoneWords } from '../../domain/milestones.js';
import type { Session } from '../../domain/session.js';
import { escapeMrkdwn } from '../../domain/mrkdwn.js';
import type { BlitzzClient } from './client.js';
import { readShowMeDetails } from './details.js';
import { VendorError } from '../errors.js';
import type { CreationOutcome } from '../../domain/outcome.js';
import { asInvite, deliveredInvitee, deliveredTo, textOption } from '../request-parts.js';

/** Blitzz sends the ShowMe invitation itself and reports only "sent" (PRODUCT.md §2). */
export class BlitzzShowMeProvider implements Provider {
  readonly kind = 'showme' as const;

  constructor(private readonly deps: { client: BlitzzClient; defaultSessionId?: string }) {}

  readonly describeInvitee = deliveredInvitee.describeInvitee;
  readonly contactOf = deliveredInvitee.contactOf;

  async create(session: Session, request: StartRequest, via: CallVia = {}): Promise<CreationOutcome> {
    const invite = asInvite(request);
    const sessionId = textOption(invite, 'sessionId') ?? this.deps.defaultSessionId;
    if (!sessionId) {
      throw new VendorError('blitzz', 'sendInvitation', 'rejected', { detail: 'No Blitzz session code: give one in the modal or set BLITZZ_SESSION_ID.' });
    }
    const contact = deliveredTo(invite);
    await this.deps.client.sendInvitation({
      sessionId,
      delivery: invite.delivery ?? 'sms',
      ...(contact.kind === 'phone' ? { phoneE164: contact.e164 } : { email: contact.address }),
      message: invite.delivery === 'whatsapp' ? undefined : invite.message,
    }, via);
    return {
      vendorId: sessionId,
      vendorState: 'sent',
      status: 'sent',
      details: { session_id: sessionId, message: invite.delivery === 'whatsapp' ? undefined : invite.message },
      tracking: false,
      milestone: `${milestoneWords('invited', { vendorLabel: 'Blitzz', invitee: escapeMrkdwn(session.contactMasked), delivery: session.delivery })} Session code ${escapeMrkdwn(sessionId)}. Blitzz reports nothing after sending.`,
    };
  }

  /** The same invitation again, to the stored contact, through the same channel. */
  async resend(session: Session, contact: string, via: CallVia = {}): Promise<string> {
    const parsed = parseContact(contact);
    if (!parsed.ok) throw new VendorError('blitzz', 'sendInvitation', 'rejected', { detail: 'The stored contact is no longer valid.' });
    const details = readShowMeDetails(session.details);
    await this.deps.client.sendInvitation({
      sessionId: details.session_id ?? session.vendorId ?? this.deps.defaultSessionId ?? '',
      delivery: session.delivery ?? 'sms',
      ...(parsed.contact.kind === 'phone' ? { phoneE164: parsed.contact.e164 } : { email: parsed.contact.address }),
      message: details.message,
    }, via);
    return `📨 Blitzz sent it to ${escapeMrkdwn(session.contactMasked)}.`;
  }
}
