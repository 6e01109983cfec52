import type { z } from 'zod';

/**
 * A product's `parseDetails` from its zod schema: what the providers stored is read back typed,
 * and stored details that no longer parse (an older release, a hand edit) read as empty rather
 * than as untrusted data.
 */
export function detailsReader<T extends z.ZodType<Record<string, unknown>>>(schema: T): (raw: unknown) => z.infer<T> {
  return (raw) => {
    const parsed = schema.safeParse(raw);
    return parsed.success ? parsed.data : ({} as z.infer<T>);
  };
}
