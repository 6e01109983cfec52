
export type VendorErrorCode =
  | 'unauthorized'
  | 'rate_limited'
  | 'not_found'
  | 'rejected'
  | 'unavailable'
  | 'timeout'
  | 'bad_response'
  | 'not_configured';

/** A failed vendor call: what, where, and whether trying again may help. Never carries a secret. */
export class VendorError extends Error {
  readonly status?: number;
  readonly retryable: boolean;
  /** A vendor's own words (already free of contacts), shown to users when it helps. */
  readonly detail?: string;
  /** Milliseconds after which trying again may succeed (429, lockouts). */
  readonly retryAfterMs?: number;
  /**
   * The request was sent but its answer was lost or unreadable (a timeout, a 2xx that does not
   * parse): the vendor may have done it. A creation in doubt is reconciled, never sent again,
   * and only declared failed once a lookup shows it absent. False for a clear refusal (4xx/5xx).
   */
  readonly inDoubt: boolean;

  constructor(
    readonly vendor: string,
    readonly operation: string,
    readonly code: VendorErrorCode,
    options: { status?: number; retryable?: boolean; detail?: string; retryAfterMs?: number; inDoubt?: boolean; cause?: unknown } = {},
  ) {
    super(`${vendor} ${operation} failed: ${code}${options.status ? ` (HTTP ${options.status})` : ''}`, {
      cause: options.cause,
    });
    this.name = 'VendorError';
    this.status = options.status;
    this.retryable = options.retryable ?? (code === 'unavailable' || code === 'timeout' || code === 'rate_limited');
    this.detail = options.detail;
    this.retryAfterMs = options.retryAfterMs;
    this.inDoubt = options.inDoubt ?? false;
  }
}

/** The same failure, marked as possibly carried out by the vendor (see `inDoubt`). */
export function inDoubt(error: VendorError): VendorError {
  return new VendorError(error.vendor, error.operation, error.code, {
    status: error.status,
    retryable: error.retryable,
    detail: error.detail,
    retryAfterMs: error.retryAfterMs,
    inDoubt: true,
    cause: error.cause,
  });
}

const PLAIN_WORDS: Record<VendorErrorCode, (label: string) => string> = {
  unauthorized: (label) => `${label} refused Rendezvous's credentials. An admin should check the ${label} settings.`,
  rate_limited: (label) => `${label} is limiting how fast Rendezvous may call it. Try again in a minute.`,
  not_found: (label) => `${label} does not know this session any more.`,
  rejected: (label) => `${label} refused the request.`,
  unavailable: (label) => `${label} is not answering right now. Try again in a few minutes.`,
  timeout: (label) => `${label} took too long to answer. Try again in a few minutes.`,
  bad_response: (label) => `${label} sent an answer Rendezvous does not understand. The team has been told in the logs.`,
  not_configured: (label) => `${label} is not set up in this workspace.`,
};

/**
 * Plain words for a person: which vendor, what happened, what to do. `labelOf` turns the
 * error's vendor name into its label (the modules' catalogue knows them; the kit names none).
 */
export function describeError(error: unknown, labelOf: (vendor: string) => string): string {
  if (error instanceof VendorError) {
    const label = labelOf(error.vendor);
    const words = PLAIN_WORDS[error.code](label);
    return error.detail && error.code === 'rejected' ? `${words} ${label} said: “${error.detail}”` : words;
  }
  return 'Something went wrong inside Rendezvous. The team has been told in the logs.';
}
