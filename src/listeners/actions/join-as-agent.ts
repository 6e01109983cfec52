import type { ActionHandler } from './action-handler.js';

/** A link button: Slack opens the URL itself but still sends the click, which the router acknowledges. */
export const joinAsAgentButton: ActionHandler = async () => undefined;
