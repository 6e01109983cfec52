/**
 * The fault drills' common ground: what a drill is, the stack it runs against (the app in-process
 * on SQLite or PostgreSQL, between the vendor sandboxes and the Slack stand-in), and the
 * accounting, read only from what Slack and Apizee saw: every acked command has exactly one
 * card, every reference at most one Apizee ticket, and every milestone reply stands exactly once
 * in its thread (a creation that failed must say so in its thread, once).
 */
import { randomBytes } from 'node:crypto';
import type { ApizeeSandbox } from '../../sandbox/apizee.js';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../../sandbox/local-stack.js';
import type { FakeSlackApi } from '../../sandbox/slack-api.js';
import type { SlackAppResponse, SlackRequester, SlashCommandOptions } from '../../sandbox/slack-requests.js';
import { freshPostgresDatabase } from '../../test/helpers/databases.js';

export type DrillDatabase = 'sqlite' | 'postgres';

export interface DrillResult {
  sessions: number;
  lost: number;
  doubled: number;
  /** From the fault (its injection) to the last expected post standing in Slack. */
  recoveredMs: number;
  /** What was lost or doubled, for the report. */
  details?: string[];
}

export interface DrillContext {
  database: DrillDatabase;
  /** The app's DATABASE_URL override for this drill ({} on SQLite: the stack's throwaway file). */
  databaseEnv(): Promise<Record<string, string>>;
  /** Registers cleanup run after the drill, whatever happened. */
  defer(cleanup: () => Promise<unknown> | unknown): void;
}

export interface Drill {
  name: string;
  database: DrillDatabase;
  /** Run by `npm test` too (test/e2e/drills.test.ts): well under 10 s. */
  fast?: boolean;
  run(ctx: DrillContext): Promise<DrillResult>;
}

/** The same drill on SQLite and on PostgreSQL; `fastOnSqlite` puts the SQLite one in `npm test`. */
export function onBothDatabases(name: string, run: (ctx: DrillContext) => Promise<DrillResult>, fastOnSqlite = false): Drill[] {
  return [
    { name, database: 'sqlite', run, fast: fastOnSqlite },
    { name, database: 'postgres', run },
  ];
}

/** Thrown when a drill cannot run here (no PostgreSQL on this machine). */
export class DrillSkipped extends Error {}

export function drillContext(database: DrillDatabase): DrillContext & { cleanup(): Promise<void> } {
  const cleanups: Array<() => Promise<unknown> | unknown> = [];
  return {
    database,
    async databaseEnv(): Promise<Record<string, string>> {
      if (database === 'sqlite') return {};
      const fresh = await freshPostgresDatabase();
      if (!fresh) throw new DrillSkipped('no PostgreSQL server on this machine');
      // Dropped after the stack is closed (cleanups run last registered first).
      cleanups.push(() => fresh.drop());
      return { DATABASE_URL: fresh.url };
    },
    defer(cleanup) {
      cleanups.push(cleanup);
    },
    async cleanup() {
      for (const cleanup of cleanups.reverse()) await Promise.resolve(cleanup()).catch(() => {});
      cleanups.length = 0;
    },
  };
}

/** Short windows, so that a drill takes seconds: tracking every second, a one-second vendor timeout. */
export const FAST_ENV = { TRACK_INTERVAL_SECONDS: '1', APIZEE_TIMEOUT_SECONDS: '1', VENDOR_TIMEOUT_SECONDS: '1' };

export async function drillStack(ctx: DrillContext, options: LocalStackOptions = {}): Promise<LocalStack> {
  const stack = await startLocalStack({
    apizeeRatePerMinute: 600,
    vendors: ['apizee'],
    ...options,
    env: { ...FAST_ENV, ...(await ctx.databaseEnv()), ...options.env },
  });
  ctx.defer(() => stack.close());
  return stack;
}

export const MILESTONES = ['invited', 'joined', 'ended', 'media'] as const;
export type Milestone = (typeof MILESTONES)[number];
const PATTERN: Record<Milestone | 'failed', RegExp> = {
  invited: /sent the invitation/,
  joined: /guest joined/,
  ended: /session ended/,
  media: /from the session/,
  failed: /could not be created/,
};

