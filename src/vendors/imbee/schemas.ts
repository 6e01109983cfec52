import { z } from 'zod';

/** `YYYY-MM-DD`, the `date_limit` format of seed 004. */
export const ImbeeDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD');

/**
 * Every Imbee answer (seed 004): `code` 0 is success, 1 (or a service's own code) an error, whatever
 * the HTTP status. `message` is "not relevant" per the seed; `body` is read only on success.
 */
export const ImbeeEnvelope = z.object({
  time: z.number().optional(),
  code: z.number().int(),
  message: z.string().nullable().optional(),
  body: z.unknown(),
});
export type ImbeeEnvelope = z.infer<typeof ImbeeEnvelope>;

/** `POST /token/new` answer body (seed 004). `previously_created: true` is a success: the existing link again. */
export const WebTokenBody = z.object({
  url: z.url(),
  user_idsha: z.string(),
  date_limit: ImbeeDay,
  max_retries: z.number().int(),
  previously_created: z.boolean(),
});
export type WebTokenBody = z.infer<typeof WebTokenBody>;
