import { createApp } from './app.js';
import { ConfigError, loadConfigFromEnvironment } from './config.js';
import { createLogger } from './logger.js';

try {
  const config = loadConfigFromEnvironment();
  const logger = createLogger(config.logLevel);
  const rendezvous = createApp(config, { logger });
  await rendezvous.start();
  const shutdown = async () => {
    await rendezvous.stop();
    process.exit(0);
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : `Rendezvous could not start: ${String(error)}`);
  process.exit(1);
}
