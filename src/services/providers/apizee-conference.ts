import type { StartRequest } from '../../domain/start-request.js';
import type { SessionRow } from '../../store/schema.js';
import { CONFERENCE_NAME_MARK, type ApizeeConferenceTracker } from '../../tracking/apizee-conferences.js';
import { escapeMrkdwn, link } from '../../ui/mrkdwn.js';
import type { ApizeeClient } from '../../vendors/apizee/client.js';
import type { CreationOutcome, SessionProvider } from './provider.js';
import { asMeet, booleanOption, dateOption, maskedParticipants, numberOption, plainContact, textOption } from './request-parts.js';

/** An Apizee Video Meeting (`POST /conferences`, seed 003): Apizee invites every participant. */
export class ApizeeConferenceProvider implements SessionProvider {
  readonly vendor = 'apizee' as const;
  readonly kind = 'conference' as const;

  constructor(private readonly deps: { client: ApizeeClient; tracker: ApizeeConferenceTracker; agent: string }) {}

  describeInvitee(request: StartRequest): string {
    return maskedParticipants(asMeet(request).participants);
  }

  contactOf(request: StartRequest): string {
    return asMeet(request).participants.map(plainContact).join(',');
  }

  async create(session: SessionRow, request: StartRequest): Promise<CreationOutcome> {
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
      milestone: `🗓️ Apizee invited ${count} participant${count === 1 ? '' : 's'} (${escapeMrkdwn(session.contact_masked)}) to “${escapeMrkdwn(meet.name ?? 'Meeting')}”.${dialIn}`,
      privateNote: `🎥 Room link for *${escapeMrkdwn(session.reference)}*: ${link(conference.url, 'join the meeting')} · short link for participants: ${link(conference.short_url, conference.short_url)}`,
    };
  }

  refresh(session: SessionRow): Promise<boolean> {
    return this.deps.tracker.refresh(session);
  }
}
