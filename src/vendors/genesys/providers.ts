import type { StartRequest } from '../../domain/start-request.js';
import type { Logger } from '../../domain/logger.js';
import { escapeMrkdwn } from '../../domain/mrkdwn.js';
import type { CreationOutcome, Outcome } from '../../domain/outcome.js';
import type { Session } from '../../domain/session.js';
import type { LinkDelivery } from '../../domain/vendor-module.js';
import type { Provider } from '../../domain/vendor-module.js';
import type { GenesysClient } from './client.js';
import type { GenesysNotifications, GenesysOutcome } from './notifications.js';

/** How long an operation's CometD outcome is awaited before saying Genesys did not confirm. */
export const GENESYS_OUTCOME_TIMEOUT_MS = 60_000;

/** The CometD connection starts on first use, so an app without Genesys traffic holds none open. */
export class NotificationsOnDemand {
  private started?: Promise<boolean>;

  constructor(private readonly notifications: GenesysNotifications, private readonly logger: Logger) {}

  ready(): Promise<boolean> {
    this.started ??= this.notifications.start().then(
      () => true,
      (error) => {
        this.logger.warn({ vendor: 'genesys', err: error }, 'Genesys notifications unavailable; outcomes will not be seen');
        this.started = undefined;
        return false;
      },
    );
    return this.started;
  }

  stop(): Promise<void> {
    return this.notifications.stop();
  }

  async outcome(referenceId: number, timeoutMs: number): Promise<GenesysOutcome> {
    return this.notifications.waitForOutcome(referenceId, timeoutMs);
  }
}

const shortTarget = (target: string) => target.replace(/^https?:\/\/[^/]+/, '').split('/').filter(Boolean).pop() ?? target;

/** `Invite` brings a colleague or queue into a customer's SMS session (seed 001); the HTTP answer only acknowledges. */
export class GenesysSmsInviteProvider implements Provider {
  readonly kind = 'sms_invite' as const;
  private readonly notifications: NotificationsOnDemand;

  constructor(private readonly deps: { client: GenesysClient; notifications: NotificationsOnDemand; outcomeTimeoutMs?: number }) {
    this.notifications = deps.notifications;
  }

  private request(request: StartRequest) {
    const smsSessionId = request.options.smsSessionId;
    const target = request.options.target;
    if (typeof smsSessionId !== 'string' || typeof target !== 'string') throw new Error('a Genesys invitation needs an SMS session and a target');
    return { smsSessionId, target };
  }

  describeInvitee(request: StartRequest): string {
    const { smsSessionId, target } = this.request(request);
    return `${shortTarget(target)} → SMS session ${smsSessionId}`;
  }

  contactOf(): undefined {
    return undefined;
  }

  async create(_session: Session, request: StartRequest): Promise<CreationOutcome> {
    const { smsSessionId, target } = this.request(request);
    // Subscribed before the operation, so its outcome cannot arrive unheard.
    await this.notifications.ready();
    const { referenceId } = await this.deps.client.invite({ smsSessionId, targetUri: target });
    const who = escapeMrkdwn(shortTarget(target));
    return {
      vendorId: smsSessionId,
      vendorState: 'requested',
      status: 'requested',
      details: { reference_id: referenceId, target },
      tracking: false,
      milestone: `⏳ Genesys accepted the request to bring ${who} into SMS session ${escapeMrkdwn(smsSessionId)} (reference ${referenceId}); waiting for its outcome.`,
      later: async () => outcomeWords(await this.notifications.outcome(referenceId, this.deps.outcomeTimeoutMs ?? GENESYS_OUTCOME_TIMEOUT_MS), who),
    };
  }
}

/** The invitation's CometD outcome as the session's change: joined, or failed with the reason. */
function outcomeWords(outcome: GenesysOutcome, who: string): Outcome {
  const now = new Date();
  switch (outcome.kind) {
    case 'participants_updated':
    case 'messages_added':
      return {
        status: 'joined',
        statusDetail: null,
        tracking: false,
        joinedAt: now,
        milestones: [{ key: 'joined', text: `🟢 Genesys brought ${who} into the SMS session.` }],
      };
    case 'error':
      return failed(`⚠️ Genesys could not bring ${who} in: ${escapeMrkdwn(outcome.message)}`, `Genesys said: ${outcome.message}`, now);
    case 'timeout':
      return failed('⚠️ Genesys sent no outcome within a minute: check the SMS session in Workspace.', 'No outcome from Genesys.', now);
  }
}

function failed(milestone: string, detail: string, now: Date): Outcome {
  return { status: 'failed', statusDetail: detail, tracking: false, endedAt: now, milestones: [{ key: 'failed', text: milestone }] };
}

/** Genesys as a delivery channel: `SendUrl` pushes another vendor's room link to the customer. */
export class GenesysLinkDelivery implements LinkDelivery {
  readonly label = 'Genesys';
  private readonly notifications: NotificationsOnDemand;

  constructor(private readonly deps: { client: GenesysClient; notifications: NotificationsOnDemand; outcomeTimeoutMs?: number }) {
    this.notifications = deps.notifications;
  }

  /** The outcome adds a thread reply only: the session's own status is the room's, not the SMS's. */
  async pushLink(smsSessionId: string, url: string): Promise<{ outcome: Promise<Outcome | undefined> }> {
    await this.notifications.ready();
    const { referenceId } = await this.deps.client.sendUrl({ smsSessionId, url });
    const where = `Genesys SMS session ${escapeMrkdwn(smsSessionId)}`;
    const outcome = this.notifications.outcome(referenceId, this.deps.outcomeTimeoutMs ?? GENESYS_OUTCOME_TIMEOUT_MS).then((result): Outcome => {
      if (result.kind === 'error') return { milestones: [{ key: 'delivery_failed', text: `⚠️ The link did not reach the customer through ${where}: ${escapeMrkdwn(result.message)}` }] };
      if (result.kind === 'timeout') return { milestones: [{ key: 'delivery_failed', text: `⚠️ Genesys did not confirm the link in ${where} within a minute.` }] };
      return { milestones: [{ key: 'delivered', text: `📲 The link went to the customer through ${where}.` }] };
    });
    return { outcome };
  }
}
