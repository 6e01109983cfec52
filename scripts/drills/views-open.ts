/**
 * Slack 429 with `Retry-After` on `views.open`, for a burst of empty `/rendezvous` commands (each
 * opens the invite modal with its own trigger_id, which Slack honours for 3 s only; the stand-in
 * enforces that). Every command must get its modal opened exactly once or, when Slack's wait would
 * outlast the trigger, one ephemeral saying to try again: never both, never neither.
 */
import { randomBytes } from 'node:crypto';
import type { LocalStack } from '../../sandbox/local-stack.js';
import { drillStack, onBothDatabases, sleep, until, type Drill, type DrillContext, type DrillResult } from './harness.js';

const COMMANDS = 8;
/** Slack's trigger_id lifetime, enforced by the stand-in for these drills. */
const TRIGGER_TTL_MS = 3000;
/** What the app tells the user when the modal could not be opened in time. */
const TRY_AGAIN = /run `?\/rendezvous`? again/i;

interface Command {
  channel: string;
  user: string;
  trigger: string;
  acked: boolean;
}

/** Successful views.open calls made with this command's trigger. */
function modalsOf(stack: LocalStack, command: Command): number {
  return stack.slack.callsTo('views.open').filter((call) => call.args.trigger_id === command.trigger && call.status === 200 && call.response.ok === true).length;
}

function tryAgainsOf(stack: LocalStack, command: Command): number {
  return stack.slack.ephemerals(command.user).filter((ephemeral) => TRY_AGAIN.test(ephemeral.text)).length;
}

/** `rateLimited` views.open calls in a row answered 429 with Retry-After: 1, from the burst on. */
function throttledModals(rateLimited: number) {
  return async (ctx: DrillContext): Promise<DrillResult> => {
    const stack = await drillStack(ctx, { slack: { triggerTtlMs: TRIGGER_TTL_MS } });
    const tag = randomBytes(2).toString('hex').toUpperCase();
    // One person per command, so that each one's ephemerals are told apart.
    const commands: Command[] = Array.from({ length: COMMANDS }, (_, i) => {
      const user = `U0MODAL${tag}${i}`;
      return { channel: `C0MODAL${tag}${i}`, user, trigger: stack.slack.triggerId(user), acked: false };
    });
    stack.slack.failNext('views.open', 'ratelimited', { status: 429, retryAfter: 1, times: rateLimited });
    const from = Date.now();
    await Promise.all(
      commands.map(async (command) => {
        const ack = await stack.requester.slash('', { channelId: command.channel, userId: command.user, triggerId: command.trigger });
        command.acked = ack.status === 200;
      }),
    );
    const answered = (command: Command) => modalsOf(stack, command) + tryAgainsOf(stack, command) > 0;
    await until(() => commands.every(answered), 10_000);
    const completedAt = Date.now();
    // Anything late (a retry past the trigger, a second message) still counts.
    await sleep(TRIGGER_TTL_MS);
    return account(stack, commands, completedAt - from);
  };
}

function account(stack: LocalStack, commands: Command[], recoveredMs: number): DrillResult {
  let lost = 0;
  let doubled = 0;
  const details: string[] = [];
  for (const command of commands) {
    const modals = modalsOf(stack, command);
    const tryAgains = tryAgainsOf(stack, command);
    if (!command.acked || modals + tryAgains === 0) {
      lost++;
      details.push(`${command.user}: ${command.acked ? 'neither a modal nor a message' : 'the command was not acknowledged'}`);
    } else if (modals + tryAgains > 1) {
      doubled += modals + tryAgains - 1;
      details.push(`${command.user}: ${modals} modal(s) and ${tryAgains} "try again" message(s)`);
    }
  }
  return { sessions: commands.length, lost, doubled, recoveredMs, details };
}

export const viewsOpenDrills: Drill[] = [
  // Each command's first views.open is refused: the wait fits in the trigger's 3 s.
  ...onBothDatabases(`Slack 429 (Retry-After: 1) on views.open, ${COMMANDS} /rendezvous at once`, throttledModals(COMMANDS), true),
  // Refused again and again: some waits would outlast the trigger, and those users are told to try again.
  ...onBothDatabases(`Slack 429 (Retry-After: 1) on views.open ×${(COMMANDS * 5) / 2}, past the trigger's 3 s`, throttledModals((COMMANDS * 5) / 2), true),
];
