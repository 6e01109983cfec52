/**
 * `npm run demo`: the whole product offline. Starts the Apizee sandbox, a stand-in for Slack's
 * Web API and the real app between them, drives it with real signed Slack requests, moves the
 * tickets through their life, and prints each conversation as a person would read it.
 */
import { SANDBOX_GENESYS, startLocalStack, type LocalStack } from '../sandbox/local-stack.js';
import { ACTION, CALLBACK, INPUT } from '../src/ui/ids.js';

/** The Apizee ticket's own agent input, as its product declares it (src/vendors/apizee/products.ts). */
const AGENT_INPUT = { block: 'agent', action: 'agent_input' } as const;

const AGENT = 'U0AGENT';
const SUPPORT = 'C0SUPPORT';
const FIELD = 'C0FIELD';
const PARTNERS = 'C0PARTNERS';

const say = (line = '') => console.log(line);
const step = (title: string) => say(`\n▶ ${title}`);

async function until(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`demo: timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const replies = (stack: LocalStack, pattern: RegExp) =>
  stack.slack.callsTo('chat.postMessage').filter((call) => call.args.thread_ts && pattern.test(call.args.text)).length;

const shorten = (url: string) => (url.length > 70 ? `${url.slice(0, 67)}…` : url);

/** Slack's markup as a reader sees it: mentions, dates and links resolved. */
function readable(text: string): string {
  return text
    .replace(/<@(U[A-Z0-9]+)>/g, (_m, id: string) => `@${id === AGENT ? 'alex (agent)' : id}`)
    .replace(/<!date\^\d+\^[^|]*\|([^>]*)>/g, '$1')
    .replace(/<#(C[A-Z0-9]+)>/g, '#$1')
    .replace(/<([^|>]+)\|([^>]+)>/g, (_m, url: string, label: string) => `${label} ‹${shorten(url)}›`)
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

async function main(): Promise<void> {
  const started = Date.now();
  const stack = await startLocalStack({ apizeeRatePerMinute: 10, env: { TRACK_INTERVAL_SECONDS: '1' } });
  say('Rendezvous demo: Apizee sandbox, a local Slack Web API, and the real app on ' + stack.appUrl);
  say('Apizee allows 10 requests a minute per account; the sandbox enforces it, the app stays under it.');
  try {
    step('Alex types in #support: /rendezvous +33 6 12 34 56 78 ref:CASE-1042 "Please have your router nearby"');
    const ack = await stack.requester.slash('+33 6 12 34 56 78 ref:CASE-1042 "Please have your router nearby"', {
      userId: AGENT,
      channelId: SUPPORT,
    });
    say(`  Slack got HTTP ${ack.status} in ${Math.round(ack.ms)} ms: (only visible to you) ${ack.body.text}`);

    step('Alex types /rendezvous with no text: the invite modal opens');
    await stack.requester.slash('', { userId: AGENT, channelId: SUPPORT });
    const opened = await stack.slack.waitFor('views.open');
    say(`  Modal “${opened.args.view.title.text}” with ${opened.args.view.blocks.length} fields`);
    step('Alex fills it in: e-mail jane.doe@example.com, post the card in #field');
    const submitted = await stack.requester.interaction(
      stack.requester.viewSubmission({
        callbackId: CALLBACK.inviteModal,
        userId: AGENT,
        values: {
          [INPUT.vendor.block]: { [INPUT.vendor.action]: { type: 'static_select', selected_option: { value: 'apizee' } } },
          [INPUT.email.block]: { [INPUT.email.action]: { type: 'email_text_input', value: 'jane.doe@example.com' } },
          [AGENT_INPUT.block]: { [AGENT_INPUT.action]: { type: 'plain_text_input', value: 'agent@example.com' } },
          [INPUT.conversation.block]: { [INPUT.conversation.action]: { type: 'conversations_select', selected_conversation: FIELD } },
        },
        responseUrls: [{ blockId: INPUT.conversation.block, actionId: INPUT.conversation.action, channelId: FIELD }],
      }),
    );
    say(`  Slack got HTTP ${submitted.status}: the modal closes`);
    await until('both invitations', () => replies(stack, /sent the invitation/) === 2);

    await new Promise((resolve) => setTimeout(resolve, 200));
    say('\n━━━━━━━━ #support right after the command ━━━━━━━━');
    say(readable(stack.slack.transcript(SUPPORT)));

    const card = stack.slack.messages(SUPPORT)[0]!;
    const sessionId = JSON.stringify(card.blocks).match(/"value":"([0-9a-f-]{36})"/)![1]!;
    step('Alex clicks “Customer link” on the card (only Alex sees the answer)');
    await stack.requester.interaction(
      stack.requester.blockAction({ actionId: ACTION.customerLink, value: sessionId, userId: AGENT, channelId: SUPPORT, messageTs: card.ts }),
    );
    await until('the customer link', () => stack.slack.ephemerals(AGENT).some((item) => /Customer link/.test(item.text ?? '')));
    const link = stack.slack.ephemerals(AGENT).find((item) => /Customer link/.test(item.text ?? ''))!;
    say(`  (only visible to you) ${readable(link.text ?? '')}`);

    step('In #partners, one session with each other vendor:');
    const commands = [
      '+44 7400 123456 blitzz whatsapp ref:CASE-2001',
      `+33 6 98 76 54 32 conpeek ref:CASE-2002 via:${SANDBOX_GENESYS.smsSession}`,
      'jane.doe@example.com imbee ref:CASE-2003',
      `genesys ${SANDBOX_GENESYS.smsSession} ${stack.genesys.targets[0]}`,
      'meet jane.doe@example.com, +33 6 98 76 54 32 "Site survey"',
    ];
    for (const text of commands) {
      const answer = await stack.requester.slash(text, { userId: AGENT, channelId: PARTNERS });
      say(`  /rendezvous ${readable(text)}\n    → (only visible to you) ${answer.body.text}`);
    }
    await until('the other vendors', () =>
      replies(stack, /Blitzz sent the invitation/) === 1 &&
      replies(stack, /link went to the customer through Genesys/) === 1 &&
      replies(stack, /Imbee sent the web-chat link/) === 1 &&
      replies(stack, /Genesys brought/) === 1 &&
      replies(stack, /Apizee invited 2 participants/) === 1,
    );

    const [phoneTicket, emailTicket] = [...stack.apizee.tickets.values()].sort((a, b) => a.id - b.id);
    step(`Apizee: the customer on the phone opens the link (ticket ${phoneTicket!.id} → inprogress); Jane declines (ticket ${emailTicket!.id} → declined)`);
    stack.apizee.setTicketState(phoneTicket!.id, 'inprogress');
    stack.apizee.setTicketState(emailTicket!.id, 'declined');
    await until('joined and declined in the threads', () => replies(stack, /guest joined/) === 1 && replies(stack, /declined/) === 1);

    await new Promise((resolve) => setTimeout(resolve, 3000));
    step('Apizee: the call ends with a photo and a recording (ticket → done)');
    stack.apizee.completeWithMedia(phoneTicket!.id);
    await until('the end and the media', () => replies(stack, /session ended/) === 1 && replies(stack, /from the session/) === 1, 60_000);
    await new Promise((resolve) => setTimeout(resolve, 300));

    step('Alex types /rendezvous vendors');
    const vendors = await stack.requester.slash('vendors', { userId: AGENT, channelId: SUPPORT });
    say(readable(vendors.body.text).replace(/^/gm, '  '));

    for (const [channel, name] of [[SUPPORT, '#support'], [FIELD, '#field'], [PARTNERS, '#partners']] as const) {
      say(`\n━━━━━━━━ ${name}, at the end ━━━━━━━━`);
      say(readable(stack.slack.transcript(channel)));
    }

    const apizeeCalls = stack.apizee.requests.length;
    say(`\nApizee requests: ${apizeeCalls} (limit 10 a minute), 429 answers: ${stack.apizee.rateLimitedCount}`);
    say(
      `Blitzz invitations: ${stack.blitzz.invitations.length}, Conpeek meets: ${stack.conpeek.meets.size}, ` +
        `Imbee links: ${stack.imbee.tokens.length}, Genesys operations: ${stack.genesys.operations.length}`,
    );
    say(`Slack Web API calls: ${stack.slack.calls.length}, rejected by Block Kit checks: ${stack.slack.rejections.length}`);
    say(`Demo finished in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
    if (stack.apizee.rateLimitedCount > 0 || stack.slack.rejections.length > 0) process.exitCode = 1;
  } catch (error) {
    // A demo that stops should say what it had seen, so the failure can be read without a debugger.
    say('\nThread replies so far:');
    for (const call of stack.slack.callsTo('chat.postMessage').filter((c) => c.args.thread_ts)) say(`  ${readable(String(call.args.text))}`);
    const byPath = new Map<string, number>();
    for (const request of stack.apizee.requests) byPath.set(`${request.method} ${request.path}`, (byPath.get(`${request.method} ${request.path}`) ?? 0) + 1);
    say(`Apizee requests: ${[...byPath].map(([path, n]) => `${path} ×${n}`).join(', ')}`);
    throw error;
  } finally {
    await stack.close();
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
