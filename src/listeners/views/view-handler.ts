import type { AllMiddlewareArgs, SlackViewMiddlewareArgs } from '@slack/bolt';

/** What answers one modal's submission (routed by callback id in ./index.ts). */
export type ViewHandler = (args: SlackViewMiddlewareArgs & AllMiddlewareArgs) => Promise<void>;
