/**
 * 60 sessions whose channels are archived after their cards were posted, beside healthy ones:
 * the healthy threads get every reply, once; each reply due in an archived thread is tried at
 * most once, and each archived session's starter is told once, by direct message.
 */
import { Campaign, drillStack, mentions, until, type Drill, type DrillContext, type DrillDatabase, type DrillResult } from './harness.js';

const ARCHIVED = 60;
const HEALTHY = 6;
const STARTER = 'U0AGENT';

async function archivedBesideHealthy(ctx: DrillContext): Promise<DrillResult> {
  const stack = await drillStack(ctx, { apizeeRatePerMinute: 100_000 });
  const requesters = () => [stack.requester];
  const archived = new Campaign(stack, requesters);
  const healthy = new Campaign(stack, requesters);
  await archived.create(ARCHIVED, { prefix: 'ARCH', channel: (i) => `C0ARCH${i % 12}` });
  await healthy.create(HEALTHY, { prefix: 'OK', channel: (i) => `C0OK${i}` });
  await Promise.all([archived.waitComplete(60_000), healthy.waitComplete(60_000)]);
  const channels = new Set(archived.started.map((started) => started.channel));
  for (const channel of channels) stack.slack.archiveChannel(channel);
  const from = Date.now();
  const callsBefore = stack.slack.calls.length;
  archived.join();
  healthy.join();
  await healthy.waitComplete(30_000);
  archived.end();
  healthy.end();
  const dms = (ref: string) => stack.slack.messages(STARTER).filter((message) => mentions(ref).test(message.text)).length;
  await until(() => healthy.complete() && archived.started.every((started) => dms(started.ref) > 0), 60_000, 200);
  const completedAt = Date.now();
  const result = await healthy.account(from, completedAt, 3000);
  let { lost, doubled } = result;
  const details = [...(result.details ?? [])];
  const tries = new Map<string, number>();
  for (const call of stack.slack.calls.slice(callsBefore)) {
    if (call.method !== 'chat.postMessage' || !channels.has(call.args.channel) || !call.args.thread_ts) continue;
    const id = String(call.args.metadata?.event_payload?.outbox_id ?? call.args.text);
    tries.set(id, (tries.get(id) ?? 0) + 1);
  }
  for (const [id, count] of tries) {
    if (count > 1) {
      doubled += count - 1;
      if (details.length < 12) details.push(`archived reply ${id} tried ${count} times`);
    }
  }
  for (const started of archived.started) {
    const told = dms(started.ref);
    const cards = archived.cardsOf(started).length;
    const tickets = archived.ticketsOf(started.ref).length;
    if (told === 0 || cards === 0) lost++;
    doubled += Math.max(0, told - 1) + Math.max(0, cards - 1) + Math.max(0, tickets - 1);
    if ((told !== 1 || cards !== 1 || tickets !== 1) && details.length < 12) details.push(`${started.ref}: ${told} DMs, ${cards} cards, ${tickets} tickets`);
  }
  return { sessions: archived.started.length + healthy.started.length, lost, doubled, recoveredMs: result.recoveredMs, details };
}

export const archivedDrills: Drill[] = (['sqlite', 'postgres'] as DrillDatabase[]).map((database) => ({
  name: `${ARCHIVED} threads in archived channels beside ${HEALTHY} healthy`,
  database,
  run: archivedBesideHealthy,
}));
