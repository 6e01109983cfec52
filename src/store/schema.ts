import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

/**
 * Dates are ISO-8601 UTC strings (`Date#toISOString`, fixed width) so that they sort and compare
 * the same way on SQLite and PostgreSQL; booleans are 0/1 integers for the same reason.
 * Every row carries the Slack team (and enterprise) id, so many workspaces need no migration.
 */
export interface SessionsTable {
  id: string;
  team_id: string;
  enterprise_id: string | null;
  vendor: string;
  kind: string;
  vendor_id: string | null;
  reference: string;
  contact_masked: string;
  contact_encrypted: string | null;
  contact_hash: string | null;
  delivery: string | null;
  vendor_state: string | null;
  status: string;
  status_detail: string | null;
  channel_id: string;
  card_ts: string | null;
  started_by: string;
  agent_url: string | null;
  customer_url: string | null;
  details: string;
  created_at: string;
  updated_at: string;
  joined_at: string | null;
  ended_at: string | null;
  tracking: number;
  next_check_at: string | null;
  media_posted: number;
  last_error: string | null;
  lease_owner: string | null;
  lease_until: string | null;
  outbox_owner: string | null;
  outbox_until: string | null;
  /** When the starter was told this session's thread refuses replies (once per session). */
  outbox_starter_told_at?: string | null;
  /** The Slack request that asked for the session (a command's trigger_id, a modal's view id): unique, so a redelivery starts nothing. */
  request_key?: string | null;
  /** When a Refresh last asked the vendor about this session, on any replica (claimed with compare-and-set). */
  refreshed_at?: string | null;
  /** The vendor account (identity key) it was created under; null: the environment's (rows from before accounts). */
  vendor_account?: string | null;
  /** Bumped by every state change (compare-and-set). */
  version: Generated<number>;
  /** When its workspace uninstalled the app (or revoked its token): no longer polled nor posted. */
  set_aside_at?: string | null;
  /** What the card says about the Workflow Builder step that started it, when it could not be completed. */
  workflow_note?: string | null;
  /** Its Slack call (issue 12): null when none was asked; see migration 019. */
  slack_call_state?: string | null;
  slack_call_id?: string | null;
  slack_call_title?: string | null;
  slack_call_version?: number | null;
  slack_call_retry_at?: string | null;
  slack_call_lease_until?: string | null;
  slack_call_error?: string | null;
}

/** One request sent to a vendor account (epoch ms), shared by every replica. */
export interface RateSlotsTable {
  id: string;
  account: string;
  taken_at: number;
}

/** The milestones outbox: written with the state change, posted once, its `ts` kept. */
export interface MilestonesTable {
  id: string;
  session_id: string;
  team_id: string;
  enterprise_id: string | null;
  key: string;
  text: string;
  blocks: string | null;
  created_at: string;
  posted_ts: string | null;
  posted_at: string | null;
  attempts: Generated<number>;
  /** Not tried again before this (backoff after a failure). */
  next_attempt_at?: string | null;
  /** Set aside for good: Slack refused it in a way a retry will not change, or too many tries failed. */
  dead_lettered_at?: string | null;
  /** Slack's error code of the last failed try. */
  last_error?: string | null;
}

/** An asynchronous vendor operation waiting for its outcome (domain `PendingOperation`). */
export interface PendingOperationsTable {
  vendor: string;
  session_id: string;
  operation: string;
  scope: string;
  reference: string | null;
  /** JSON. */
  data: string;
  created_at: string;
}

/**
 * A secret Rendezvous must keep although ENCRYPTION_KEY rotates (see src/store/key-pins.ts),
 * sealed like a contact (ContactCrypto) and re-keyed with them.
 */
export interface KeyPinsTable {
  name: string;
  sealed: string;
  created_at: string;
}

/**
 * A session's creation in progress (domain `CreationJob`): `queued` → `card_posted` → `calling`
 * (the vendor call may have gone out) → deleted once the outcome is applied.
 */
export interface CreationJobsTable {
  session_id: string;
  vendor: string;
  step: string;
  /** The request, response_url and source message, encrypted (ContactCrypto); null for a row found without a job. */
  payload: string | null;
  /** The correlation id of the request that asked for it (null for rows written before 2026-12-02-022). */
  correlation_id: string | null;
  attempts: Generated<number>;
  next_at: string;
  created_at: string;
  lease_owner: string | null;
  lease_until: string | null;
  last_error: string | null;
}

