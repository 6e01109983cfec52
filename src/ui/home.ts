import type { ContextBlock, HomeView, KnownBlock, ModalView, SectionBlock } from '@slack/types';
import { isFinal, statusDisplay, type Session } from '../domain/session.js';
import { vendorLabel, type Catalogue } from '../domain/product-catalogue.js';
import type { LastCall } from '../domain/vendor-health.js';
import { ACTION } from './ids.js';
import { escapeMrkdwn, link, slackDate, truncate } from './mrkdwn.js';
import { cardTitle } from './session-card.js';
import { adminGroupSection, type AdminGroupLine } from './admin-group.js';
import { vendorAccountsSection, type VendorAccountLine } from './vendor-accounts.js';

/** What the App Home shows of one session: never the contact itself, only its masked form. */
export type HomeSession = Pick<Session, 'vendor' | 'kind' | 'reference' | 'contactMasked' | 'status' | 'createdAt'> & {
  /** The card's permalink, when it was looked up. */
  permalink?: string;
};

export interface HomeViewInput {
  userId: string;
  /** Sessions not yet final, newest first. */
  active: HomeSession[];
  /** Finished sessions, newest first; the first ten are shown. */
  recent: HomeSession[];
  /** The vendors configured in this workspace, with their last call. */
  vendors: Array<{ vendor: string; lastCall?: LastCall }>;
  isAdmin: boolean;
  /** Admins only: the workspace's account with each vendor, each with its button (set up, change). */
  vendorAccounts?: VendorAccountLine[];
  /** Admins only: the workspace's admin user group, with its "Change" button. */
  adminGroup?: AdminGroupLine;
  /** Every vendor module's declarations (labels, products), in order. */
  catalogue: Catalogue;
  /** Thread replies of the user's sessions that Slack refused for good, newest first. */
  notPosted?: NotPostedReply[];
}

/** A thread reply set aside: its channel refused it (archived, app removed…) or every try failed. */
export interface NotPostedReply {
  vendor: string;
  reference: string;
  channelId: string;
  /** The milestone (`joined`, `ended`…). */
  key: string;
  /** Slack's error code. */
  error: string | null;
  deadLetteredAt: Date;
}

/** Slack's limits for a view (PRODUCT.md §4), with a little room kept. */
const MAX_VIEW_BLOCKS = 100;
const MAX_SECTION_CHARS = 3000;
/** Active sessions get a block each; past this, a line says how many more there are. */
export const MAX_ACTIVE_SHOWN = 20;
export const MAX_RECENT_SHOWN = 10;
export const MAX_DEAD_LETTERS_SHOWN = 10;
/** Raw lengths before escaping (which may grow `&` fivefold), so every line stays well under a section's limit. */
const MAX_FIELD_CHARS = 60;
const MAX_PERMALINK_CHARS = 300;

/** The App Home of one user: their sessions, vendor health and, for admins, what is configured. */
export function homeView(input: HomeViewInput): HomeView {
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: 'Rendezvous', emoji: true } },
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `${greeting(input.userId)}Invite someone outside Slack into a remote session: its card and thread keep the channel up to date.`,
      },
    },
    {
      type: 'actions',
      block_id: 'home_actions',
      elements: [
        {
          type: 'button',
          action_id: ACTION.homeStartSession,
          text: { type: 'plain_text', text: 'Start a remote session', emoji: true },
          style: 'primary',
        },
      ],
    },
    { type: 'divider' },
    ...activeBlocks(input.active.filter((session) => !isFinal(session.status)), input.catalogue),
    { type: 'divider' },
    ...recentBlocks(input.recent.slice(0, MAX_RECENT_SHOWN), input.catalogue),
    { type: 'divider' },
    ...notPostedBlocks(input.notPosted ?? [], input.catalogue),
    ...sections('*Vendor health*', vendorLines(input.vendors, input.catalogue), 'No vendor is set up in this workspace yet: an admin must add credentials first.'),
  ];
  if (input.isAdmin && (input.adminGroup || input.vendorAccounts)) blocks.push({ type: 'divider' });
  if (input.isAdmin && input.adminGroup) blocks.push(...adminGroupSection(input.adminGroup));
  if (input.isAdmin && input.vendorAccounts) blocks.push(...vendorAccountsSection(input.vendorAccounts));
  // Every part above is bounded; this only guards against a future change breaking the limit.
  return { type: 'home', blocks: blocks.slice(0, MAX_VIEW_BLOCKS) };
}

/** Shown instead of the invite modal when no vendor is set up (the Home tab has no ephemeral replies). */
export function noVendorModal(): ModalView {
  return {
    type: 'modal',
    title: { type: 'plain_text', text: 'Rendezvous' },
    close: { type: 'plain_text', text: 'Close' },
    blocks: [
      {
        type: 'section',
        text: { type: 'mrkdwn', text: 'No vendor is set up in this workspace yet: an admin must add credentials first.' },
      },
    ],
  };
}

function greeting(userId: string): string {
  return /^[UW][A-Z0-9]+$/.test(userId) ? `Hello <@${userId}>! ` : '';
}

