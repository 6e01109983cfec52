import { leaseFree } from './lease-free.js';
import type { Db } from './database.js';
import type { Insertable } from 'kysely';
import type { WorkflowStepsTable } from './schema.js';

/** How a step ended: completed (success or error), its token expired, or Slack no longer knew it. */
export const WORKFLOW_RESULTS = ['success', 'error', 'expired', 'gone'] as const;
export type WorkflowResult = (typeof WORKFLOW_RESULTS)[number];

/** A Workflow Builder step run waiting for its session's creation to settle. */
export interface WorkflowStep {
  sessionId: string;
  teamId: string;
  enterpriseId: string | null;
  functionExecutionId: string;
  /** Sealed (ContactCrypto.sealer('workflowTokens')): opened only to call Slack. */
  sealedToken: string;
  attempts: number;
  createdAt: Date;
}

/** What goes into workflow_steps with the session and its creation job (one write). */
export function newWorkflowStepRow(step: Omit<WorkflowStep, 'attempts'>): Insertable<WorkflowStepsTable> {
  const at = step.createdAt.toISOString();
  return {
    session_id: step.sessionId,
    team_id: step.teamId,
    enterprise_id: step.enterpriseId,
    function_execution_id: step.functionExecutionId,
    token: step.sealedToken,
    state: 'waiting',
    result: null,
    attempts: 0,
    next_at: at,
    lease_owner: null,
    lease_until: null,
    last_error: null,
    created_at: at,
    completed_at: null,
  };
}

/**
 * Statuses a step still waits through: the creation is not settled yet (Genesys `requested`
 * waits for its asynchronous outcome).
 */
const UNSETTLED = ['creating', 'requested'];

/**
 * Workflow steps to complete, leased like creation jobs: a row is taken by one replica at a
 * time (one UPDATE guarded by the lease, `FOR UPDATE SKIP LOCKED` on PostgreSQL), and marked
 * done under that lease, so a completion is never sent by two replicas, nor again after it was
 * recorded (a restart finds it done).
 */
export class WorkflowStepsRepository {
  constructor(
    private readonly db: Db,
    private readonly kind: 'sqlite' | 'postgres' = 'sqlite',
  ) {}

  /** Steps whose session has settled (or is gone), due and held by nobody. */
  async leaseReady(owner: string, now: Date, leaseMs: number, limit: number): Promise<WorkflowStep[]> {
    const nowIso = now.toISOString();
    let due = this.db
      .selectFrom('workflow_steps')
      .select('workflow_steps.session_id')
      .where('workflow_steps.state', '=', 'waiting')
      .where('workflow_steps.next_at', '<=', nowIso)
      .where((eb) => leaseFree(eb, 'workflow_steps.lease_until', nowIso))
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('sessions')
              .select('sessions.id')
              .whereRef('sessions.id', '=', 'workflow_steps.session_id')
              .where('sessions.status', 'in', UNSETTLED),
          ),
        ),
      )
      .orderBy('workflow_steps.next_at')
      .limit(limit);
    if (this.kind === 'postgres') due = due.forUpdate().skipLocked();
    const rows = await this.db
      .updateTable('workflow_steps')
      .set({ lease_owner: owner, lease_until: new Date(now.getTime() + leaseMs).toISOString() })
      .where('session_id', 'in', due)
      .where('state', '=', 'waiting')
      .returning(['session_id', 'team_id', 'enterprise_id', 'function_execution_id', 'token', 'attempts', 'created_at'])
      .execute();
    return rows.map((row) => ({
      sessionId: row.session_id,
      teamId: row.team_id,
      enterpriseId: row.enterprise_id,
      functionExecutionId: row.function_execution_id,
      sealedToken: row.token,
      attempts: Number(row.attempts),
      createdAt: new Date(row.created_at),
    }));
  }

  /**
   * Slack answered (or will never accept it): done for good, under this owner's lease only. The
   * sealed token is wiped: it is of no use any more. False when the lease was lost.
   */
  async finish(sessionId: string, owner: string, result: WorkflowResult, now: Date, detail?: string): Promise<boolean> {
    const updated = await this.db
      .updateTable('workflow_steps')
      .set({ state: 'done', result, token: '', completed_at: now.toISOString(), lease_owner: null, lease_until: null, last_error: detail ?? null })
      .where('session_id', '=', sessionId)
      .where('lease_owner', '=', owner)
      .where('state', '=', 'waiting')
      .executeTakeFirst();
    return Number(updated.numUpdatedRows) > 0;
  }

  /** Slack did not answer (or answered a passing error): tried again at `nextAt`, by any replica. */
  async retryAt(sessionId: string, owner: string, nextAt: Date, error: string): Promise<void> {
    await this.db
      .updateTable('workflow_steps')
      .set((eb) => ({ next_at: nextAt.toISOString(), lease_owner: null, lease_until: null, last_error: error, attempts: eb('attempts', '+', 1) }))
      .where('session_id', '=', sessionId)
      .where('lease_owner', '=', owner)
      .where('state', '=', 'waiting')
      .execute();
  }

  async get(sessionId: string): Promise<{ state: string; result: string | null; attempts: number; lastError: string | null; token: string } | undefined> {
    const row = await this.db.selectFrom('workflow_steps').select(['state', 'result', 'attempts', 'last_error', 'token']).where('session_id', '=', sessionId).executeTakeFirst();
    return row && { state: row.state, result: row.result, attempts: Number(row.attempts), lastError: row.last_error, token: row.token };
  }

  async byExecution(functionExecutionId: string): Promise<{ sessionId: string } | undefined> {
    const row = await this.db.selectFrom('workflow_steps').select('session_id').where('function_execution_id', '=', functionExecutionId).executeTakeFirst();
    return row && { sessionId: row.session_id };
  }
}
