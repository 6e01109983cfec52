/** Child-process entry of the bare Bolt baseline: SLACK_SIGNING_SECRET, SLACK_API_URL, PORT. */
import { bareBoltApp } from './bare-bolt.js';

const app = bareBoltApp(process.env.SLACK_SIGNING_SECRET ?? '', process.env.SLACK_API_URL ?? '');
await app.start({ port: Number(process.env.PORT), host: '127.0.0.1' });
const shutdown = async () => {
  await app.stop();
  process.exit(0);
};
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