function activeBlocks(active: HomeSession[], catalogue: Catalogue): KnownBlock[] {
  const title: SectionBlock = { type: 'section', text: { type: 'mrkdwn', text: '*Your active sessions*' } };
  if (active.length === 0) {
    return [
      title,
      context('Nothing in progress. Start a session with the button above, or type `/rendezvous +33612345678` in a channel.'),
    ];
  }
  const shown = active.slice(0, MAX_ACTIVE_SHOWN).map((session): SectionBlock => {
    const { emoji, label } = statusDisplay(session.status, vendorLabel(catalogue, session.vendor));
    const text =
      `${emoji} *${field(cardTitle(session, catalogue))}* · ${code(session.reference)}\n` +
      `${field(label)} · ${field(session.contactMasked)} · started ${date(session.createdAt)}${cardLink(session)}`;
    return { type: 'section', text: { type: 'mrkdwn', text: truncate(text, MAX_SECTION_CHARS) } };
  });
  const more = active.length - shown.length;
  return [
    title,
    ...shown,
    ...(more > 0 ? [context(`…and ${more} more active ${more === 1 ? 'session' : 'sessions'}: \`/rendezvous status <reference>\` finds any of them.`)] : []),
  ];
}

function recentBlocks(recent: HomeSession[], catalogue: Catalogue): KnownBlock[] {
  const lines = recent.map((session) => {
    const { emoji, label } = statusDisplay(session.status, vendorLabel(catalogue, session.vendor));
    return `${emoji} *${field(cardTitle(session, catalogue))}* · ${code(session.reference)} · ${field(label)} · ${field(session.contactMasked)} · started ${date(session.createdAt)}${cardLink(session)}`;
  });
  return sections('*Recently finished*', lines, 'Nothing finished yet: your ended, cancelled or expired sessions will show here.');
}

/** Shown only when there is something: the replies a channel refused, so the starter still sees them. */
function notPostedBlocks(replies: NotPostedReply[], catalogue: Catalogue): KnownBlock[] {
  if (replies.length === 0) return [];
  const lines = replies.slice(0, MAX_DEAD_LETTERS_SHOWN).map((reply) => {
    const where = /^[A-Z0-9]+$/.test(reply.channelId) ? `<#${reply.channelId}>` : 'its channel';
    return `⚠️ ${code(reply.reference)} · ${field(vendorLabel(catalogue, reply.vendor))} · ${field(reply.key)} in ${where} · ${date(reply.deadLetteredAt)} (${code(reply.error ?? 'refused')})`;
  });
  return [
    ...sections('*Replies that could not be posted*', lines, ''),
    context('Slack refused these thread replies (archived channel, app removed…). `/rendezvous status <reference>` shows the session as it is now.'),
    { type: 'divider' },
  ];
}

/** One compact line per configured vendor, like `/rendezvous vendors` without the product list. */
function vendorLines(vendors: HomeViewInput['vendors'], catalogue: Catalogue): string[] {
  return vendors.map(({ vendor, lastCall }) => {
    const health = lastCall
      ? `${lastCall.ok ? '✅ last call worked' : `⚠️ last call failed (${field(lastCall.code ?? 'error')})`} ${date(new Date(lastCall.at))} (${field(lastCall.operation)})`
      : '◻️ not called since the app started';
    return `*${field(vendorLabel(catalogue, vendor))}* — ${health}`;
  });
}

/**
 * A title and its lines packed into as few sections as fit Slack's 3000 characters each; the
 * empty text (in a context block) when there are no lines.
 */
function sections(title: string, lines: string[], empty: string): KnownBlock[] {
  const blocks: KnownBlock[] = [];
  let text = title;
  for (const line of lines.map((item) => truncate(item, MAX_SECTION_CHARS - title.length - 1))) {
    if (text.length + 1 + line.length > MAX_SECTION_CHARS) {
      blocks.push(section(text));
      text = line;
    } else {
      text = `${text}\n${line}`;
    }
  }
  blocks.push(section(text));
  if (lines.length === 0 && empty) blocks.push(context(empty));
  return blocks;
}

function section(text: string): SectionBlock {
  return { type: 'section', text: { type: 'mrkdwn', text } };
}

function context(text: string): ContextBlock {
  return { type: 'context', elements: [{ type: 'mrkdwn', text }] };
}

/** User- or vendor-supplied text, shortened then escaped. */
function field(text: string): string {
  return escapeMrkdwn(truncate(text, MAX_FIELD_CHARS));
}

/** A reference in a code span; a backtick inside would end it early. */
function code(text: string): string {
  return `\`${field(text.replace(/`/g, "'"))}\``;
}

function date(when: Date): string {
  return Number.isNaN(when.getTime()) ? 'at an unknown date' : slackDate(when);
}

function cardLink(session: HomeSession): string {
  return session.permalink && session.permalink.length <= MAX_PERMALINK_CHARS ? ` · ${link(session.permalink, 'open the card')}` : '';
}
