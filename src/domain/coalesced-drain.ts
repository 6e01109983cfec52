/**
 * A drain of bounded passes that runs once at a time: a call while it runs joins that run and
 * asks it for one more pass, so triggers from every handler never pile up, and a run is at most
 * two passes (what is left waits for the next run). A pass that answers `false` ends the run
 * at once (it was told to wait: a Retry-After, a stop, no answer).
 */
export class CoalescedDrain {
  private running?: Promise<void>;
  private again = false;

  constructor(private readonly pass: () => Promise<boolean | void>) {}

  /** Joins the run in progress, or starts one (calling `starting` first, e.g. to pick its logger). */
  run(starting?: () => void): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    starting?.();
    this.running = this.drain().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Resolves once the run in progress, if any, is over, whichever way it ended. */
  async settled(): Promise<void> {
    await this.running?.catch(() => undefined);
  }

  private async drain(): Promise<void> {
    for (let pass = 0; pass < 2; pass++) {
      this.again = false;
      if ((await this.pass()) === false || !this.again) return;
    }
  }
}
