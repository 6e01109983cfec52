import { pino, symbols, type DestinationStream, type Logger as PinoLogger } from 'pino';
import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';
// The scrubbing rules live in domain/ so that vendor clients use them without the entry layer.
import { scrub } from './domain/scrub.js';

export { scrub };

export type Logger = PinoLogger;

/**
 * Keys whose values are never written, at any depth, whatever they look like: secrets (tokens,
 * passwords, API keys, the webhook secret, cookies), contacts, and vendor URLs that carry a token
 * of their own (Apizee's `customer_url`/`requestor_url`/`sso_url`, Imbee's `url_with_token`).
 */
export const SECRET_KEY_NAMES = [
  'token', 'access_token', 'refresh_token', 'id_token', 'botToken', 'appToken',
  'password', 'passwd', 'secret', 'client_secret', 'clientSecret', 'signingSecret', 'webhookSecret',
  'apiKey', 'api_key', 'apikey', 'x-api-key', 'encryptionKey',
  'authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-webhook-secret', 'x-slack-signature',
  'phone', 'email', 'contact', 'mail', 'celullar', 'cellular', 'mobile',
  'customer_url', 'customerUrl', 'requestor_url', 'requestorUrl', 'sso_url', 'ssoUrl', 'url_with_token', 'urlWithToken',
] as const;

const SECRET_KEYS = new RegExp(`^(${SECRET_KEY_NAMES.map((name) => name.replace(/[-]/g, '\\-')).join('|')})$`, 'i');

/**
 * pino's own `redact` paths for the same keys, top level and two levels down: a second net under
 * the hook below, which also covers what the hook never sees (a child logger's bindings).
 */
export const REDACT_PATHS = SECRET_KEY_NAMES.flatMap((name) => {
  const key = /^[A-Za-z_$][\w$]*$/.test(name) ? name : `["${name}"]`;
  const dotted = key.startsWith('[') ? key : `.${key}`;
  return [key.startsWith('[') ? key : name, `*${dotted}`, `*.*${dotted}`];
});

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
  const logger = pino(
    {
      level,
      base: undefined,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
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
  // A child logger's bindings never pass through the hook: they are scrubbed once, when bound.
  // Children inherit this `child` (pino creates them with Object.create), so grandchildren too.
  const child = logger.child;
  logger.child = function scrubbedChild(this: Logger, bindings, options) {
    if (options === undefined && isCorrelationOnly(bindings)) return correlatedChild(this, bindings.correlationId);
    return child.call(this, scrubValue(bindings) as typeof bindings, options);
  } as typeof logger.child;
  return logger;
}

/**
 * A correlation id this app made (a UUID), or a caller's `X-Request-Id` of the same shape:
 * letters, digits and dashes, nothing to scrub or escape.
 */
export const CORRELATION_ID = /^[A-Za-z0-9-]{1,64}$/;

function isCorrelationOnly(bindings: object): bindings is { correlationId: string } {
  const { correlationId } = bindings as { correlationId?: unknown };
  return typeof correlationId === 'string' && CORRELATION_ID.test(correlationId) && Object.keys(bindings).length === 1;
}

/**
 * The child every Slack request gets, made the way pino makes one (`Object.create` of the parent,
 * its bindings appended to the parent's as JSON text) without what pino's own `child` runs over
 * bindings: the redaction's wildcard paths and the scrubbing, about 30 µs a request in the help
 * path's profile, for an id that needs neither. Its lines are written by pino's own methods.
 */
function correlatedChild(parent: Logger, correlationId: string): Logger {
  const instance = Object.create(parent) as Logger & Record<symbol, string>;
  const bound = (parent as Logger & Record<symbol, string>)[symbols.chindingsSym] ?? '';
  instance[symbols.chindingsSym] = `${bound},"correlationId":"${correlationId}"`;
  return instance;
}

/** Bolt's Logger interface over pino, so Bolt's own lines are JSON and scrubbed too. */
export function boltLogger(logger: Logger): BoltLogger {
  const child = logger.child({ component: 'bolt' });
  const text = (parts: unknown[]) => parts.map((part) => (typeof part === 'string' ? part : JSON.stringify(part))).join(' ');
  // Bolt and the Web API client call debug() several times a request: the parts are only
  // joined (and JSON-encoded) when the line will be written.
  const at = (level: 'debug' | 'info' | 'warn' | 'error') => (...parts: unknown[]) => {
    if (child.isLevelEnabled(level)) child[level](text(parts));
  };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    setLevel: () => undefined,
    getLevel: () => LogLevel.INFO,
    setName: () => undefined,
  };
}
