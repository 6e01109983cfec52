import { z } from 'zod';
import type { StartRequest } from '../domain/start-request.js';

/**
 * What a creation job needs besides its session row: the request as checked before the ack,
 * where to answer the starter (the response_url, valid 30 minutes) and the message it came from
 * ("Invite from this message"). Stored encrypted: it holds the invitee's contacts.
 */
export interface CreationPayload {
  request: StartRequest;
  responseUrl?: string;
  source?: { channelId: string; ts: string };
  /** The correlation id of the request that asked for it: the job's log lines carry it too. */
  correlationId?: string;
}

/** Dates (a product's date fields) survive the JSON round trip tagged. */
const DATE_TAG = '$date';

const Envelope = z.object({
  request: z.looseObject({ vendor: z.string(), kind: z.string(), shape: z.enum(['invite', 'meeting', 'command']), options: z.record(z.string(), z.unknown()) }),
  responseUrl: z.url().optional(),
  source: z.object({ channelId: z.string(), ts: z.string() }).optional(),
  // Payloads written before it have none: their jobs get an id of their own.
  correlationId: z.string().max(64).optional(),
});

export function encodeCreationPayload(payload: CreationPayload): string {
  return JSON.stringify(payload, function (this: Record<string, unknown>, key, value: unknown) {
    const raw = this[key];
    return raw instanceof Date ? { [DATE_TAG]: raw.toISOString() } : value;
  });
}

/**
 * The envelope is checked; the request inside was validated against its product's rules before
 * it was written, by this same app, so it is taken as it was.
 */
export function decodeCreationPayload(text: string): CreationPayload {
  const parsed = Envelope.parse(
    JSON.parse(text, (_key, value: unknown) => {
      if (value && typeof value === 'object' && !Array.isArray(value)) {
        const tagged = (value as Record<string, unknown>)[DATE_TAG];
        if (typeof tagged === 'string' && Object.keys(value).length === 1) return new Date(tagged);
      }
      return value;
    }),
  );
  return { request: parsed.request as unknown as StartRequest, responseUrl: parsed.responseUrl, source: parsed.source, correlationId: parsed.correlationId };
}
