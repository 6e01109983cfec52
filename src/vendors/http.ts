import ky, { type KyInstance, TimeoutError } from 'ky';
import type { z } from 'zod';
import type { Logger } from '../domain/logger.js';
import { VendorError, type VendorErrorCode } from './errors.js';

/**
 * One ky instance per vendor: base URL, timeout, and no automatic retry (POSTs that create
 * things are never retried blindly; the clients retry idempotent GETs themselves, through
 * their rate budget).
 */
export function createHttp(prefixUrl: string, timeoutMs: number): KyInstance {
  return ky.create({
    prefixUrl,
    timeout: timeoutMs,
    retry: 0,
    throwHttpErrors: false,
    headers: { accept: 'application/json' },
  });
}

export function codeForStatus(status: number): VendorErrorCode {
  if (status === 401) return 'unauthorized';
  if (status === 429) return 'rate_limited';
  if (status === 404) return 'not_found';
  if (status >= 500) return 'unavailable';
  return 'rejected';
}

/** Sends one request, turning transport failures into VendorErrors. */
export async function send(vendor: string, operation: string, request: () => Promise<Response>): Promise<Response> {
  try {
    return await request();
  } catch (error) {
    if (error instanceof TimeoutError) throw new VendorError(vendor, operation, 'timeout', { cause: error });
    throw new VendorError(vendor, operation, 'unavailable', { cause: error });
  }
}

/** Reads a JSON body and validates it; a vendor changing its answer fails here, loudly. */
export async function parseBody<S extends z.ZodType>(
  vendor: string,
  operation: string,
  response: Response,
  schema: S,
  logger?: Logger,
): Promise<z.infer<S>> {
  let body: unknown;
  try {
    body = await response.json();
  } catch (error) {
    throw new VendorError(vendor, operation, 'bad_response', { status: response.status, cause: error });
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    logger?.error(
      { vendor, operation, issues: parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`) },
      'vendor answer did not match its schema',
    );
    throw new VendorError(vendor, operation, 'bad_response', { status: response.status, cause: parsed.error });
  }
  return parsed.data;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
