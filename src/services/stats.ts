import type { KnownBlock } from '@slack/types';
import { addDays, format, parseISO, startOfDay, subDays } from 'date-fns';
import { durationWords } from '../domain/milestones.js';
import { statusDisplay } from '../domain/session.js';
import { moduleNamed } from '../domain/product-catalogue.js';
import type { Logger } from '../logger.js';
import type { SessionRow } from '../store/schema.js';
import type { SessionsRepository } from '../store/sessions-repository.js';
import { escapeMrkdwn } from '../ui/mrkdwn.js';
import type { ApizeeClient } from '../vendors/apizee/client.js';
import type { TicketStats } from '../vendors/apizee/schemas.js';
import { describeError } from '../vendors/errors.js';
import { vendorModules } from '../vendors/index.js';
import type { Actor } from './sessions.js';

export interface UsageSummary {
  from: string;
  to: string;
  total: number;
  byVendor: Record<string, Record<string, number>>;
  /** Sessions the guest joined, over sessions whose invitation went out. */
  answerRate?: number;
  totalSeconds: number;
  medianSeconds?: number;
}

const median = (values: number[]): number | undefined => {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

/** Pure: the summary of a set of session rows. */
export function summarize(rows: SessionRow[], from: string, to: string): UsageSummary {
  const byVendor: UsageSummary['byVendor'] = {};
  for (const row of rows) {
    const outcomes = (byVendor[row.vendor] ??= {});
    outcomes[row.status] = (outcomes[row.status] ?? 0) + 1;
  }
  const invited = rows.filter((row) => row.status !== 'failed' && row.status !== 'creating');
  const joined = invited.filter((row) => row.joined_at);
  const durations = rows
    .filter((row) => row.joined_at && row.ended_at && row.status === 'ended')
    .map((row) => (Date.parse(row.ended_at!) - Date.parse(row.joined_at!)) / 1000);
  return {
    from,
    to,
    total: rows.length,
    byVendor,
    answerRate: invited.length > 0 ? joined.length / invited.length : undefined,
    totalSeconds: durations.reduce((sum, seconds) => sum + seconds, 0),
    medianSeconds: median(durations),
  };
}

/** Apizee's own view of its tickets (tickets-stats), for the same days. */
export interface ApizeeFigures {
  tickets: number;
  answered: number;
  smsInvitations: number;
  emailInvitations: number;
  totalCallSeconds: number;
  medianCallSeconds?: number;
  photos: number;
  videos: number;
}

export function summarizeApizee(rows: TicketStats[]): ApizeeFigures {
  const sum = (pick: (row: TicketStats) => number) => rows.reduce((total, row) => total + pick(row), 0);
  return {
    tickets: rows.length,
    answered: rows.filter((row) => row.answered).length,
    smsInvitations: sum((row) => row.smsInvitations),
    emailInvitations: sum((row) => row.emailInvitations),
    totalCallSeconds: sum((row) => row.totalCallSeconds),
    medianCallSeconds: median(rows.filter((row) => row.totalCallSeconds > 0).map((row) => row.totalCallSeconds)),
    photos: sum((row) => row.photos),
    videos: sum((row) => row.videos),
  };
}

const words = (seconds: number | undefined) => (seconds ? durationWords(new Date(0), new Date(seconds * 1000)) : 'none');
const percent = (rate: number | undefined) => (rate === undefined ? 'n/a' : `${Math.round(rate * 100)} %`);

/** The Block Kit summary; `apizee` is Apizee's figures, or why they are missing. */
export function statsBlocks(summary: UsageSummary, apizee?: ApizeeFigures | string): { text: string; blocks: KnownBlock[] } {
  const title = `Rendezvous usage ${summary.from} → ${summary.to}`;
  const text = `${title}: ${summary.total} session${summary.total === 1 ? '' : 's'}`;
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: title.slice(0, 150) } },
    {
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: `*Sessions*\n${summary.total}` },
        { type: 'mrkdwn', text: `*Answer rate*\n${percent(summary.answerRate)}` },
        { type: 'mrkdwn', text: `*Time in session*\n${words(summary.totalSeconds)}` },
        { type: 'mrkdwn', text: `*Median session*\n${words(summary.medianSeconds)}` },
      ],
    },
  ];
  const vendorLines = Object.entries(summary.byVendor).map(([vendor, outcomes]) => {
    const parts = Object.entries(outcomes).map(([status, count]) => `${statusDisplay(status).emoji} ${escapeMrkdwn(statusDisplay(status).label)}: ${count}`);
    return `*${moduleNamed(vendorModules, vendor)?.label ?? escapeMrkdwn(vendor)}*: ${parts.join(' · ')}`;
  });
  if (vendorLines.length > 0) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: vendorLines.join('\n').slice(0, 3000) } });
  if (typeof apizee === 'string') {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `Apizee's figures are missing: ${escapeMrkdwn(apizee)}` }] });
  } else if (apizee) {
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text:
          `*Apizee's own figures* (tickets-stats): ${apizee.tickets} tickets, ${apizee.answered} answered · ` +
          `${apizee.smsInvitations} SMS and ${apizee.emailInvitations} e-mail invitations · calls ${words(apizee.totalCallSeconds)} in all, median ${words(apizee.medianCallSeconds)} · ` +
          `${apizee.photos} photos, ${apizee.videos} videos`,
      },
    });
  }
  return { text, blocks };
}

/** Dates `YYYY-MM-DD`; default the last 7 days; `to` is inclusive. */
export function statsRange(from: string | undefined, to: string | undefined, now: Date): { start: Date; end: Date } {
  const today = startOfDay(now);
  const start = from ? parseISO(from) : subDays(today, 6);
  const end = to ? parseISO(to) : today;
  return { start, end };
}

/** `/rendezvous stats [<from> [<to>]]`: local session records and, when configured, Apizee's tickets-stats. */
export class StatsService {
  constructor(private readonly deps: { sessions: SessionsRepository; apizee?: ApizeeClient; logger: Logger; now?: () => Date }) {}

  async summary(from: string | undefined, to: string | undefined, actor: Actor): Promise<{ text: string; blocks: KnownBlock[] }> {
    const { start, end } = statsRange(from, to, this.deps.now?.() ?? new Date());
    const rows = await this.deps.sessions.createdBetween(actor.teamId, start, addDays(end, 1));
    const day = (date: Date) => format(date, 'yyyy-MM-dd');
    const summary = summarize(rows, day(start), day(end));
    let apizee: ApizeeFigures | string | undefined;
    if (this.deps.apizee) {
      try {
        apizee = summarizeApizee(await this.deps.apizee.ticketStats({ since: day(start), until: day(end) }));
      } catch (error) {
        this.deps.logger.warn({ err: error }, 'Apizee tickets-stats failed');
        apizee = describeError(error);
      }
    }
    return statsBlocks(summary, apizee);
  }
}
