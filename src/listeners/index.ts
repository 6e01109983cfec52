import type { App } from '@slack/bolt';
import { registerCancelButton } from './actions/cancel.js';
import { registerCustomerLinkButton } from './actions/customer-link.js';
import { registerHomeStartSessionButton } from './actions/home-start-session.js';
import { registerJoinAsAgentButton } from './actions/join-as-agent.js';
import { registerRefreshButton } from './actions/refresh.js';
import { registerResendButton } from './actions/resend.js';
import { registerModalSwitches } from './actions/modal-switches.js';
import { registerRendezvousCommand } from './commands/rendezvous.js';
import { registerAppHomeOpened } from './events/app-home-opened.js';
import type { ListenerServices } from './services.js';
import { registerInviteFromMessageShortcut } from './shortcuts/invite-from-message.js';
import { registerStartSessionShortcut } from './shortcuts/start-session.js';
import { registerInviteSubmission } from './views/invite-submission.js';

export function registerListeners(app: App, services: ListenerServices): void {
  registerRendezvousCommand(app, services);
  registerInviteSubmission(app, services);
  registerStartSessionShortcut(app, services);
  registerInviteFromMessageShortcut(app, services);
  registerModalSwitches(app, services);
  registerJoinAsAgentButton(app);
  registerCustomerLinkButton(app, services);
  registerRefreshButton(app, services);
  registerCancelButton(app, services);
  registerResendButton(app, services);
  registerAppHomeOpened(app, services);
  registerHomeStartSessionButton(app, services);
}
