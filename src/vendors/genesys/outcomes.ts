/**
 * What Genesys's notifications mean for the operations Rendezvous sent (seed 001 "Notification").
 *
 * The seed's successful notifications carry no `referenceId`: they describe the SMS session. So
 * an Invite succeeds when, after the request, its SMS session shows an Agent participant it did
 * not have before (`ParticipantsUpdated`), or a `ParticipantJoined` message from an Agent
 * (`NewMessages`); the newcomer is named by the nickname Genesys gives. It fails on the `Error`
 * notification carrying its `referenceId`. With no outcome after the wait (60 s by default) the
 * card says "not confirmed by Genesys", never "failed": the colleague may well have joined.
 * `SendUrl`'s `statusCode` 0 already means "sent" (the seed shows no success notification for it);
 * only an `Error` with its `referenceId` says otherwise.
 *
 * Operations wait in `PendingOperations` (the database in the app), so whichever replica hears the
 * outcome settles them, also after a restart; `take` is atomic, so only one replica does.
 */
import { z } from 'zod';
import type { Logger } from '../../domain/logger.js';
import { escapeMrkdwn } from '../../domain/mrkdwn.js';
import type { Outcome } from '../../domain/outcome.js';
import type { PendingOperation, PendingOperations, TrackingPort, VendorTracker } from '../../domain/vendor-module.js';
import type { MessageLogUpdated, SmsNotification, SmsParticipant, SmsSession } from './schemas.js';

const VENDOR = 'genesys';
export const INVITE = 'invite';
export const SEND_URL = 'sendUrl';

/** What an Invite keeps while it waits (parsed back with this schema: the row is only JSON). */
const PendingInvite = z.object({
  /** Participant ids the SMS session had when the Invite was sent; null: none seen yet. */
  before: z.array(z.string()).nullable().catch(null),
  /**
   * Without `before`: the participants of the first `ParticipantsUpdated` after the request, which
   * later ones are compared with (that first one may already show the newcomer: its
   * `ParticipantJoined` message then settles the Invite).
   */
  firstSeen: z.array(z.string()).nullable().catch(null),
  /** Who was asked for (an id), for the words. */
  target: z.string().catch('the colleague'),
});
type PendingInvite = z.infer<typeof PendingInvite>;

/** An `Error` may arrive before its operation's answer was stored: kept this long for it. */
const EARLY_ERROR_MS = 60_000;
const MAX_REMEMBERED = 1_000;
/** A session whose creation answer is not applied yet is waited for (the card's first reply comes first). */
const DEFAULT_CREATION_WAIT_MS = 10_000;
const EXPIRED_PER_PASS = 50;
/** "Any time": the store compares ISO strings, so a four-digit year (not `new Date(8.64e15)`, `+275760-…`). */
const END_OF_TIME = new Date('9999-12-31T23:59:59.999Z');

export interface GenesysOutcomesDeps {
  pending: PendingOperations;
  logger: Logger;
  /** Starts listening to notifications (once); false when Genesys cannot be heard. */
  listen(): Promise<boolean>;
  /** No outcome after this long: "not confirmed by Genesys". */
  timeoutMs: number;
  now?: () => Date;
  creationWaitMs?: number;
}

/** Each SMS session's participants as last seen (bounded, oldest forgotten first). */
class ParticipantsSeen {
  private readonly sessions = new Map<string, string[]>();

  get(smsSessionId: string): string[] | undefined {
    return this.sessions.get(smsSessionId);
  }

  set(smsSessionId: string, participantIds: string[]): void {
    this.sessions.delete(smsSessionId);
    this.sessions.set(smsSessionId, participantIds);
    if (this.sessions.size > MAX_REMEMBERED) this.sessions.delete(this.sessions.keys().next().value!);
  }

  add(smsSessionId: string, participantId: string): void {
    const known = this.sessions.get(smsSessionId);
    if (known && !known.includes(participantId)) this.set(smsSessionId, [...known, participantId]);
  }
}

