import type { CallVia, Provider } from '../../domain/vendor-module.js';
import type { StartRequest } from '../../domain/start-request.js';
import type { Session } from '../../domain/session.js';
import { escapeMrkdwn, link } from '../../domain/mrkdwn.js';
import { virtualUserFor, type ImbeeClient } from './client.js';
import type { CreationOutcome } from '../../domain/outcome.js';
import { asInvite, deliveredInvitee, deliveredTo, numberOption, plainContact, textOption } from '../request-parts.js';

/**
 * Imbee issues a web-chat link and sends it itself, by e-mail (`mail`) or SMS (`celullar`)
 * (seed 004); the agent also gets the link, and it can go through Genesys (`via:`).
 */
export class ImbeeWebChatProvider implements Provider {
  readonly kind = 'webchat' as const;

  constructor(private readonly deps: { client: ImbeeClient; salt: string }) {}

  readonly describeInvitee = deliveredInvitee.describeInvitee;
  readonly contactOf = deliveredInvitee.contactOf;

  async create(session: Session, request: StartRequest, via: CallVia = {}): Promise<CreationOutcome> {
    const invite = asInvite(request);
    const contact = deliveredTo(invite);
    const token = await this.deps.client.createWebToken({
      // The same person always gets the same virtual user, so Imbee's `previously_created` applies.
      virtualUser: virtualUserFor(plainContact(contact), this.deps.salt),
      ...(contact.kind === 'phone' ? { cellular: contact.e164 } : { mail: contact.address }),
      maxRetries: numberOption(invite, 'maxUses'),
      dateLimit: textOption(invite, 'expiryDate'),
    }, via);
    const how = contact.kind === 'phone' ? 'by SMS' : 'by e-mail';
    const again = token.previouslyCreated ? ' (Imbee already had a link for this person and sent the same one again)' : '';
    return {
      vendorId: token.userIdsha,
      vendorState: 'issued',
      status: 'sent',
      customerUrl: token.url,
      details: { date_limit: token.dateLimit, max_retries: token.maxRetries, previously_created: token.previouslyCreated },
      tracking: false,
      milestone: `📨 Imbee sent the web-chat link ${how} to ${escapeMrkdwn(session.contactMasked)}${again}. Valid until ${escapeMrkdwn(token.dateLimit)}, ${token.maxRetries} uses.`,
      privateNote: `💬 Web-chat link for *${escapeMrkdwn(session.reference)}*: ${link(token.url, token.url)}\nImbee sent it ${how}; you can also pass it on yourself.`,
    };
  }
}
