import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';
import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';

export type Logger = PinoLogger;

// Defence in depth: code never logs a contact or a secret on purpose, and this scrubs any that
// slip into a message or a field anyway (a vendor error body echoing a phone number, say).
const SCRUBBERS: Array<[RegExp, string]> = [
  [/xox[a-z]-[A-Za-z0-9-]+/g, 'xox…[redacted]'],
  [/xapp-[A-Za-z0-9-]+/g, 'xapp-…[redacted]'],
  [/(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, '$1 [redacted]'],
  [/(access_token|password|pwd|token|secret)=([^&\s"']+)/gi, '$1=[redacted]'],
  [/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g, '[email]'],
  [/\+?\d[\d .-]{7,}\d/g, '[phone]'],
];

export function scrub(text: string): string {
  return SCRUBBERS.reduce((out, [pattern, replacement]) => out.replace(pattern, replacement), text);
}

/** Keys whose values are never written, at any depth, whatever they look like. */
const SECRET_KEYS = /^(token|access_token|password|secret|authorization|cookie|phone|email|contact|mail|celullar)$/i;

/** An error as a plain, scrubbed object that keeps its class, code and where it came from. */
function serializeError(error: Error, depth: number): Record<string, unknown> {
  const extra = Object.fromEntries(
    Object.entries(error).filter(([key]) => !['cause', 'stack', 'message'].includes(key)).map(([key, item]) => [key, scrubValue(item, depth + 1, key)]),
  );
  return {
    type: error.name,
    message: scrub(error.message),
    ...extra,
    stack: error.stack ? scrub(error.stack) : undefined,
    ...(error.cause instanceof Error && depth < 3 ? { cause: serializeError(error.cause, depth + 1) } : {}),
  };
}

function scrubValue(value: unknown, depth = 0, key = ''): unknown {
  if (key && SECRET_KEYS.test(key) && value !== undefined && value !== null) return '[redacted]';
  if (typeof value === 'string') return scrub(value);
  if (depth > 4 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return serializeError(value, depth);
  if (Array.isArray(value)) return value.map((item) => scrubValue(item, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([name, item]) => [name, scrubValue(item, depth + 1, name)]));
}

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: undefined,
      // Errors arrive already serialized by scrubValue; pino's own serializer would flatten them.
      serializers: { err: (err: unknown) => err },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((arg) => scrubValue(arg)) as Parameters<typeof method>);
        },
      },
    },
    destination as DestinationStream | undefined,
  );
}

/** Bolt's Logger interface over pino, so Bolt's own lines are JSON and scrubbed too. */
export function boltLogger(logger: Logger): BoltLogger {
  const child = logger.child({ component: 'bolt' });
  const text = (parts: unknown[]) => parts.map((part) => (typeof part === 'string' ? part : JSON.stringify(part))).join(' ');
  return {
    debug: (...parts) => child.debug(text(parts)),
    info: (...parts) => child.info(text(parts)),
    warn: (...parts) => child.warn(text(parts)),
    error: (...parts) => child.error(text(parts)),
    setLevel: () => undefined,
    getLevel: () => LogLevel.INFO,
    setName: () => undefined,
  };
}