export class GenesysOutcomes implements VendorTracker {
  readonly kind = 'sms_invite';
  private port?: TrackingPort;
  /** Outcomes heard before the tracking loop handed over its port. */
  private readonly queued: Array<{ sessionId: string; outcome: Outcome }> = [];
  private readonly seen = new ParticipantsSeen();
  private readonly earlyErrors = new Map<number, { message: string; at: number }>();
  /** Notifications are judged one at a time, in the order they came (a join's two notifications). */
  private chain: Promise<void> = Promise.resolve();
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(private readonly deps: GenesysOutcomesDeps) {}

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  // ----- Operations sent ----------------------------------------------------------------------

  /** Before the Invite is sent, with the participants seen so far (its baseline). */
  async inviteRequested(input: { sessionId: string; smsSessionId: string; target: string }): Promise<void> {
    const data: PendingInvite = { before: this.seen.get(input.smsSessionId) ?? null, firstSeen: null, target: input.target };
    await this.deps.pending.put(this.operation(input.sessionId, INVITE, input.smsSessionId, data));
  }

  /** Before a link is pushed (`via:`): only an `Error` will say anything more. */
  async sendUrlRequested(input: { sessionId: string; smsSessionId: string }): Promise<void> {
    await this.deps.pending.put(this.operation(input.sessionId, SEND_URL, input.smsSessionId, {}));
  }

  /** Genesys acknowledged it: its `referenceId` is stored, and an `Error` that came first settles it now. */
  async accepted(sessionId: string, referenceId: number): Promise<void> {
    const stillPending = await this.deps.pending.update(VENDOR, sessionId, { reference: String(referenceId) });
    this.pruneEarlyErrors();
    const early = this.earlyErrors.get(referenceId);
    if (stillPending && early) {
      this.earlyErrors.delete(referenceId);
      const taken = await this.deps.pending.take(VENDOR, sessionId);
      if (taken) this.settle(taken.sessionId, failureOf(taken, early.message));
    }
    // The replica that sent it looks again when the wait is over (the loop's passes do too).
    this.after(this.deps.timeoutMs + 50, () => this.expireWithPort());
  }

  /** The request itself failed: nothing to wait for. */
  async abandoned(sessionId: string): Promise<void> {
    await this.deps.pending.take(VENDOR, sessionId);
  }

  private operation(sessionId: string, operation: string, smsSessionId: string, data: Record<string, unknown>): PendingOperation {
    return { vendor: VENDOR, sessionId, operation, scope: smsSessionId, reference: null, data, createdAt: this.now() };
  }

  // ----- Notifications ------------------------------------------------------------------------

  onNotification(notification: SmsNotification): void {
    this.chain = this.chain
      .then(() => this.judge(notification))
      .catch((error: unknown) => this.deps.logger.warn({ vendor: VENDOR, err: error }, 'Genesys notification not judged'));
  }

  /** Resolves once every notification received so far is judged (tests, stop). */
  idle(): Promise<void> {
    return this.chain;
  }

  private async judge(notification: SmsNotification): Promise<void> {
    if (notification.messageType === 'MessageLogUpdated') return this.onMessages(notification);
    const { smssession } = notification;
    if (notification.notificationType === 'Error' && notification.referenceId !== undefined) {
      await this.onError(notification.referenceId, notification.errorMessage ?? 'Operation failed');
    } else if (notification.notificationType === 'ParticipantsUpdated' && smssession) {
      await this.onParticipants(smssession);
    }
    if (smssession) this.seen.set(smssession.id, smssession.participants.map((p) => p.participantId));
  }

  private async onError(referenceId: number, message: string): Promise<void> {
    const taken = await this.deps.pending.takeByReference(VENDOR, String(referenceId));
    if (taken) return this.settle(taken.sessionId, failureOf(taken, message));
    // Its operation's answer may not be stored yet (accepted() looks here), or it is another app's.
    this.pruneEarlyErrors();
    this.earlyErrors.set(referenceId, { message, at: Date.now() });
  }

