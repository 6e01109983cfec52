import type { App } from '@slack/bolt';
import { registerActions } from './actions/index.js';
import { registerRendezvousCommand } from './commands/rendezvous.js';
import { registerAppHomeOpened } from './events/app-home-opened.js';
import { registerInviteStep } from './functions/invite-step.js';
import { registerUninstallEvents } from './events/app-uninstalled.js';
import { registerLinkShared } from './events/link-shared.js';
import type { ListenerServices } from './services.js';
import { registerShortcuts } from './shortcuts/index.js';
import { registerInviteSubmission } from './views/invite-submission.js';
import { registerAdminGroupSubmission } from './views/admin-group-submission.js';
import { registerVendorAccountSubmission } from './views/vendor-account-submission.js';

/**
 * Bolt listeners: the command, the modal submissions, actions, shortcuts, the Home event,
 * link_shared and the Workflow Builder step; with OAuth install, the uninstall events too.
 */
export function registerListeners(app: App, services: ListenerServices): void {
  registerRendezvousCommand(app, services);
  registerInviteSubmission(app, services);
  registerVendorAccountSubmission(app, services);
  registerAdminGroupSubmission(app, services);
  registerActions(app, services);
  registerShortcuts(app, services);
  registerAppHomeOpened(app, services);
  // The Workflow Builder step (manifest.yml `functions:`).
  registerInviteStep(app, services);
  registerLinkShared(app, services);
  if (services.installations) registerUninstallEvents(app, services.installations, services);
}
