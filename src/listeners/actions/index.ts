import type { App } from '@slack/bolt';
import { ACTION } from '../../ui/ids.js';
import type { ListenerServices } from '../services.js';
import type { ActionHandler } from './action-handler.js';
import { cancelButton } from './cancel.js';
import { customerLinkButton } from './customer-link.js';
import { homeAdminGroupButton } from './home-admin-group.js';
import { homeStartSessionButton } from './home-start-session.js';
import { homeVendorAccountButton } from './home-vendor-account.js';
import { joinAsAgentButton } from './join-as-agent.js';
import { modalSwitch } from './modal-switches.js';
import { refreshButton } from './refresh.js';
import { resendButton } from './resend.js';
import { withRequestLogger } from '../actor.js';
import { exactIds } from '../exact-ids.js';

/** Every block action the app sends, and the handler that answers it. */
export const ACTION_HANDLERS: Record<(typeof ACTION)[keyof typeof ACTION], ActionHandler> = {
  [ACTION.joinAsAgent]: joinAsAgentButton,
  // A link button too (the unfurl's "Open the card"): acknowledged, nothing else.
  [ACTION.unfurlOpenCard]: joinAsAgentButton,
  [ACTION.customerLink]: customerLinkButton,
  [ACTION.refresh]: refreshButton,
  [ACTION.cancel]: cancelButton,
  [ACTION.resend]: resendButton,
  [ACTION.vendorSelect]: modalSwitch,
  [ACTION.kindSelect]: modalSwitch,
  [ACTION.homeStartSession]: homeStartSessionButton,
  [ACTION.homeVendorAccount]: homeVendorAccountButton,
  [ACTION.homeAdminGroup]: homeAdminGroupButton,
};

/**
 * One Bolt listener for all block actions, routing by action id. Bolt runs every registered
 * listener's matchers on every request it receives, so one listener instead of eight keeps a
 * slash command's ack as cheap as a bare Bolt app's (measured in `npm run bench`).
 */
export function registerActions(app: App, services: ListenerServices): void {
  const handlers = new Map<string, ActionHandler>(Object.entries(ACTION_HANDLERS));
  app.action(exactIds(handlers.keys()), async (args) => {
    await args.ack();
    const actionId = 'action_id' in args.action ? args.action.action_id : undefined;
    const handler = actionId === undefined ? undefined : handlers.get(actionId);
    if (args.body.type === 'block_actions' && handler) await handler(args as Parameters<ActionHandler>[0], withRequestLogger(services, args.context));
  });
}
