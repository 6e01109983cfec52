import { z } from 'zod';
import type { WebhookHandler } from '../../domain/vendor-module.js';

/**
 * A ticket reference, as a string or a number: document 003 prints the string reference "1234"
 * of its ticket as the number 1234 in tickets-stats (`"Ref": 1234`), so a payload may too, and an
 * event must not be refused over a field routing does not even read.
 */
const Reference = z.union([z.string(), z.number()]).nullable().optional();

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
    ticket: z.object({ id: z.union([z.string(), z.number()]).optional(), reference: Reference }).loose().optional(),
    data: z
      .object({
        id: z.union([z.string(), z.number()]).optional(),
        ticket_id: z.union([z.string(), z.number()]).optional(),
        reference: Reference,
      })
      .loose()
      .optional(),
  })
  .loose();
export type ApizeeWebhook = z.infer<typeof ApizeeWebhook>;

/** Events that say a ticket or a conference changed; others are ignored with a log line. */
const TICKET_EVENT = /^(ticket|session|media)\./;

/** A webhook only says "look now": it names the session to make due; tracking reads the state. */
export function apizeeWebhook(secret: string): WebhookHandler {
  return {
    secret,
    route(body) {
      const parsed = ApizeeWebhook.safeParse(body);
      if (!parsed.success) return { rejected: 'unexpected body' };
      const hook = parsed.data;
      const event = hook.event ?? hook.type ?? hook.props?.eventType ?? '';
      const isTicket = TICKET_EVENT.test(event);
      const isConversation = hook.object === 'conversation' || /^conversation/i.test(hook.props?.eventType ?? '');
      if (!isTicket && !isConversation) return { ignored: event };
      const vendorId = hook.ticket?.id ?? hook.data?.ticket_id ?? hook.data?.id ?? (isTicket ? hook.objectId : undefined);
      // No id: nothing Rendezvous follows can be named (the session is unknown).
      return { kind: isTicket ? 'ticket' : 'conference', vendorId: vendorId === undefined ? '' : String(vendorId), event };
    },
  };
}
