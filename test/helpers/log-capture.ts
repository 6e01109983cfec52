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

/** One pino line, parsed. */
export type LogLine = Record<string, unknown>;

/** A correlation id the app made (randomUUID). */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * A logger at `level` whose lines are kept parsed, in order, with a way to wait for one: for the
 * end-to-end tests that follow what one request or pass wrote.
 */
export function captureLogLines(level = 'debug'): {
  logger: Logger;
  lines: LogLine[];
  waitForLine: (what: string, match: (line: LogLine) => boolean, from: number, timeoutMs?: number) => Promise<LogLine>;
} {
  const lines: LogLine[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  const waitForLine = async (what: string, match: (line: LogLine) => boolean, from: number, timeoutMs = 10_000): Promise<LogLine> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = lines.slice(from).find(match);
      if (found) return found;
      if (Date.now() >= deadline) throw new Error(`no line: ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  return { logger: createLogger(level, stream), lines, waitForLine };
}