  /** New Agents, each given to the oldest Invite waiting on the session whose baseline lacks them. */
  private async onParticipants(smssession: SmsSession): Promise<void> {
    const agents = smssession.participants.filter((p) => p.type === 'Agent');
    for (const operation of await this.invitesOn(smssession.id)) {
      const invite = PendingInvite.parse(operation.data);
      const before = invite.before ?? invite.firstSeen;
      if (before === null) {
        // Nothing seen before the request: this becomes the baseline; a ParticipantJoined settles it.
        await this.deps.pending.update(VENDOR, operation.sessionId, { data: { ...invite, firstSeen: smssession.participants.map((p) => p.participantId) } });
        continue;
      }
      const newcomer = agents.find((agent) => !before.includes(agent.participantId));
      if (!newcomer) continue;
      agents.splice(agents.indexOf(newcomer), 1);
      await this.joined(operation, invite, newcomer);
    }
  }

  /** `ParticipantJoined` messages from Agents, for the SMS session its `smssessionUri` names. */
  private async onMessages(notification: MessageLogUpdated): Promise<void> {
    const smsSessionId = smsSessionIdOf(notification.smssessionUri);
    if (!smsSessionId) return;
    const agents = notification.messages
      .filter((message) => message.type === 'ParticipantJoined' && message.from?.type === 'Agent')
      .map((message) => message.from!);
    for (const agent of agents) if (agent.participantId) this.seen.add(smsSessionId, agent.participantId);
    for (const operation of await this.invitesOn(smsSessionId)) {
      const invite = PendingInvite.parse(operation.data);
      const newcomer = agents.find((agent) => !agent.participantId || !invite.before?.includes(agent.participantId));
      if (!newcomer) continue;
      agents.splice(agents.indexOf(newcomer), 1);
      await this.joined(operation, invite, { nickname: newcomer.nickname ?? 'A colleague' });
    }
  }

  private async invitesOn(smsSessionId: string): Promise<PendingOperation[]> {
    const waiting = await this.deps.pending.listByScope(VENDOR, smsSessionId);
    return waiting.filter((operation) => operation.operation === INVITE);
  }

  private async joined(operation: PendingOperation, invite: PendingInvite, newcomer: Pick<SmsParticipant, 'nickname'>): Promise<void> {
    // Another replica may have heard the same notification: only the one that takes it settles.
    if (!(await this.deps.pending.take(VENDOR, operation.sessionId))) return;
    this.settle(operation.sessionId, joinedOutcome(newcomer.nickname, operation.scope, invite.target, this.now()));
  }

  // ----- Tracking loop --------------------------------------------------------------------------

  /**
   * Each pass: takes the port the outcomes are applied through, applies what was heard before,
   * ends the waits that are over, and listens while anything waits (after a restart too).
   */
  async tick(port: TrackingPort): Promise<void> {
    this.port = port;
    for (const { sessionId, outcome } of this.queued.splice(0)) this.applyLater(port, sessionId, outcome);
    await this.expire(port);
    const waiting = await this.deps.pending.listOlderThan(VENDOR, END_OF_TIME, 1);
    if (waiting.length > 0) void this.deps.listen();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await this.chain;
    await Promise.allSettled([...this.inFlight]);
  }

  private async expireWithPort(): Promise<void> {
    if (this.port) await this.expire(this.port);
  }

  private async expire(port: TrackingPort): Promise<void> {
    const over = await this.deps.pending.listOlderThan(VENDOR, new Date(this.now().getTime() - this.deps.timeoutMs), EXPIRED_PER_PASS);
    for (const operation of over) {
      const taken = await this.deps.pending.take(VENDOR, operation.sessionId);
      // A SendUrl answered with statusCode 0 was sent: silence afterwards says nothing more.
      if (taken?.operation === INVITE) this.applyLater(port, taken.sessionId, unconfirmedOutcome(this.deps.timeoutMs));
    }
  }

  private settle(sessionId: string, outcome: Outcome): void {
    if (this.port) this.applyLater(this.port, sessionId, outcome);
    else this.queued.push({ sessionId, outcome });
  }

