import type { Logger } from "../log.js";

/**
 * Work that runs after the webhook delivery has been answered. GitHub waits ~10 s for an answer and
 * Probot's throttle spaces writes 1 s apart, so handlers only hand work to this and return. Errors are
 * logged, never thrown into the HTTP response. `idle()` lets tests and shutdown wait for quiet.
 */
export class BackgroundTasks {
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly log: Logger) {}

  run(label: string, work: () => Promise<void>, log: Logger = this.log): void {
    // setImmediate: not even the first synchronous slice of the work runs before the response is sent.
    const task = new Promise<void>((resolve) => setImmediate(resolve))
      .then(work)
      .catch((error: unknown) => log.error({ err: error, task: label }, `${label} failed`))
      .finally(() => this.pending.delete(task));
    this.pending.add(task);
  }

  /** Tracks work already under way, so `idle()` waits for it too. */
  track(label: string, task: Promise<void>, log: Logger = this.log): void {
    const tracked = task
      .catch((error: unknown) => log.error({ err: error, task: label }, `${label} failed`))
      .finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }

  get size(): number {
    return this.pending.size;
  }

  /** Resolves once no task is pending, including tasks started by tasks. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }
}
