import type { Delivery } from './delivery.js';
import type { Logger } from './logger.js';
import type { CreationOutcome, Outcome } from './outcome.js';
import type { Session, SessionKind } from './session.js';
import type { FieldValue, StartRequest } from './start-request.js';

/**
 * The one interface between a vendor and the rest of Rendezvous (STYLE.md: "a vendor is one
 * folder behind one small interface"), after Home Assistant's integrations and n8n's nodes.
 * Each `src/vendors/<vendor>/index.ts` exports one `VendorModule`; `src/vendors/index.ts` lists
 * them. Outside `src/vendors/` nothing names a vendor: the grammar, modal, card, home, help and
 * `vendors` command are drawn from what the modules declare here.
 */
export interface VendorModule<S = unknown> {
  /** The word in commands and in stored rows (`apizee`); lower case, one word. */
  name: string;
  label: string;
  settings: VendorSettings<S>;
  products: Product[];
  /** The delivery channel this module offers other modules' links (`via:`), as the grammar and modal show it. */
  viaChannel?: ViaChannel;
  /** Values that pre-fill product fields (`defaultFrom`), from settings alone: the modal opens before any I/O. */
  fieldDefaults(settings: S): Record<string, string | number | undefined>;
  /**
   * What names the vendor account these settings log into, as the vendor counts it (its base URL
   * and login, or its key): workspaces whose settings name the same account share its connection,
   * token cache and request budget, and its sessions are tracked once. Never stored or logged as
   * it is (the app keys it with a secret first). Default: all the settings.
   */
  account?(settings: S): string;
  /** Builds what one vendor account needs; called while the app runs, once per account (environment's and workspaces'). */
  connect(settings: S, deps: VendorDeps): VendorConnection;
}

/** How a module's link delivery (`via:`) is written and shown; the pushing itself is `LinkDelivery`. */
export interface ViaChannel {
  /** Where the link goes, for usage and refusals: "Genesys SMS session" ("… id", "the customer's …"). */
  where: string;
  /** The modal field's label and hints (one-to-one, meeting). */
  fieldLabel: string;
  hint: string;
  meetingHint: string;
  /** Example of the target in usage and errors: `<sms-session-id>`. */
  placeholder: string;
  /** Rule a target meets, and the modal's words when it does not. */
  pattern: RegExp;
  invalid: string;
}

// ---------------------------------------------------------------------------------------------
// Settings: a module's slice of the environment (and later of the App Home settings form).

export interface SettingField {
  /** The environment variable (PRODUCT.md §3 names them `<VENDOR>_…`). */
  env: string;
  label: string;
  /** Never shown again nor logged once saved. */
  secret: boolean;
  /** One line for `.env.example` and the settings form. */
  help: string;
  /** One of the credentials that are all set, or none (the vendor is then not set up). */
  required?: boolean;
}

export interface VendorSettings<S> {
  fields: SettingField[];
  /**
   * Reads this module's variables: undefined when the vendor is not configured (its credentials
   * unset); throws `SettingsError` naming the variable when they are wrong or half set.
   */
  read(env: Readonly<Record<string, string | undefined>>, common: CommonSettings): S | undefined;
  /**
   * Every problem with these values, by variable (the App Home form shows each on its field):
   * empty when `read` would make settings of them. A required credential left empty is one.
   * Without it, the form shows `read`'s first problem only.
   */
  problems?(env: Readonly<Record<string, string | undefined>>, common: CommonSettings): Array<{ variable: string; reason: string }>;
}

/** Settings every module may use, read by config.ts. */
export interface CommonSettings {
  /** VENDOR_TIMEOUT_SECONDS, in ms. */
  timeoutMs: number;
}

export class SettingsError extends Error {
  constructor(
    readonly variable: string,
    readonly reason: string,
  ) {
    super(`Configuration error: ${variable} ${reason}`);
    this.name = 'SettingsError';
  }
}

// ---------------------------------------------------------------------------------------------
// Products: what a module offers, declared as data that ui/ renders and domain/ checks.

/** One of a product's own modal inputs; its value lands in `StartRequest.options[key]`. */
export type ProductField =
  | TextField
  | NumberField
  | { type: 'date'; key: string; blockId: string; actionId?: string; label: string; required?: boolean; hint?: string; notBeforeToday?: boolean; invalid?: string }
  | { type: 'datetime'; key: string; blockId: string; actionId?: string; label: string; required?: boolean; hint?: string; notInPast?: boolean; invalid?: string }
  | { type: 'checkbox'; key: string; blockId: string; actionId?: string; label: string; optionLabel: string };

