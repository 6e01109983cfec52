import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { statsBlocks, statsRange, summarize } from '../../src/services/stats.js';
import type { Session } from '../../src/domain/session.js';
import { TicketStatsList } from '../../src/vendors/apizee/schemas.js';
import { apizeeUsageLines, summarizeApizee } from '../../src/vendors/apizee/usage.js';
import { vendorModules } from '../../src/vendors/index.js';

type Seen = Pick<Session, 'vendor' | 'status'> & { joined_at?: string; ended_at?: string };
const row = ({ joined_at, ended_at, ...patch }: Partial<Seen>): Session =>
  ({ vendor: 'apizee', status: 'invited', joinedAt: joined_at ? new Date(joined_at) : null, endedAt: ended_at ? new Date(ended_at) : null, ...patch }) as Session;

describe('stats', () => {
  it('counts by vendor and outcome, answer rate, total and median duration', () => {
    const rows = [
      row({ status: 'ended', joined_at: '2026-11-20T10:00:00.000Z', ended_at: '2026-11-20T10:05:00.000Z' }),
      row({ status: 'ended', joined_at: '2026-11-20T11:00:00.000Z', ended_at: '2026-11-20T11:01:00.000Z' }),
      row({ status: 'ended', joined_at: '2026-11-20T12:00:00.000Z', ended_at: '2026-11-20T12:10:00.000Z' }),
      row({ status: 'declined' }),
      row({ status: 'failed' }),
      row({ vendor: 'blitzz', status: 'sent' }),
    ];
    const summary = summarize(rows, '2026-11-19', '2026-11-25');
    assert.equal(summary.total, 6);
    assert.deepEqual(summary.byVendor, { apizee: { ended: 3, declined: 1, failed: 1 }, blitzz: { sent: 1 } });
    assert.equal(summary.answerRate, 3 / 5);
    assert.equal(summary.totalSeconds, 16 * 60);
    assert.equal(summary.medianSeconds, 5 * 60);
    const { blocks } = statsBlocks(summary, vendorModules);
    const json = JSON.stringify(blocks);
    assert.match(json, /60 %/);
    assert.match(json, /16 minutes/);
    assert.match(json, /5 minutes/);
  });

  it("reads Apizee's French tickets-stats through the one key table", () => {
    const raw = JSON.parse(readFileSync(new URL('../fixtures/apizee-tickets-stats.json', import.meta.url), 'utf8'));
    const figures = summarizeApizee(TicketStatsList.parse(raw));
    assert.deepEqual(figures, {
      tickets: 1,
      answered: 0,
      smsInvitations: 1,
      emailInvitations: 0,
      totalCallSeconds: 335,
      medianCallSeconds: 335,
      photos: 1,
      videos: 0,
    });
    const json = JSON.stringify(statsBlocks(summarize([], 'a', 'b'), vendorModules, [{ vendor: 'apizee', figures: apizeeUsageLines(figures) }]).blocks);
    assert.match(json, /Apizee's own figures \(tickets-stats\)\*: 1 tickets, 0 answered · 1 SMS and 0 e-mail invitations · calls 5 minutes 35 seconds in all/);
  });

  it("says why a vendor's own figures are missing", () => {
    const json = JSON.stringify(statsBlocks(summarize([], 'a', 'b'), vendorModules, [{ vendor: 'apizee', figures: 'Apizee did not answer <in time>.' }]).blocks);
    assert.match(json, /Apizee's figures are missing: Apizee did not answer &lt;in time&gt;\./);
  });

  it('defaults to the last 7 days, to inclusive', () => {
    const { start, end } = statsRange(undefined, undefined, new Date('2026-11-25T15:00:00'));
    assert.equal(start.toDateString(), new Date('2026-11-19T00:00:00').toDateString());
    assert.equal(end.toDateString(), new Date('2026-11-25T00:00:00').toDateString());
  });
});
