// The baseline: a bare Bolt app on the same receiver as Rendezvous (Bolt's HTTPReceiver, one
// /slack/events endpoint, a /healthz custom route) doing the same Slack work per `/rendezvous`
// command, and nothing else:
//   help          → ack with the usage text;
//   (empty)       → ack, then views.open with the invite modal;
//   anything else → ack with the "creating" line, chat.postMessage of the session card, then
//                   chat.update of it once the vendor would have answered (BARE_VENDOR_DELAY_MS).
// The texts, the modal and the cards are the ones Rendezvous itself produced in the same run
// (captured from the fake Slack API by scripts/bench/fixtures.ts, handed over in BARE_FIXTURES).
//
// Plain JavaScript run by plain `node`, like the compiled app (dist/main.js): no TypeScript
// loader in either process. Environment: SLACK_SIGNING_SECRET, SLACK_API_URL, PORT,
// BARE_FIXTURES (a JSON file), BARE_VENDOR_DELAY_MS (default 5000).
/* global setTimeout */
import { readFileSync } from 'node:fs';
import bolt from '@slack/bolt';

const { App, HTTPReceiver, LogLevel } = bolt;

const fixtures = JSON.parse(readFileSync(process.env.BARE_FIXTURES ?? '', 'utf8'));
const vendorDelayMs = Number(process.env.BARE_VENDOR_DELAY_MS ?? 5000);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const receiver = new HTTPReceiver({
  signingSecret: process.env.SLACK_SIGNING_SECRET ?? '',
  endpoints: ['/slack/events'],
  bodyLimit: 1024 * 1024,
  logLevel: LogLevel.ERROR,
  customRoutes: [{ path: '/healthz', method: ['GET'], handler: (_req, res) => res.writeHead(200).end('ok') }],
});
const app = new App({
  token: 'xoxb-test',
  receiver,
  logLevel: LogLevel.ERROR,
  clientOptions: { slackApiUrl: process.env.SLACK_API_URL ?? '' },
});

app.command('/rendezvous', async ({ command, ack, client }) => {
  const text = (command.text ?? '').trim();
  if (text === '') {
    await ack();
    await client.views.open({ trigger_id: command.trigger_id, view: fixtures.modal });
    return;
  }
  if (text === 'help') {
    await ack({ response_type: 'ephemeral', text: fixtures.help });
    return;
  }
  await ack({ response_type: 'ephemeral', text: fixtures.createAck });
  const posted = await client.chat.postMessage({ channel: command.channel_id, text: fixtures.card.text, blocks: fixtures.card.blocks });
  await sleep(vendorDelayMs);
  await client.chat.update({ channel: posted.channel, ts: posted.ts, text: fixtures.updated.text, blocks: fixtures.updated.blocks });
});
app.error(async (error) => {
  console.error('bare Bolt listener error', error);
});

await app.start({ port: Number(process.env.PORT), host: '127.0.0.1' });
const shutdown = async () => {
  await app.stop();
  process.exit(0);
};
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
