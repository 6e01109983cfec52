import type { Actor } from '../domain/actor.js';
import { actorLogger, type Logger } from '../domain/logger.js';
import { contactVendors, meetingVendors, moduleNamed, orList, type Catalogue } from '../domain/product-catalogue.js';
import { parseInviteStepInputs } from '../domain/workflow-step.js';
import type { SlackGateways } from '../slack/gateways.js';
import { commandToStart, type CommandDefaults } from './command-requests.js';
import type { SessionService } from './sessions.js';

export interface WorkflowStepStartDeps {
  sessions: Pick<SessionService, 'accept'>;
  gateways: SlackGateways;
  catalogue: Catalogue;
  commandDefaults(teamId: string): CommandDefaults;
  logger: Logger;
}

/** A `function_executed` of the invite step, as the listener hands it over. */
export interface StepExecution {
  teamId: string;
  enterpriseId?: string;
  functionExecutionId: string;
  /** The execution's bot_access_token: stored sealed with the creation job, never logged. */
  token: string;
  inputs: unknown;
  /** The request's logger (its correlation id) and the id itself, for its creation job. */
  logger?: Logger;
  correlationId?: string;
}

export type StepStart = { started: true; sessionId?: string } | { started: false; reason: string };

/**
 * Starts a session for a Workflow Builder step: the inputs are read into the request the command
 * would make and go through the same rules (contacts, vendor and kind available here), the
 * person it acts for must be a member of this workspace, and the session is accepted through
 * the same durable path (session row and creation job), with the execution's id and token.
 * Bad input is answered with a plain reason and nothing is created.
 */
export class WorkflowStepStart {
  constructor(private readonly deps: WorkflowStepStartDeps) {}

  async start(execution: StepExecution): Promise<StepStart> {
    const parsed = parseInviteStepInputs(execution.inputs);
    if (!parsed.ok) return { started: false, reason: parsed.reason };
    const { command, channelId, userId } = parsed.request;
    const unknown = this.unknownVendor(command.kind, command.vendor);
    if (unknown) return { started: false, reason: unknown };
    const checked = commandToStart(command, this.deps.commandDefaults(execution.teamId));
    if (!checked.ok) return { started: false, reason: plain(checked.reason) };
    const member = await this.memberProblem(execution, userId);
    if (member) return { started: false, reason: member };
    const actor: Actor = { teamId: execution.teamId, enterpriseId: execution.enterpriseId, userId, logger: execution.logger, correlationId: execution.correlationId };
    const accepted = await this.deps.sessions.accept(checked.request, channelId, actor, {}, `function:${execution.functionExecutionId}`, {
      functionExecutionId: execution.functionExecutionId,
      token: execution.token,
    });
    if (!accepted.accepted) return { started: false, reason: plain(accepted.text) };
    actorLogger(execution, this.deps.logger).info({ sessionId: accepted.sessionId, vendor: checked.request.vendor, duplicate: accepted.duplicate ?? false }, 'workflow step accepted');
    return { started: true, sessionId: accepted.sessionId };
  }

  /** A vendor name no module has: the names that would do, for the workflow's author. */
  private unknownVendor(kind: 'invite' | 'meet', vendor: string | undefined): string | undefined {
    if (!vendor) return undefined;
    const offered = (kind === 'meet' ? meetingVendors(this.deps.catalogue) : contactVendors(this.deps.catalogue)).map((module) => module.name);
    if (moduleNamed(this.deps.catalogue, vendor) && offered.includes(vendor)) return undefined;
    return `"${vendor}" is not a vendor Rendezvous can use for ${kind === 'meet' ? 'a meeting' : 'a one-to-one session'}: use ${orList(offered)}.`;
  }

  /** The person the step acts for starts the session (the card names them): one of this workspace's members. */
  private async memberProblem(execution: StepExecution, userId: string): Promise<string | undefined> {
    const { teamId } = execution;
    try {
      const roles = await this.deps.gateways.of({ teamId }).userRoles(userId);
      if (roles.teamId !== undefined && roles.teamId !== teamId) return 'The person this step acts for is not a member of this workspace, so the step cannot start a session for them.';
      return undefined;
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'user_not_found') return 'The person this step acts for was not found in this workspace.';
      actorLogger(execution, this.deps.logger).warn({ code }, 'workflow step: the acting user could not be looked up');
      return 'Slack did not say whether the person this step acts for belongs to this workspace, so nothing was started. Run the workflow again in a moment.';
    }
  }
}

/** Slack's mrkdwn (backticks, bold) means nothing in Workflow Builder's error message. */
function plain(text: string): string {
  return text.replace(/`/g, '"').replace(/\*/g, '');
}
