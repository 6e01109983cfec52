import type { App } from '@slack/bolt';
import { ACTION } from '../../ui/ids.js';

/** A link button: Slack opens the URL itself but still sends the click, which must be acknowledged. */
export function registerJoinAsAgentButton(app: App): void {
  app.action(ACTION.joinAsAgent, async ({ ack }) => {
    await ack();
  });
}