/** What the card must say once a milestone is the latest (chat.update carried it). */
const CARD: Record<Milestone | 'failed', RegExp> = {
  invited: /Invited, waiting/,
  joined: /In progress/,
  ended: /Ended/,
  media: /Ended/,
  failed: /Failed/,
};

export interface Started {
  ref: string;
  channel: string;
  /** The ack's text. */
  ack: string;
}

/** How a command reaches the app (a plain slash command unless a drill redelivers it). */
export type SlashSender = (requester: SlackRequester, text: string, options: SlashCommandOptions) => Promise<SlackAppResponse>;

/** Matches `ref` and not a longer reference it starts (DRILL-1 is not DRILL-10). */
export function mentions(ref: string): RegExp {
  return new RegExp(`${ref.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![0-9])`);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `done()` or `timeoutMs`; says whether it got there. */
export async function until(done: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await done()) return true;
    if (Date.now() > deadline) return false;
    await sleep(everyMs);
  }
}

/**
 * A batch of Apizee SMS sessions started by slash commands and taken through their life
 * (invited → joined → ended with media), counted from what Slack and Apizee saw.
 */
export class Campaign {
  readonly started: Started[] = [];
  /** How far the sessions were taken: the milestones every session with a ticket must show. */
  private reached: Milestone[] = [];
  private readonly tag = randomBytes(2).toString('hex').toUpperCase();

  constructor(
    private readonly sandboxes: { apizee: ApizeeSandbox; slack: FakeSlackApi },
    private readonly requesters: () => SlackRequester[],
  ) {}

  /** Sends `count` slash commands (round robin over the requesters), keeping those Slack saw acked. */
  async create(count: number, options: { channel?: (index: number) => string; prefix?: string; send?: SlashSender } = {}): Promise<void> {
    const offset = this.started.length;
    for (let i = offset; i < offset + count; i++) {
      const ref = `${options.prefix ?? 'DRILL'}-${this.tag}-${i}`;
      const channel = options.channel?.(i) ?? `C0DRILL${i}`;
      const requesters = this.requesters();
      const send: SlashSender = options.send ?? ((requester, text, slash) => requester.slash(text, slash));
      const response = await send(requesters[i % requesters.length]!, `+336${String(10_000_000 + i).slice(-8)} ref:${ref}`, { channelId: channel, userId: 'U0AGENT' });
      const ack = typeof response.body === 'object' ? String(response.body?.text ?? '') : String(response.body);
      if (response.status === 200 && /Creating|queued/.test(ack)) this.started.push({ ref, channel, ack });
    }
    this.reached = ['invited'];
  }

  private tickets() {
    return this.started.flatMap((started) => this.ticketsOf(started.ref));
  }

  /** A session started some other way (the modal): counted like the rest. */
  adopt(started: Started): void {
    this.started.push(started);
    this.reached = ['invited'];
  }

  /** A fresh reference for a session started some other way. */
  nextRef(prefix = 'DRILL'): string {
    return `${prefix}-${this.tag}-${this.started.length}`;
  }

  ticketsOf(ref: string) {
    return [...this.sandboxes.apizee.tickets.values()].filter((ticket) => ticket.reference === ref);
  }

  /** Every card in the started sessions' channels carrying `ref`, with its thread as Slack stores it. */
  cardsOf(started: Started) {
    const ref = mentions(started.ref);
    return this.sandboxes.slack.messages(started.channel).filter((message) => ref.test(JSON.stringify(message.blocks ?? [])) || ref.test(message.text));
  }

  private replies(started: Started): string[] {
    return this.cardsOf(started).flatMap((card) => card.replies.map((reply) => reply.text));
  }

  /** After a drill's own action (Cancel), the card must say this instead of the latest milestone. */
  private cardOverride: RegExp | undefined;

  expectCard(pattern: RegExp): void {
    this.cardOverride = pattern;
  }

  private expected(started: Started): Array<Milestone | 'failed'> {
    return this.ticketsOf(started.ref).length === 0 ? ['failed'] : this.reached;
  }

  /** The card (its last version in Slack) shows the latest expected state. */
  private cardCurrent(started: Started): boolean {
    const pattern = this.cardOverride ?? CARD[this.expected(started).at(-1)!];
    return this.cardsOf(started).some((card) => pattern.test(JSON.stringify(card.blocks ?? [])));
  }

