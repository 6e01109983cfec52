import assert from 'node:assert/strict';
import { createLogger } from '../../src/logger.js';
import { Metrics, ackKindOf } from '../../src/observability/metrics.js';
import type { OperationalFigures, OutboxFigures } from '../../src/store/operational-figures.js';

const NOW = new Date('2026-12-02T09:00:00.000Z');

/** Figures as the database would give them, counting the reads. */
function fakeFigures(outbox: OutboxFigures = { depth: 0, deadLetters: 0 }, fail = false) {
  const reads = { count: 0 };
  const figures = {
    async sessionsByStatus() {
      reads.count += 1;
      if (fail) throw new Error('database down');
      return [
        { vendor: 'apizee', status: 'invited', count: 3 },
        { vendor: 'blitzz', status: 'ended', count: 1 },
      ];
    },
    async oldestDue() {
      return [{ vendor: 'apizee', dueSince: new Date(NOW.getTime() - 90_000) }];
    },
    async outbox() {
      return outbox;
    },
  } as unknown as OperationalFigures;
  return { figures, reads };
}

function metricsWith(figures: OperationalFigures, options: { figuresCacheMs?: number } = {}) {
  return new Metrics({ figures, logger: createLogger('silent'), now: () => NOW, ...options });
}

/** The value of one series line (`name{labels} value`), or undefined when absent. */
function value(text: string, series: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('Metrics', () => {
  it('counts vendor calls by vendor, operation and outcome, times them, and counts 429 answers apart', async () => {
    const metrics = metricsWith(fakeFigures().figures);
    metrics.call({ vendor: 'apizee', operation: 'createTicket', ok: true, durationMs: 120 });
    metrics.call({ vendor: 'apizee', operation: 'createTicket', ok: true, durationMs: 80 });
    metrics.call({ vendor: 'apizee', operation: 'getTicket', ok: false, code: 'rate_limited', status: 429, durationMs: 30 });
    metrics.call({ vendor: 'blitzz', operation: 'invite', ok: false, code: 'unavailable', status: 503, durationMs: 2000 });
    const { body, contentType } = await metrics.render();
    assert.match(contentType, /^text\/plain/);
    assert.equal(value(body, 'rendezvous_vendor_calls_total{vendor="apizee",operation="createTicket",outcome="ok"}'), 2);
    assert.equal(value(body, 'rendezvous_vendor_calls_total{vendor="apizee",operation="getTicket",outcome="rate_limited"}'), 1);
    assert.equal(value(body, 'rendezvous_vendor_call_seconds_sum{vendor="apizee",operation="createTicket",outcome="ok"}'), 0.2);
    assert.equal(value(body, 'rendezvous_vendor_call_seconds_bucket{le="1",vendor="blitzz",operation="invite",outcome="unavailable"}'), 0);
    assert.equal(value(body, 'rendezvous_vendor_call_seconds_bucket{le="2.5",vendor="blitzz",operation="invite",outcome="unavailable"}'), 1);
    assert.equal(value(body, 'rendezvous_vendor_rate_limited_total{vendor="apizee"}'), 1);
    assert.equal(value(body, 'rendezvous_vendor_rate_limited_total{vendor="blitzz"}'), undefined);
  });

  it('labels budget waits by vendor only, never by the account user name', async () => {
    const metrics = metricsWith(fakeFigures().figures);
    metrics.budgetWaited('apizee:agent@example.com', 1500);
    const { body } = await metrics.render();
    assert.equal(value(body, 'rendezvous_budget_wait_seconds_count{vendor="apizee"}'), 1);
    assert.equal(value(body, 'rendezvous_budget_wait_seconds_sum{vendor="apizee"}'), 1.5);
    assert.doesNotMatch(body, /example\.com/);
  });

  it('records ack latency by kind and Slack API errors by method', async () => {
    const metrics = metricsWith(fakeFigures().figures);
    metrics.ack('command', 0.004);
    metrics.ack('command', 0.02);
    metrics.ack('view', 0.3);
    metrics.slackApiError('chat.postMessage', 'not_in_channel');
    const { body } = await metrics.render();
    assert.equal(value(body, 'rendezvous_slack_ack_seconds_count{kind="command"}'), 2);
    assert.equal(value(body, 'rendezvous_slack_ack_seconds_bucket{le="0.005",kind="command"}'), 1);
    assert.equal(value(body, 'rendezvous_slack_ack_seconds_count{kind="view"}'), 1);
    assert.equal(value(body, 'rendezvous_slack_api_errors_total{method="chat.postMessage",error="not_in_channel"}'), 1);
  });

  it('reads sessions, tracking lag and outbox figures at scrape time, once per cache period', async () => {
    const { figures, reads } = fakeFigures({ depth: 4, oldestCreatedAt: new Date(NOW.getTime() - 45_000), deadLetters: 0 });
    const metrics = metricsWith(figures, { figuresCacheMs: 60_000 });
    assert.equal(reads.count, 0, 'nothing is read before a scrape');
    const { body } = await metrics.render();
    assert.equal(value(body, 'rendezvous_sessions{vendor="apizee",status="invited"}'), 3);
    assert.equal(value(body, 'rendezvous_sessions{vendor="blitzz",status="ended"}'), 1);
    assert.equal(value(body, 'rendezvous_tracking_lag_seconds{vendor="apizee"}'), 90);
    assert.equal(value(body, 'rendezvous_outbox_depth'), 4);
    assert.equal(value(body, 'rendezvous_outbox_oldest_age_seconds'), 45);
    assert.equal(reads.count, 1, 'one read serves every gauge of a scrape');
    await metrics.render();
    assert.equal(reads.count, 1, 'a scrape within the cache period reads nothing');
  });

  it('reports the dead letters the outbox counts, and NaN (unknown) while the database does not answer', async () => {
    const withDead = await metricsWith(fakeFigures({ depth: 0, deadLetters: 7 }).figures).render();
    assert.equal(value(withDead.body, 'rendezvous_outbox_dead_letters'), 7);
    const down = await metricsWith(fakeFigures({ depth: 0, deadLetters: 7 }, true).figures).render();
    assert.ok(Number.isNaN(value(down.body, 'rendezvous_outbox_dead_letters')));
  });

  it('still answers a scrape while the database does not, without database figures', async () => {
    const metrics = metricsWith(fakeFigures({ depth: 2, deadLetters: 0 }, true).figures);
    metrics.ack('event', 0.01);
    const { body } = await metrics.render();
    assert.equal(value(body, 'rendezvous_slack_ack_seconds_count{kind="event"}'), 1);
    assert.ok(Number.isNaN(value(body, 'rendezvous_outbox_depth')), 'unknown, not 0');
    assert.ok(Number.isNaN(value(body, 'rendezvous_outbox_oldest_age_seconds')));
    assert.doesNotMatch(body, /^rendezvous_sessions\{/m);
    assert.doesNotMatch(body, /^rendezvous_tracking_lag_seconds\{/m);
  });

  it('keeps each app instance apart: two registries in one process share nothing', async () => {
    const first = metricsWith(fakeFigures().figures);
    const second = metricsWith(fakeFigures().figures);
    first.ack('command', 0.01);
    assert.equal(value((await first.render()).body, 'rendezvous_slack_ack_seconds_count{kind="command"}'), 1);
    assert.equal(value((await second.render()).body, 'rendezvous_slack_ack_seconds_count{kind="command"}'), undefined);
  });
});

describe('ackKindOf', () => {
  it('tells the kind of each Slack request body', () => {
    assert.equal(ackKindOf({ command: '/rendezvous', text: 'help' }), 'command');
    assert.equal(ackKindOf({ type: 'block_actions' }), 'action');
    assert.equal(ackKindOf({ type: 'view_submission' }), 'view');
    assert.equal(ackKindOf({ type: 'view_closed' }), 'view');
    assert.equal(ackKindOf({ type: 'shortcut' }), 'shortcut');
    assert.equal(ackKindOf({ type: 'message_action' }), 'shortcut');
    assert.equal(ackKindOf({ type: 'event_callback' }), 'event');
    assert.equal(ackKindOf({ type: 'block_suggestion' }), 'options');
    assert.equal(ackKindOf({ type: 'url_verification' }), 'other');
  });
});
