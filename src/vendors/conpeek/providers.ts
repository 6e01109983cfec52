import type { CallVia, Provider } from '../../domain/vendor-module.js';
import { maskContact } from '../../domain/contact.js';
import type { StartRequest } from '../../domain/start-request.js';
import type { Session } from '../../domain/session.js';
import { escapeMrkdwn, link } from '../../domain/mrkdwn.js';
import type { ConpeekClient } from './client.js';
import { VendorError } from '../errors.js';
import type { CreationOutcome } from '../../domain/outcome.js';
import { asInvite, asMeet, maskedInvitee, maskedParticipants, numberOption, plainContact } from '../request-parts.js';

/** Conpeek delivers nothing: the agent gets the link to pass on, or Genesys pushes it (`via:`). */
export class ConpeekMeetProvider implements Provider {
  readonly kind = 'meet' as const;

  constructor(private readonly deps: { client: ConpeekClient; project?: string }) {}

  describeInvitee(request: StartRequest): string {
    return maskedInvitee(asInvite(request));
  }

  contactOf(request: StartRequest): string | undefined {
    const invite = asInvite(request);
    const contact = invite.phone ?? invite.email;
    return contact ? plainContact(contact) : undefined;
  }

  /** `POST /meets/meet` → `_url` (REFERENCE §3 [P:C2]). */
  async create(session: Session, _request: StartRequest, via: CallVia = {}): Promise<CreationOutcome> {
    if (!this.deps.project) {
      throw new VendorError('conpeek', 'createMeet', 'not_configured', { detail: 'CONPEEK_PROJECT is not set.' });
    }
    const meet = await this.deps.client.createMeet({ fromDate: new Date(), project: this.deps.project }, via);
    return {
      vendorId: meet.id,
      vendorState: 'created',
      status: 'link_ready',
      // One link for everyone: as the customer's, it is never put on the card (no "Join as agent").
      customerUrl: meet.url,
      details: { start_date: meet.startDate.toISOString(), end_date: meet.endDate.toISOString(), title: meet.title },
      tracking: false,
      milestone: `🔗 Conpeek opened a video chat for ${escapeMrkdwn(session.contactMasked)}. Conpeek does not send invitations: the link goes to the starter to pass on.`,
      privateNote: `🔗 Conpeek link for *${escapeMrkdwn(session.reference)}*: ${link(meet.url, meet.url)}\nPass it on to ${escapeMrkdwn(session.contactMasked)}: Conpeek does not send it.`,
    };
  }
}

/** One Conpeek room invitation per participant (`{data:{name}}`, seed 002). */
export class ConpeekRoomProvider implements Provider {
  readonly kind = 'room' as const;

  constructor(private readonly deps: { client: ConpeekClient; bridgeId?: number; roomId?: number }) {}

  private names(request: StartRequest): string[] {
    const meet = asMeet(request);
    // The invitation carries only a name: a contact is never sent in clear, only its mask.
    return [...(meet.participantNames ?? []), ...meet.participants.map(maskContact)];
  }

  describeInvitee(request: StartRequest): string {
    return maskedParticipants([], this.names(request));
  }

  contactOf(): undefined {
    return undefined;
  }

  async create(session: Session, request: StartRequest, via: CallVia = {}): Promise<CreationOutcome> {
    const meet = asMeet(request);
    const bridgeId = numberOption(meet, 'bridgeId') ?? this.deps.bridgeId;
    const roomId = numberOption(meet, 'roomId') ?? this.deps.roomId;
    if (!bridgeId || !roomId) {
      throw new VendorError('conpeek', 'inviteToRoom', 'not_configured', { detail: 'No Conpeek room: set CONPEEK_BRIDGE_ID and CONPEEK_ROOM_ID.' });
    }
    const invited: string[] = [];
    for (const name of this.names(request)) {
      await this.deps.client.inviteToRoom({ bridgeId, roomId, name }, via);
      invited.push(name);
    }
    return {
      vendorId: `${bridgeId}/${roomId}`,
      vendorState: 'invited',
      status: 'link_ready',
      details: { bridge_id: bridgeId, room_id: roomId, name: meet.name },
      tracking: false,
      milestone: `🔗 Conpeek room ${roomId} on bridge ${bridgeId}: ${invited.length} invitation${invited.length === 1 ? '' : 's'} added (${escapeMrkdwn(invited.join(', '))}). Conpeek does not send them: share the room's link with each participant.`,
    };
  }
}
