/** The figures as a console table and as BENCHMARKS.md. */
import type { AckResults } from './ack.js';
import type { Machine } from './machine.js';
import type { ReplicaResults } from './replicas.js';
import type { ThreadLatency, TrackingResults } from './tracking.js';
import type { ViewsOpenResults } from './views-open.js';

export interface Report {
  machine: Machine;
  ack?: AckResults;
  views?: ViewsOpenResults;
  tracking?: TrackingResults;
  replicas?: ReplicaResults;
  errors: string[];
  totalSeconds: number;
}

interface Row {
  figure: string;
  value: string;
  goal: string;
  /** undefined: no goal, or not measured. */
  met?: boolean;
}

const RATIO_GOAL = 1.3;
const VIEWS_OPEN_GOAL_MS = 300;
const RSS_GOAL_MIB = 200;
const WEBHOOK_GOAL_MS = 10_000;

const f = (value: number, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');

function rows(report: Report): Row[] {
  const out: Row[] = [];
  const { ack, views, tracking } = report;
  if (ack) {
    for (const mode of ['in-process', 'own process'] as const) {
      const comparisons = ack.comparisons.filter((c) => c.mode === mode);
      for (const c of comparisons) {
        out.push({
          figure: `Ack p50 @${c.concurrency} conns, ${mode} (Rendezvous / bare Bolt)`,
          value: `${f(c.rendezvous.p50)} / ${f(c.bare.p50)} ms = ${f(c.p50Ratio)}×`,
          goal: `≤ ${RATIO_GOAL}×`,
          met: c.p50Ratio <= RATIO_GOAL,
        });
        out.push({
          figure: `Ack p99 @${c.concurrency} conns, ${mode} (Rendezvous / bare Bolt)`,
          value: `${f(c.rendezvous.p99)} / ${f(c.bare.p99)} ms = ${f(c.p99Ratio)}×`,
          goal: `≤ ${RATIO_GOAL}×`,
          met: c.p99Ratio <= RATIO_GOAL,
        });
      }
      const over = comparisons.reduce((sum, c) => sum + c.rendezvous.overDeadline, 0);
      const non200 = comparisons.reduce((sum, c) => sum + c.rendezvous.non200, 0);
      const sent = comparisons.reduce((sum, c) => sum + c.rendezvous.result.sent, 0);
      const max = Math.max(...comparisons.map((c) => c.rendezvous.max));
      out.push({
        figure: `Rendezvous acks over 3 s, ${mode} (of ${sent})`,
        value: `${over} (slowest ${f(max, 1)} ms; non-200: ${non200})`,
        goal: '0',
        met: over === 0 && non200 === 0,
      });
    }
  } else {
    out.push({ figure: 'Ack latency', value: 'not measured (error)', goal: `≤ ${RATIO_GOAL}×, 0 over 3 s`, met: false });
  }
  if (views) {
    out.push({
      figure: `Command → views.open p99 (${views.sent} commands, ${views.concurrency} concurrent)`,
      value: `${f(views.p99, 0)} ms (p50 ${f(views.p50, 0)}, max ${f(views.max, 0)}; opened ${views.opened}/${views.sent}${views.failed > 0 ? `, ${views.failed} not acked` : ''})`,
      goal: `< ${VIEWS_OPEN_GOAL_MS} ms`,
      met: views.p99 < VIEWS_OPEN_GOAL_MS && views.opened === views.sent,
    });
  } else {
    out.push({ figure: 'Command → views.open p99', value: 'not measured (error)', goal: `< ${VIEWS_OPEN_GOAL_MS} ms`, met: false });
  }
  if (tracking) {
    const t = tracking;
    out.push({
      figure: 'RSS high-water of the app process (VmHWM, start-up included)',
      value: `${f(t.rss.hwmMiB, 0)} MiB (${f(t.rss.startupHwmMiB, 0)} already at start-up; idle app, empty database: ${f(t.rss.idleMiB, 0)}, high-water ${f(t.rss.idleHwmMiB, 0)})`,
      goal: `≤ ${RSS_GOAL_MIB} MB (as MiB)`,
      met: t.rss.hwmMiB <= RSS_GOAL_MIB,
    });
    out.push({
      figure: `RSS while tracking ${t.sessions.toLocaleString('en')} sessions (highest sample)`,
      value: `${f(t.rss.peakMiB, 0)} MiB (${f(t.rss.lastMiB, 0)} at the end)`,
      goal: `≤ ${RSS_GOAL_MIB} MB (as MiB)`,
      met: t.rss.peakMiB <= RSS_GOAL_MIB,
    });
    out.push({
      figure: 'Apizee requests in any 60 s window (max, sandbox log)',
      value: `${t.apizee.maxPer60s} (${t.apizee.total} in ${t.runMs / 1000} s + start-up)`,
      goal: '≤ 10',
      met: t.apizee.maxPer60s <= 10,
    });
    out.push({ figure: 'Apizee 429 answers', value: String(t.apizee.rateLimited), goal: '0', met: t.apizee.rateLimited === 0 });
    for (const latency of t.thread) {
      out.push({ figure: `State change → thread reply, ${latency.label}`, value: latencyText(latency), goal: 'reported (no number in issue 5)' });
    }
    out.push(
      t.webhook
        ? {
            figure: `State change → thread reply, ${t.webhook.label}`,
            value: `${latencyText(t.webhook)} (webhook answered ${t.webhook.status})`,
            goal: `within seconds (≤ ${WEBHOOK_GOAL_MS / 1000} s taken here)`,
            met: t.webhook.ms !== undefined && t.webhook.ms <= WEBHOOK_GOAL_MS,
          }
        : { figure: 'State change → thread reply with a webhook', value: 'n/a: the app has no POST /webhooks/apizee route yet', goal: 'within seconds' },
    );
  } else {
    out.push({ figure: '10,000 tracked sessions', value: 'not measured (error)', goal: 'RSS ≤ 200 MB, ≤ 10 req/min, 0 429s', met: false });
  }
  const r = report.replicas;
  if (r) {
    const expected = r.sessions * 4;
    out.push({
      figure: `Two replicas on PostgreSQL, ${r.sessions.toLocaleString('en')} sessions over ${r.channels} channels, one killed -9 midway`,
      value: r.problem
        ? `not completed: ${r.problem}`
        : `${r.threads} threads, ${r.repliesPosted} replies (each milestone once: ${r.repliesPosted === expected}), ${r.rateLimited} Apizee 429s, ${f(r.seconds, 0)} s`,
      goal: 'every milestone exactly once, 0 429s',
      met: !r.problem && r.threads === r.sessions && r.repliesPosted === expected && r.rateLimited === 0,
    });
  }
  return out;
}

function latencyText(latency: ThreadLatency): string {
  return latency.ms !== undefined
    ? `${(latency.ms / 1000).toFixed(2)} s`
    : `none after ${(latency.waitedMs / 1000).toFixed(0)} s (run ended; session still ${latency.statusAfter ?? '?'}` +
        `${latency.dueBefore !== undefined ? `, ${latency.dueBefore.toLocaleString('en')} sessions due before it` : ''})`;
}

const mark = (met: boolean | undefined) => (met === undefined ? '—' : met ? 'yes' : 'NO');

export function renderTable(report: Report): string {
  const all = rows(report);
  const widths = [
    Math.max(...all.map((r) => r.figure.length), 6),
    Math.max(...all.map((r) => r.value.length), 5),
    Math.max(...all.map((r) => r.goal.length), 4),
  ];
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i] ?? 3)).join('  ');
  return [
    line(['Figure', 'Value', 'Goal', 'Met']),
    line(widths.map((w) => '─'.repeat(w)).concat('───')),
    ...all.map((r) => line([r.figure, r.value, r.goal, mark(r.met)])),
    ...(report.errors.length > 0 ? ['', 'Parts that could not run:', ...report.errors.map((e) => `  ${e.split('\n')[0]}`)] : []),
  ].join('\n');
}

