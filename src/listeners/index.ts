import type { App } from '@slack/bolt';
import { registerActions } from './actions/index.js';
import { registerRendezvousCommand } from './commands/rendezvous.js';
import { registerEvents } from './events/index.js';
import { registerInviteStep } from './functions/invite-step.js';
import type { ListenerServices } from './services.js';
import { registerShortcuts } from './shortcuts/index.js';
import { registerViews } from './views/index.js';

/**
 * Bolt listeners: the command, the modal submissions, actions, shortcuts, the Home event,
 * link_shared and the Workflow Builder step; with OAuth install, the uninstall events too.
 */
export function registerListeners(app: App, services: ListenerServices): void {
  registerRendezvousCommand(app, services);
  registerViews(app, services);
  registerActions(app, services);
  registerShortcuts(app, services);
  registerEvents(app, services);
  // The Workflow Builder step (manifest.yml `functions:`).
  registerInviteStep(app, services);
}
