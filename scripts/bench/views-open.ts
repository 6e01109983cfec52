/**
 * Benchmark 2: from sending an empty `/rendezvous` to the fake Slack receiving `views.open` with
 * that command's trigger_id (Slack's trigger ids expire after 3 s).
 */
import { Agent, request } from 'node:http';
import { startLocalStack } from '../../sandbox/local-stack.js';
import type { PreparedRequest } from './load.js';
import { slashCommand } from './slash.js';
import { percentile } from './stats.js';

export interface ViewsOpenResults {
  sent: number;
  opened: number;
  latenciesMs: number[];
  p50: number;
  p99: number;
  max: number;
  ackP99: number;
  /** Commands not answered 200. */
  failed: number;
  concurrency: number;
}

export async function benchViewsOpen(options: { count: number; concurrency: number; warmup: number; timeBoundMs: number }): Promise<ViewsOpenResults> {
  const stack = await startLocalStack();
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
  try {
    const url = new URL('/slack/events', stack.appUrl);
    const latenciesMs: number[] = [];
    const ackMs: number[] = [];
    let sent = 0;
    let failed = 0;
    const one = async (index: number, measured: boolean) => {
      const prepared = slashCommand(stack.slack, stack.signingSecret, { text: '', channelId: `C0MODAL${String(index % 50).padStart(2, '0')}` });
      const sentAt = Date.now();
      const ackStarted = performance.now();
      const status = await post(agent, url, prepared).catch(() => 0);
      const acked = performance.now() - ackStarted;
      if (status !== 200) {
        if (measured) failed += 1;
        return;
      }
      const call = await stack.slack
        .waitFor('views.open', (c) => c.args.trigger_id === prepared.triggerId, 5000)
        .catch(() => undefined);
      if (!measured) return;
      ackMs.push(acked);
      if (call) latenciesMs.push(call.at - sentAt);
    };
    const run = async (count: number, measured: boolean) => {
      const startedAt = Date.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: options.concurrency }, async () => {
          while (next < count && Date.now() - startedAt < options.timeBoundMs) {
            const index = next++;
            if (measured) sent += 1;
            await one(index, measured);
          }
        }),
      );
    };
    await run(options.warmup, false);
    await run(options.count, true);
    return {
      sent,
      opened: latenciesMs.length,
      latenciesMs,
      p50: percentile(latenciesMs, 50),
      p99: percentile(latenciesMs, 99),
      max: Math.max(...latenciesMs),
      ackP99: percentile(ackMs, 99),
      failed,
      concurrency: options.concurrency,
    };
  } finally {
    agent.destroy();
    await stack.close();
  }
}

function post(agent: Agent, url: URL, prepared: PreparedRequest): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: { ...prepared.headers, 'Content-Length': String(Buffer.byteLength(prepared.body)) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(prepared.body);
  });
}
