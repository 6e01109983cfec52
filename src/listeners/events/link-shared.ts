import { z } from 'zod';
import { SeenIds } from '../dedupe.js';
import type { ListenerServices } from '../services.js';
import type { EventHandler } from './event-handler.js';
import { requestLogger } from '../actor.js';

/**
 * Slack's `link_shared` event (links of a domain under the manifest's `unfurl_domains`): a posted
 * message's `channel` and `message_ts`, or, in the composer, `unfurl_id` and `source: composer`.
 */
const LinkShared = z.object({
  type: z.literal('link_shared'),
  channel: z.string().optional(),
  message_ts: z.string().optional(),
  unfurl_id: z.string().optional(),
  source: z.string().optional(),
  user: z.string().optional(),
  links: z.array(z.object({ url: z.string(), domain: z.string().optional() })).max(100),
});

/** A pasted link of the workspace's session unfurls into its live preview; retries of a handled event are dropped. */
export function linkShared(services: ListenerServices): EventHandler<'link_shared'> {
  const seen = new SeenIds();
  return async ({ event, body, context }) => {
    const parsed = LinkShared.safeParse(event);
    if (!parsed.success) {
      requestLogger(context, services.logger).warn({ problems: parsed.error.issues.map((issue) => issue.path.join('.')) }, 'link_shared event of an unknown shape ignored');
      return;
    }
    if (body.event_id && !seen.firstTime(body.event_id)) return;
    const teamId = context.teamId ?? body.team_id;
    if (!teamId) return;
    const { channel, message_ts: messageTs, unfurl_id: unfurlId, source, links } = parsed.data;
    await services.unfurls.shared({ teamId, enterpriseId: context.enterpriseId ?? body.enterprise_id ?? null, channel, messageTs, unfurlId, source, links });
  };
}
