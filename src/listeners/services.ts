import type { KnownBlock, ModalView } from '@slack/types';
import type { Logger } from '../domain/logger.js';
import type { Catalogue } from '../domain/product-catalogue.js';
import type { CommandDefaults } from '../services/command-requests.js';
import type { SessionAccess } from '../services/session-access.js';
import type { Actor, SessionService } from '../services/sessions.js';
import type { InstallationScope } from '../domain/installation.js';
import type { SharedLinks } from '../services/link-unfurls.js';
import type { AdminGroupSettings } from '../services/admin-group-settings.js';
import type { VendorAccountSettings } from '../services/vendor-account-settings.js';
import type { SlackGateways } from '../slack/gateways.js';
import type { StepExecution, StepStart } from '../services/workflow-step-start.js';
import type { ModalOpening } from '../slack/modal-opener.js';

/** What listeners may call: services only (no HTTP, no SQL). */
export interface ListenerServices {
  sessions: SessionService;
  /** The guard of views: a modal's private_metadata must name the workspace the request acts in. */
  access: Pick<SessionAccess, 'viewBelongs'>;
  /** The acting workspace's Slack gateway: `gateways.of(actor)`. */
  gateways: SlackGateways;
  logger: Logger;
  /** The invite modal with the vendors of the workspace (`teamId`) the request comes from. */
  modal: {
    open(teamId: string, channelId?: string, prefill?: { phone?: string; email?: string }, source?: { channelId: string; ts: string }): ModalView | undefined;
    switchTo(teamId: string, vendor: string, meeting: boolean, channelId?: string, source?: { channelId: string; ts: string }): ModalView | undefined;
  };
  /** Opens a modal within its trigger's 3 s, honouring a 429's Retry-After only where it fits. */
  views: { open(triggerId: string, view: ModalView, receivedAt: number, token: string | undefined, logger: Logger): Promise<ModalOpening> };
  directory: { vendorsText(teamId: string): string; statusText(reference: string, actor: Actor): Promise<string> };
  /** Every vendor module's declarations: the grammar, usage and modal are drawn from them. */
  catalogue: Catalogue;
  commandDefaults(teamId: string): CommandDefaults;
  stats(from: string | undefined, to: string | undefined, actor: Actor): Promise<{ text: string; blocks: KnownBlock[] }>;
  /** Publishes a user's App Home; never throws. */
  home: { publish(teamId: string, userId: string, enterpriseId: string | null | undefined, logger: Logger): Promise<void> };
  /** OAuth install only: a workspace removed the app or revoked its bot token. */
  installations?: { uninstalled(scope: InstallationScope, why: 'app_uninstalled' | 'tokens_revoked', logger: Logger): Promise<void> };
  /** The App Home's vendor accounts (admins): the form of each vendor, and saving it. */
  vendorAccounts: Pick<VendorAccountSettings, 'fieldsOf' | 'form' | 'submit'>;
  /** The App Home's admin user group of the workspace (admins): its form, and saving it. */
  adminGroup: Pick<AdminGroupSettings, 'form' | 'submit'>;
  /** The Workflow Builder step: checks its inputs and accepts its session (or says why not). */
  workflowSteps: { start(execution: StepExecution): Promise<StepStart> };
  /** Pasted agent links of the workspace's sessions: unfurled (chat.unfurl); never throws. */
  unfurls: { shared(event: SharedLinks): Promise<number> };
}