export interface TextField {
  type: 'text';
  key: string;
  /** The modal block id. */
  blockId: string;
  /** The action id; default `<blockId>_input` (existing ids such as `start_time_picker` are kept). */
  actionId?: string;
  label: string;
  required?: boolean;
  hint?: string;
  placeholder?: string;
  multiline?: boolean;
  maxLength?: number;
  /** A rule the value must meet, and the words when it does not. */
  pattern?: { regex: RegExp; reason: string };
  /** Said when a required value is missing. */
  missing?: string;
  /** The setting that pre-fills it (a key of the module's `fieldDefaults`). */
  defaultFrom?: string;
}

export interface NumberField {
  type: 'number';
  key: string;
  blockId: string;
  actionId?: string;
  label: string;
  required?: boolean;
  hint?: string;
  min?: number;
  max?: number;
  /** Drawn as a plain text input (ids typed by hand), read as a whole number. */
  asText?: boolean;
  missing?: string;
  /** Said when the value is not a whole number within min/max. */
  invalid?: string;
  defaultFrom?: string;
}

/** A product's own command form, such as `genesys <sms-session-id> <agent-or-queue>`. */
export interface CommandForm {
  keyword: string;
  /** The words after the keyword, plain: `<sms-session-id> <agent-or-queue>`. */
  syntax: string;
  /** Usage, mrkdwn with `<`/`>` as entities, e.g. "`genesys &lt;sms-session-id&gt; &lt;agent-or-queue&gt;` brings …". */
  usage: string;
  /** The words after the keyword → the product's options, or why not. */
  parse(words: string[]): { options: Record<string, FieldValue> } | { reason: string };
}

export interface Product {
  kind: SessionKind;
  /** The card's title after the vendor label: "video assistance". */
  label: string;
  /** One-to-one with a contact, a multi-party meeting, or its own command form. */
  shape: 'invite' | 'meeting' | 'command';
  /** How the vendor delivers the invitation; empty when it does not deliver at all. */
  deliveries: Delivery[];
  /** Who gets the link to the invitee: the vendor itself, or Rendezvous (the agent passes it on). */
  deliveredBy: 'vendor' | 'rendezvous';
  /**
   * The longest message the vendor takes, in code points (`messageLength`); absent: no limit.
   * A message is asked for when the vendor delivers the invitation (`deliveredBy: 'vendor'`).
   */
  messageLimit?: number;
  /** Extra words under the message field ("Not used for WhatsApp: …"). */
  messageHint?: string;
  /** Meetings: participants are contacts, or bare names (the vendor invites nobody itself). */
  participants?: 'contacts' | 'names';
  /** Whether the session is followed after creation (the card offers Refresh). */
  tracks: boolean;
  /** Whether the card offers "Resend invitation". */
  resend: boolean;
  /** Its link can also be pushed through another module's delivery channel (`via:`). */
  acceptsVia: boolean;
  /**
   * `shared`: a meeting whose room link (the session's `agentUrl`) is one link for everyone, the
   * guests included (an Apizee conference's `url`). It is a guest credential, so it stays out of
   * the channel (no URL button on the card) unless the starter shows the meeting as a Slack call,
   * which this alone offers. Products whose invitees get links of their own leave it unset.
   */
  roomLink?: 'shared';
  /** Words for `/rendezvous vendors` and the App Home. */
  summary: string;
  /** The product's own modal inputs, in order, after the common ones. */
  fields: ProductField[];
  command?: CommandForm;
  /**
   * Reads back the `details` its providers stored, through the module's zod schema (the store
   * calls it for every session it maps); a field that does not parse is dropped, never trusted.
   */
  parseDetails?(raw: unknown): Record<string, unknown>;
  /** Extra lines for the card, in plain text (ui/ escapes them), from the parsed details. */
  cardNotes?(details: Record<string, unknown>): string[];
  /** How many photos and recordings the session's thread has listed so far (link unfurls), from the parsed details. */
  mediaCount?(details: Record<string, unknown>): number;
  /** Rules beyond the declared ones; returns the problems, keyed by field (`message`, `delivery`…). */
  check?(request: StartRequest): Array<{ field: string; reason: string }>;
}

// ---------------------------------------------------------------------------------------------
// Running: what `connect` returns for one vendor account.

/** Records each vendor call's outcome (health for /healthz, `vendors`, App Home). */
export interface CallRecorder {
  record(vendor: string, operation: string, ok: boolean, code?: string): void;
  /** Sees each call's latency and outcome too (metrics); a vendor module never knows who listens. */
  observe?: CallObserver['call'];
}

/** One finished vendor call, as metrics see it (no contact, no secret: names and numbers only). */
export interface ObservedCall {
  vendor: string;
  operation: string;
  ok: boolean;
  /** VendorError code when it failed. */
  code?: string;
  /** The vendor's HTTP status when it answered with an error (429 counted apart). */
  status?: number;
  durationMs: number;
}