export function renderMarkdown(report: Report): string {
  const { machine, ack, views, tracking } = report;
  const all = rows(report);
  const out: string[] = [];
  const missed = all.filter((r) => r.met === false);
  out.push('# Benchmarks', '');
  out.push('Written by `npm run bench` (scripts/bench.ts); every figure below comes from one run. Ratios compare');
  out.push('Rendezvous with a bare Bolt app measured on the same machine in the same run.', '');
  out.push('## Machine', '');
  out.push(`- Date: ${machine.date}`);
  out.push(`- CPU: ${machine.cpuModel}, ${machine.cores} cores`);
  out.push(`- Memory: ${machine.memoryGiB} GiB`);
  out.push(`- Node: ${machine.node} (${machine.os})`);
  out.push(`- Whole run: ${report.totalSeconds.toFixed(0)} s`, '');
  out.push('## Results', '');
  out.push(missed.length === 0 ? 'Every goal was met.' : `Goals missed: ${missed.length} (marked **NO**).`, '');
  out.push('| Figure | Value | Goal | Met |', '|---|---|---|---|');
  for (const r of all) out.push(`| ${r.figure} | ${r.value} | ${r.goal} | ${r.met === false ? '**NO**' : mark(r.met)} |`);
  out.push('');
  if (report.errors.length > 0) {
    out.push('### Parts that could not run', '');
    for (const e of report.errors) out.push('```', e, '```');
    out.push('');
  }

  out.push('## Details', '');
  if (ack) {
    out.push('### 1. Ack latency', '');
    out.push(
      '| Setting | App | Connections | Sent | Wall time | p50 | p99 | max | over 3 s | non-200 | CPU per command |',
      '|---|---|---|---|---|---|---|---|---|---|---|',
    );
    for (const r of ack.rounds) {
      out.push(
        `| ${r.mode} | ${r.app} | ${r.concurrency} | ${r.result.sent}/${r.planned}${r.result.timeBounded ? ' (time bound)' : ''} | ${(r.result.wallMs / 1000).toFixed(1)} s | ${f(r.p50)} ms | ${f(r.p99)} ms | ${f(r.max, 1)} ms | ${r.overDeadline} | ${r.non200} | ${Number.isFinite(r.cpuMsPerCommand) ? `${f(r.cpuMsPerCommand)} ms` : '—'} |`,
      );
    }
    out.push('');
    out.push(
      `While the Rendezvous rounds ran, the Apizee sandbox created ${ack.ticketsCreated} tickets, each answer held ` +
        `${f(ack.heldDelays.minMs / 1000, 1)}–${f(ack.heldDelays.maxMs / 1000, 1)} s (${ack.heldDelays.count} held answers, warm-ups included); ` +
        `the apps opened ${ack.apizeeConnections} connections to Apizee in all. CPU per command is the app process's user + system ` +
        'time over the round (and, for Rendezvous, until Apizee answered every ticket), divided by the commands sent. The load ' +
        'is closed-loop (each connection sends its next command once the previous one is answered), so at saturation the ' +
        'latency is about the connections times the CPU each command costs the app, the work done after `ack` included.',
      '',
    );
  }
  if (views) {
    out.push('### 2. Command → views.open', '');
    out.push(
      `${views.sent} empty \`/rendezvous\` commands, ${views.concurrency} at a time; from sending the command to the fake Slack ` +
        `answering \`views.open\` with its trigger_id: p50 ${f(views.p50, 0)} ms, p99 ${f(views.p99, 0)} ms, max ${f(views.max, 0)} ms ` +
        `(ack p99 ${f(views.ackP99, 1)} ms).`,
      '',
    );
  }
  if (tracking) {
    const t = tracking;
    out.push('### 3. 10,000 tracked Apizee sessions', '');
    out.push(
      `${t.sessions.toLocaleString('en')} sessions (status invited, over ${t.channels} channels, each with its card), every ticket in ` +
        `the sandbox; sandbox and app limited to 10 requests a minute; TRACK_INTERVAL_SECONDS=1; the app ran as a child ` +
        `process (\`node --import tsx src/main.ts\`, LOG_LEVEL=info, SQLite) for ${t.runMs / 1000} s after it answered /healthz. ` +
        `Setup took ${(t.setupMs / 1000).toFixed(1)} s.`,
      '',
    );
    out.push(
      `- RSS: high-water ${f(t.rss.hwmMiB, 0)} MiB (VmHWM; ${f(t.rss.startupHwmMiB, 0)} MiB already when /healthz first answered), ` +
        `highest sample while tracking ${f(t.rss.peakMiB, 0)} MiB, ${f(t.rss.lastMiB, 0)} MiB at the end; the same app with an empty ` +
        `database: ${f(t.rss.idleMiB, 0)} MiB (high-water ${f(t.rss.idleHwmMiB, 0)} MiB). CPU time over the run: ${f(t.cpuSeconds, 1)} s.`,
    );
    out.push(`- RSS every 10 s: ${t.rss.timeline.map((p) => `${p.atSeconds} s ${f(p.mib, 0)} MiB`).join(', ')}.`);
    out.push(
      `- Apizee requests from the app: ${t.apizee.total}; most in any 60 s window: ${t.apizee.maxPer60s}; 429s: ${t.apizee.rateLimited}. ` +
        `By kind: ${Object.entries(t.apizee.byKind)
          .map(([kind, n]) => `${kind} ${n}`)
          .join(', ') || 'none'}.`,
    );
    out.push(
      `- Sessions the tracker looked at during the run (next check moved): ${t.sessionsVisited.toLocaleString('en')} of ` +
        `${t.sessions.toLocaleString('en')}; at that pace every session is looked at once every ${f(t.estimatedCycleSeconds / 60, 1)} minutes.`,
    );
    for (const latency of [...t.thread, ...(t.webhook ? [t.webhook] : [])]) {
      out.push(`- State change (invited → inprogress) → thread reply, ${latency.label} (ticket ${latency.ticketId}): ${latencyText(latency)}.`);
    }
    if (!t.webhookRoute) out.push('- `POST /webhooks/apizee` answered 404: no webhook figure.');
    out.push(`- Warnings and errors in the app's log: ${t.warnLines}${t.warnSamples.length > 0 ? ` (${t.warnSamples.map((s) => `"${s}"`).join(', ')})` : ''}.`);
    out.push('');
  }
  out.push('## Method', '');
  out.push(
    '- Ack latency: commands are prepared and signed beforehand and sent from a worker thread over keep-alive ' +
      '`node:http` connections (one per concurrent lane; each lane sends its next command when the previous one is ' +
      'answered); latency runs from writing the request to the end of the response. Each round is bounded by its ' +
      'request count (400 at 10 connections, 1000 at 50) and by 30 s. Both apps first get 100 warm-up commands.',
  );
  out.push(
    '- The bare Bolt app is `new App({ signingSecret, token, clientOptions: { slackApiUrl } })` with ' +
      "`app.command('/rendezvous', async ({ ack }) => { await ack(); })`, on its own port, against the same fake Slack.",
  );
  out.push(
    '- Apizee is reached through a small proxy (scripts/bench/delay-proxy.ts) that holds each `POST /tickets` answer ' +
      'for a random 2–10 s (the sandbox\'s `faults.setDelay` holds every answer for one fixed time). The Apizee limit is ' +
      'raised to 100,000 a minute in sandbox and app, so creation is not queued; TRACK_INTERVAL_SECONDS=30 as in ' +
      'production. Commands are spread over 200 channels.',
  );
  out.push(
    '- *in-process*: Rendezvous as `startLocalStack` runs it (all vendors configured, silent logger), sharing its process ' +
      'and event loop with the Apizee sandbox, the delay proxy and the fake Slack, which therefore add their own work ' +
      '(card posts, ticket creations, thread replies) to every command; the bare Bolt app runs in that same process. ' +
      '*own process*: each app alone in a child process (`node --import tsx`; Rendezvous with only Apizee configured, ' +
      'LOG_LEVEL=info to a file, its own SQLite file), the sandboxes and fake Slack in the benchmark\'s process, as in a ' +
      'deployment where Slack and the vendor are elsewhere.',
  );
  out.push(
    '- views.open: measured in-process from sending the command to the fake Slack answering `views.open` for its ' +
      'trigger_id (epoch milliseconds), 10 commands in flight.',
  );
  out.push(
    '- Tracking: the 10,000 tickets are created through the sandbox\'s HTTP API under a second sandbox account of the ' +
      'same enterprise (limit raised meanwhile), so that the app\'s own account starts with an empty window; the cards ' +
      'are posted to the fake Slack through its Web API; the session rows are written into the migrated database before ' +
      'the app starts. Requests per minute are counted from the sandbox\'s request log (every request not made by the ' +
      'bulk account since the app was spawned), over sliding 60 s windows. RSS is read from /proc/<pid>/status.',
  );
  out.push('');
  return out.join('\n');
}
