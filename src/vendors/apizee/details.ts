import { z } from 'zod';
import { detailsReader } from '../details.js';
import { MediaProgress } from './media-settling.js';

/** What a ticket's creation answer leaves on the session (POST /tickets, seed 003). */
export const TicketDetails = z.object({
  button_id: z.number().nullish(),
  service_key: z.string().nullish(),
  ...MediaProgress.shape,
});
export type TicketDetails = z.infer<typeof TicketDetails>;

/** What a conference's creation answer leaves on the session (POST /conferences, REFERENCE §4). */
export const ConferenceDetails = z.object({
  name: z.string().nullish(),
  room_name: z.string().nullish(),
  sip_phone_number: z.string().nullish(),
  sip_dtmf_code: z.string().nullish(),
  start_time: z.string().nullish(),
  end_time: z.string().nullish(),
  ...MediaProgress.shape,
});
export type ConferenceDetails = z.infer<typeof ConferenceDetails>;

export const readTicketDetails = detailsReader(TicketDetails);
export const readConferenceDetails = detailsReader(ConferenceDetails);

/** SIP number and DTMF code, for participants joining by phone (plain text: the card escapes it). */
export function dialInNotes(details: Record<string, unknown>): string[] {
  const { sip_phone_number: number, sip_dtmf_code: code } = readConferenceDetails(details);
  if (!number) return [];
  return [`☎️ Dial-in: ${number}${code ? `, then code ${code}#` : ''}`];
}

/** The files already posted in the thread (their ids are kept so that none is posted twice). */
export function postedMediaCount(details: Record<string, unknown>): number {
  const parsed = MediaProgress.safeParse(details);
  return parsed.success ? (parsed.data.media_posted?.length ?? 0) : 0;
}
