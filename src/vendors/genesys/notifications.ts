/**
 * Genesys Web Services pushes the outcome of an SMS session operation over CometD (REFERENCE §2
 * "CometD notifications"). This listener uses the official CometD JavaScript client (`cometd`)
 * with its Node adapter (`cometd-nodejs-client`), over long-polling only.
 *
 * The adapter installs process-wide globals (`window`, `window.XMLHttpRequest`, …) and by default
 * keeps ONE cookie jar for the whole process, keyed by host name only: two listeners talking to
 * two servers on the same host would overwrite each other's `JSESSIONID`. So `adapt()` is called
 * here only, once, with cookie hooks that route every request's cookies to the listener that
 * sent it (see `cookieHooks`); each listener then uses its REST client's session, so several app
 * instances can live in one process.
 */
import { EventEmitter } from 'node:events';
import { CometD, type Message, type Transport } from 'cometd';
import { adapt } from 'cometd-nodejs-client';
import type { Logger } from '../../logger.js';
import { VendorError } from '../errors.js';
import type { VendorHealth } from '../health.js';
import type { GenesysCookies, GenesysSettings } from './client.js';
import { SmsNotification, type LoggedMessage, type SmsParticipant } from './schemas.js';

/**
 * The SMS topic's name is unknown (REFERENCE §2 marks it [U]). Genesys documents `/v2/me/calls`,
 * `/v2/me/im-sessions`, `/v2/me/workbins` [P:G1]; by analogy with `/v2/me/im-sessions` SMS
 * sessions are assumed to publish on `/v2/me/smssessions`. Check it against your own server.
 */
export const GENESYS_SMS_TOPIC = '/v2/me/smssessions';

/**
 * The handshake URL is an assumption too (REFERENCE §2): a Genesys-authored Bayeux client
 * connects to `BaseURL + "/notifications"` [P:G11]. `GENESYS_NOTIFICATIONS_URL` overrides it.
 */
export function notificationsUrl(settings: Pick<GenesysSettings, 'apiUrl' | 'notificationsUrl'>): string {
  return settings.notificationsUrl ?? `${settings.apiUrl.replace(/\/+$/, '')}/api/v2/notifications`;
}

export type GenesysOutcome =
  | { kind: 'participants_updated'; smsSessionId?: string; participants: SmsParticipant[] }
  /** A `MessageLogUpdated` that answers an operation (`SendUrl`'s `PushUrl` message). */
  | { kind: 'messages_added'; messages: LoggedMessage[] }
  | { kind: 'error'; message: string }
  | { kind: 'timeout' };

export interface GenesysNotificationsOptions {
  /** How long an outcome nobody waits for yet is kept (default one minute). */
  bufferMs?: number;
}

interface Waiter {
  resolve(outcome: GenesysOutcome): void;
  timer: NodeJS.Timeout;
}

/** What the CometD transport carries to the cookie hooks (the adapter copies it onto each request). */
interface CookieContext {
  cookies(): string[];
  store(setCookie: string): void;
}

const DEFAULT_BUFFER_MS = 60_000;
const MAX_BUFFERED = 1_000;
/** Upper bound on waiting for `/meta/disconnect` when stopping: stop() never hangs on a dead server. */
const DISCONNECT_WAIT_MS = 2_000;
/** WWE and GWS do not support WebSockets [P:G10]; `callback-polling` needs a browser's DOM. */
const UNUSED_TRANSPORTS = ['websocket', 'callback-polling'];

let instances = 0;

export class GenesysNotifications extends EventEmitter<{ notification: [SmsNotification] }> {
  private readonly bufferMs: number;
  private readonly authorization: string;
  /** Cookies the CometD server set, when no REST session is shared. */
  private readonly ownCookies = new Map<string, string>();
  private readonly buffered = new Map<number, { outcome: GenesysOutcome; at: number }>();
  private readonly waiters = new Map<number, Set<Waiter>>();
  private cometd?: CometD;
  private starting?: { promise: Promise<void>; resolve(): void; reject(error: Error): void };
  private started = false;

  constructor(
    private readonly settings: GenesysSettings,
    private readonly deps: { logger: Logger; health?: VendorHealth; session?: GenesysCookies },
    options: GenesysNotificationsOptions = {},
  ) {
    super();
    this.bufferMs = options.bufferMs ?? DEFAULT_BUFFER_MS;
    this.authorization = `Basic ${Buffer.from(`${settings.username}:${settings.password}`).toString('base64')}`;
  }

  /** Handshakes and subscribes to the SMS topic; resolves once subscribed, rejects (and stops) if that fails. */
  start(): Promise<void> {
    if (this.starting) return this.starting.promise;
    adaptOnce();
    let resolve!: () => void;
    let reject!: (error: Error) => void;
    const promise = new Promise<void>((ok, fail) => {
      resolve = ok;
      reject = fail;
    });
    this.starting = { promise, resolve, reject };
    this.cometd = this.createCometD();
    this.cometd.handshake();
    return promise;
  }

