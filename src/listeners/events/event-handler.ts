import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';

/** What answers one Events API event type (routed by type in ./index.ts). */
export type EventHandler<Type extends string> = (args: SlackEventMiddlewareArgs<Type> & AllMiddlewareArgs) => Promise<void>;