/** A job one replica at a time runs now and then (`JobLeases`): who holds it, and when it is next due. */
export interface JobRunsTable {
  name: string;
  lease_owner: string | null;
  lease_until: string | null;
  next_run_at: string;
  last_run_at: string | null;
}

/** An OAuth install (domain `StoredInstallation`); `bot_credentials` is sealed JSON, never in clear. */
export interface InstallationsTable {
  key: string;
  enterprise_id: string | null;
  enterprise_name: string | null;
  team_id: string | null;
  team_name: string | null;
  is_enterprise_install: number;
  app_id: string | null;
  bot_id: string | null;
  bot_user_id: string;
  /** Comma-separated, as Slack lists them. */
  bot_scopes: string;
  installer_user_id: string | null;
  bot_credentials: string;
  version: Generated<number>;
  refresh_owner: string | null;
  refresh_until: string | null;
  installed_at: string;
  updated_at: string;
}

/**
 * A workspace's own account with one vendor, saved by an admin in the App Home. `settings` is the
 * form's values (the module's variables, JSON) sealed under the vendor-accounts key
 * (ContactCrypto.sealer); `account` the identity key of the account they log into.
 */
export interface VendorAccountsTable {
  team_id: string;
  vendor: string;
  enterprise_id: string | null;
  settings: string;
  account: string;
  /** The vendor_accounts_version this save wrote. */
  version: number;
  updated_at: string;
  updated_by: string;
  /** When its check last ran (or was claimed), and how it went: 1 worked, 0 failed, null not checked. */
  checked_at: string | null;
  check_ok: number | null;
  check_detail: string | null;
}

/** One row (id 1): bumped by every save, read by every replica's tracking pass. */
export interface VendorAccountsVersionTable {
  id: number;
  version: number;
}

/** A workspace's own settings, saved by an admin in the App Home. */
export interface WorkspaceSettingsTable {
  team_id: string;
  enterprise_id: string | null;
  /** Its admin user group (`S…`); null: the environment's ADMIN_USERGROUP. */
  admin_usergroup: string | null;
  updated_at: string;
  updated_by: string;
}

/**
 * A Workflow Builder step run (`function_executed`) waiting for its session's creation to settle:
 * `waiting` → `done` (`result`: success, error, expired or gone). `token` is the execution's
 * bot_access_token sealed (ContactCrypto.sealer('workflowTokens')).
 */
export interface WorkflowStepsTable {
  session_id: string;
  team_id: string;
  enterprise_id: string | null;
  function_execution_id: string;
  token: string;
  state: string;
  result: string | null;
  attempts: Generated<number>;
  next_at: string;
  lease_owner: string | null;
  lease_until: string | null;
  last_error: string | null;
  created_at: string;
  completed_at: string | null;
}

/** One unfurl of a session's agent link (migration 021): where it is, and whether a refresh is owed. */
export interface LinkUnfurlsTable {
  /** A digest of session, place and URL: the same link_shared delivered twice is one row. */
  id: string;
  session_id: string;
  team_id: string;
  enterprise_id: string | null;
  /** A posted message's channel and ts (source `conversations_history`)… */
  channel_id: string | null;
  message_ts: string | null;
  /** …or a link in the message composer (source `composer`). */
  unfurl_id: string | null;
  source: string | null;
  url: string;
  created_at: string;
  /** 1: the session changed since this unfurl was last made; the next pass refreshes it. */
  due: number;
}

export interface Database {
  sessions: SessionsTable;
  job_runs: JobRunsTable;
  milestones: MilestonesTable;
  rate_slots: RateSlotsTable;
  pending_operations: PendingOperationsTable;
  key_pins: KeyPinsTable;
  creation_jobs: CreationJobsTable;
  installations: InstallationsTable;
  vendor_accounts: VendorAccountsTable;
  vendor_accounts_version: VendorAccountsVersionTable;
  workspace_settings: WorkspaceSettingsTable;
  workflow_steps: WorkflowStepsTable;
  link_unfurls: LinkUnfurlsTable;
}

export type SessionRow = Selectable<SessionsTable>;
export type NewSession = Omit<Insertable<SessionsTable>, 'lease_owner' | 'lease_until' | 'outbox_owner' | 'outbox_until'>;
export type NewSessionRow = Insertable<SessionsTable>;
export type SessionPatch = Updateable<SessionsTable>;
export type MilestoneRow = Selectable<MilestonesTable>;
export type NewMilestoneRow = Insertable<MilestonesTable>;
