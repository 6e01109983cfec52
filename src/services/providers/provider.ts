import type { StartRequest } from '../../domain/start-request.js';
import type { SessionKind, SessionStatus } from '../../domain/session.js';

import type { SessionRow } from '../../store/schema.js';

/** What a vendor said when asked to create a session. */
export interface CreationOutcome {
  vendorId: string | null;
  vendorState: string | null;
  status: SessionStatus;
  agentUrl?: string;
  customerUrl?: string;
  details?: Record<string, unknown>;
  /** Keep following it (a tracker will poll, or an asynchronous outcome is awaited). */
  tracking: boolean;
  /** Words of the first thread reply, after "<@starter> started this session." (mrkdwn, escaped). */
  milestone: string;
  /** Shown only to the starter: a single-use SSO link, or a link to pass on. */
  privateNote?: string;
  /**
   * An outcome that arrives later (Genesys over CometD): runs after the card and first reply
   * are out, and returns the change to apply.
   */
  later?: () => Promise<LaterOutcome | undefined>;
}

export interface LaterOutcome {
  status: SessionStatus;
  milestone: string;
  detail?: string;
}

/** One vendor product behind the common session flow. */
export interface SessionProvider {
  readonly vendor: string;
  readonly kind: SessionKind;
  /** Display of the invitee(s) for the card, already masked. */
  describeInvitee(request: StartRequest): string;
  /** The contact to store encrypted (for resending), if any. */
  contactOf(request: StartRequest): string | undefined;
  create(session: SessionRow, request: StartRequest): Promise<CreationOutcome>;
  /** Sends the invitation again to the stored contact; returns the words for the thread. */
  resend?(session: SessionRow, contact: string): Promise<string>;
  /** Reads the vendor's state now (the Refresh button); true when something changed. */
  refresh?(session: SessionRow): Promise<boolean>;
}
