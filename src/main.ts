import { createApp } from './app.js';
import { ConfigError, loadConfigFromEnvironment } from './config.js';
import { createLogger } from './logger.js';

/** Exit codes of a process ended by a signal (128 + its number), for a second, impatient signal. */
const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143 } as const;
/** Beyond the shutdown deadline, the time allowed to close the database and the server. */
const CLOSE_GRACE_MS = 5000;

try {
  const config = loadConfigFromEnvironment();
  const logger = createLogger(config.logLevel);
  const rendezvous = createApp(config, { logger, processMetrics: true });
  await rendezvous.start();
  let stopping = false;
  const onSignal = (signal: keyof typeof SIGNAL_EXIT) => {
    if (stopping) {
      // The operator does not want to wait: what is unfinished keeps its lease and is taken over later.
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(SIGNAL_EXIT[signal]);
    }
    stopping = true;
    logger.info({ signal }, 'signal received: shutting down');
    // A shutdown that hangs anyway (a stuck close) must not keep a deploy waiting forever.
    setTimeout(() => {
      logger.error('shutdown did not finish in time: exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs + CLOSE_GRACE_MS).unref();
    rendezvous.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : `Rendezvous could not start: ${String(error)}`);
  process.exit(1);
}
