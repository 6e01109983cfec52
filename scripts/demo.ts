/**
 * `npm run demo`: the whole product offline. Starts the Apizee sandbox, a stand-in for Slack's
 * Web API and the real app between them, drives it with real signed Slack requests, moves the
 * tickets through their life, and prints each conversation as a person would read it.
 */
import { APIZEE_SANDBOX_PORTAL_URL } from '../sandbox/apizee.js';
import { SANDBOX_GENESYS, SANDBOX_APIZEE_WORKSPACE_ACCOUNTS, startLocalStack, type LocalStack } from '../sandbox/local-stack.js';
import type { SlackArgs } from '../sandbox/slack-api.js';
import { SlackRequester } from '../sandbox/slack-requests.js';
import { ACTION, CALLBACK, INPUT, VENDOR_FIELD_ACTION } from '../src/ui/ids.js';
import { INVITE_STEP_CALLBACK_ID } from '../src/domain/workflow-step.js';

/** The Apizee ticket's own agent input, as its product declares it (src/vendors/apizee/products.ts). */
const AGENT_INPUT = { block: 'agent', action: 'agent_input' } as const;

const AGENT = 'U0AGENT';
const SUPPORT = 'C0SUPPORT';
const FIELD = 'C0FIELD';
const PARTNERS = 'C0PARTNERS';
/** A second workspace on the same Rendezvous, with an Apizee account of its own. */
const BETA = { teamId: 'T0BETA', admin: 'U0DANA', agent: 'U0BEN', channel: 'C0BETADESK', account: SANDBOX_APIZEE_WORKSPACE_ACCOUNTS[1] };

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
    .replace(/<@(U[A-Z0-9]+)>/g, (_m, id: string) => `@${id === AGENT ? 'alex (agent)' : id === BETA.admin ? 'dana (Beta admin)' : id === BETA.agent ? 'ben (Beta agent)' : id}`)
    .replace(/<!date\^\d+\^[^|]*\|([^>]*)>/g, '$1')
    .replace(/<#(C[A-Z0-9]+)>/g, '#$1')
    .replace(/<([^|>]+)\|([^>]+)>/g, (_m, url: string, label: string) => `${label} ‹${shorten(url)}›`)
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

async function main(): Promise<void> {
  const started = Date.now();
  const stack = await startLocalStack({ apizeeRatePerMinute: 10, env: { TRACK_INTERVAL_SECONDS: '1' }, slack: { users: { [BETA.admin]: { teamId: BETA.teamId, admin: true } } } });
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

    await secondWorkspace(stack);
    await workflowStep(stack);
    await meetingAsSlackCall(stack);
    await linkUnfurls(stack);

    for (const [channel, name] of [[SUPPORT, '#support'], [FIELD, '#field'], [PARTNERS, '#partners'], [BETA.channel, 'Beta Corp #beta-desk']] as const) {
      say(`\n━━━━━━━━ ${name}, at the end ━━━━━━━━`);
      say(readable(stack.slack.transcript(channel)));
    }

    const perAccount = new Map<string, number>();
    for (const request of stack.apizee.requests) if (request.account) perAccount.set(request.account, (perAccount.get(request.account) ?? 0) + 1);
    say(
      `\nApizee requests: ${[...perAccount].map(([account, n]) => `${n} as ${account}`).join(', ')} (each account's limit 10 a minute), 429 answers: ${stack.apizee.rateLimitedCount}`,
    );
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

/**
 * Beta Corp, another workspace on the same Rendezvous, brings its own Apizee account: its admin
 * fills in the App Home form (a mistyped password first), and its sessions then run on it.
 */
async function secondWorkspace(stack: LocalStack): Promise<void> {
  const beta = new SlackRequester({ appUrl: stack.appUrl, signingSecret: stack.signingSecret, fakeSlack: stack.slack, teamId: BETA.teamId });
  step('Beta Corp, a second workspace, installs Rendezvous too. Dana, its admin, opens the App Home');
  const homeOpened = async () => {
    const before = stack.slack.callsTo('views.publish').length;
    await beta.event({ type: 'app_home_opened', user: BETA.admin, channel: 'D0DANA', tab: 'home', event_ts: (Date.now() / 1000).toFixed(6) });
    await until('the Home tab', () => stack.slack.callsTo('views.publish').length > before);
    return stack.slack.lastView(BETA.admin)!;
  };
  const vendorLines = (home: SlackArgs) =>
    (home.blocks as SlackArgs[])
      .filter((block) => block.type === 'section' && typeof block.block_id === 'string' && block.block_id.startsWith('vendor_account_'))
      .map((block) => `  ${readable(block.text.text)}  [${block.accessory.text.text}]`);
  const home = await homeOpened();
  say('  *Vendors* (only admins see this)');
  for (const line of vendorLines(home).slice(0, 1)) say(line);
  say('  … one line and one button per vendor');

  const fill = async (password: string, label: string) => {
    const opens = stack.slack.callsTo('views.open').length;
    await beta.interaction(beta.viewButton({ view: home, userId: BETA.admin, actionId: ACTION.homeVendorAccount, blockId: 'vendor_account_apizee', text: 'Set up', value: 'apizee' }));
    await until('the Apizee form', () => stack.slack.callsTo('views.open').length > opens);
    const form = stack.slack.lastView(BETA.admin)!;
    const fields = (form.blocks as SlackArgs[]).filter((item) => item.type === 'input');
    if (label === 'first') {
      say(`  Modal “${(form as SlackArgs).title.text}”:`);
      for (const block of fields) say(`    ${block.label.text}${block.hint ? ` — ${block.hint.text}` : ''}`);
    } else {
      // What the form shows of what was saved: the login, and of the password only that it is saved.
      for (const block of fields.filter((item) => ['APIZEE_USERNAME', 'APIZEE_PASSWORD'].includes(item.block_id))) {
        say(`    ${block.label.text}: ${block.element.initial_value ?? `(empty) “${block.element.placeholder?.text ?? ''}”`}`);
      }
    }
    const values: Record<string, string> = {
      APIZEE_API_URL: stack.apizee.url,
      APIZEE_USERNAME: BETA.account.username,
      APIZEE_ENTERPRISE_ID: String(BETA.account.enterpriseId),
      APIZEE_AGENT: BETA.account.username,
      APIZEE_PASSWORD: password,
      // Where Beta's agents open tickets: its tickets' agent links unfurl in Beta's Slack.
      APIZEE_PORTAL_URL: APIZEE_SANDBOX_PORTAL_URL,
    };
    const answer = await beta.interaction(
      beta.viewSubmission({
        callbackId: CALLBACK.vendorAccount,
        userId: BETA.admin,
        values: Object.fromEntries(Object.entries(values).map(([block, value]) => [block, { [VENDOR_FIELD_ACTION]: { type: 'plain_text_input', value } }])),
      }),
    );
    say(`  Slack got HTTP ${answer.status} at once: ${readable((answer.body as SlackArgs).view.blocks[0].text.text)}`);
    await until('the check', () => stack.slack.callsTo('views.update').some((call) => call.args.view_id === form.id));
    const result = stack.slack.callsTo('views.update').filter((call) => call.args.view_id === form.id).at(-1)!;
    say(`  Then, in the same modal: ${readable(result.args.view.blocks[0].text.text)}`);
  };
  step('Dana clicks “Set up” beside Apizee, fills in Beta’s own account, and mistypes the password');
  await fill('not-the-password', 'first');
  step('Dana clicks “Change”: the form shows what was saved, except the password; she types it right');
  await fill(BETA.account.password, 'again');
  const after = await homeOpened();
  say(`  The Home tab now says:\n${vendorLines(after).slice(0, 1).join('\n')}`);

  step(`Ben, an agent at Beta Corp, types: /rendezvous +33 6 11 22 33 44 ref:BETA-7`);
  const answer = await beta.slash('+33 6 11 22 33 44 ref:BETA-7', { userId: BETA.agent, channelId: BETA.channel });
  say(`  → (only visible to you) ${answer.body.text}`);
  await until('Beta’s ticket', () => [...stack.apizee.tickets.values()].some((ticket) => ticket.reference === 'BETA-7'));
  await until('Beta’s thread', () => replies(stack, /sent the invitation by SMS to \+33 6•• •• •• 44/) === 1);
  const ticket = [...stack.apizee.tickets.values()].find((item) => item.reference === 'BETA-7')!;
  say(`  Apizee created ticket ${ticket.id} in enterprise ${ticket.enterpriseId}: Beta’s own account (${BETA.account.username}), with its own 10 requests a minute.`);
}

/**
 * A Workflow Builder step (issue 12): a workflow runs "Invite someone to a remote session" for
 * Alex; a second run has a typo in its contact and fails with a plain reason, creating nothing.
 */
async function workflowStep(stack: LocalStack): Promise<void> {
  const WORKFLOW_CHANNEL = 'C0WORKFLOW';
  const run = async (contacts: string) => {
    const inputs = { vendor: 'blitzz', contacts, channel: WORKFLOW_CHANNEL, message: 'Show us the meter', acting_user: AGENT };
    const sent = await stack.requester.functionExecuted(INVITE_STEP_CALLBACK_ID, inputs);
    await until('the step completed', () => Boolean(stack.slack.functionExecution(sent.functionExecutionId)?.completion), 20_000);
    return stack.slack.functionExecution(sent.functionExecutionId)!.completion!;
  };
  step('A workflow (a form in #workflow) runs the step “Invite someone to a remote session” for Alex: Blitzz, +33 6 55 44 33 22');
  const done = await run('+33 6 55 44 33 22');
  say(`  Slack got ${done.method}: ${JSON.stringify(done.outputs ?? done.error)}`);
  say(readable(stack.slack.transcript(WORKFLOW_CHANNEL)).replace(/^/gm, '  '));
  step('The same workflow with a typo in the number (06 55 44 33 22, no country code)');
  const failed = await run('06 55 44 33 22');
  say(`  Slack got ${failed.method}: “${failed.error}” (nothing created)`);
}

/**
 * Issue 12: a meeting shown as a Slack call, because Ben asked (`call`): registered with
 * calls.add, updated when it starts, ended with its duration; its card carries the call. At Beta
 * Corp, whose own Apizee account has requests to spare (the first workspace's are spent).
 */
async function meetingAsSlackCall(stack: LocalStack): Promise<void> {
  const beta = new SlackRequester({ appUrl: stack.appUrl, signingSecret: stack.signingSecret, fakeSlack: stack.slack, teamId: BETA.teamId });
  step('Ben types in #beta-desk: /rendezvous meet jane.doe@example.com apizee call "Boiler check"');
  const answer = await beta.slash('meet jane.doe@example.com apizee call "Boiler check"', { userId: BETA.agent, channelId: BETA.channel });
  say(`  → (only visible to you) ${answer.body.text}`);
  const added = await stack.slack.waitFor('calls.add', undefined, 60_000);
  const callId = String(added.response.call.id);
  say(`  Slack: calls.add → call ${callId} “${added.args.title}”, created by ${readable(`<@${String(added.args.created_by)}>`)}; anyone in #beta-desk can join it`);
  await stack.slack.waitFor('chat.update', (call) => JSON.stringify(call.args.blocks ?? []).includes(`"call_id":"${callId}"`), 20_000);
  say('  The card in #beta-desk now carries the Slack call');
  const conference = [...stack.apizee.conferences.values()].find((item) => item.name?.startsWith('Boiler check'))!;
  step(`Apizee: the meeting starts (conference ${conference.id} → ongoing)`);
  stack.apizee.setConferenceStatus(conference.id, 'ongoing');
  const updated = await stack.slack.waitFor('calls.update', (call) => call.args.id === callId, 60_000);
  say(`  Slack: calls.update → “${updated.args.title}”`);
  step('Apizee: the meeting ends');
  stack.apizee.setConferenceStatus(conference.id, 'ended');
  const ended = await stack.slack.waitFor('calls.end', (call) => call.args.id === callId, 60_000);
  say(`  Slack: calls.end → the call is over after ${String(ended.args.duration)} s`);
  await until('the meeting’s end in its thread', () => replies(stack, /session ended after/) === 2, 60_000);
}

/** A link unfurl as a reader sees it under the link: its sections, fields, context and button, one line each. */
function previewLines(attachment: SlackArgs | undefined): string[] {
  if (!attachment) return ['  (no preview: Slack shows the bare link)'];
  const lines: string[] = [];
  for (const block of attachment.blocks as SlackArgs[]) {
    if (block.text) lines.push(readable(block.text.text));
    if (block.fields) lines.push((block.fields as SlackArgs[]).map((field) => readable(field.text).replace(/^\*([^*]+)\*\n/, '$1: ')).join(' · '));
    if (block.type === 'context') lines.push(...(block.elements as SlackArgs[]).map((element) => readable(element.text)));
    if (block.type === 'actions') lines.push((block.elements as SlackArgs[]).map((button) => `[${button.text.text}] (${shorten(button.url)})`).join('  '));
  }
  return lines.map((line) => `  ┃ ${line}`);
}

/**
 * Link unfurls (issue 12): a tracked session's agent link pasted in a conversation unfurls into
 * its live preview, which follows the session; a customer link pasted beside it is never unfurled.
 */
async function linkUnfurls(stack: LocalStack): Promise<void> {
  const agentLink = (reference: string) => {
    const ticket = [...stack.apizee.tickets.values()].find((item) => item.reference === reference)!;
    return { ticket, url: `${APIZEE_SANDBOX_PORTAL_URL}/entrypoint/${ticket.buttonId}/tickets/${ticket.id}` };
  };
  // A change shows once tracking sees it, within the account's 10 requests a minute.
  const unfurled = async (place: { channel: string; messageTs: string }, shows: RegExp) => {
    await until(
      'the unfurl',
      () => stack.slack.callsTo('chat.unfurl').some((call) => call.args.ts === place.messageTs && call.args.channel === place.channel && shows.test(JSON.stringify(call.args.unfurls))),
      60_000,
    );
    return stack.slack.unfurlsOf({ channel: place.channel, ts: place.messageTs });
  };

  const closed = agentLink('CASE-1042');
  step('Sam pastes two links of CASE-1042 in #field: its agent link, and its customer link');
  const field = await stack.requester.linkShared({ urls: [closed.url, closed.ticket.requestorUrl], channelId: FIELD, userId: 'U0SAM' });
  const shown = await unfurled(field.place, /Ended/);
  for (const url of field.place.urls) say([`  ${shorten(url)}`, ...previewLines(shown[url])].join('\n'));

  const live = agentLink('BETA-7');
  const beta = new SlackRequester({ appUrl: stack.appUrl, signingSecret: stack.signingSecret, fakeSlack: stack.slack, teamId: BETA.teamId });
  step('Ben pastes BETA-7’s agent link in #beta-desk; the same link pasted in Alex’s workspace stays bare');
  const desk = await beta.linkShared({ urls: [live.url], channelId: BETA.channel, userId: BETA.agent });
  say([`  ${shorten(live.url)}`, ...previewLines((await unfurled(desk.place, /Invited/))[live.url])].join('\n'));
  const elsewhere = await stack.requester.linkShared({ urls: [live.url], channelId: SUPPORT, userId: AGENT });
  await new Promise((resolve) => setTimeout(resolve, 500));
  say(`  In #support: ${elsewhere.response.status === 200 && Object.keys(stack.slack.unfurlsOf({ channel: SUPPORT, ts: elsewhere.place.messageTs })).length === 0 ? 'no preview (BETA-7 is not a session of this workspace)' : 'a preview?!'}`);

  step(`Apizee: BETA-7’s guest joins (ticket ${live.ticket.id} → inprogress): the preview in #beta-desk changes by itself`);
  stack.apizee.setTicketState(live.ticket.id, 'inprogress');
  say(previewLines((await unfurled(desk.place, /In progress/))[live.url]).join('\n'));
  say(`  chat.unfurl calls: ${stack.slack.callsTo('chat.unfurl').length} (one per paste, one per change)`);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
