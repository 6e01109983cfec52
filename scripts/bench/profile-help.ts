/**
 * Profiles the help path: the compiled app (`node --cpu-prof dist/main.js`) and the bare Bolt
 * baseline (`node --cpu-prof bare-bolt.mjs`, answering with the same text) each take a burst of
 * signed `/rendezvous help` commands (the benchmark's own signed requests, keep-alive, 10
 * connections, or PROFILE_CONNECTIONS), then stop; their .cpuprofile files are summarised (cpuprofile-summary.ts) and kept.
 *
 *   npx tsx scripts/bench/profile-help.ts [commands=20000] [text=help]
 *
 * Apizee answers ticket creations after 5 s, as in the bench (PROFILE_VENDOR_DELAY_MS to change
 * it), so that a create burst does the same work as the bench's rounds: cards posted during the
 * burst, Apizee's answers after it. Only the samples taken during the bursts are summarised.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApizeeSandbox } from '../../sandbox/apizee.js';
import { SANDBOX_APIZEE_ACCOUNT } from '../../sandbox/local-stack.js';
import { startFakeSlackApi } from '../../sandbox/slack-api.js';
import { rendezvousEnv } from './ack.js';
import { APP_MAIN_COMPILED, BARE_BOLT_MAIN, freePort, procCpuSeconds, spawnApp, type ChildApp } from './child.js';
import { renderDifference, renderSummary, summariseProfile, type ProfileSummary } from './cpuprofile-summary.js';
import { startDelayProxy } from './delay-proxy.js';
import { captureFixtures } from './fixtures.js';
import { runLoadInWorker } from './load.js';
import { slashCommands } from './slash.js';

const commands = Number(process.argv[2] ?? 20_000);
const text = process.argv[3] ?? 'help';
/** Keep-alive connections sending the burst (PROFILE_CONNECTIONS, default 10). */
const connections = Number(process.env.PROFILE_CONNECTIONS ?? 10);
const dir = mkdtempSync(join(tmpdir(), 'rendezvous-profile-'));
const slack = await startFakeSlackApi();
const apizee = await startApizeeSandbox({ ratePerMinute: 100_000, accounts: [SANDBOX_APIZEE_ACCOUNT] });
const vendorDelayMs = Number(process.env.PROFILE_VENDOR_DELAY_MS ?? 5000);
const proxy = await startDelayProxy({ match: (method, path) => method === 'POST' && /\/tickets$/.test(path), minMs: vendorDelayMs, maxMs: vendorDelayMs });
proxy.setTarget(new URL(apizee.url).origin);
const signingSecret = randomBytes(16).toString('hex');
const children: ChildApp[] = [];
try {
  const profileDir = (name: string) => {
    const path = join(dir, name);
    mkdirSync(path);
    return path;
  };
  const appPort = await freePort();
  const app = await spawnApp({
    entry: APP_MAIN_COMPILED,
    cwd: dir,
    port: appPort,
    logPath: join(dir, 'app.log'),
    healthPath: '/healthz',
    nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profileDir('rendezvous')}`],
    env: rendezvousEnv({ slackApiUrl: slack.apiUrl, signingSecret, port: appPort, databaseFile: join(dir, 'rendezvous.db'), apizeeApiUrl: `${proxy.url}/api` }),
  });
  children.push(app);
  const { fixtures } = await captureFixtures(slack, signingSecret, app.url, '+33612345678');
  writeFileSync(join(dir, 'fixtures.json'), JSON.stringify(fixtures));
  const barePort = await freePort();
  const bare = await spawnApp({
    entry: BARE_BOLT_MAIN,
    cwd: dir,
    port: barePort,
    logPath: join(dir, 'bare.log'),
    healthPath: '/healthz',
    nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profileDir('bare')}`],
    env: { SLACK_SIGNING_SECRET: signingSecret, SLACK_API_URL: slack.apiUrl, PORT: String(barePort), BARE_FIXTURES: join(dir, 'fixtures.json'), BARE_VENDOR_DELAY_MS: String(vendorDelayMs) },
  });
  children.push(bare);

  const nowUs = () => Number(process.hrtime.bigint() / 1000n);
  const bursts: Record<string, { fromUs: number; toUs: number; sent: number }> = {};
  for (const [name, child] of [['bare Bolt', bare], ['Rendezvous', app]] as const) {
    const url = `${child.url}/slack/events`;
    await runLoadInWorker({ url, requests: slashCommands(slack, signingSecret, text, 500, 50, 'C0PROF'), concurrency: connections, timeBoundMs: 30_000 });
    const before = procCpuSeconds(child.pid);
    const fromUs = nowUs();
    const result = await runLoadInWorker({ url, requests: slashCommands(slack, signingSecret, text, commands, 50, 'C0PROF'), concurrency: connections, timeBoundMs: 120_000 });
    const burst = procCpuSeconds(child.pid) - before;
    bursts[name] = { fromUs, toUs: nowUs(), sent: result.sent };
    console.log(
      `${name}: ${result.sent} "/rendezvous ${text}" in ${(result.wallMs / 1000).toFixed(1)} s; CPU ${((burst * 1000) / result.sent).toFixed(3)} ms per command ` +
        `(process CPU before the burst, start-up and warm-up: ${before.toFixed(2)} s)`,
    );
  }
  for (const child of children) await child.stop();
  children.length = 0;
  const summaries: Record<string, ProfileSummary> = {};
  for (const [name, folder] of [['bare Bolt', 'bare'], ['Rendezvous', 'rendezvous']] as const) {
    const file = readdirSync(join(dir, folder)).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error(`no .cpuprofile from ${name}`);
    const path = join(dir, folder, file);
    const burst = bursts[name]!;
    // Only the samples taken during the burst: start-up and warm-up left out.
    const summary = summariseProfile(JSON.parse(readFileSync(path, 'utf8')), burst);
    summaries[name] = summary;
    console.log(`\n=== ${name}, during the burst only: ${path}`);
    console.log(renderSummary(summary, 30, burst.sent));
  }
  console.log('\n=== Rendezvous against bare Bolt, during the bursts');
  console.log(renderDifference(summaries.Rendezvous!, bursts.Rendezvous!.sent, summaries['bare Bolt']!, bursts['bare Bolt']!.sent, 30));
  console.log(`\nProfiles and logs kept in ${dir}`);
} finally {
  for (const child of children) await child.stop();
  await slack.close();
  await apizee.close();
  await proxy.close();
}
