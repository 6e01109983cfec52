/**
 * Runs at most `concurrency` jobs at once, the rest in arrival order. Session creation after the
 * ack goes through one, so that a burst of commands is acknowledged at once and worked off
 * steadily, instead of every creation competing with the next request's ack for the CPU.
 */
export class WorkQueue {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly concurrency: number) {}

  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running += 1;
    try {
      return await job();
    } finally {
      this.running -= 1;
      this.waiting.shift()?.();
    }
  }

  get pending(): number {
    return this.waiting.length;
  }
}
