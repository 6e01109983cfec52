/**
 * The baseline: a bare Bolt app that only acknowledges `/rendezvous` (with a /healthz route so a
 * child process can be waited for). The benchmark runs it in-process and, through
 * bare-bolt-main.ts, as a child process.
 */
import { App, LogLevel } from '@slack/bolt';

export function bareBoltApp(signingSecret: string, slackApiUrl: string): App {
  const app = new App({
    signingSecret,
    token: 'xoxb-test',
    clientOptions: { slackApiUrl },
    logLevel: LogLevel.ERROR,
    customRoutes: [{ path: '/healthz', method: ['GET'], handler: (_req, res) => res.writeHead(200).end('ok') }],
  });
  app.command('/rendezvous', async ({ ack }) => {
    await ack();
  });
  return app;
}
