import type { KnownBlock } from '@slack/types';
import type { MilestoneKey } from './milestones.js';
import type { SessionStatus } from './session.js';

/** One thread reply a change causes; `key` makes it unique per session (posted at most once). */
export interface Milestone {
  key: MilestoneKey;
  /** mrkdwn, already escaped. */
  text: string;
  blocks?: KnownBlock[];
}

/**
 * What a provider, tracker, webhook or button learned about a session, as plain data. Only
 * `SessionLifecycle` applies it: in one transaction with its milestones, compare-and-set on the
 * session's version, then the card is refreshed. Absent fields are left as they are.
 */
export interface Outcome {
  status?: SessionStatus;
  statusDetail?: string | null;
  vendorId?: string | null;
  vendorState?: string | null;
  agentUrl?: string | null;
  customerUrl?: string | null;
  /** The vendor module's own details (its zod schema parses them back). */
  details?: Record<string, unknown>;
  /** Keep following it (a tracker polls it). */
  tracking?: boolean;
  nextCheckAt?: Date | null;
  mediaPosted?: boolean;
  lastError?: string | null;
  joinedAt?: Date;
  endedAt?: Date;
  milestones?: Milestone[];
  /** The card's line about the Workflow Builder step that started it (its completion failed). */
  workflowNote?: string | null;
  /**
   * Photos and recordings to post once in the thread (the lifecycle draws them with ui/ as the
   * `media` milestone); an empty list still marks the media as settled.
   */
  media?: MediaItem[];
}

/** One photo or recording a vendor kept. */
export interface MediaItem {
  /**
   * The vendor's id of the file, where it has one: a session's files may then be posted in
   * several replies as they become ready, each reply keyed by the ids it carries (posted once).
   */
  id?: string;
  title: string | null;
  type: string;
  url: string;
  sizeBytes?: number;
  location?: { lat: number; lon: number };
}

/** What a vendor said when asked to create a session. */
export interface CreationOutcome extends Outcome {
  vendorId: string | null;
  status: SessionStatus;
  /** Words of the first thread reply, after "<@starter> started this session." (mrkdwn, escaped). */
  milestone: string;
  /** Shown only to the starter: a single-use SSO link, or a link to pass on. */
  privateNote?: string;
  /**
   * An outcome that arrives later (Genesys over CometD): runs after the card and first reply
   * are out, and returns the change to apply.
   */
  later?: () => Promise<Outcome | undefined>;
}
