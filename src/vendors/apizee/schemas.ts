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

export const TicketList = z.object({ total: z.number().int(), data: z.array(ListedTicket) });
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
});
export type TicketMedia = z.infer<typeof TicketMedia>;

export const TicketMediaList = z.object({
  limit: z.number().optional(),
  offset: z.number().optional(),
  medias: z.array(TicketMedia),
  count: z.number().optional(),
});
export type TicketMediaList = z.infer<typeof TicketMediaList>;

/** Error bodies seen: `{error}` (429, 401) and the v2 shape `{code, message, details}` (REFERENCE §4). */
export const ApizeeErrorBody = z
  .object({ error: z.string().optional(), message: z.string().optional(), details: z.string().optional() })
  .loose();
