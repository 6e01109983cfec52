import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { ListenerServices } from '../services.js';

/** What one block action's listener gets: Bolt's arguments (already acknowledged) and the services. */
export type ActionArgs = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;

/** One action's handler; `actions/index.ts` routes to it by action id after acking. */
export type ActionHandler = (args: ActionArgs, services: ListenerServices) => Promise<void>;
