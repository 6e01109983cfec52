import { z } from 'zod';

/** Ticket life cycle (REFERENCE §4 "States"; seed 003). "ongoing" belongs to conferences. */
export const TicketState = z.enum([
  'new',
  'open',
  'invited',
  'inprogress',
  'done',
  'closed',
  'rejected',
  'declined',
  'expired',
  'cancelled',
]);
export type TicketState = z.infer<typeof TicketState>;

export const TokenAnswer = z.object({
  access_token: z.string().min(1),
  created_at: z.union([z.number(), z.string()]).optional(),
  expires_in: z.number().positive().default(86_400),
});
export type TokenAnswer = z.infer<typeof TokenAnswer>;

const Geoloc = z.object({ lat: z.number(), lng: z.number() });

/** Fields common to the creation answer and the list items (seed 003, both examples). */
const TicketBase = z.object({
  id: z.number().int(),
  state: TicketState,
  reference: z.string().nullable(),
  created: z.string(),
  modified: z.string(),
  start_time: z.string().nullable(),
  end_time: z.string().nullable(),
  agent: z.string().nullable(),
  requestor_url: z.url(),
  information_page_url: z.string().nullable().optional(),
  service_key: z.string().optional(),
  geoloc: Geoloc.optional(),
});

/** The creation answer: adds the agent side (seed 003, `POST /tickets` example). */
export const CreatedTicket = TicketBase.extend({
  status: z.string().optional(),
  agent_url: z.url(),
  sso_url: z.url().optional(),
  button_id: z.number().int(),
});
export type CreatedTicket = z.infer<typeof CreatedTicket>;

/** A list item: no `agent_url`, `sso_url`, `button_id` or `status` (seed 003, `GET /tickets` example). */
export const ListedTicket = TicketBase;
export type ListedTicket = z.infer<typeof ListedTicket>;

/**
 * A list's rows, parsed one by one: `GET /tickets` covers the whole enterprise, so a ticket made by
 * another integration (an undocumented state, no `requestor_url`) must not fail the answer for
 * every session. Unreadable rows are kept out of `data` and counted in `skipped`, with the first
 * problem of each (a field path and zod's words, never the value), for the client to log.
 */
function rowsOf<T extends z.ZodType>(row: T) {
  return z.array(z.unknown()).transform((rows) => {
    const data: Array<z.infer<T>> = [];
    const skipped: string[] = [];
    for (const item of rows) {
      const parsed = row.safeParse(item);
      if (parsed.success) data.push(parsed.data);
      else skipped.push(parsed.error.issues.map((issue) => `${issue.path.join('.') || 'row'}: ${issue.message}`)[0] ?? 'unreadable');
    }
    return { data, skipped };
  });
}

export const TicketList = z
  .object({ total: z.number().int(), data: rowsOf(ListedTicket) })
  .transform(({ total, data }) => ({ total, data: data.data, skipped: data.skipped }));
export type TicketList = z.infer<typeof TicketList>;

/** Ticket media: key `medias`, `location{lat, lon}` (not the conference shape, seed 003). */
export const TicketMedia = z.object({
  id: z.number().int(),
  title: z.string().nullable(),
  type: z.string(),
  hash: z.string().optional(),
  description: z.string().nullable().optional(),
  url: z.url(),
  location: z.object({ lat: z.number(), lon: z.number() }).optional(),
  filesize: z.number().optional(),
  /** Not in seed 003's example; REFERENCE §4 [P:A2] filters ticket medias by a status such as `completed`. */
  status: z.string().optional(),
});
export type TicketMedia = z.infer<typeof TicketMedia>;

export const TicketMediaList = z.object({
  limit: z.number().optional(),
  offset: z.number().optional(),
  medias: z.array(TicketMedia),
  count: z.number().optional(),
});
export type TicketMediaList = z.infer<typeof TicketMediaList>;

