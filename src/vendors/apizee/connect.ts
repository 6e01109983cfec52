import type { VendorConnection, VendorDeps } from '../../domain/vendor-module.js';
import { RateBudget } from '../rate-budget.js';
import { ApizeeClient, type ApizeeSettings } from './client.js';
import { ApizeeConferenceTracker } from './conference-tracker.js';
import { ApizeeConferenceProvider, ApizeeTicketProvider } from './providers.js';
import { ApizeeTicketTracker } from './ticket-tracker.js';
import { apizeeAgentLinks } from './agent-links.js';
import { apizeeUsage } from './usage.js';
import { apizeeWebhook } from './webhook.js';

/** One Apizee account: tickets and conferences, followed by polling (and webhooks when a secret is set). */
export function connectApizee(settings: ApizeeSettings, deps: VendorDeps): VendorConnection {
  // Counted in the database when given, so that replicas share the account's limit. A request
  // with no answer holds its slot at least as long as it may take (rate-budget.ts).
  const maxRequestMs = Math.max(60_000, settings.timeoutMs);
  const budget = new RateBudget(settings.ratePerMinute, { ledger: deps.ledger, account: `apizee:${settings.username}`, maxRequestMs, observer: deps.budgetObserver });
  const client = new ApizeeClient(settings, { logger: deps.logger, health: deps.health, budget });
  const trackerDeps = { client, logger: deps.logger, intervalMs: deps.trackIntervalMs };
  const tickets = new ApizeeTicketTracker(trackerDeps);
  const conferences = new ApizeeConferenceTracker(trackerDeps);
  return {
    providers: [
      new ApizeeTicketProvider({ client, tracker: tickets, agent: settings.agent, portalUrl: portalOf(settings) }),
      new ApizeeConferenceProvider({ client, tracker: conferences, agent: settings.agent }),
    ],
    trackers: [tickets, conferences],
    budget: client.budget,
    webhook: settings.webhookSecret ? apizeeWebhook(settings.webhookSecret) : undefined,
    usage: (from, to, via) => apizeeUsage(client, from, to, via),
    check: { call: 'a token (POST /token)', run: (via) => client.checkLogin(via) },
    agentLinks: apizeeAgentLinks(portalOf(settings)),
    async stop() {
      client.budget.stop();
    },
  };
}

/**
 * Apizee's agent portal (seed 003: `agent_url` https://cloud.apizee.com): APIZEE_PORTAL_URL, else
 * the API's address without its `/api` path.
 */
function portalOf(settings: Pick<ApizeeSettings, 'apiUrl' | 'portalUrl'>): string {
  return new URL(settings.portalUrl ?? settings.apiUrl).origin;
}