  /** Disconnects; waits that are still pending settle as timeouts, since no outcome will come. */
  async stop(): Promise<void> {
    const cometd = this.cometd;
    this.cometd = undefined;
    this.starting?.reject(new VendorError('genesys', 'notifications', 'unavailable', { detail: 'stopped' }));
    this.starting = undefined;
    this.started = false;
    for (const [referenceId] of this.waiters) this.settle(referenceId, { kind: 'timeout' });
    if (!cometd) return;
    const transport = cometd.findTransport('long-polling');
    if (!cometd.isDisconnected()) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, DISCONNECT_WAIT_MS);
        cometd.disconnect(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    // Drops whatever is still in flight (a long poll the server has not answered yet).
    transport?.abort();
  }

  /**
   * The outcome of the operation that returned `referenceId`: from the buffer if it came first,
   * else the next one, else `timeout` after `timeoutMs`.
   */
  waitForOutcome(referenceId: number, timeoutMs: number): Promise<GenesysOutcome> {
    const early = this.takeBuffered(referenceId);
    if (early) return Promise.resolve(early);
    if (!this.cometd) return Promise.resolve({ kind: 'timeout' });
    return new Promise((resolve) => {
      const waiter: Waiter = {
        resolve,
        timer: setTimeout(() => this.dropWaiter(referenceId, waiter, { kind: 'timeout' }), timeoutMs),
      };
      const set = this.waiters.get(referenceId) ?? new Set();
      set.add(waiter);
      this.waiters.set(referenceId, set);
    });
  }

  // ----- CometD --------------------------------------------------------------------------

  private createCometD(): CometD {
    const cometd = new CometD(`genesys-${++instances}`);
    for (const type of UNUSED_TRANSPORTS) cometd.unregisterTransport(type);
    const transport = cometd.findTransport('long-polling') as (Transport & { context?: CookieContext }) | null;
    if (transport) transport.context = { cookies: () => this.cookies(), store: (line) => this.storeCookie(line) };
    cometd.configure({
      url: notificationsUrl(this.settings),
      requestHeaders: { authorization: this.authorization },
      // One URL, as the Genesys .NET client uses it [P:G11], rather than `…/handshake`, `…/connect`.
      appendMessageTypeToURL: false,
      maxNetworkDelay: this.settings.timeoutMs,
      logLevel: 'warn',
    });
    // A re-handshake (server restart, expired session) drops subscriptions: subscribe on every one.
    cometd.addListener('/meta/handshake', (message) => this.onHandshake(cometd, message));
    return cometd;
  }

  private onHandshake(cometd: CometD, message: Message): void {
    if (!message.successful) return this.onFailure('handshake', handshakeError(message));
    cometd.subscribe(
      GENESYS_SMS_TOPIC,
      (delivered) => this.onMessage(delivered),
      (reply) => {
        if (reply.successful) this.onSubscribed();
        else this.onFailure('subscribe', subscribeError(reply));
      },
    );
  }

  private onSubscribed(): void {
    this.deps.health?.record('genesys', 'notifications', true);
    if (this.started) {
      this.deps.logger.info({ vendor: 'genesys', operation: 'notifications' }, 'notifications resubscribed');
      return;
    }
    this.started = true;
    this.deps.logger.info({ vendor: 'genesys', operation: 'notifications' }, 'notifications subscribed');
    this.starting?.resolve();
  }

  /** Before the first subscription, a failure ends start(); later, CometD retries on its own. */
  private onFailure(step: string, error: VendorError): void {
    this.deps.health?.record('genesys', 'notifications', false, error.code);
    this.deps.logger.warn({ vendor: 'genesys', operation: 'notifications', step, code: error.code }, 'notifications failed');
    if (this.started || !this.starting) return;
    const { reject } = this.starting;
    this.starting = undefined;
    reject(error);
    void this.stop();
  }

  private onMessage(message: Message): void {
    const parsed = SmsNotification.safeParse(message.data);
    if (!parsed.success) {
      // Only the paths: the data may name people.
      this.deps.logger.warn(
        { vendor: 'genesys', operation: 'notifications', issues: parsed.error.issues.map((issue) => issue.path.join('.')) },
        'notification did not match its schema',
      );
      return;
    }
    const notification = parsed.data;
    this.deps.logger.debug(
      { vendor: 'genesys', operation: 'notifications', messageType: notification.messageType, referenceId: notification.referenceId },
      'notification received',
    );
    const outcome = outcomeOf(notification);
    if (outcome && notification.referenceId !== undefined) this.deliver(notification.referenceId, outcome);
    try {
      this.emit('notification', notification);
    } catch (error) {
      // A failing hook must not break the CometD loop that called us.
      this.deps.logger.error({ vendor: 'genesys', operation: 'notifications', err: error }, 'notification hook failed');
    }
  }

  // ----- Outcomes ------------------------------------------------------------------------

