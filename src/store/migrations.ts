import { type Kysely, type Migration, type MigrationProvider, sql } from 'kysely';

// Migrations live in code (not files on disk) so that `tsx`, `tsc` output and tests all find them.
const migrations: Record<string, Migration> = {
  '2026-11-25-001-sessions-and-milestones': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('sessions')
        .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
        .addColumn('team_id', 'varchar(32)', (c) => c.notNull())
        .addColumn('enterprise_id', 'varchar(32)')
        .addColumn('vendor', 'varchar(16)', (c) => c.notNull())
        .addColumn('kind', 'varchar(16)', (c) => c.notNull())
        .addColumn('vendor_id', 'varchar(128)')
        .addColumn('reference', 'varchar(64)', (c) => c.notNull())
        .addColumn('contact_masked', 'varchar(512)', (c) => c.notNull())
        .addColumn('contact_encrypted', 'text')
        .addColumn('contact_hash', 'varchar(64)')
        .addColumn('delivery', 'varchar(16)')
        .addColumn('vendor_state', 'varchar(32)')
        .addColumn('status', 'varchar(16)', (c) => c.notNull())
        .addColumn('status_detail', 'text')
        .addColumn('channel_id', 'varchar(32)', (c) => c.notNull())
        .addColumn('card_ts', 'varchar(32)')
        .addColumn('started_by', 'varchar(32)', (c) => c.notNull())
        .addColumn('agent_url', 'text')
        .addColumn('customer_url', 'text')
        .addColumn('details', 'text', (c) => c.notNull().defaultTo('{}'))
        .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
        .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
        .addColumn('joined_at', 'varchar(32)')
        .addColumn('ended_at', 'varchar(32)')
        .addColumn('tracking', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_check_at', 'varchar(32)')
        .addColumn('media_posted', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('last_error', 'text')
        .execute();
      await db.schema.createIndex('sessions_tracking').on('sessions').columns(['tracking', 'vendor', 'next_check_at']).execute();
      await db.schema.createIndex('sessions_reference').on('sessions').columns(['team_id', 'reference']).execute();
      await db.schema.createIndex('sessions_starter').on('sessions').columns(['team_id', 'started_by', 'created_at']).execute();

      await db.schema
        .createTable('milestones')
        .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
        .addColumn('session_id', 'varchar(36)', (c) => c.notNull().references('sessions.id').onDelete('cascade'))
        .addColumn('team_id', 'varchar(32)', (c) => c.notNull())
        .addColumn('enterprise_id', 'varchar(32)')
        .addColumn('key', 'varchar(64)', (c) => c.notNull())
        .addColumn('text', 'text', (c) => c.notNull())
        .addColumn('blocks', 'text')
        .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
        .addColumn('posted_ts', 'varchar(32)')
        .addColumn('posted_at', 'varchar(32)')
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addUniqueConstraint('milestones_once', ['session_id', 'key'])
        .execute();
      await db.schema.createIndex('milestones_pending').on('milestones').columns(['posted_ts', 'created_at']).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('milestones').execute();
      await db.schema.dropTable('sessions').execute();
      await sql`select 1`.execute(db);
    },
  },
  '2026-11-25-002-leases-and-rate-ledger': {
    async up(db: Kysely<unknown>) {
      // Tracking work and outbox sending are leased, so that several replicas share them and a
      // crashed replica's work is taken over once its lease runs out.
      await db.schema.alterTable('sessions').addColumn('lease_owner', 'varchar(64)').execute();
      await db.schema.alterTable('sessions').addColumn('lease_until', 'varchar(32)').execute();
      await db.schema.alterTable('sessions').addColumn('outbox_owner', 'varchar(64)').execute();
      await db.schema.alterTable('sessions').addColumn('outbox_until', 'varchar(32)').execute();
      await db.schema.createIndex('milestones_session_pending').on('milestones').columns(['session_id', 'posted_ts']).execute();
      // Requests sent to a vendor account in the last window, shared by every replica.
      await db.schema
        .createTable('rate_slots')
        .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
        .addColumn('account', 'varchar(128)', (c) => c.notNull())
        .addColumn('taken_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('rate_slots_account').on('rate_slots').columns(['account', 'taken_at']).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('rate_slots').execute();
      for (const column of ['lease_owner', 'lease_until', 'outbox_owner', 'outbox_until']) {
        await db.schema.alterTable('sessions').dropColumn(column).execute();
      }
    },
  },
  '2026-12-02-003-session-version': {
    async up(db: Kysely<unknown>) {
      // Bumped by every change, so that an outcome computed from an older state is applied
      // compare-and-set and never overwrites a newer one (a Cancel, a final status).
      await db.schema.alterTable('sessions').addColumn('version', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable('sessions').dropColumn('version').execute();
    },
  },
  '2026-12-02-004-pending-operations': {
    async up(db: Kysely<unknown>) {
      // Asynchronous vendor operations waiting for their outcome (a Genesys Invite), so whichever
      // replica hears the outcome settles them, also after a restart.
      await db.schema
        .createTable('pending_operations')
        .addColumn('vendor', 'varchar(16)', (c) => c.notNull())
        .addColumn('session_id', 'varchar(36)', (c) => c.notNull())
        .addColumn('operation', 'varchar(32)', (c) => c.notNull())
        .addColumn('scope', 'varchar(128)', (c) => c.notNull())
        .addColumn('reference', 'varchar(64)')
        .addColumn('data', 'text', (c) => c.notNull().defaultTo('{}'))
        .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
        .addPrimaryKeyConstraint('pending_operations_pk', ['vendor', 'session_id'])
        .execute();
      await db.schema.createIndex('pending_operations_scope').on('pending_operations').columns(['vendor', 'scope']).execute();
      await db.schema.createIndex('pending_operations_reference').on('pending_operations').columns(['vendor', 'reference']).execute();
      await db.schema.createIndex('pending_operations_age').on('pending_operations').columns(['vendor', 'created_at']).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('pending_operations').execute();
    },
  },
  '2026-12-02-010-keys': {
    async up(db: Kysely<unknown>) {
      // Secrets that outlive a rotation of ENCRYPTION_KEY (Imbee's identity key), sealed with it.
      await db.schema
        .createTable('key_pins')
        .addColumn('name', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('sealed', 'text', (c) => c.notNull())
        .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('key_pins').execute();
    },
  },
  '2026-12-02-011-outbox-retries': {
    async up(db: Kysely<unknown>) {
      // Each outbox row is retried with backoff and set aside (dead-lettered) after a limit or a
      // refusal Slack will repeat; the session remembers that its starter was told, so once only.
      await db.schema.alterTable('milestones').addColumn('next_attempt_at', 'varchar(32)').execute();
      await db.schema.alterTable('milestones').addColumn('dead_lettered_at', 'varchar(32)').execute();
      await db.schema.alterTable('milestones').addColumn('last_error', 'varchar(64)').execute();
      await db.schema.alterTable('sessions').addColumn('outbox_starter_told_at', 'varchar(32)').execute();
      await db.schema.createIndex('milestones_dead_letters').on('milestones').columns(['dead_lettered_at', 'session_id']).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropIndex('milestones_dead_letters').execute();
      for (const column of ['next_attempt_at', 'dead_lettered_at', 'last_error']) await db.schema.alterTable('milestones').dropColumn(column).execute();
      await db.schema.alterTable('sessions').dropColumn('outbox_starter_told_at').execute();
    },
  },
  '2026-12-02-012-creation-jobs': {
    async up(db: Kysely<unknown>) {
      // A session's creation, written with its row before the ack: any replica leases it, after
      // any restart, and each step (card, vendor call) is recorded so a crash never repeats a
      // vendor call that may have gone out, nor loses the request.
      await db.schema
        .createTable('creation_jobs')
        .addColumn('session_id', 'varchar(36)', (c) => c.primaryKey().references('sessions.id').onDelete('cascade'))
        .addColumn('vendor', 'varchar(16)', (c) => c.notNull())
        .addColumn('step', 'varchar(16)', (c) => c.notNull())
        .addColumn('payload', 'text')
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_at', 'varchar(32)', (c) => c.notNull())
        .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
        .addColumn('lease_owner', 'varchar(64)')
        .addColumn('lease_until', 'varchar(32)')
        .addColumn('last_error', 'text')
        .execute();
      // Leases take the first due jobs in `next_at` order straight from an index: with a backlog
      // of thousands, a lease must not sort them all.
      await db.schema.createIndex('creation_jobs_cards').on('creation_jobs').columns(['step', 'next_at']).execute();
      await db.schema.createIndex('creation_jobs_due').on('creation_jobs').columns(['step', 'vendor', 'next_at']).execute();
      await db.schema.createIndex('creation_jobs_age').on('creation_jobs').columns(['created_at']).execute();
      // Sessions still "creating" long after the ack are looked for every half minute.
      await db.schema.createIndex('sessions_creating').on('sessions').columns(['status', 'created_at']).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropIndex('sessions_creating').execute();
      await db.schema.dropTable('creation_jobs').execute();
    },
  },
  '2026-12-02-013-request-keys': {
    async up(db: Kysely<unknown>) {
      // Slack may deliver one request twice (a retry, a double submit), to any replica: the
      // request's own id is unique among sessions, so the second write fails and starts nothing.
      await db.schema.alterTable('sessions').addColumn('request_key', 'varchar(160)').execute();
      await db.schema.createIndex('sessions_request_key').unique().on('sessions').column('request_key').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropIndex('sessions_request_key').execute();
      await db.schema.alterTable('sessions').dropColumn('request_key').execute();
    },
  },
  '2026-12-02-014-refresh-claims': {
    async up(db: Kysely<unknown>) {
      // One Refresh of a session a 30 s across every replica: claimed on the row itself.
      await db.schema.alterTable('sessions').addColumn('refreshed_at', 'varchar(32)').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable('sessions').dropColumn('refreshed_at').execute();
    },
  },
  '2026-12-02-015-retention': {
    async up(db: Kysely<unknown>) {
      // Jobs one replica at a time runs now and then (the retention purge): who holds each, until
      // when, and when it is next due, so N replicas purge once an interval, not N times.
      await db.schema
        .createTable('job_runs')
        .addColumn('name', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('lease_owner', 'varchar(64)')
        .addColumn('lease_until', 'varchar(32)')
        .addColumn('next_run_at', 'varchar(32)', (c) => c.notNull())
        .addColumn('last_run_at', 'varchar(32)')
        .execute();
      // The purge reads untracked sessions by last activity, and removes their pending operations.
      await db.schema.createIndex('sessions_retention').on('sessions').columns(['tracking', 'updated_at']).execute();
      await db.schema.createIndex('pending_operations_session').on('pending_operations').column('session_id').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropIndex('pending_operations_session').execute();
      await db.schema.dropIndex('sessions_retention').execute();
      await db.schema.dropTable('job_runs').execute();
    },
  },
  '2026-12-02-016-installations': {
    async up(db: Kysely<unknown>) {
      // OAuth installs (many workspaces): one row per workspace, or per Enterprise Grid
      // organisation for an org-wide install, keyed `<enterprise>:<team>`. The bot token, its
      // refresh token and expiry are one sealed value (ContactCrypto, installation-tokens key);
      // `version` moves with each refresh, and the refresh lease lets one replica at a time renew it.
      await db.schema
        .createTable('installations')
        .addColumn('key', 'varchar(80)', (c) => c.primaryKey())
        .addColumn('enterprise_id', 'varchar(32)')
        .addColumn('enterprise_name', 'text')
        .addColumn('team_id', 'varchar(32)')
        .addColumn('team_name', 'text')
        .addColumn('is_enterprise_install', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('app_id', 'varchar(32)')
        .addColumn('bot_id', 'varchar(32)')
        .addColumn('bot_user_id', 'varchar(32)', (c) => c.notNull())
        .addColumn('bot_scopes', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('installer_user_id', 'varchar(32)')
        .addColumn('bot_credentials', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('refresh_owner', 'varchar(64)')
        .addColumn('refresh_until', 'varchar(32)')
        .addColumn('installed_at', 'varchar(32)', (c) => c.notNull())
        .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('installations_team').on('installations').columns(['team_id']).execute();
      await db.schema.createIndex('installations_enterprise').on('installations').columns(['enterprise_id', 'is_enterprise_install']).execute();
      // A workspace that uninstalled the app: its sessions are set aside (no polling, no posting).
      await db.schema.alterTable('sessions').addColumn('set_aside_at', 'varchar(32)').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable('sessions').dropColumn('set_aside_at').execute();
      await db.schema.dropTable('installations').execute();
    },
  },
  '2026-12-02-017-vendor-accounts': {
    async up(db: Kysely<unknown>) {
      // Each workspace's own vendor account (App Home), sealed under a key of its own purpose.
      await db.schema
        .createTable('vendor_accounts')
        .addColumn('team_id', 'varchar(32)', (c) => c.notNull())
        .addColumn('vendor', 'varchar(16)', (c) => c.notNull())
        .addColumn('enterprise_id', 'varchar(32)')
        .addColumn('settings', 'text', (c) => c.notNull())
        .addColumn('account', 'varchar(64)', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
        .addColumn('updated_by', 'varchar(32)', (c) => c.notNull())
        .addColumn('checked_at', 'varchar(32)')
        .addColumn('check_ok', 'integer')
        .addColumn('check_detail', 'text')
        .addPrimaryKeyConstraint('vendor_accounts_pk', ['team_id', 'vendor'])
        .execute();
      // "At most one check of this account every 10 minutes" looks across workspaces.
      await db.schema.createIndex('vendor_accounts_account').on('vendor_accounts').columns(['vendor', 'account']).execute();
      // One counter every save bumps: each replica reads it with its tracking pass and reloads when it moved.
      await db.schema
        .createTable('vendor_accounts_version')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('version', 'integer', (c) => c.notNull())
        .execute();
      await sql`insert into vendor_accounts_version (id, version) values (1, 0)`.execute(db);
      // The vendor account a session was created under (its identity key); null: the environment's.
      await db.schema.alterTable('sessions').addColumn('vendor_account', 'varchar(64)').execute();
      await db.schema.createIndex('sessions_tracking_account').on('sessions').columns(['tracking', 'vendor', 'vendor_account', 'next_check_at']).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropIndex('sessions_tracking_account').execute();
      await db.schema.alterTable('sessions').dropColumn('vendor_account').execute();
      await db.schema.dropTable('vendor_accounts_version').execute();
      await db.schema.dropTable('vendor_accounts').execute();
    },
  },
  '2026-12-02-018-workspace-settings': {
    async up(db: Kysely<unknown>) {
      // Each workspace's own settings from the App Home: for now its admin user group (null: the
      // environment's ADMIN_USERGROUP). Nothing secret in it, so nothing sealed.
      await db.schema
        .createTable('workspace_settings')
        .addColumn('team_id', 'varchar(32)', (c) => c.primaryKey())
        .addColumn('enterprise_id', 'varchar(32)')
        .addColumn('admin_usergroup', 'varchar(32)')
        .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
        .addColumn('updated_by', 'varchar(32)', (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('workspace_settings').execute();
    },
  },
  '2026-12-02-019-slack-calls': {
    async up(db: Kysely<unknown>) {
      // A meeting shown as a Slack call (issue 12): where its call stands, so that any replica,
      // also after a restart, updates and ends it, and calls.add is never sent twice.
      // state null: no call asked; pending → adding → added → ended (or unknown / failed).
      await db.schema.alterTable('sessions').addColumn('slack_call_state', 'varchar(16)').execute();
      await db.schema.alterTable('sessions').addColumn('slack_call_id', 'varchar(32)').execute();
      // The title last sent (calls.add / calls.update) and the session version it reflected.
      await db.schema.alterTable('sessions').addColumn('slack_call_title', 'text').execute();
      await db.schema.alterTable('sessions').addColumn('slack_call_version', 'integer').execute();
      // Not tried again before (Slack's Retry-After); held by one replica until (its lease).
      await db.schema.alterTable('sessions').addColumn('slack_call_retry_at', 'varchar(32)').execute();
      await db.schema.alterTable('sessions').addColumn('slack_call_lease_until', 'varchar(32)').execute();
      await db.schema.alterTable('sessions').addColumn('slack_call_error', 'varchar(64)').execute();
      await db.schema.createIndex('sessions_slack_call').on('sessions').columns(['slack_call_state', 'slack_call_retry_at']).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropIndex('sessions_slack_call').execute();
      for (const column of ['slack_call_error', 'slack_call_lease_until', 'slack_call_retry_at', 'slack_call_version', 'slack_call_title', 'slack_call_id', 'slack_call_state']) {
        await db.schema.alterTable('sessions').dropColumn(column).execute();
      }
    },
  },
  '2026-12-02-020-workflow-steps': {
    async up(db: Kysely<unknown>) {
      // A Workflow Builder step's execution, written with its session and creation job: whichever
      // replica settles the creation completes the step once (functions.completeSuccess/Error),
      // with the execution's own token, sealed. A row of its own rather than columns of the job:
      // the job is deleted when its outcome is applied, and the completion may still need a retry.
      await db.schema
        .createTable('workflow_steps')
        .addColumn('session_id', 'varchar(36)', (c) => c.primaryKey().references('sessions.id').onDelete('cascade'))
        .addColumn('team_id', 'varchar(32)', (c) => c.notNull())
        .addColumn('enterprise_id', 'varchar(32)')
        .addColumn('function_execution_id', 'varchar(64)', (c) => c.notNull().unique())
        .addColumn('token', 'text', (c) => c.notNull())
        .addColumn('state', 'varchar(16)', (c) => c.notNull())
        .addColumn('result', 'varchar(16)')
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_at', 'varchar(32)', (c) => c.notNull())
        .addColumn('lease_owner', 'varchar(64)')
        .addColumn('lease_until', 'varchar(32)')
        .addColumn('last_error', 'text')
        .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
        .addColumn('completed_at', 'varchar(32)')
        .execute();
      await db.schema.createIndex('workflow_steps_waiting').on('workflow_steps').columns(['state', 'next_at']).execute();
      // What the card says about the workflow that started it (its step could not be completed).
      await db.schema.alterTable('sessions').addColumn('workflow_note', 'text').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable('sessions').dropColumn('workflow_note').execute();
      await db.schema.dropTable('workflow_steps').execute();
    },
  },
  '2026-12-02-021-link-unfurls': {
    async up(db: Kysely<unknown>) {
      // Every unfurl made of a session's agent link (link_shared → chat.unfurl), so that it is
      // refreshed when the session changes: where it is (a posted message's channel and ts, or a
      // composer's unfurl_id and source), the URL, and whether a refresh is owed (`due`, kept
      // here so that a restart does not lose it).
      await db.schema
        .createTable('link_unfurls')
        .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('session_id', 'varchar(36)', (c) => c.notNull())
        .addColumn('team_id', 'varchar(32)', (c) => c.notNull())
        .addColumn('enterprise_id', 'varchar(32)')
        .addColumn('channel_id', 'varchar(32)')
        .addColumn('message_ts', 'varchar(128)')
        .addColumn('unfurl_id', 'varchar(255)')
        .addColumn('source', 'varchar(32)')
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
        .addColumn('due', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.createIndex('link_unfurls_session').on('link_unfurls').columns(['session_id', 'created_at']).execute();
      await db.schema.createIndex('link_unfurls_due').on('link_unfurls').columns(['due']).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('link_unfurls').execute();
    },
  },
  '2026-12-02-022-creation-job-correlation': {
    async up(db: Kysely<unknown>) {
      // The request's correlation id in clear (it is no secret), so that a creation step's
      // logger does not cost a decryption of the payload; rows written before keep it there only.
      await db.schema.alterTable('creation_jobs').addColumn('correlation_id', 'varchar(64)').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable('creation_jobs').dropColumn('correlation_id').execute();
    },
  },
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
