/**
 * Genesys Web Services pushes the outcome of an SMS session operation over CometD (REFERENCE §2
 * "CometD notifications"). This listener uses the official CometD JavaScript client (`cometd`)
 * with the XMLHttpRequest of its Node adapter (`cometd-nodejs-client`), over long-polling only.
 *
 * The browser library reads `window.XMLHttpRequest` from the global scope, so a `window` holding
 * it is installed while at least one listener runs, and put back exactly as it was when the last
 * one stops (see `acquireGlobals`). Everything else is per listener: its CometD client keeps its
 * timers on Node's clock (cancelled by stop()), and every request carries the listener's cookie
 * context (see `ListenerXMLHttpRequest`), so several app instances can live in one process, even
 * with two Genesys servers on the same host. The adapter's `adapt()` is not called: it aliases
 * `console.debug` to `console.log` for the whole process and keeps one cookie jar per host name.
 */
import { EventEmitter } from 'node:events';
import { CometD, type Message, type Transport } from 'cometd';
import type { Cookies } from 'cometd-nodejs-client';
// @ts-expect-error -- the adapter types adapt() only; this is the class adapt() hands to `window`.
import { XMLHttpRequest as AdapterXMLHttpRequest } from 'cometd-nodejs-client/src/XMLHttpRequest.js';
import type { Logger } from '../../domain/logger.js';
import { VendorError } from '../errors.js';
import type { CallRecorder } from '../../domain/vendor-module.js';
import type { GenesysCookies, GenesysSettings } from './client.js';
import { SmsNotification } from './schemas.js';

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

/** What the CometD transport carries to the cookie hooks (CometD copies it onto each request). */
interface CookieContext {
  cookies(): string[];
  store(setCookie: string): void;
}

/** The connection start() opened; `close()` cancels its timers and gives back the globals. */
interface Connection {
  cometd: CometD;
  close(): void;
}

/** Upper bound on waiting for `/meta/disconnect` when stopping: stop() never hangs on a dead server. */
const DISCONNECT_WAIT_MS = 2_000;
/** WWE and GWS do not support WebSockets [P:G10]; `callback-polling` needs a browser's DOM. */
const UNUSED_TRANSPORTS = ['websocket', 'callback-polling'];

/**
 * The SMS topic, parsed: every notification is emitted as `notification`; what it means for an
 * operation is decided by outcomes.ts (by SMS session, or by `referenceId` for an `Error`).
 */
export class GenesysNotifications extends EventEmitter<{ notification: [SmsNotification] }> {
  private readonly authorization: string;
  /** Cookies the CometD server set, when no REST session is shared. */
  private readonly ownCookies = new Map<string, string>();
  private connection?: Connection;
  private starting?: { promise: Promise<void>; resolve(): void; reject(error: Error): void };
  private started = false;
  /** The last stop()'s disconnect: a second stop() (or one after a failed start) waits for it too. */
  private stopped: Promise<void> = Promise.resolve();

  constructor(
    private readonly settings: GenesysSettings,
    private readonly deps: { logger: Logger; health?: CallRecorder; session?: GenesysCookies },
  ) {
    super();
    this.authorization = `Basic ${Buffer.from(`${settings.username}:${settings.password}`).toString('base64')}`;
  }

  /** Handshakes and subscribes to the SMS topic; resolves once subscribed, rejects (and stops) if that fails. */
  start(): Promise<void> {
    if (this.starting) return this.starting.promise;
    let resolve!: () => void;
    let reject!: (error: Error) => void;
    const promise = new Promise<void>((ok, fail) => {
      resolve = ok;
      reject = fail;
    });
    this.starting = { promise, resolve, reject };
    const releaseGlobals = acquireGlobals();
    try {
      const { cometd, cancelTimers } = this.createCometD();
      this.connection = {
        cometd,
        close: () => {
          cancelTimers();
          releaseGlobals();
        },
      };
      cometd.handshake();
    } catch (error) {
      const connection = this.connection;
      this.connection = undefined;
      this.starting = undefined;
      if (connection) connection.close();
      else releaseGlobals();
      throw error;
    }
    return promise;
  }

  /** Disconnects; once it resolves, the globals this listener needed are given back (see `acquireGlobals`). */
  async stop(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    this.starting?.reject(new VendorError('genesys', 'notifications', 'unavailable', { detail: 'stopped' }));
    this.starting = undefined;
    this.started = false;
    if (connection) this.stopped = disconnect(connection);
    await this.stopped;
  }

  // ----- CometD --------------------------------------------------------------------------

