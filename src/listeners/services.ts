import type { Logger } from '../logger.js';
import type { SessionService } from '../services/sessions.js';
import type { SlackGateway } from '../slack/gateway.js';

/** What listeners may call: services only (no HTTP, no SQL). */
export interface ListenerServices {
  sessions: SessionService;
  gateway: SlackGateway;
  logger: Logger;
  modalDefaults: { agent?: string };
}