// ---------------------------------------------------------------------------------------------
// Video Meeting: conferences (seed 003 "Get a video meeting room (conference)"; REFERENCE §4)
// ---------------------------------------------------------------------------------------------

/**
 * Conference statuses seen in seed 003: `scheduled` (creation answer) and `ongoing` (list answer).
 * The full list is [U] (REFERENCE §4), so `Conference.status` stays a string and these are the
 * ones code may compare against.
 */
export const KNOWN_CONFERENCE_STATUSES = ['scheduled', 'ongoing'] as const;
export type KnownConferenceStatus = (typeof KNOWN_CONFERENCE_STATUSES)[number];

/** `organizer`, `created_by`, `moderator` and a media's `owner` (seed 003). */
const ApizeeUser = z.object({ id: z.number().int(), name: z.string() });

/**
 * The creation answer and a list item have the same field set (seed 003, both examples).
 * `name` may be null: it is optional on creation and Apizee answers `"name": null` for an unnamed
 * ticket [I]. SIP fields may be null on an account without SIP access [I]. `moderator` is optional
 * on creation, so the answer may lack it or carry null [I].
 */
export const Conference = z.object({
  id: z.number().int(),
  name: z.string().nullable(),
  created: z.string(),
  modified: z.string(),
  start_time: z.string(),
  end_time: z.string(),
  status: z.string(),
  room_name: z.string(),
  url: z.url(),
  short_url: z.url(),
  sip_phone_number: z.string().nullable(),
  sip_dtmf_code: z.string().nullable(),
  organizer: ApizeeUser,
  created_by: ApizeeUser,
  service_key: z.string(),
  moderator: ApizeeUser.nullable().optional(),
});
export type Conference = z.infer<typeof Conference>;

export const ConferenceList = z
  .object({ total: z.number().int(), data: rowsOf(Conference) })
  .transform(({ total, data }) => ({ total, data: data.data, skipped: data.skipped }));
export type ConferenceList = z.infer<typeof ConferenceList>;

/**
 * One file of `GET /conferences/{id}/media` (seed 003). Not the ticket media shape: `geoloc{lat,
 * lng}` (tickets: `location{lat, lon}`), `media_type` (tickets: MIME `type`).
 */
export const ConferenceMediaItem = z.object({
  id: z.number().int(),
  hash: z.string(),
  created: z.string(),
  owner: ApizeeUser,
  title: z.string().nullable(),
  description: z.string().nullable(),
  filename: z.string(),
  status: z.string(),
  media_type: z.string(),
  url: z.url(),
  filesize: z.number().int().nonnegative(),
  source_type: z.string(),
  geoloc: Geoloc.optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
});
export type ConferenceMediaItem = z.infer<typeof ConferenceMediaItem>;

/** The list key is `data`, with `total` (tickets: `medias`, with `count`), seed 003. */
export const ConferenceMedia = z.object({ total: z.number().int(), data: z.array(ConferenceMediaItem) });
export type ConferenceMedia = z.infer<typeof ConferenceMedia>;

// ---------------------------------------------------------------------------------------------
// Ticket statistics (seed 003 "Get detailed ticket statistics for a given day")
// ---------------------------------------------------------------------------------------------

const count = z.number().int().nonnegative();
const text = z.string().nullable();

/**
 * A `tickets-stats` row once its French display keys are translated (see TICKET_STATS_KEYS).
 * Identity, state, dates and counts are required; display-only text is optional, because seed 003
 * says the answer "notably contains" these keys, not that every row always does.
 */
