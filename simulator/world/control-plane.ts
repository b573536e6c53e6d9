// Nova's conductor, scheduler and the destination's compute manager work on a bounded number of
// evacuations at once; the others wait their turn in the message queue, in order
// (docs/nova-and-bmc-facts.md#nova-capacity). Without this, any number of evacuations would be
// scheduled at once, and a procedure that floods Nova would look faster here than on a real cloud.
import type { SimClock } from '../clock.ts';

export class ControlPlane {
  #busy = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(
    private readonly clock: Pick<SimClock, 'schedule'>,
    private readonly settings: { concurrency: number; workMs: number },
  ) {
    if (!(settings.concurrency >= 1))
      throw new RangeError(
        `the control plane's concurrency must be at least 1, not ${settings.concurrency}`,
      );
  }

  /** `then` runs once this evacuation's turn came and its `workMs` passed. */
  submit(then: () => void): void {
    const work = (): void => {
      this.#busy += 1;
      this.clock.schedule(this.settings.workMs, () => {
        this.#busy -= 1;
        this.#waiting.shift()?.();
        then();
      });
    };
    if (this.#busy < this.settings.concurrency) work();
    else this.#waiting.push(work);
  }

  /** Evacuations accepted and not yet worked on. */
  get queued(): number {
    return this.#waiting.length;
  }
}
