/**
 * What Rendezvous itself answers and sends to Slack on each benchmarked path, captured once from
 * the running app, so that the bare Bolt baseline (bare-bolt.mjs) does exactly the same Slack work:
 * the same help text, the same invite modal, the same "creating" line, the same card and the same
 * updated card.
 */
import type { FakeSlackApi, SlackArgs } from '../../sandbox/slack-api.js';
import { slashCommand } from './slash.js';

export interface BareFixtures {
  help: string;
  /** The view Rendezvous gave views.open for an empty `/rendezvous`. */
  modal: SlackArgs;
  createAck: string;
  card: { text: string; blocks: unknown[] };
  updated: { text: string; blocks: unknown[] };
}

export interface FixtureSummary {
  helpChars: number;
  modalInputs: number;
  modalBlocks: number;
  modalBytes: number;
  cardBytes: number;
  updatedBytes: number;
  /** Slack calls Rendezvous made for one create command, from its ack until the card was updated (thread reply included). */
  createCalls: Record<string, number>;
}

const CHANNEL = 'C0CAPTURE';

/** Sends one help, one empty and one create command to the app at `appUrl`; the create takes as long as the vendor does. */
export async function captureFixtures(slack: FakeSlackApi, signingSecret: string, appUrl: string, createText: string): Promise<{ fixtures: BareFixtures; summary: FixtureSummary }> {
  const send = async (text: string) => {
    const prepared = slashCommand(slack, signingSecret, { text, channelId: CHANNEL });
    const response = await fetch(`${appUrl}/slack/events`, { method: 'POST', headers: prepared.headers, body: prepared.body });
    const body = await response.text();
    if (response.status !== 200) throw new Error(`capture: "/rendezvous ${text}" answered ${response.status}: ${body.slice(0, 200)}`);
    return { triggerId: prepared.triggerId, ack: body ? (JSON.parse(body) as SlackArgs) : {} };
  };

  const help = await send('help');
  if (typeof help.ack.text !== 'string') throw new Error('capture: the help command was not acknowledged with text');

  const modal = await send('');
  const opened = await slack.waitFor('views.open', (call) => call.args.trigger_id === modal.triggerId, 5000);
  const view = opened.args.view as SlackArgs;

  const callsBefore = slack.calls.length;
  const create = await send(createText);
  if (typeof create.ack.text !== 'string') throw new Error('capture: the create command was not acknowledged with text');
  const posted = await slack.waitFor('chat.postMessage', (call) => call.args.channel === CHANNEL && !call.args.thread_ts && call.status === 200, 10_000);
  const ts = String(posted.response.ts);
  const updated = await slack.waitFor('chat.update', (call) => call.args.channel === CHANNEL && call.args.ts === ts, 20_000);
  // The thread reply that follows the update, if any, is counted too.
  await new Promise((resolve) => setTimeout(resolve, 500));
  const createCalls: Record<string, number> = {};
  for (const call of slack.calls.slice(callsBefore)) {
    const key = call.method === 'chat.postMessage' && call.args.thread_ts ? 'chat.postMessage (thread reply)' : call.method;
    createCalls[key] = (createCalls[key] ?? 0) + 1;
  }

  const fixtures: BareFixtures = {
    help: help.ack.text,
    modal: view,
    createAck: create.ack.text,
    card: { text: String(posted.args.text ?? ''), blocks: (posted.args.blocks as unknown[]) ?? [] },
    updated: { text: String(updated.args.text ?? ''), blocks: (updated.args.blocks as unknown[]) ?? [] },
  };
  const blocks = (view.blocks as Array<{ type: string }> | undefined) ?? [];
  return {
    fixtures,
    summary: {
      helpChars: fixtures.help.length,
      modalInputs: blocks.filter((block) => block.type === 'input').length,
      modalBlocks: blocks.length,
      modalBytes: JSON.stringify(view).length,
      cardBytes: JSON.stringify(fixtures.card.blocks).length,
      updatedBytes: JSON.stringify(fixtures.updated.blocks).length,
      createCalls,
    },
  };
}