/**
 * The observer port: what the entry layer (metrics) learns from vendor calls and rate budgets,
 * without any vendor code importing a metrics library.
 */
export interface CallObserver {
  call(call: ObservedCall): void;
  /** A call waited this long for a slot of the account's request budget. */
  budgetWaited(account: string, waitedMs: number): void;
}

/**
 * Where the requests sent to a vendor account are counted (shared by replicas when in the
 * database). Each request holds a slot stamped with the latest time it can have reached the
 * vendor; a slot is held while its stamp is later than `now - windowMs`.
 */
export interface RateLedger {
  /**
   * Takes a slot if fewer than `max` are held, stamped `now + inFlightMs` (0 by default): while
   * no answer is in, the request may still reach the vendor until its timeout. A ledger shared
   * by several hosts reads the time from its own clock rather than `now`, and says which time it
   * used. Returns whether it took a slot (and its id), and the held slots' stamps (epoch ms).
   */
  tryAcquire(
    account: string,
    max: number,
    windowMs: number,
    now: number,
    inFlightMs?: number,
  ): Promise<{ acquired: boolean; id?: string; stamps: number[]; now: number }>;
  /** Slot `id`'s answer is in, so the vendor has counted it by now: its stamp becomes now. */
  settle(account: string, id: string, now: number): Promise<void>;
}

/**
 * An asynchronous vendor operation waiting for its outcome (a Genesys Invite): kept in the
 * database, so whichever replica hears the outcome settles it, also after a restart.
 */
export interface PendingOperation {
  vendor: string;
  /** The Rendezvous session it belongs to: one pending operation per vendor and session. */
  sessionId: string;
  /** The module's word for it (`invite`, `sendUrl`). */
  operation: string;
  /** Where the vendor reports on it (Genesys: the SMS session id). */
  scope: string;
  /** The vendor's reference for it once its answer came (Genesys `referenceId`), else null. */
  reference: string | null;
  /** The module's own JSON data (what it saw before the request…). */
  data: Record<string, unknown>;
  createdAt: Date;
}

/** Where pending operations are kept; `take…` removes atomically, so only one replica settles each. */
export interface PendingOperations {
  /** Records it, replacing the one of the same vendor and session. */
  put(operation: PendingOperation): Promise<void>;
  /** Changes its reference or data only if it is still there (never brings back one a replica took). */
  update(vendor: string, sessionId: string, change: { reference?: string; data?: Record<string, unknown> }): Promise<boolean>;
  /** Those waiting on this scope, oldest first (left in place). */
  listByScope(vendor: string, scope: string): Promise<PendingOperation[]>;
  /** Removes and returns it; undefined when it is gone (another replica took it). */
  take(vendor: string, sessionId: string): Promise<PendingOperation | undefined>;
  takeByReference(vendor: string, reference: string): Promise<PendingOperation | undefined>;
  /** Up to `limit` recorded before `before`, oldest first (left in place). */
  listOlderThan(vendor: string, before: Date, limit: number): Promise<PendingOperation[]>;
}

export interface VendorDeps {
  logger: Logger;
  health: CallRecorder;
  ledger?: RateLedger;
  /** Shared by replicas when in the database; a module keeps its own in memory without it. */
  pending?: PendingOperations;
  /** TRACK_INTERVAL_SECONDS in ms: how often trackers look. */
  trackIntervalMs: number;
  /** A secret to derive stable pseudonyms from (never a contact itself). */
  pseudonymKey: string;
  /** Told how long each call waited for a rate-budget slot (metrics); optional. */
  budgetObserver?: Pick<CallObserver, 'budgetWaited'>;
}

export interface VendorConnection {
  providers: Provider[];
  trackers: VendorTracker[];
  /** A delivery channel this vendor offers for other vendors' links (`via:`). */
  delivery?: LinkDelivery;
  /**
   * The account's request budget, to tell a user how long a queued request will wait, and
   * (free slots, the reserve kept for new sessions) whether a Refresh or stats may spend one.
   */
  budget?: { limit: number; estimateWaitMs(): number; available?(): number; readonly reserve?: number };
  /** Incoming webhooks at `POST /webhooks/<module name>`. */
  webhook?: WebhookHandler;
  /** The vendor's own usage figures for `/rendezvous stats` (its calls logged with `via`'s logger, the command's). */
  usage?(from: Date, to: Date, via?: CallVia): Promise<{ title: string; lines: string[] }>;
  /**
   * The vendor's least harmful documented call, run when an admin saves an account in the App
   * Home to tell whether it works; absent when every call creates something (the account is then
   * saved unchecked, and the admin told so).
   */
  check?: AccountCheck;
  /** The account's agent-side session links, which may unfurl in Slack (README "Link unfurls"). */
  agentLinks?: AgentLinks;
  stop(): Promise<void>;
}

