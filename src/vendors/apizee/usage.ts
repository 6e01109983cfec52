import { format } from 'date-fns';
import { durationWords } from '../../domain/milestones.js';
import type { CallVia } from '../observed-call.js';
import type { ApizeeClient } from './client.js';
import type { TicketStats } from './schemas.js';

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

const median = (values: number[]): number | undefined => {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

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

/** The figures as `/rendezvous stats` lines. */
export function apizeeUsageLines(figures: ApizeeFigures): { title: string; lines: string[] } {
  return {
    title: "Apizee's own figures (tickets-stats)",
    lines: [
      `${figures.tickets} tickets, ${figures.answered} answered`,
      `${figures.smsInvitations} SMS and ${figures.emailInvitations} e-mail invitations`,
      `calls ${words(figures.totalCallSeconds)} in all, median ${words(figures.medianCallSeconds)}`,
      `${figures.photos} photos, ${figures.videos} videos`,
    ],
  };
}

/** tickets-stats for the days [from, to], both inclusive. */
export async function apizeeUsage(client: ApizeeClient, from: Date, to: Date, via: CallVia = {}): Promise<{ title: string; lines: string[] }> {
  const day = (date: Date) => format(date, 'yyyy-MM-dd');
  return apizeeUsageLines(summarizeApizee(await client.ticketStats({ since: day(from), until: day(to) }, 'interactive', via)));
}
