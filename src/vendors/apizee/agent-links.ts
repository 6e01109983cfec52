import type { AgentLinks } from '../../domain/vendor-module.js';

/**
 * A ticket's agent room (seed 003): `agent_url` + `/entrypoint/{button_id}/tickets/{id}`, where
 * `agent_url` is the portal (https://cloud.apizee.com). Nothing else on the portal is an agent
 * link of a session: the `sso_url` (`?access_token=…`) works once, the customer's
 * `requestor_url` (diag.…?convId=…&pwd=…) and a meeting's `url`/`short_url` are the guests' own
 * credentials, on other hosts, and never match.
 */
const TICKET_PATH = /^\/entrypoint\/(\d{1,15})\/tickets\/(\d{1,15})\/?$/;

/** The agent links of an Apizee account whose portal is `portalUrl`. */
export function apizeeAgentLinks(portalUrl: string): AgentLinks {
  const portal = new URL(portalUrl);
  return {
    hosts: [portal.host],
    sessionOf(link) {
      const url = parsed(link);
      if (!url || url.protocol !== portal.protocol || url.host !== portal.host) return undefined;
      // A query or fragment may carry a token (the sso_url's access_token): such a link is never unfurled.
      if (url.username || url.password || url.search || url.hash) return undefined;
      const match = TICKET_PATH.exec(url.pathname);
      return match ? { kind: 'ticket', vendorId: String(Number(match[2])) } : undefined;
    },
  };
}

function parsed(link: string): URL | undefined {
  try {
    return new URL(link);
  } catch {
    return undefined;
  }
}
