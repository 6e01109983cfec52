import { z } from 'zod';

/** Conpeek's date format: `YYYY-MM-DD HH:mm:ss`, in UTC (Meets Create, REFERENCE §3 [P:C2]). */
export const ConpeekDate = z.string().regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/, 'expected YYYY-MM-DD HH:mm:ss');

/** Meets Create answer (REFERENCE §3 [P:C2]): `_url` is the join link; end = start + 30 min in the example. */
export const Meet = z.object({
  _id: z.string().min(1),
  _url: z.url(),
  start_date: ConpeekDate,
  end_date: ConpeekDate,
  title: z.string(),
});
export type Meet = z.infer<typeof Meet>;

/**
 * The Meets Create page [P:C2] shows a bare object, while the seed's invitation (and REFERENCE §3's
 * "Envelope" line) wraps payloads in `{data: …}`. Both are read, so the link is not lost to the
 * wrapping whichever the real server uses.
 */
export const MeetAnswer = z.union([Meet, z.object({ data: Meet })]).transform((answer) => ('data' in answer ? answer.data : answer));

/**
 * The answer to Invitation Add: `{"data": <ConferenceRoomInvitation>}` (seed 002). The document lists
 * no field of a ConferenceRoomInvitation; `name` is only seen in the request example. The 200
 * ("Żądanie przyjęte do realizacji", accepted for processing) is the success, so an echo without
 * `name` is still one: requiring it would report as failed an invitation Conpeek has added, and a
 * retry would add it twice. The `{data: …}` envelope stays required: without it the answer is not
 * this endpoint's. Other fields are kept but unread [U].
 */
export const RoomInvitation = z.object({ name: z.string().optional() }).loose();
export const RoomInvitationAnswer = z.object({ data: RoomInvitation });

/**
 * A Meeting of `GET /meeting` (REFERENCE §3 [P:C3]). The page names the resource but not its
 * fields; these are the filterable properties, assumed to be fields of the same name [I]. All are
 * optional and unknown fields are kept, so an answer never fails on them.
 */
export const ConpeekMeeting = z
  .object({
    _id: z.union([z.string(), z.number()]).optional(),
    _url: z.string().optional(),
    title: z.string().nullable().optional(),
    status: z.string().nullable().optional(),
    contact_id: z.string().nullable().optional(),
    crm_id: z.string().nullable().optional(),
    ticket_id: z.string().nullable().optional(),
    tenant_user_id: z.number().nullable().optional(),
    project_id: z.number().nullable().optional(),
    startDate: z.string().nullable().optional(),
    endDate: z.string().nullable().optional(),
    created_date: z.string().nullable().optional(),
  })
  .loose();
export type ConpeekMeeting = z.infer<typeof ConpeekMeeting>;

export const MeetingList = z.object({ data: z.array(ConpeekMeeting) });
