import { statusDisplay } from '../domain/session.js';
import { moduleNamed, vendorLabel, type Catalogue } from '../domain/product-catalogue.js';
import type { LastCall } from '../domain/vendor-health.js';
import { escapeMrkdwn, slackDate } from './mrkdwn.js';
import { cardTitle, type CardSession } from './session-card.js';

/** `/rendezvous vendors`: what is configured, what each can do, and how its last call went. */
export function vendorsText(vendors: Array<{ vendor: string; lastCall?: LastCall }>, catalogue: Catalogue): string {
  if (vendors.length === 0) return 'No vendor is set up in this workspace yet: an admin must add credentials first.';
  const lines = vendors.map(({ vendor, lastCall }) => {
    const what = (moduleNamed(catalogue, vendor)?.products ?? []).map((product) => `    • ${product.summary}`).join('\n');
    const health = lastCall
      ? `${lastCall.ok ? '✅ last call worked' : `⚠️ last call failed (${escapeMrkdwn(lastCall.code ?? 'error')})`} ${slackDate(lastCall.at)} (${escapeMrkdwn(lastCall.operation)})`
      : '◻️ not called since the app started';
    return `*${vendorLabel(catalogue, vendor)}* — ${health}\n${what}`;
  });
  return `*Vendors set up here*\n${lines.join('\n')}`;
}

/** `/rendezvous status <reference>`: the sessions with that reference, with links to their cards. */
export function statusText(reference: string, sessions: Array<{ session: CardSession; permalink?: string }>, catalogue: Catalogue): string {
  if (sessions.length === 0) return `No session has the reference *${escapeMrkdwn(reference)}* in this workspace.`;
  const lines = sessions.slice(0, 20).map(({ session, permalink }) => {
    const { emoji, label } = statusDisplay(session.status, vendorLabel(catalogue, session.vendor));
    const card = permalink ? ` · <${permalink}|open the card>` : '';
    return `• ${escapeMrkdwn(cardTitle(session, catalogue))} for ${escapeMrkdwn(session.contactMasked)}: ${emoji} ${escapeMrkdwn(label)} · started ${slackDate(session.createdAt)}${card}`;
  });
  const more = sessions.length > 20 ? `\n…and ${sessions.length - 20} older ones.` : '';
  return `*Sessions with the reference ${escapeMrkdwn(reference)}*\n${lines.join('\n')}${more}`;
}