  private createCometD(): { cometd: CometD; cancelTimers(): void } {
    const cometd = new CometD('genesys');
    const cancelTimers = useNodeTimers(cometd);
    for (const type of UNUSED_TRANSPORTS) cometd.unregisterTransport(type);
    const transport = cometd.findTransport('long-polling') as (Transport & { context?: CookieContext }) | null;
    if (transport) transport.context = { cookies: () => this.cookies(), store: (line) => this.storeCookie(line) };
    cometd.configure({
      url: notificationsUrl(this.settings),
      requestHeaders: { authorization: this.authorization },
      // One URL, as the Genesys .NET client uses it [P:G11], rather than `…/handshake`, `…/connect`.
      appendMessageTypeToURL: false,
      maxNetworkDelay: this.settings.timeoutMs,
      // CometD logs through `window.console`; the `window` installed here has none, so the library
      // stays silent and failures reach our logger through the listeners below.
      logLevel: 'warn',
      // Timers run on Node's clock (useNodeTimers), never in a Worker a browser-like `window` offers.
      useWorkerScheduler: false,
    });
    // A re-handshake (server restart, expired session) drops subscriptions: subscribe on every one.
    cometd.addListener('/meta/handshake', (message) => this.onHandshake(cometd, message));
    return { cometd, cancelTimers };
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
      { vendor: 'genesys', operation: 'notifications', messageType: notification.messageType, notificationType: notification.notificationType },
      'notification received',
    );
    try {
      this.emit('notification', notification);
    } catch (error) {
      // A failing hook must not break the CometD loop that called us.
      this.deps.logger.error({ vendor: 'genesys', operation: 'notifications', err: error }, 'notification hook failed');
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

/** Disconnects (waiting at most `DISCONNECT_WAIT_MS`), drops what is in flight, then closes. */
async function disconnect({ cometd, close }: Connection): Promise<void> {
  try {
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
  } finally {
    close();
  }
}

/**
 * Runs this CometD client's timers on Node's `setTimeout` instead of `window.setTimeout`, and
 * returns what cancels them all: after stop(), no timer of the old client fires (a reconnect, a
 * request timeout), and the aborted requests' last callbacks, which clear their timeouts, no
 * longer need a global `window`. Like CometD's own scheduler, a failing timed function is dropped.
 */
function useNodeTimers(cometd: CometD): () => void {
  const pending = new Set<NodeJS.Timeout>();
  let cancelled = false;
  cometd.setTimeout = (task: () => void, delay: number): NodeJS.Timeout | undefined => {
    if (cancelled) return undefined;
    const timer = setTimeout(() => {
      pending.delete(timer);
      try {
        task();
      } catch {
        // CometD's scheduler swallows it too (it logs at debug level only).
      }
    }, delay);
    pending.add(timer);
    return timer;
  };
  cometd.clearTimeout = (timer: NodeJS.Timeout | undefined): void => {
    if (!timer) return;
    clearTimeout(timer);
    pending.delete(timer);
  };
  return () => {
    cancelled = true;
    for (const timer of pending) clearTimeout(timer);
    pending.clear();
  };
}

// ----- Globals: installed while a listener runs ---------------------------------------------

type AdapterXMLHttpRequestClass = new (options: { cookies: Cookies }) => object;

/**
 * The adapter's XMLHttpRequest, with cookie hooks that read the request's own `context`: CometD's
 * long-polling transport copies its `context` (the listener's `CookieContext`) onto every request
 * it opens, so cookies go to and come from the listener that sent the request. The class keeps no
 * state, so the one `window.XMLHttpRequest` serves every listener.
 */
class ListenerXMLHttpRequest extends (AdapterXMLHttpRequest as AdapterXMLHttpRequestClass) {
  /** Set by CometD's LongPollingTransport right after construction. */
  declare context?: unknown;

  constructor() {
    const self: { request?: ListenerXMLHttpRequest } = {};
    super({
      cookies: {
        retrieveCookies(context, _uri, callback) {
          callback(null, isCookieContext(context) ? context.cookies() : []);
        },
        storeCookie(_uri, header, callback) {
          const context = self.request?.context;
          if (isCookieContext(context)) context.store(header);
          callback(null, undefined);
        },
      },
    });
    self.request = this;
  }
}

function isCookieContext(value: unknown): value is CookieContext {
  return typeof value === 'object' && value !== null && typeof (value as CookieContext).cookies === 'function';
}

/**
 * The one piece of state listeners share, because the globals are shared: how many listeners use
 * them, and what puts back what was there before. Nothing is installed while no listener runs.
 */
let globalsInUse: { users: number; restore(): void } | undefined;

/**
 * Installs what CometD reads from the global scope, for one more listener; the function returned
 * gives it back (once), and the last listener to give it back restores what was there before.
 */
function acquireGlobals(): () => void {
  globalsInUse ??= { users: 0, restore: installGlobals() };
  globalsInUse.users += 1;
  let released = false;
  return () => {
    if (released || !globalsInUse) return;
    released = true;
    globalsInUse.users -= 1;
    if (globalsInUse.users > 0) return;
    const { restore } = globalsInUse;
    globalsInUse = undefined;
    restore();
  };
}

/**
 * CometD reads `window.XMLHttpRequest` for each request (and `window` itself when a client is
 * created); its timers are its own (`useNodeTimers`) and it gets no `window.console`. A `window`
 * already there (a test DOM) only gains `XMLHttpRequest` for the time being, and keeps its own
 * `console` (CometD then logs its warnings there).
 */
function installGlobals(): () => void {
  const scope = globalThis as { window?: unknown };
  if (typeof scope.window === 'object' && scope.window !== null) {
    return replaceProperty(scope.window, 'XMLHttpRequest', ListenerXMLHttpRequest);
  }
  return replaceProperty(globalThis, 'window', { XMLHttpRequest: ListenerXMLHttpRequest });
}

/** Sets `target[key]` and returns what restores its previous property exactly (or removes it). */
function replaceProperty(target: object, key: string, value: unknown): () => void {
  const previous = Object.getOwnPropertyDescriptor(target, key);
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  return () => {
    if (previous) Object.defineProperty(target, key, previous);
    else Reflect.deleteProperty(target, key);
  };
}
