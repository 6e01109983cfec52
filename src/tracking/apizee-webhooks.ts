import { timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { Logger } from '../logger.js';
import type { SessionsRepository } from '../store/sessions-repository.js';

/**
 * The webhook body. Apizee's documents show two shapes and no signature [U] (REFERENCE §4):
 * ApiRTC webhooks `{event, time, object, objectId, props{eventType, …}}` and the ticket Session
 * Events API's event names (`ticket.sessionStarted`, `ticket.completed`, …) whose payload is not
 * given. Both are accepted here, in this one schema; the ticket is found by its id or reference.
 */
export const ApizeeWebhook = z
  .object({
    event: z.string().optional(),
    type: z.string().optional(),
    object: z.string().optional(),
    objectId: z.union([z.string(), z.number()]).optional(),
    props: z.object({ eventType: z.string().optional() }).loose().optional(),
    ticket: z.object({ id: z.union([z.string(), z.number()]).optional(), reference: z.string().nullable().optional() }).loose().optional(),
    data: z
      .object({
        id: z.union([z.string(), z.number()]).optional(),
        ticket_id: z.union([z.string(), z.number()]).optional(),
        reference: z.string().nullable().optional(),
      })
      .loose()
      .optional(),
  })
  .loose();
export type ApizeeWebhook = z.infer<typeof ApizeeWebhook>;

/** Events that say a ticket or a conference changed; others are ignored with a log line. */
const TICKET_EVENT = /^(ticket|session|media)\./;

export type WebhookOutcome = 'due' | 'unknown_session' | 'ignored';

/** Constant-time comparison of the shared secret (URL `?secret=` or `X-Webhook-Secret` header). */
export function secretMatches(expected: string, given: string | undefined): boolean {
  if (!given) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A webhook only says "look now": the matching session is made due, and tracking reads the state. */
export class ApizeeWebhooks {
  constructor(private readonly deps: { sessions: SessionsRepository; logger: Logger; onDue?: () => void }) {}

  async handle(body: ApizeeWebhook): Promise<WebhookOutcome> {
    const event = body.event ?? body.type ?? body.props?.eventType ?? '';
    const isTicket = TICKET_EVENT.test(event);
    const isConversation = body.object === 'conversation' || /^conversation/i.test(body.props?.eventType ?? '');
    if (!isTicket && !isConversation) {
      this.deps.logger.info({ vendor: 'apizee', event }, 'webhook event ignored');
      return 'ignored';
    }
    const ticketId = body.ticket?.id ?? body.data?.ticket_id ?? body.data?.id ?? (isTicket ? body.objectId : undefined);
    const kind = isTicket ? 'ticket' : 'conference';
    const session = ticketId !== undefined ? await this.deps.sessions.byVendorId('apizee', kind, String(ticketId)) : undefined;
    if (!session) {
      this.deps.logger.info({ vendor: 'apizee', event }, 'webhook for a session Rendezvous does not follow');
      return 'unknown_session';
    }
    await this.deps.sessions.markDue(session.id);
    this.deps.onDue?.();
    return 'due';
  }
}