const TicketStatsFields = z.object({
  id: z.number().int(),
  /** `Ref` is a number in the seed (`reference` is a string elsewhere): kept as a string to match tickets. */
  reference: z
    .union([z.number(), z.string()])
    .nullable()
    .transform((value) => (value === null ? null : String(value))),
  description: text.optional(),
  priority: text.optional(),
  requester: text.optional(),
  contact: text.optional(),
  /** The French display label (`"Fermé"` in the seed); the other labels are [U], so it is not mapped to TicketState. */
  state: z.string(),
  assignedTo: text.optional(),
  group: text.optional(),
  type: text.optional(),
  /** `YYYY-MM-DD HH:mm:ss`, time zone [U]: kept as Apizee wrote it. */
  sessionStart: text,
  sessionEnd: text,
  /** `"oui"` / `"non"`. */
  answered: z
    .string()
    .toLowerCase()
    .pipe(z.enum(['oui', 'non']))
    .transform((value) => value === 'oui'),
  invitations: count,
  emailInvitations: count,
  smsInvitations: count,
  calls: count,
  totalCallSeconds: z.number().nonnegative(),
  photos: count,
  videos: count,
  /** `Identifiant`: the agent's login in the seed. */
  login: text,
  service: z.string(),
  scans: count.optional(),
  device: text.optional(),
  operatingSystem: text.optional(),
  browser: text.optional(),
});

/** One row of `GET /enterprises/{id}/tickets-stats`, with English field names. */
export type TicketStats = z.infer<typeof TicketStatsFields>;

/**
 * The one table from the French display keys of `tickets-stats` (seed 003, verbatim, ASCII
 * apostrophes) to the English field names of `TicketStats`. Keys not listed are dropped.
 */
export const TICKET_STATS_KEYS = {
  ID: 'id',
  Ref: 'reference',
  Description: 'description',
  'Priorité': 'priority',
  Demandeur: 'requester',
  Contact: 'contact',
  Etat: 'state',
  'Assigné à': 'assignedTo',
  Groupe: 'group',
  Type: 'type',
  'Date de début de session': 'sessionStart',
  'Date de fin': 'sessionEnd',
  'Répondues': 'answered',
  "Nombre d'invitations": 'invitations',
  "Nombre d'invitations email": 'emailInvitations',
  "Nombre d'invitations SMS": 'smsInvitations',
  'Nombre Appels': 'calls',
  'Durée totale des appels (secondes)': 'totalCallSeconds',
  Photos: 'photos',
  'Vidéos': 'videos',
  Identifiant: 'login',
  Service: 'service',
  Scans: 'scans',
  Appareil: 'device',
  "Système d'exploitation": 'operatingSystem',
  Navigateur: 'browser',
} as const satisfies Record<string, keyof TicketStats>;

type UnmappedTicketStatsField = Exclude<keyof TicketStats, (typeof TICKET_STATS_KEYS)[keyof typeof TICKET_STATS_KEYS]>;

/** Typed so that an English field without a French key fails to compile ("missing: <field>"). */
const FRENCH_TO_ENGLISH: ReadonlyMap<string, keyof TicketStats> &
  ([UnmappedTicketStatsField] extends [never] ? unknown : { missing: UnmappedTicketStatsField }) = new Map(
  Object.entries(TICKET_STATS_KEYS),
);

/** Renames the keys through TICKET_STATS_KEYS; keys are NFC-normalised so a decomposed "é" still matches. */
function translateTicketStatsKeys(row: unknown): unknown {
  if (typeof row !== 'object' || row === null || Array.isArray(row)) return row;
  const english: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) {
    const field = FRENCH_TO_ENGLISH.get(key.normalize('NFC'));
    if (field) english[field] = value;
  }
  return english;
}

/** A French `tickets-stats` row in, a `TicketStats` out. */
export const TicketStatsRow = z.preprocess(translateTicketStatsKeys, TicketStatsFields);
export type TicketStatsRow = TicketStats;

/** The answer is a bare JSON array, one row per ticket (seed 003). */
export const TicketStatsList = z.array(TicketStatsRow);
export type TicketStatsList = z.infer<typeof TicketStatsList>;

/** Error bodies seen: `{error}` (429, 401) and the v2 shape `{code, message, details}` (REFERENCE §4). */
export const ApizeeErrorBody = z
  .object({ error: z.string().optional(), message: z.string().optional(), details: z.string().optional() })
  .loose();
