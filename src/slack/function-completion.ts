import { WebClient, type WebClientOptions } from '@slack/web-api';

/** What the step tells Workflow Builder: its outputs, or a plain reason it failed. */
export type StepCompletion = { kind: 'success'; outputs: Record<string, string> } | { kind: 'error'; error: string };

/**
 * How Slack took a completion:
 * - `done`: accepted;
 * - `gone`: Slack no longer knows the execution as running (`function_execution_not_found`,
 *   `execution_not_in_running_state`): completed already, or timed out;
 * - `expired`: the execution's token is no longer valid (`token_expired`, `invalid_auth`…);
 * - `refused`: any other refusal, which a retry will not change;
 * - `retry`: no answer, a rate limit or a server error: the call may be tried again.
 */
export type CompletionAnswer = { kind: 'done' } | { kind: 'gone' | 'expired' | 'refused'; code: string } | { kind: 'retry'; code: string; afterMs?: number };

const GONE = new Set(['function_execution_not_found', 'execution_not_in_running_state']);
const EXPIRED = new Set(['token_expired', 'invalid_auth', 'not_authed', 'token_revoked', 'account_inactive']);
const PASSING = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);

/**
 * Completes a Workflow Builder step with the execution's own token (`bot_access_token` of its
 * `function_executed` event): a client of its own per call, which never retries by itself (a
 * completion whose answer was lost is settled by the caller, see WorkflowCompleter).
 */
export async function completeStep(token: string, functionExecutionId: string, completion: StepCompletion, options: WebClientOptions): Promise<CompletionAnswer> {
  const client = new WebClient(token, { ...options, rejectRateLimitedCalls: true, retryConfig: { retries: 0 } });
  try {
    if (completion.kind === 'success') await client.functions.completeSuccess({ function_execution_id: functionExecutionId, outputs: completion.outputs });
    else await client.functions.completeError({ function_execution_id: functionExecutionId, error: completion.error });
    return { kind: 'done' };
  } catch (error) {
    return classify(error);
  }
}

function classify(error: unknown): CompletionAnswer {
  const failure = error as { code?: string; data?: { error?: string }; retryAfter?: number };
  if (failure.code === 'slack_webapi_rate_limited_error') return { kind: 'retry', code: 'ratelimited', afterMs: (failure.retryAfter ?? 1) * 1000 };
  const code = failure.data?.error;
  if (failure.code !== 'slack_webapi_platform_error' || !code) return { kind: 'retry', code: failure.code ?? 'no_answer' };
  if (GONE.has(code)) return { kind: 'gone', code };
  if (EXPIRED.has(code)) return { kind: 'expired', code };
  if (PASSING.has(code)) return { kind: 'retry', code };
  return { kind: 'refused', code };
}
