/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`): self time by function and by where the code
 * lives (the app's dist/, each package in node_modules, Node's internals), and inclusive time of
 * the app's own functions.
 *
 *   npx tsx scripts/bench/cpuprofile-summary.ts <file.cpuprofile> [top=25] [perCommands]
 *
 * With perCommands, times are also given per command (total ÷ perCommands).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface TimeEntry {
  key: string;
  ms: number;
}

export interface ProfileSummary {
  totalMs: number;
  /** Sampled time outside `(idle)`. */
  busyMs: number;
  selfByFunction: TimeEntry[];
  selfByArea: TimeEntry[];
  /** Inclusive time of functions in the app's own code (dist/ or src/). */
  inclusiveApp: TimeEntry[];
  /** Inclusive time by package (a sample counts once per package on its stack). */
  inclusiveByArea: TimeEntry[];
}

/** Where a script lives: `app:<file>` for dist/ and src/, the package name for node_modules, `node:` internals, or a V8 marker. */
export function areaOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node: internals';
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules) return modules[1]!;
  const app = /\/(dist|src)\/(.+)$/.exec(url);
  if (app) return `app: ${app[2]}`;
  return url.replace(/^file:\/\//, '');
}

function shortUrl(url: string): string {
  const modules = /node_modules\/(.+)$/.exec(url);
  if (modules) return modules[1]!;
  const app = /\/((?:dist|src)\/.+)$/.exec(url);
  if (app) return app[1]!;
  return url.replace(/^file:\/\//, '');
}

/**
 * `window`, in microseconds of the monotonic clock the profile's timestamps use (on Linux, the
 * same as `process.hrtime` in any process), keeps only the samples taken within it.
 */
export function summariseProfile(profile: CpuProfile, window?: { fromUs: number; toUs: number }): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const self = new Map<number, number>();
  let totalUs = 0;
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    if (window && (at < window.fromUs || at > window.toUs)) continue;
    totalUs += delta;
    self.set(profile.samples[i]!, (self.get(profile.samples[i]!) ?? 0) + delta);
  }
  const add = (map: Map<string, number>, key: string, us: number) => map.set(key, (map.get(key) ?? 0) + us);
  const selfByFunction = new Map<string, number>();
  const selfByArea = new Map<string, number>();
  const inclusiveApp = new Map<string, number>();
  const inclusiveByArea = new Map<string, number>();
  let idleUs = 0;
  for (const [id, us] of self) {
    const frame = byId.get(id)!.callFrame;
    if (frame.functionName === '(idle)') idleUs += us;
    const name = frame.functionName || '(anonymous)';
    add(selfByFunction, frame.url ? `${name}  ${shortUrl(frame.url)}:${frame.lineNumber + 1}` : name, us);
    add(selfByArea, areaOf(frame.url, frame.functionName), us);
    // Inclusive: every distinct app function and package on this node's stack.
    const appFrames = new Set<string>();
    const areas = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const f = byId.get(at)!.callFrame;
      const area = areaOf(f.url, f.functionName);
      if (f.url) areas.add(area);
      if (area.startsWith('app: ')) appFrames.add(`${f.functionName || '(anonymous)'}  ${shortUrl(f.url)}:${f.lineNumber + 1}`);
    }
    for (const key of appFrames) add(inclusiveApp, key, us);
    for (const key of areas) add(inclusiveByArea, key, us);
  }
  const sorted = (map: Map<string, number>) => [...map].map(([key, us]) => ({ key, ms: us / 1000 })).sort((a, b) => b.ms - a.ms);
  return {
    totalMs: totalUs / 1000,
    busyMs: (totalUs - idleUs) / 1000,
    selfByFunction: sorted(selfByFunction),
    selfByArea: sorted(selfByArea),
    inclusiveApp: sorted(inclusiveApp),
    inclusiveByArea: sorted(inclusiveByArea),
  };
}

/** The functions that cost more per command in `a` than in `b` (self time, µs per command), most first. */
export function renderDifference(a: ProfileSummary, aCommands: number, b: ProfileSummary, bCommands: number, top = 25): string {
  const perCommand = (entries: TimeEntry[], commands: number) => new Map(entries.map((e) => [e.key, (e.ms * 1000) / commands]));
  const left = perCommand(a.selfByFunction, aCommands);
  const right = perCommand(b.selfByFunction, bCommands);
  const keys = new Set([...left.keys(), ...right.keys()]);
  keys.delete('(idle)');
  const rows = [...keys]
    .map((key) => ({ key, a: left.get(key) ?? 0, b: right.get(key) ?? 0 }))
    .map((row) => ({ ...row, diff: row.a - row.b }))
    .sort((x, y) => y.diff - x.diff);
  const busy = (s: ProfileSummary, commands: number) => (s.busyMs * 1000) / commands;
  return [
    `Busy per command: ${busy(a, aCommands).toFixed(1)} µs against ${busy(b, bCommands).toFixed(1)} µs (+${(busy(a, aCommands) - busy(b, bCommands)).toFixed(1)} µs). Self time, µs per command:`,
    '     more      this   baseline  function',
    ...rows.slice(0, top).map((r) => `  ${r.diff.toFixed(1).padStart(7)}  ${r.a.toFixed(1).padStart(8)}  ${r.b.toFixed(1).padStart(8)}  ${r.key}`),
  ].join('\n');
}

export function renderSummary(summary: ProfileSummary, top = 25, perCommands?: number): string {
  const per = (ms: number) => (perCommands ? `  ${((ms * 1000) / perCommands).toFixed(1).padStart(7)} µs/cmd` : '');
  const pct = (ms: number) => `${((100 * ms) / summary.busyMs).toFixed(1).padStart(5)}%`;
  const section = (title: string, entries: TimeEntry[]) => [
    title,
    ...entries.slice(0, top).map((e) => `  ${e.ms.toFixed(1).padStart(9)} ms ${pct(e.ms)}${per(e.ms)}  ${e.key}`),
  ];
  return [
    `Sampled ${summary.totalMs.toFixed(0)} ms, busy (not idle) ${summary.busyMs.toFixed(0)} ms${perCommands ? ` = ${((summary.busyMs * 1000) / perCommands).toFixed(1)} µs per command over ${perCommands} commands` : ''}; percentages are of busy time.`,
    ...section('Self time by area:', summary.selfByArea),
    ...section('Self time by function:', summary.selfByFunction),
    ...section('Inclusive time by area (package on the stack):', summary.inclusiveByArea),
    ...section("Inclusive time of the app's own functions:", summary.inclusiveApp),
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [file, top, perCommands] = process.argv.slice(2);
  if (!file) {
    console.error('usage: tsx scripts/bench/cpuprofile-summary.ts <file.cpuprofile> [top] [perCommands]');
    process.exit(1);
  }
  const summary = summariseProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile);
  console.log(renderSummary(summary, top ? Number(top) : 25, perCommands ? Number(perCommands) : undefined));
}
