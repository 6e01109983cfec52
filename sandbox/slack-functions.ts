/**
 * Workflow Builder custom steps on the Slack stand-in: the executions it starts (each with a
 * token of its own, as Slack's `function_executed` event carries in `bot_access_token`) and
 * `functions.completeSuccess` / `functions.completeError`, which accept only that execution's
 * token, refuse it after its lifetime (`token_expired`), and complete an execution once: a second
 * completion answers `function_execution_not_found`, as Slack documents for a completed one.
 */
import { randomBytes } from 'node:crypto';

/** A refusal the stand-in answers as `{ ok: false, error }` (with Slack's detail lines). */
export class FunctionRefusal extends Error {
  constructor(
    readonly error: string,
    readonly problems: string[] = [],
  ) {
    super(error);
  }
}

export interface FunctionExecution {
  functionExecutionId: string;
  callbackId: string;
  token: string;
  issuedAt: number;
  /** Set once completed: how, and with what. */
  completion?: { method: 'functions.completeSuccess' | 'functions.completeError'; outputs?: Record<string, unknown>; error?: string; at: number };
}

export const FUNCTION_METHODS = ['functions.completeSuccess', 'functions.completeError'] as const;

export class SlackFunctionDesk {
  private readonly executions = new Map<string, FunctionExecution>();
  /** How long an execution's token is honoured (Slack's workflow tokens are short-lived); unset: forever. */
  tokenLifetimeMs: number | undefined;

  /** Starts an execution of the step `callbackId`: its id and its own token. */
  start(callbackId: string): FunctionExecution {
    const id = `Fx${randomBytes(5).toString('hex').toUpperCase()}`;
    const execution: FunctionExecution = { functionExecutionId: id, callbackId, token: `xwfp-${randomBytes(12).toString('hex')}`, issuedAt: Date.now() };
    this.executions.set(id, execution);
    return execution;
  }

  execution(functionExecutionId: string): FunctionExecution | undefined {
    return this.executions.get(functionExecutionId);
  }

  /** Every execution the desk started, oldest first. */
  all(): FunctionExecution[] {
    return [...this.executions.values()];
  }

  /** A token of one of its executions? (Such tokens are valid for functions.* only here.) */
  owns(token: string | undefined): boolean {
    return token !== undefined && [...this.executions.values()].some((execution) => execution.token === token);
  }

  reset(): void {
    this.executions.clear();
  }

  /** Answers functions.completeSuccess / completeError with their documented required arguments. */
  answer(method: (typeof FUNCTION_METHODS)[number], args: Record<string, unknown>, token: string | undefined): Record<string, unknown> {
    const required = method === 'functions.completeSuccess' ? ['function_execution_id', 'outputs'] : ['function_execution_id', 'error'];
    const missing = required.filter((name) => args[name] === undefined || args[name] === null || args[name] === '');
    if (missing.length > 0) throw new FunctionRefusal('invalid_arguments', missing.map((name) => `missing required field: ${name}`));
    if (token === undefined) throw new FunctionRefusal('not_authed');
    const execution = this.executions.get(String(args.function_execution_id));
    // Only the execution's own token completes it; a bot token or another execution's is refused.
    if (!execution || execution.token !== token) {
      if (!this.owns(token)) throw new FunctionRefusal('invalid_auth');
      throw new FunctionRefusal('access_denied');
    }
    if (this.tokenLifetimeMs !== undefined && Date.now() - execution.issuedAt > this.tokenLifetimeMs) throw new FunctionRefusal('token_expired');
    if (execution.completion) throw new FunctionRefusal('function_execution_not_found');
    const outputs = method === 'functions.completeSuccess' ? parseOutputs(args.outputs) : undefined;
    if (method === 'functions.completeError' && typeof args.error !== 'string') throw new FunctionRefusal('invalid_arguments', ['error must be a string']);
    execution.completion = { method, at: Date.now(), ...(outputs ? { outputs } : {}), ...(method === 'functions.completeError' ? { error: String(args.error) } : {}) };
    return {};
  }
}

/** `outputs` is a JSON object (a JSON string when the call came form-encoded). */
function parseOutputs(raw: unknown): Record<string, unknown> {
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      throw new FunctionRefusal('invalid_arguments', ['outputs must be a JSON object']);
    }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new FunctionRefusal('invalid_arguments', ['outputs must be a JSON object']);
  return value as Record<string, unknown>;
}