  private applyLater(port: TrackingPort, sessionId: string, outcome: Outcome): void {
    const work = this.applyWhenCreated(port, sessionId, outcome).catch((error: unknown) =>
      this.deps.logger.warn({ vendor: VENDOR, sessionId, err: error }, 'Genesys outcome not applied'),
    );
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  /**
   * The outcome can be heard before the creation answer is applied (Genesys is quick, or another
   * replica heard it): it waits for that, so the card's first reply and status come first.
   */
  private async applyWhenCreated(port: TrackingPort, sessionId: string, outcome: Outcome): Promise<void> {
    const deadline = Date.now() + (this.deps.creationWaitMs ?? DEFAULT_CREATION_WAIT_MS);
    for (;;) {
      const session = await port.get(sessionId);
      if (!session) return;
      if (session.status !== 'creating' || Date.now() >= deadline || this.stopped) {
        await port.apply(session, outcome);
        return;
      }
      await new Promise<void>((resolve) => this.after(100, () => resolve()));
    }
  }

  private after(ms: number, run: () => unknown): void {
    if (this.stopped) return void run();
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void run();
    }, ms);
    timer.unref?.();
    this.timers.add(timer);
  }

  private pruneEarlyErrors(): void {
    const oldest = Date.now() - EARLY_ERROR_MS;
    for (const [referenceId, entry] of this.earlyErrors) {
      if (entry.at >= oldest && this.earlyErrors.size <= MAX_REMEMBERED) break;
      this.earlyErrors.delete(referenceId);
    }
  }
}

/**
 * The SMS session a `NewMessages` is about: the last segment of `smssessionUri`. The seed prints
 * it with stray blanks (`http: //localhost: 8080/…`), so blanks are dropped first.
 */
export function smsSessionIdOf(uri: string | undefined): string | undefined {
  const match = /\/smssessions\/([^/?#]+)\/?$/.exec((uri ?? '').replace(/\s+/g, ''));
  if (!match?.[1]) return undefined;
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return undefined;
  }
}

function joinedOutcome(nickname: string, smsSessionId: string, target: string, now: Date): Outcome {
  const who = escapeMrkdwn(nickname);
  return {
    status: 'joined',
    statusDetail: `${nickname} joined the SMS session.`,
    tracking: false,
    joinedAt: now,
    // The nickname is Genesys's word for who joined; the target is what was asked for, when it differs.
    milestones: [{ key: 'joined', text: `🟢 Genesys brought ${who} into the SMS session ${escapeMrkdwn(smsSessionId)}.${nickname === target ? '' : ` (Asked for ${escapeMrkdwn(target)}.)`}` }],
  };
}

function failureOf(operation: PendingOperation, message: string): Outcome {
  const where = `Genesys SMS session ${escapeMrkdwn(operation.scope)}`;
  if (operation.operation === SEND_URL) {
    return { milestones: [{ key: 'delivery_failed', text: `⚠️ The link did not reach the customer through ${where}: Genesys said ${escapeMrkdwn(message)}.` }] };
  }
  const invite = PendingInvite.parse(operation.data);
  return {
    status: 'failed',
    statusDetail: `Genesys said: ${message}`,
    tracking: false,
    endedAt: new Date(),
    milestones: [{ key: 'failed', text: `⚠️ Genesys could not bring ${escapeMrkdwn(invite.target)} in (${where}): ${escapeMrkdwn(message)}` }],
  };
}

function unconfirmedOutcome(timeoutMs: number): Outcome {
  const wait = timeoutMs >= 60_000 && timeoutMs % 60_000 === 0 ? `${timeoutMs / 60_000} min` : `${Math.round(timeoutMs / 1000)} s`;
  const words = `Not confirmed by Genesys: no outcome within ${wait}. The colleague may still have joined: check the SMS session in Workspace.`;
  return { status: 'unconfirmed', statusDetail: words, tracking: false, milestones: [{ key: 'unconfirmed', text: `❔ ${words}` }] };
}