  /** Each session shows every milestone reached so far (or its failure), on its card and in its thread; doubles are not judged here. */
  complete(): boolean {
    return this.started.every((started) => {
      const replies = this.replies(started);
      if (this.cardsOf(started).length === 0 || !this.cardCurrent(started)) return false;
      return this.expected(started).every((key) => replies.some((text) => PATTERN[key].test(text)));
    });
  }

  async waitComplete(timeoutMs: number): Promise<number> {
    await until(() => this.complete(), timeoutMs, 100);
    return Date.now();
  }

  /** Guests join every ticket; tracking must post "guest joined" once per thread. */
  join(): void {
    for (const ticket of this.tickets()) if (ticket.state !== 'inprogress' && ticket.state !== 'done') this.sandboxes.apizee.setTicketState(ticket.id, 'inprogress');
    this.reached = ['invited', 'joined'];
  }

  /** Every ticket ends with its media. */
  end(): void {
    for (const ticket of this.tickets()) if (ticket.state !== 'done') this.sandboxes.apizee.completeWithMedia(ticket.id);
    this.reached = [...MILESTONES];
  }

  /** The whole life, waiting for each step (up to `stepMs` each). */
  async live(stepMs = 15_000): Promise<number> {
    await this.waitComplete(stepMs);
    this.join();
    await this.waitComplete(stepMs);
    this.end();
    return this.waitComplete(stepMs);
  }

  /** Lost and doubled, after a pause for anything late (a double posted after the count). */
  async account(recoveredFrom: number, completedAt: number, settleMs = 1500): Promise<DrillResult> {
    await sleep(settleMs);
    let lost = 0;
    let doubled = 0;
    const details: string[] = [];
    const note = (what: string) => details.length < 12 && details.push(what);
    for (const started of this.started) {
      const cards = this.cardsOf(started);
      if (cards.length === 0) {
        lost++;
        note(`${started.ref}: no card`);
        continue;
      }
      if (cards.length > 1) {
        doubled += cards.length - 1;
        note(`${started.ref}: ${cards.length} cards`);
      }
      const tickets = this.ticketsOf(started.ref);
      if (tickets.length > 1) {
        doubled += tickets.length - 1;
        note(`${started.ref}: ${tickets.length} Apizee tickets`);
      }
      if (!this.cardCurrent(started)) {
        lost++;
        note(`${started.ref}: the card does not show ${String(this.cardOverride ?? this.expected(started).at(-1))}`);
      }
      const replies = this.replies(started);
      for (const key of this.expected(started)) {
        const times = replies.filter((text) => PATTERN[key].test(text)).length;
        if (times === 0) {
          lost++;
          note(`${started.ref}: no "${key}" reply`);
        } else if (times > 1) {
          doubled += times - 1;
          note(`${started.ref}: "${key}" posted ${times} times`);
        }
      }
    }
    return { sessions: this.started.length, lost, doubled, recoveredMs: Math.max(0, completedAt - recoveredFrom), details };
  }
}

/** The usual drill on an in-process stack: `sessions` created, faulted by `fault`, taken through their life. */
export async function campaignOn(stack: LocalStack): Promise<Campaign> {
  return new Campaign(stack, () => [stack.requester]);
}

/** `sessions` sessions created while `fault` is in place, then accounted. */
export async function faultOnCreation(ctx: DrillContext, fault: (stack: LocalStack) => void, sessions: number): Promise<DrillResult> {
  const stack = await drillStack(ctx);
  const campaign = await campaignOn(stack);
  fault(stack);
  await campaign.create(sessions);
  const from = Date.now();
  return campaign.account(from, await campaign.live());
}

/** Sessions created and invited; `fault` is injected as guests join; then they end with media. */
export async function faultWhileTracking(
  ctx: DrillContext,
  fault: (stack: LocalStack) => void,
  options: { sessions: number; stepMs: number; stack?: LocalStackOptions },
): Promise<DrillResult> {
  const stack = await drillStack(ctx, options.stack);
  const campaign = await campaignOn(stack);
  await campaign.create(options.sessions);
  await campaign.waitComplete(10_000);
  fault(stack);
  const from = Date.now();
  campaign.join();
  await campaign.waitComplete(options.stepMs);
  campaign.end();
  return campaign.account(from, await campaign.waitComplete(options.stepMs));
}
