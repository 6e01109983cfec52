import { DELIVERIES, type Delivery } from '../domain/delivery.js';
import type { Outcome } from '../domain/outcome.js';
import { SESSION_STATUSES, SLACK_CALL_STATES, type SlackCallState, type Session, type SessionKind, type SessionStatus } from '../domain/session.js';
import type { NewSessionRow, SessionPatch, SessionRow } from './schema.js';

/**
 * Reads a session's stored vendor details: app.ts plugs in the owning vendor module's zod
 * schema; the default keeps any JSON object as it is.
 */
export type DetailsParser = (vendor: string, kind: SessionKind, details: unknown) => Record<string, unknown>;

export const plainDetails: DetailsParser = (_vendor, _kind, details) =>
  details !== null && typeof details === 'object' && !Array.isArray(details) ? (details as Record<string, unknown>) : {};

const date = (iso: string | null): Date | null => (iso === null ? null : new Date(iso));
const iso = (value: Date | null): string | null => (value === null ? null : value.toISOString());

function oneOf<T extends string>(values: readonly T[], value: string, column: string): T {
  if ((values as readonly string[]).includes(value)) return value as T;
  throw new Error(`sessions.${column} holds an unknown value: ${value}`);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}

export function toSession(row: SessionRow, parseDetails: DetailsParser = plainDetails): Session {
  // Kinds belong to the vendor modules; the store keeps whatever a module declared.
  const kind: SessionKind = row.kind;
  return {
    id: row.id,
    teamId: row.team_id,
    enterpriseId: row.enterprise_id,
    vendor: row.vendor,
    kind,
    vendorId: row.vendor_id,
    vendorState: row.vendor_state,
    reference: row.reference,
    contactMasked: row.contact_masked,
    contactEncrypted: row.contact_encrypted,
    contactHash: row.contact_hash,
    delivery: row.delivery === null ? null : oneOf<Delivery>(DELIVERIES, row.delivery, 'delivery'),
    status: oneOf<SessionStatus>(SESSION_STATUSES, row.status, 'status'),
    statusDetail: row.status_detail,
    channelId: row.channel_id,
    cardTs: row.card_ts,
    startedBy: row.started_by,
    agentUrl: row.agent_url,
    customerUrl: row.customer_url,
    details: parseDetails(row.vendor, kind, parseJson(row.details)),
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
    joinedAt: date(row.joined_at),
    endedAt: date(row.ended_at),
    tracking: row.tracking === 1,
    nextCheckAt: date(row.next_check_at),
    mediaPosted: row.media_posted === 1,
    lastError: row.last_error,
    vendorAccount: row.vendor_account ?? null,
    version: Number(row.version),
    workflowNote: row.workflow_note ?? null,
    ...(row.slack_call_state
      ? { slackCall: { state: oneOf<SlackCallState>(SLACK_CALL_STATES, row.slack_call_state, 'slack_call_state'), id: row.slack_call_id ?? null, title: row.slack_call_title ?? null } }
      : {}),
  };
}

/** A new session's row, without lease (a new row is nobody's work yet). */
export function toNewRow(session: Session): NewSessionRow {
  return {
    id: session.id,
    team_id: session.teamId,
    enterprise_id: session.enterpriseId,
    vendor: session.vendor,
    kind: session.kind,
    vendor_id: session.vendorId,
    reference: session.reference,
    contact_masked: session.contactMasked,
    contact_encrypted: session.contactEncrypted,
    contact_hash: session.contactHash,
    delivery: session.delivery,
    vendor_state: session.vendorState,
    status: session.status,
    status_detail: session.statusDetail,
    channel_id: session.channelId,
    card_ts: session.cardTs,
    started_by: session.startedBy,
    agent_url: session.agentUrl,
    customer_url: session.customerUrl,
    details: JSON.stringify(session.details),
    created_at: session.createdAt.toISOString(),
    updated_at: session.updatedAt.toISOString(),
    joined_at: iso(session.joinedAt),
    ended_at: iso(session.endedAt),
    tracking: session.tracking ? 1 : 0,
    next_check_at: iso(session.nextCheckAt),
    media_posted: session.mediaPosted ? 1 : 0,
    last_error: session.lastError,
    vendor_account: session.vendorAccount,
    version: session.version,
    ...(session.slackCall ? { slack_call_state: session.slackCall.state, slack_call_id: session.slackCall.id, slack_call_title: session.slackCall.title } : {}),
  };
}

/** The columns an outcome sets; absent fields are left as they are (milestones go to the outbox). */
export function outcomePatch(outcome: Outcome): SessionPatch {
  const patch: SessionPatch = {};
  if (outcome.status !== undefined) patch.status = outcome.status;
  if (outcome.statusDetail !== undefined) patch.status_detail = outcome.statusDetail;
  if (outcome.vendorId !== undefined) patch.vendor_id = outcome.vendorId;
  if (outcome.vendorState !== undefined) patch.vendor_state = outcome.vendorState;
  if (outcome.agentUrl !== undefined) patch.agent_url = outcome.agentUrl;
  if (outcome.customerUrl !== undefined) patch.customer_url = outcome.customerUrl;
  if (outcome.details !== undefined) patch.details = JSON.stringify(outcome.details);
  if (outcome.tracking !== undefined) patch.tracking = outcome.tracking ? 1 : 0;
  if (outcome.nextCheckAt !== undefined) patch.next_check_at = iso(outcome.nextCheckAt);
  if (outcome.mediaPosted !== undefined) patch.media_posted = outcome.mediaPosted ? 1 : 0;
  if (outcome.lastError !== undefined) patch.last_error = outcome.lastError;
  if (outcome.joinedAt !== undefined) patch.joined_at = outcome.joinedAt.toISOString();
  if (outcome.endedAt !== undefined) patch.ended_at = outcome.endedAt.toISOString();
  if (outcome.workflowNote !== undefined) patch.workflow_note = outcome.workflowNote;
  return patch;
}