/**
 * Agent-side links of one vendor account: links that open a session on the agent's side, which
 * nobody outside the workspace can use. Customer, meeting and single-use links are never agent
 * links here: what `sessionOf` does not recognise is never unfurled.
 */
export interface AgentLinks {
  /** The hosts its agent links live on (what `features.unfurl_domains` must list). */
  hosts: readonly string[];
  /** The session a link opens (its product and the vendor's id for it), or undefined for any other link. */
  sessionOf(url: string): { kind: SessionKind; vendorId: string } | undefined;
}

export interface AccountCheck {
  /** The call in words for the admin: "a token (POST /token)". */
  call: string;
  /** At most one check of an account in `everyMs` (any workspace's), and why. */
  spacing?: { everyMs: number; why: string };
  /** Throws (a VendorError) when the vendor refuses the account. Its calls log with `via`'s logger (the save's request). */
  run(via?: CallVia): Promise<void>;
}

/**
 * What one vendor call may bring besides its arguments: the logger of the request, creation job
 * or tracking pass it belongs to (a child carrying its correlation id); without one, the account's.
 */
export interface CallVia {
  logger?: Logger;
}

/** One vendor product behind the common session flow. */
export interface Provider {
  readonly kind: SessionKind;
  /** Display of the invitee(s) for the card, already masked. */
  describeInvitee(request: StartRequest): string;
  /** The contact to store encrypted (for resending), if any. */
  contactOf(request: StartRequest): string | undefined;
  create(session: Session, request: StartRequest, via?: CallVia): Promise<CreationOutcome>;
  /** Sends the invitation again to the stored contact; returns the words for the thread. */
  resend?(session: Session, contact: string, via?: CallVia): Promise<string>;
  /**
   * Cancels it at the vendor, where the vendor's documents name a call for it (none of the five
   * do today); without it, Cancel ends the session in Rendezvous only and says the vendor was not told.
   */
  cancel?(session: Session): Promise<void>;
  /** Asks the vendor what it made (the Refresh button): the outcome to apply, if anything changed. */
  reconcile?(session: Session, via?: CallVia): Promise<Outcome | undefined>;
}

/** Pushes another vendor's room link into a customer's conversation (`via:`); the outcome comes later. */
export interface LinkDelivery {
  /** The channel in words, for thread replies ("The link did not go through Genesys"). */
  readonly label: string;
  /** `sessionId`: the Rendezvous session whose link it is, for an outcome that comes much later. */
  pushLink(target: string, url: string, sessionId?: string, via?: CallVia): Promise<{ outcome: Promise<Outcome | undefined> }>;
}

/**
 * What a tracker may do with the sessions of its product. tracking/ implements it over the store
 * and the lifecycle, so a vendor module never touches the database or Slack.
 */
export interface TrackingPort {
  /** Up to `limit` sessions of this product due for a check, leased to this replica. */
  leaseDue(limit: number): Promise<Session[]>;
  /** Whether `leaseDue` would lease anything now (nothing is leased). */
  hasDue(): Promise<boolean>;
  /** Tracked sessions of this product among these vendor ids (a list call's answer). */
  trackedByVendorIds(vendorIds: string[]): Promise<Session[]>;
  get(id: string): Promise<Session | undefined>;
  /** Applies an outcome computed from `session` (compare-and-set on its version); false when it lost the race. */
  apply(session: Session, outcome: Outcome): Promise<boolean>;
  /**
   * Ends the lease; `next` is when it is due again (`keep`: its place in line as stored now, so a
   * webhook that put it first in line while it was leased is not undone).
   */
  release(session: Session, next: Date | null | 'keep'): Promise<void>;
  /** Whether a webhook put this session first in line. */
  isFirstInLine(session: Session): boolean;
  /** The pass's logger (its lines carry the pass's correlation id); the vendor calls of the pass log with it. */
  readonly logger?: Logger;
}

export interface VendorTracker {
  readonly kind: SessionKind;
  /** One background pass. */
  tick(port: TrackingPort): Promise<void>;
  /** Refresh: looks the session up at once (interactive priority). */
  reconcile?(session: Session, via?: CallVia): Promise<Outcome | undefined>;
}

export interface WebhookHandler {
  /** The shared secret, compared in constant time (query `?secret=` or `X-Webhook-Secret`). */
  secret: string;
  /**
   * The parsed body → which session to look at now (by kind and vendor id), or nothing
   * (`ignored`: an event it does not act on; `rejected`: a body of the wrong shape, answered 400).
   */
  route(body: unknown): { kind: SessionKind; vendorId: string; event: string } | { ignored: string } | { rejected: string };
}