  private deliver(referenceId: number, outcome: GenesysOutcome): void {
    if (this.waiters.has(referenceId)) return this.settle(referenceId, outcome);
    this.pruneBuffer();
    // The first outcome of an operation is its answer; later ones do not replace it.
    if (!this.buffered.has(referenceId)) this.buffered.set(referenceId, { outcome, at: Date.now() });
  }

  private settle(referenceId: number, outcome: GenesysOutcome): void {
    for (const waiter of this.waiters.get(referenceId) ?? []) {
      clearTimeout(waiter.timer);
      waiter.resolve(outcome);
    }
    this.waiters.delete(referenceId);
  }

  private dropWaiter(referenceId: number, waiter: Waiter, outcome: GenesysOutcome): void {
    const set = this.waiters.get(referenceId);
    set?.delete(waiter);
    if (set?.size === 0) this.waiters.delete(referenceId);
    waiter.resolve(outcome);
  }

  private takeBuffered(referenceId: number): GenesysOutcome | undefined {
    this.pruneBuffer();
    const entry = this.buffered.get(referenceId);
    this.buffered.delete(referenceId);
    return entry?.outcome;
  }

  /** Drops what is older than `bufferMs`, and the oldest beyond `MAX_BUFFERED` (insertion order). */
  private pruneBuffer(): void {
    const oldest = Date.now() - this.bufferMs;
    for (const [referenceId, entry] of this.buffered) {
      if (entry.at >= oldest && this.buffered.size < MAX_BUFFERED) break;
      this.buffered.delete(referenceId);
    }
  }

  // ----- Cookies -------------------------------------------------------------------------

  /** The REST client's session when shared (REFERENCE §2: keep `JSESSIONID`), else our own. */
  private cookies(): string[] {
    const shared = this.deps.session?.cookieHeader();
    if (shared) return [shared];
    return [...this.ownCookies].map(([name, value]) => `${name}=${value}`);
  }

  private storeCookie(line: string): void {
    if (this.deps.session) return this.deps.session.storeSetCookie(line);
    const pair = line.split(';', 1)[0] ?? '';
    const equals = pair.indexOf('=');
    if (equals > 0) this.ownCookies.set(pair.slice(0, equals).trim(), pair.slice(equals + 1).trim());
  }
}

function outcomeOf(notification: SmsNotification): GenesysOutcome | undefined {
  if (notification.messageType === 'MessageLogUpdated') return { kind: 'messages_added', messages: notification.messages };
  switch (notification.notificationType) {
    case 'Error':
      return { kind: 'error', message: notification.errorMessage ?? 'Operation failed' };
    case 'ParticipantsUpdated':
      return {
        kind: 'participants_updated',
        smsSessionId: notification.smssession?.id,
        participants: notification.smssession?.participants ?? [],
      };
    case 'StatusChange':
      return undefined;
  }
}

function handshakeError(message: Message): VendorError {
  const error = message.error ?? '';
  if (/^40[13]:/.test(error)) return new VendorError('genesys', 'notifications', 'unauthorized', { detail: error });
  if (error) return new VendorError('genesys', 'notifications', 'rejected', { detail: error });
  return new VendorError('genesys', 'notifications', 'unavailable', { detail: 'the CometD server did not answer' });
}

function subscribeError(message: Message): VendorError {
  return new VendorError('genesys', 'notifications', 'rejected', {
    detail: `Genesys refused the topic ${GENESYS_SMS_TOPIC}${message.error ? `: ${message.error}` : ''}`,
  });
}

// ----- The adapter: once per process ---------------------------------------------------------

let adapted = false;
/** The adapter hands the same URL object to both hooks of one request; it links them. */
const requestContexts = new WeakMap<object, CookieContext>();

function adaptOnce(): void {
  if (adapted) return;
  adapted = true;
  // adapt() aliases console.debug to console.log for the whole process: undo that. And CometD
  // logs through `window.console`: without it the library stays silent (failures reach our logger).
  const processConsole = globalThis.console;
  const debug = processConsole.debug;
  adapt({ cookies: cookieHooks });
  processConsole.debug = debug;
  (globalThis as { window?: { console?: Console } }).window!.console = undefined;
}

/**
 * Replaces the adapter's process-wide jar. `retrieveCookies` receives the request's context (our
 * transport's `context`, copied onto each request) and the request URL; `storeCookie` receives
 * only that same URL object, which maps back to the context.
 */
const cookieHooks = {
  retrieveCookies(context: unknown, uri: object, callback: (failure: Error | null, cookies: string[]) => void): void {
    if (!isCookieContext(context)) return callback(null, []);
    requestContexts.set(uri, context);
    callback(null, context.cookies());
  },
  storeCookie(uri: object, header: string, callback: (failure: Error | null, cookie: unknown) => void): void {
    requestContexts.get(uri)?.store(header);
    callback(null, undefined);
  },
};

function isCookieContext(value: unknown): value is CookieContext {
  return typeof value === 'object' && value !== null && typeof (value as CookieContext).cookies === 'function';
}
