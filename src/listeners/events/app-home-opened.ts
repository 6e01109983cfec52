import { SeenIds } from '../dedupe.js';
import type { ListenerServices } from '../services.js';
import type { EventHandler } from './event-handler.js';
import { requestLogger } from '../actor.js';

/** Opening the Home tab publishes it afresh; Slack's retries of an event already handled are dropped. */
export function appHomeOpened(services: ListenerServices): EventHandler<'app_home_opened'> {
  const seen = new SeenIds();
  return async ({ event, body, context }) => {
    if (event.tab !== 'home') return;
    const eventId = body.event_id;
    if (eventId && !seen.firstTime(eventId)) {
      requestLogger(context, services.logger).debug({ eventId, retryNum: context.retryNum, retryReason: context.retryReason }, 'retried app_home_opened ignored');
      return;
    }
    const teamId = context.teamId ?? body.team_id;
    if (!teamId) return;
    await services.home.publish(teamId, event.user, context.enterpriseId ?? body.enterprise_id, requestLogger(context, services.logger));
  };
}
