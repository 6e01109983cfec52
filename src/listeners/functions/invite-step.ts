import type { App } from '@slack/bolt';
import { INVITE_STEP_CALLBACK_ID } from '../../domain/workflow-step.js';
import type { ListenerServices } from '../services.js';
import { requestLogger, requestTrace } from '../actor.js';

/**
 * The Workflow Builder step "Invite someone to a remote session" (`function_executed`). The
 * event is acknowledged only once the session and its creation job (with the execution's id and
 * token) are written, so a crash before that makes Slack deliver it again; a redelivery finds
 * the request written and starts nothing more. Bad input fails the step at once with a plain
 * reason; otherwise the step is completed when the creation settles, by whichever replica
 * settles it (WorkflowCompleter).
 */
export function registerInviteStep(app: App, services: Pick<ListenerServices, 'workflowSteps' | 'logger'>): void {
  app.function(INVITE_STEP_CALLBACK_ID, { autoAcknowledge: false }, async ({ ack, inputs, fail, event, context }) => {
    const teamId = context.teamId;
    let outcome;
    try {
      outcome = teamId
        ? await services.workflowSteps.start({
            teamId,
            enterpriseId: context.enterpriseId,
            functionExecutionId: event.function_execution_id,
            token: event.bot_access_token,
            inputs,
            ...requestTrace(context, services.logger),
          })
        : { started: false as const, reason: 'Rendezvous could not tell which workspace this workflow runs in.' };
    } finally {
      await ack();
    }
    if (outcome.started) return;
    try {
      await fail({ error: outcome.reason });
    } catch (error) {
      requestLogger(context, services.logger).warn({ code: (error as { data?: { error?: string } }).data?.error }, 'workflow step refused, and Slack did not take the failure');
    }
  });
}
