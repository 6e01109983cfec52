import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/logger.js';

/**
 * A logger at `level` whose output is kept: one entry of `lines` per pino JSON line written.
 * For asserting what gets logged, and that no secret, phone number or e-mail does.
 */
export function captureLogs(level = 'debug'): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return { logger: createLogger(level, stream), lines };
}
