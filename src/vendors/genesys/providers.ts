import type { StartRequest } from '../../domain/start-request.js';
import type { Logger } from '../../domain/logger.js';
import { escapeMrkdwn } from '../../domain/mrkdwn.js';
import type { CreationOutcome, Outcome } from '../../domain/outcome.js';
import type { Session } from '../../domain/session.js';
import type { CallVia, LinkDelivery, Provider } from '../../domain/vendor-module.js';
import { VendorError } from '../errors.js';
import type { GenesysClient } from './client.js';
import type { GenesysNotifications } from './notifications.js';
import type { GenesysOutcomes } from './outcomes.js';
import { parseTarget, targetRefusal, type GenesysTarget } from './targets.js';

/** The CometD connection starts on first use (or when an operation waits, after a restart). */
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
}

interface GenesysProviderDeps {
  client: GenesysClient;
  notifications: NotificationsOnDemand;
  outcomes: GenesysOutcomes;
}

/** `Invite` brings a colleague or queue into a customer's SMS session (seed 001); the HTTP answer only acknowledges. */
export class GenesysSmsInviteProvider implements Provider {
  readonly kind = 'sms_invite' as const;

  constructor(private readonly deps: GenesysProviderDeps) {}

  private request(request: StartRequest): { smsSessionId: string; target: GenesysTarget } {
    const smsSessionId = request.options.smsSessionId;
    const written = request.options.target;
    if (typeof smsSessionId !== 'string' || typeof written !== 'string') throw new Error('a Genesys invitation needs an SMS session and a target');
    const target = parseTarget(written);
    // The grammar and the modal refuse it first; this keeps free text from ever reaching Genesys.
    if (!target) throw new VendorError('genesys', 'invite', 'rejected', { detail: targetRefusal(written), retryable: false });
    return { smsSessionId, target };
  }

  describeInvitee(request: StartRequest): string {
    const { smsSessionId, target } = this.request(request);
    return `${target.kind === 'queue' ? 'queue ' : ''}${target.id} → SMS session ${smsSessionId}`;
  }

  contactOf(): undefined {
    return undefined;
  }

  async create(session: Session, request: StartRequest, via: CallVia = {}): Promise<CreationOutcome> {
    const { smsSessionId, target } = this.request(request);
    // Listening before the operation, so its outcome cannot go unheard; recorded before it is sent.
    await this.deps.notifications.ready();
    await this.deps.outcomes.inviteRequested({ sessionId: session.id, smsSessionId, target: target.id });
    let referenceId: number;
    try {
      ({ referenceId } = await this.deps.client.invite({ smsSessionId, target }, via));
    } catch (error) {
      await this.deps.outcomes.abandoned(session.id);
      throw error;
    }
    await this.deps.outcomes.accepted(session.id, referenceId);
    const who = escapeMrkdwn(target.kind === 'queue' ? `queue ${target.id}` : target.id);
    return {
      vendorId: smsSessionId,
      vendorState: 'requested',
      status: 'requested',
      details: { reference_id: referenceId, target: target.value },
      tracking: false,
      milestone: `⏳ Genesys accepted the request to bring ${who} into SMS session ${escapeMrkdwn(smsSessionId)} (reference ${referenceId}); waiting for them to join.`,
    };
  }
}

/** Genesys as a delivery channel: `SendUrl` pushes another vendor's room link to the customer. */
export class GenesysLinkDelivery implements LinkDelivery {
  readonly label = 'Genesys';

  constructor(private readonly deps: GenesysProviderDeps) {}

  /**
   * `statusCode` 0 means sent (the seed shows no success notification for SendUrl); an `Error`
   * with its `referenceId` later adds a thread reply (outcomes.ts). Only a thread reply: the
   * session's own status is the room's, not the SMS's.
   */
  async pushLink(smsSessionId: string, url: string, sessionId?: string, via: CallVia = {}): Promise<{ outcome: Promise<Outcome | undefined> }> {
    await this.deps.notifications.ready();
    if (sessionId) await this.deps.outcomes.sendUrlRequested({ sessionId, smsSessionId });
    let referenceId: number;
    try {
      ({ referenceId } = await this.deps.client.sendUrl({ smsSessionId, url }, via));
    } catch (error) {
      if (sessionId) await this.deps.outcomes.abandoned(sessionId);
      throw error;
    }
    if (sessionId) await this.deps.outcomes.accepted(sessionId, referenceId);
    const where = `Genesys SMS session ${escapeMrkdwn(smsSessionId)}`;
    return { outcome: Promise.resolve({ milestones: [{ key: 'delivered', text: `📲 The link went to the customer through ${where}.` }] }) };
  }
}
