import type { KnownBlock } from '@slack/types';
import { addDays, format, parseISO, startOfDay, subDays } from 'date-fns';
import { durationWords } from '../domain/milestones.js';
import { type Session, statusDisplay } from '../domain/session.js';
import { vendorLabel, type Catalogue } from '../domain/product-catalogue.js';
import { actorLogger, type Logger } from '../domain/logger.js';
import type { SessionsRepository } from '../store/sessions-repository.js';
import { escapeMrkdwn, fitMrkdwn, messageText, SLACK_LIMITS, truncate } from '../domain/mrkdwn.js';
import { describeError } from '../vendors/errors.js';
import type { Actor } from './sessions.js';
import { NO_SPARE } from './spare-budget.js';
import { StatsCache } from './stats-cache.js';
import type { SpareRequests, TeamVendors, VendorUsage } from './team-vendors.js';

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
export function summarize(rows: Session[], from: string, to: string): UsageSummary {
  const byVendor: UsageSummary['byVendor'] = {};
  for (const row of rows) {
    const outcomes = (byVendor[row.vendor] ??= {});
    outcomes[row.status] = (outcomes[row.status] ?? 0) + 1;
  }
  const invited = rows.filter((row) => row.status !== 'failed' && row.status !== 'creating');
  const joined = invited.filter((row) => row.joinedAt);
  const durations = rows
    .filter((row) => row.joinedAt && row.endedAt && row.status === 'ended')
    .map((row) => (row.endedAt!.getTime() - row.joinedAt!.getTime()) / 1000);
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

const words = (seconds: number | undefined) => (seconds ? durationWords(new Date(0), new Date(seconds * 1000)) : 'none');
const percent = (rate: number | undefined) => (rate === undefined ? 'n/a' : `${Math.round(rate * 100)} %`);

/** One vendor's own figures for the same days, or why they are missing. */
export interface VendorFigures {
  vendor: string;
  figures: { title: string; lines: string[] } | string;
}

/** "40 s ago", "3 min ago": how old an answer served from the cache is. */
export function ageWords(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  return seconds < 60 ? `${seconds} s ago` : `${Math.floor(seconds / 60)} min ago`;
}

/** The Block Kit summary, then each vendor's own figures; `asOf` when the figures come from the cache. */
export function statsBlocks(
  summary: UsageSummary,
  catalogue: Catalogue,
  vendors: VendorFigures[] = [],
  asOf?: string,
): { text: string; blocks: KnownBlock[] } {
  const title = `Rendezvous usage ${summary.from} → ${summary.to}`;
  const age = asOf ? ` (as of ${asOf})` : '';
  const text = messageText(`${escapeMrkdwn(title)}: ${summary.total} session${summary.total === 1 ? '' : 's'}${age}`);
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(title, SLACK_LIMITS.headerText) } },
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
    return `*${escapeMrkdwn(vendorLabel(catalogue, vendor))}*: ${parts.join(' · ')}`;
  });
  if (vendorLines.length > 0) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncate(vendorLines.join('\n'), SLACK_LIMITS.sectionText) } });
  for (const { vendor, figures } of vendors) {
    if (typeof figures === 'string') {
      blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: fitMrkdwn(`${vendorLabel(catalogue, vendor)}'s figures are missing: ${figures}`, SLACK_LIMITS.contextText) }] });
    } else {
      blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncate(`*${escapeMrkdwn(figures.title)}*: ${figures.lines.join(' · ')}`, SLACK_LIMITS.sectionText) } });
    }
  }
  if (asOf) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `As of ${asOf}: figures are kept ${STATS_TTL_MINUTES} minutes, so that asking again costs the vendors nothing.` }] });
  return { text, blocks };
}

/** How long a team's answer is kept. */
export const STATS_TTL_MINUTES = 5;

/** Why a budgeted vendor's figures were not asked for (SpareBudget said no). */
export const NO_SPARE_FIGURES = 'its requests are kept for new sessions and tracking right now, so Rendezvous did not ask. Try again in a few minutes.';

/** Dates `YYYY-MM-DD`; default the last 7 days; `to` is inclusive. */
export function statsRange(from: string | undefined, to: string | undefined, now: Date): { start: Date; end: Date } {
  const today = startOfDay(now);
  const start = from ? parseISO(from) : subDays(today, 6);
  const end = to ? parseISO(to) : today;
  return { start, end };
}

interface StatsAnswer {
  summary: UsageSummary;
  vendors: VendorFigures[];
}

export interface StatsServiceDeps {
  sessions: SessionsRepository;
  /** A workspace's vendors: their own usage figures, asked only with a spare request of their budget. */
  vendors(teamId: string): Pick<TeamVendors, 'usage' | 'spare'>;
  catalogue: Catalogue;
  logger: Logger;
  now?: () => Date;
  /** How long a team's answer is kept (default 5 minutes). */
  cacheTtlMs?: number;
}

/**
 * `/rendezvous stats [<from> [<to>]]`: local session records and the vendors' own usage figures.
 * Any member may ask, and a vendor's figures cost one of its requests (Apizee: 10 a minute), so
 * each team's answer for a range is kept 5 minutes and said to be as old as it is; a budgeted
 * vendor is asked only when a request is spare (SpareBudget), never queued ahead of new sessions.
 */
export class StatsService {
  private readonly cache: StatsCache<StatsAnswer>;

  constructor(private readonly deps: StatsServiceDeps) {
    this.cache = new StatsCache({ ttlMs: deps.cacheTtlMs ?? STATS_TTL_MINUTES * 60_000, now: () => this.now().getTime() });
  }

  async summary(from: string | undefined, to: string | undefined, actor: Actor): Promise<{ text: string; blocks: KnownBlock[] }> {
    const now = this.now();
    const { start, end } = statsRange(from, to, now);
    const day = (date: Date) => format(date, 'yyyy-MM-dd');
    const key = `${actor.teamId}:${day(start)}:${day(end)}`;
    const cached = this.cache.get(key);
    if (cached) return statsBlocks(cached.value.summary, this.deps.catalogue, cached.value.vendors, ageWords(now.getTime() - cached.at));
    const sessions = await this.deps.sessions.createdBetween(actor.teamId, start, addDays(end, 1));
    const summary = summarize(sessions, day(start), day(end));
    const { usage, spare } = this.deps.vendors(actor.teamId);
    // The vendors' calls and failures log under the command's id.
    const logger = usage.length > 0 ? actorLogger(actor, this.deps.logger) : this.deps.logger;
    const figures = await Promise.all(usage.map((vendorUsage) => this.figuresOf(vendorUsage, spare, start, end, logger)));
    const vendors = figures.map(({ figures }) => figures);
    // An answer missing figures only for want of a spare request is not kept: the next ask may get them.
    if (figures.every(({ asked }) => asked)) this.cache.set(key, { summary, vendors });
    return statsBlocks(summary, this.deps.catalogue, vendors);
  }

  private async figuresOf({ vendor, usage }: VendorUsage, spare: SpareRequests, start: Date, end: Date, logger: Logger): Promise<{ figures: VendorFigures; asked: boolean }> {
    try {
      const answer = await spare.run(vendor, 1, () => usage(start, end, { logger }));
      if (answer === NO_SPARE) return { figures: { vendor, figures: NO_SPARE_FIGURES }, asked: false };
      return { figures: { vendor, figures: answer }, asked: true };
    } catch (error) {
      logger.warn({ vendor, err: error }, 'vendor usage figures failed');
      return { figures: { vendor, figures: describeError(error, (name) => vendorLabel(this.deps.catalogue, name)) }, asked: true };
    }
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }
}
