import type { Logger } from '../domain/logger.js';

export interface Tracker {
  tick(): Promise<void>;
}

/**
 * Runs the trackers every interval, one pass at a time (a slow pass delays the next rather
 * than overlapping it), and never lets a failure stop the loop.
 */
export class TrackingLoop {
  private timer?: NodeJS.Timeout;
  private stopped = true;
  private current?: Promise<void>;

  constructor(private readonly trackers: Tracker[], private readonly intervalMs: number, private readonly logger: Logger) {}

  start(): void {
    this.stopped = false;
    this.schedule(Math.min(this.intervalMs, 1000));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.current;
  }

  /** One pass now (tests and webhooks use it). */
  async runOnce(): Promise<void> {
    if (this.current) return this.current;
    this.current = (async () => {
      for (const tracker of this.trackers) {
        try {
          await tracker.tick();
        } catch (error) {
          this.logger.error({ err: error }, 'tracking pass failed');
        }
      }
    })().finally(() => {
      this.current = undefined;
    });
    return this.current;
  }

  private schedule(delay: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(async () => {
      await this.runOnce();
      this.schedule(this.intervalMs);
    }, delay);
  }
}
