/** The figures as a console table and as BENCHMARKS.md. */
import { describeCalls, type AckResults } from './ack.js';
import { describeRun, type BurstResults } from './burst.js';
import type { FloodResults, FloodRun } from './flood.js';
import type { Machine } from './machine.js';
import type { ReplicaResults } from './replicas.js';
import type { StartupResults } from './startup.js';
import type { ThreadLatency, TrackingResults } from './tracking.js';
import type { ViewsOpenResults } from './views-open.js';

export interface Report {
  machine: Machine;
  ack?: AckResults;
  startup?: StartupResults;
  /** BENCH_QUICK=1: smaller rounds, parts 2–4 skipped. */
  quick?: boolean;
  views?: ViewsOpenResults;
  tracking?: TrackingResults;
  replicas?: ReplicaResults;
  burst?: BurstResults;
  flood?: FloodResults;
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
const START_GOAL_MS = 1000;
const VIEWS_OPEN_GOAL_MS = 300;
const RSS_GOAL_MIB = 200;
const WEBHOOK_GOAL_MS = 10_000;
const FLOOD_RSS_GOAL = 1.2;

const f = (value: number, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');

function rows(report: Report): Row[] {
  const out: Row[] = [];
  const { ack, views, tracking } = report;
  if (ack) {
    for (const c of ack.comparisons) {
      out.push({
        figure: `Ack p99 @${c.concurrency} conns, ${c.scenario} (Rendezvous / bare Bolt)`,
        value: `${f(c.rendezvous.p99)} / ${f(c.bare.p99)} ms = ${f(c.p99Ratio)}×`,
        goal: `≤ ${RATIO_GOAL}×`,
        met: c.p99Ratio <= RATIO_GOAL,
      });
    }
    const mine = ack.rounds.filter((r) => r.app === 'Rendezvous');
    const over = mine.reduce((sum, r) => sum + r.overDeadline, 0);
    const non200 = mine.reduce((sum, r) => sum + r.non200, 0);
    const sent = mine.reduce((sum, r) => sum + r.result.sent, 0);
    out.push({
      figure: `Rendezvous acks over 3 s (of ${sent})`,
      value: `${over} (slowest ${f(Math.max(...mine.map((r) => r.max)), 1)} ms; non-200: ${non200})`,
      goal: '0',
      met: over === 0 && non200 === 0,
    });
  } else {
    out.push({ figure: 'Ack latency', value: 'not measured (error)', goal: `≤ ${RATIO_GOAL}×, 0 over 3 s`, met: false });
  }
  const st = report.startup;
  if (st) {
    out.push({
      figure: `Start to /healthz, node dist/main.js (median of ${st.runs}; bare Bolt ${f(st.bareMedian, 0)} ms)`,
      value: `${f(st.rendezvousMedian, 0)} ms (slowest ${f(st.rendezvousMax, 0)} ms; ${f(st.rendezvousMedian / st.bareMedian)}× bare Bolt)`,
      goal: `≤ ${START_GOAL_MS / 1000} s`,
      met: st.rendezvousMedian <= START_GOAL_MS,
    });
  } else if (!report.quick || report.errors.some((e) => e.startsWith('Start'))) {
    out.push({ figure: 'Start to /healthz', value: 'not measured (error)', goal: `≤ ${START_GOAL_MS / 1000} s`, met: false });
  }
  if (views) {
    out.push({
      figure: `Command → views.open p99 (${views.sent} commands, ${views.concurrency} concurrent)`,
      value: `${f(views.p99, 0)} ms (p50 ${f(views.p50, 0)}, max ${f(views.max, 0)}; opened ${views.opened}/${views.sent}${views.failed > 0 ? `, ${views.failed} not acked` : ''})`,
      goal: `< ${VIEWS_OPEN_GOAL_MS} ms`,
      met: views.p99 < VIEWS_OPEN_GOAL_MS && views.opened === views.sent,
    });
  } else if (!report.quick) {
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
  } else if (!report.quick) {
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
  out.push(...burstRows(report));
  out.push(...floodRows(report));
  return out;
}

/** Part 6 (issue 10): the peak RSS ratio under a flood, and every acked creation kept. */
function floodRows(report: Report): Row[] {
  const fl = report.flood;
  if (!fl) {
    const failed = report.errors.some((e) => e.startsWith('6.'));
    return failed ? [{ figure: 'Flood of creations', value: 'not measured (error)', goal: `RSS ≤ ${FLOOD_RSS_GOAL}× bare Bolt`, met: false }] : [];
  }
  const [bare, mine] = fl.runs as [FloodRun, FloodRun];
  return [
    {
      figure: `Peak RSS under a flood of creations (${fl.floodMs / 1000} s at ${fl.concurrency} connections, Apizee ${fl.vendorDelayMs / 1000} s; Rendezvous / bare Bolt)`,
      value: `${f(mine.peakMiB, 0)} / ${f(bare.peakMiB, 0)} MiB = ${f(fl.peakRatio)}× (${mine.acked.toLocaleString('en')} and ${bare.acked.toLocaleString('en')} commands acked)`,
      goal: `≤ ${FLOOD_RSS_GOAL}×`,
      met: fl.peakRatio <= FLOOD_RSS_GOAL,
    },
    {
      figure: 'Creations Rendezvous acked under the flood that its database holds',
      value: `${fl.rendezvousKept.inDatabase.toLocaleString('en')} of ${fl.rendezvousKept.acked.toLocaleString('en')}`,
      goal: 'all',
      met: fl.rendezvousKept.inDatabase >= fl.rendezvousKept.acked,
    },
  ];
}

function floodDetails(fl: FloodResults): string[] {
  const out = ['### 6. A flood of creations (issue 10: the backlog lives in the database)', ''];
  out.push(
    `Signed \`/rendezvous +33612345678\` commands at saturation (${fl.concurrency} keep-alive connections, each sending its next command ` +
      `when the previous one is answered) for ${fl.floodMs / 1000} s, Apizee answering each ticket creation after ${fl.vendorDelayMs / 1000} s; ` +
      `RSS (/proc/<pid>/status VmRSS) sampled every 100 ms from the flood's start until ${fl.settleMs / 1000} s after its end. Each app is a ` +
      'fresh process, warmed with 200 help commands; bare Bolt goes first. Bare Bolt posts each card and holds the command until its ' +
      'update; Rendezvous writes the session and its creation job before the ack and works the backlog off from the database.',
    '',
    '| App | Commands sent | Acked | Non-200 | Ack p99 | RSS idle | RSS peak | RSS at the end |',
    '|---|---|---|---|---|---|---|---|',
  );
  for (const run of fl.runs) {
    out.push(
      `| ${run.app} | ${run.sent.toLocaleString('en')} | ${run.acked.toLocaleString('en')} | ${run.non200} | ${f(run.ackP99, 1)} ms | ${f(run.idleMiB, 0)} MiB | ${f(run.peakMiB, 0)} MiB | ${f(run.endMiB, 0)} MiB |`,
    );
  }
  out.push('', `Rendezvous's database held ${fl.rendezvousKept.inDatabase.toLocaleString('en')} sessions started by the ${fl.rendezvousKept.acked.toLocaleString('en')} commands it acked.`, '');
  return out;
}

/** Part 5 (issue 9): one row per setup; the goal is no 429 and every session created. */
function burstRows(report: Report): Row[] {
  const b = report.burst;
  if (!b) {
    const failed = report.errors.some((e) => e.startsWith('5.'));
    return failed ? [{ figure: 'Burst of Apizee creations', value: 'not measured (error)', goal: '0 429s', met: false }] : [];
  }
  return b.runs.map((run) => ({
    figure: `Burst of ${run.creations} Apizee creations at once, ${run.setup} (sandbox ${b.ratePerMinute}/60 s, ${b.latencyMs.min}–${b.latencyMs.max} ms to its limiter)`,
    value: describeRun(run),
    goal: `0 429s, every session created, ≤ ${b.ratePerMinute} in any 60 s`,
    met: !run.problem && run.rateLimited === 0 && run.created === run.creations && run.maxPer60s <= b.ratePerMinute,
  }));
}

function latencyText(latency: ThreadLatency): string {
  return latency.ms !== undefined
    ? `${(latency.ms / 1000).toFixed(2)} s`
    : `none after ${(latency.waitedMs / 1000).toFixed(0)} s (run ended; session still ${latency.statusAfter ?? '?'}` +
        `${latency.dueBefore !== undefined ? `, ${latency.dueBefore.toLocaleString('en')} sessions due before it` : ''})`;
}

const mark = (met: boolean | undefined) => (met === undefined ? '—' : met ? 'yes' : 'NO');

/** The issue's figures in one table: ack p99 (p50) per path at each level for both apps and their ratio, and start to /healthz. */
function performanceRows(report: Report): string[][] {
  const out: string[][] = [];
  for (const c of report.ack?.comparisons ?? []) {
    out.push([
      `Ack p99 (p50), ${c.scenario}, ${c.concurrency} conns`,
      `${f(c.bare.p99)} ms (${f(c.bare.p50)})`,
      `${f(c.rendezvous.p99)} ms (${f(c.rendezvous.p50)})`,
      `${f(c.p99Ratio)}× (${f(c.p50Ratio)}×)`,
      `p99 ≤ ${RATIO_GOAL}×`,
      mark(c.p99Ratio <= RATIO_GOAL),
    ]);
  }
  const st = report.startup;
  if (st) {
    out.push([
      `Start to /healthz, median of ${st.runs} (slowest)`,
      `${f(st.bareMedian, 0)} ms (${f(Math.max(...st.bareMs), 0)})`,
      `${f(st.rendezvousMedian, 0)} ms (${f(st.rendezvousMax, 0)})`,
      `${f(st.rendezvousMedian / st.bareMedian)}×`,
      `≤ ${START_GOAL_MS / 1000} s`,
      mark(st.rendezvousMedian <= START_GOAL_MS),
    ]);
  }
  return out;
}

const PERFORMANCE_HEADER = ['Figure', 'bare Bolt', 'Rendezvous (dist/)', 'Rendezvous / bare', 'Goal', 'Met'];

export function renderPerformanceTable(report: Report): string {
  const body = performanceRows(report);
  if (body.length === 0) return '';
  const all = [PERFORMANCE_HEADER, ...body];
  const widths = PERFORMANCE_HEADER.map((_, i) => Math.max(...all.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(PERFORMANCE_HEADER), line(widths.map((w) => '─'.repeat(w))), ...body.map(line)].join('\n');
}

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
  const performance = performanceRows(report);
  if (performance.length > 0) {
    out.push('## Ack latency and start-up against bare Bolt', '');
    out.push(
      'Rendezvous compiled (`node dist/main.js`, SQLite) and a bare Bolt app on the same receiver doing the same Slack work, ' +
        'each in a process of its own, signed `/rendezvous` commands over keep-alive connections, Apizee answering in ' +
        `${f((report.ack?.vendorDelayMs ?? 5000) / 1000, 0)} s. p99 first, p50 in brackets` +
        `${(report.ack?.repeats ?? 1) > 1 ? `, each the median over ${report.ack!.repeats} rounds per app (the apps taking turns)` : ''}; the goal is on the p99 ratio.`,
      '',
    );
    out.push(`| ${PERFORMANCE_HEADER.join(' | ')} |`, `|${PERFORMANCE_HEADER.map(() => '---').join('|')}|`);
    for (const row of performance) out.push(`| ${row.map((cell, i) => (i === 5 && cell === 'NO' ? '**NO**' : cell)).join(' | ')} |`);
    out.push('');
  }
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
    const fx = ack.fixtures;
    out.push('### 1. Ack latency', '');
    out.push(
      `What both apps did per path (the baseline's texts, modal and cards captured from Rendezvous in this run): help — ack with ` +
        `the usage text (${fx.helpChars} characters); modal — ack, then views.open with the invite modal (${fx.modalInputs} inputs, ` +
        `${fx.modalBlocks} blocks, ${fx.modalBytes} bytes of JSON); create — ack with the "creating" line, chat.postMessage of the card ` +
        `(${fx.cardBytes} bytes of blocks), chat.update of it (${fx.updatedBytes} bytes) once Apizee answered (${f(ack.vendorDelayMs / 1000, 0)} s). ` +
        `One Rendezvous create, followed to its end: ${describeCalls(fx.createCalls)}.`,
      '',
    );
    out.push(
      '| Path | App | Connections | Sent | Wall time | p50 | p99 | max | over 3 s | non-200 | CPU per command | Slack calls during round + settling |',
      '|---|---|---|---|---|---|---|---|---|---|---|---|',
    );
    for (const r of ack.rounds) {
      out.push(
        `| ${r.scenario} | ${r.app} | ${r.concurrency}${ack.repeats > 1 ? ` (#${r.repeat + 1})` : ''} | ${r.result.sent}/${r.planned}${r.result.timeBounded ? ' (time bound)' : ''} | ${(r.result.wallMs / 1000).toFixed(1)} s | ${f(r.p50)} ms | ${f(r.p99)} ms | ${f(r.max, 1)} ms | ${r.overDeadline} | ${r.non200} | ${Number.isFinite(r.cpuMsPerCommand) ? `${f(r.cpuMsPerCommand)} ms` : '—'} | ${describeCalls(r.slackCalls)} |`,
      );
    }
    out.push('');
    out.push(
      'CPU per command is the app process\'s user + system time over the round and its settling (help: none; modal: until every ' +
        'view was opened; create, bare Bolt: until every card was updated; create, Rendezvous: 1 s), divided by the commands sent. ' +
        'Rendezvous works creations off from the database after acking them (CreationRunner: 2 cards at a time, at most 16 vendor ' +
        'calls at a time); with Apizee at ' +
        `${f(ack.vendorDelayMs / 1000, 0)} s that is about ${f(16 / (ack.vendorDelayMs / 1000), 1)} creations a second, so the last card of a burst of 1,000 commands would be ` +
        'updated minutes after its ack. Its backlog is dropped by restarting it (SIGKILL, fresh database, the same warm-up) ' +
        'before its next round, so that it does not compete with the next measurement. Create warm-ups are as long as the ' +
        "others for both apps; during Rendezvous's, Apizee answers at once, so that its warm-up creations are worked off " +
        'before the round starts (the baseline waits for its own updates). The load is closed-loop (each ' +
        'connection sends its next command once the previous one is answered), so at saturation the latency is about the ' +
        'connections times the CPU each command costs the app, the work done after `ack` included.',
      '',
    );
  }
  const st = report.startup;
  if (st) {
    out.push('### Start to /healthz', '');
    out.push(
      `From spawning the process to its first 200 on GET /healthz (polled every 5 ms), ${st.runs} runs each, alternating: ` +
        `\`node dist/main.js\` (SQLite, a fresh database file each run, so its migrations run; only Apizee configured) ` +
        `${st.rendezvousMs.map((ms) => f(ms, 0)).join(', ')} ms; bare Bolt (\`node scripts/bench/bare-bolt.mjs\`) ` +
        `${st.bareMs.map((ms) => f(ms, 0)).join(', ')} ms.`,
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
        `process (\`node dist/main.js\`, LOG_LEVEL=info, SQLite) for ${t.runMs / 1000} s after it answered /healthz. ` +
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
  if (report.burst) {
    const b = report.burst;
    out.push('### 5. A burst of Apizee creations (issue 9: never a 429 from the budget)', '');
    out.push(
      `Signed \`/rendezvous <phone> ref:…\` commands, all sent at once; the Apizee sandbox enforces ${b.ratePerMinute} requests in any 60 s ` +
        `by arrival and holds each request ${b.latencyMs.min}–${b.latencyMs.max} ms (at random) before its limiter counts it, as a network and a ` +
        'queue in front of Apizee would. The login and the creations are more than the limit, so the last creations wait about a ' +
        'minute for a slot. Each run waits until every ticket exists and its invitation is in its thread, then 5 s more.',
      '',
    );
    for (const run of b.runs) out.push(`- ${run.setup}: ${describeRun(run)}; ${f(run.seconds, 0)} s in all.`);
    out.push('');
  }
  if (report.flood) out.push(...floodDetails(report.flood));
  out.push('## Method', '');
  const levels = [...new Map((ack?.rounds ?? []).map((r) => [`${r.scenario}@${r.concurrency}`, r])).values()]
    .map((r) => `${r.planned} ${r.scenario} commands at ${r.concurrency} connections`)
    .join(', ');
  out.push(
    '- Ack latency: commands are prepared and signed beforehand (the same form fields and signature Slack sends) and sent ' +
      'from a worker thread over keep-alive `node:http` connections (one per concurrent lane; each lane sends its next command ' +
      'when the previous one is answered); latency runs from writing the request to the end of the response. Rounds: ' +
      `${levels || 'none'}, each also bounded by 30 s. Before each path, both apps get ${ack?.warmup ?? 0} warm-up commands of ` +
      'it (creates included, worked off before the round). The two apps take turns, bare Bolt first, at each level.',
  );
  out.push(
    '- Rendezvous is the compiled app, `node dist/main.js` (built by the benchmark when dist/ is missing or older than src/), ' +
      'with only Apizee configured, LOG_LEVEL=info to a file, a SQLite file of its own, TRACK_INTERVAL_SECONDS=30. The bare ' +
      'Bolt app (scripts/bench/bare-bolt.mjs) is `new App({ token, receiver: new HTTPReceiver({ signingSecret, endpoints: ' +
      "['/slack/events'], bodyLimit: 1 MB, customRoutes: [/healthz] }) })` with one `app.command('/rendezvous')` listener " +
      'doing the same Slack work as Rendezvous on each path, also plain `node`. Each app runs alone in a child process; the ' +
      'fake Slack API, the Apizee sandbox and the load generator run in the benchmark\'s process, as in a deployment where ' +
      'Slack and the vendor are elsewhere. On a shared 2-core machine, figures of a few milliseconds are noisy.',
  );
  out.push(
    '- Apizee is reached through a small proxy (scripts/bench/delay-proxy.ts) that holds each `POST /tickets` answer ' +
      `for ${f((ack?.vendorDelayMs ?? 5000) / 1000, 0)} s. The Apizee limit is raised to 100,000 a minute in sandbox and app, so creation is not ` +
      `queued behind it. Commands are spread over ${ack?.channels ?? 0} channels per app.`,
  );
  out.push(
    '- Start to /healthz: scripts/bench/startup.ts. Where the help path\'s CPU goes: `npx tsx scripts/bench/profile-help.ts` ' +
      'runs `node --cpu-prof dist/main.js` and the baseline under a burst of the same signed `/rendezvous help` commands and ' +
      'summarises the .cpuprofile files over the burst alone (scripts/bench/cpuprofile-summary.ts), Rendezvous against bare Bolt ' +
      'function by function.',
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
  out.push(
    '- Burst: scripts/bench/burst.ts (runnable alone with `npx tsx scripts/bench/burst.ts`). One app is the local stack in the ' +
      "benchmark's process (SQLite, so the database ledger on SQLite); two replicas are `src/main.ts` child processes sharing a " +
      'throwaway PostgreSQL database. 429s are the sandbox\'s count; "in any 60 s" counts the requests it accepted.',
  );
  out.push('');
  return out.join('\n');
}
