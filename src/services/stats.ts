import { addDays, format, parseISO, startOfDay, subDays } from 'date-fns';
import { statusDisplay } from '../domain/session.js';
import { durationWords } from '../domain/milestones.js';
import { VENDOR_LABELS, type VendorName } from '../domain/vendors.js';
import type { SessionRow } from '../store/schema.js';
import type { SessionsRepository } from '../store/sessions-repository.js';
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
    .map((row) => (Date.parse(row.ended_at!) - Date.parse(row.joined_at!)) / 1000)
    .sort((a, b) => a - b);
  const middle = Math.floor(durations.length / 2);
  const median = durations.length === 0 ? undefined : durations.length % 2 ? durations[middle]! : (durations[middle - 1]! + durations[middle]!) / 2;
  return {
    from,
    to,
    total: rows.length,
    byVendor,
    answerRate: invited.length > 0 ? joined.length / invited.length : undefined,
    totalSeconds: durations.reduce((sum, seconds) => sum + seconds, 0),
    medianSeconds: median,
  };
}

const words = (seconds: number) => (seconds > 0 ? durationWords(new Date(0), new Date(seconds * 1000)) : 'none');

export function summaryText(summary: UsageSummary): string {
  const header = `*Rendezvous usage ${summary.from} → ${summary.to}*: ${summary.total} session${summary.total === 1 ? '' : 's'}`;
  if (summary.total === 0) return `${header}.`;
  const vendors = Object.entries(summary.byVendor).map(([vendor, outcomes]) => {
    const parts = Object.entries(outcomes).map(([status, count]) => `${statusDisplay(status).emoji} ${statusDisplay(status).label}: ${count}`);
    return `• *${VENDOR_LABELS[vendor as VendorName] ?? vendor}*: ${parts.join(' · ')}`;
  });
  const rate = summary.answerRate === undefined ? 'n/a' : `${Math.round(summary.answerRate * 100)} %`;
  const median = summary.medianSeconds === undefined ? 'n/a' : words(summary.medianSeconds);
  return `${header}\n${vendors.join('\n')}\nAnswer rate: ${rate} · total time in session: ${words(summary.totalSeconds)} · median: ${median}`;
}

/** `/rendezvous stats [<from> [<to>]]`: default the last 7 days; `to` is inclusive. */
export class StatsService {
  constructor(private readonly deps: { sessions: SessionsRepository; now?: () => Date }) {}

  async text(from: string | undefined, to: string | undefined, actor: Actor): Promise<string> {
    const today = startOfDay(this.deps.now?.() ?? new Date());
    const start = from ? parseISO(from) : subDays(today, 6);
    const end = to ? parseISO(to) : from ? today : today;
    const rows = await this.deps.sessions.createdBetween(actor.teamId, start, addDays(end, 1));
    return summaryText(summarize(rows, format(start, 'yyyy-MM-dd'), format(end, 'yyyy-MM-dd')));
  }
}
