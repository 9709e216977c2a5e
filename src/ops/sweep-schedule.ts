import { Cron } from "croner";
import { describeError } from "../errors.js";
import { runSweep, type SweepOptions } from "./sweep.js";
import type { SweepReport } from "./sweep-report.js";

export interface SweepScheduleOptions extends Omit<SweepOptions, "signal"> {
  /** Cron expression (croner syntax, host local time unless `timezone`); null = no schedule. */
  cron: string | null;
  timezone?: string;
  /** Called with each finished sweep's report (metrics, status page, a GitHub comment). */
  onReport?: (report: SweepReport) => void;
  /** The sweep to run on each tick; default `runSweep` with these options (injectable for tests). */
  sweep?: (options: SweepOptions) => Promise<SweepReport>;
}

export interface SweepSchedule {
  /** When the next tick fires; null when stopped. */
  nextRun(): Date | null;
  /** True while a sweep started by this schedule is running. */
  busy(): boolean;
  /** Runs a sweep now, unless one is already running (then resolves "skipped"). */
  runNow(): Promise<SweepReport | "skipped" | "failed">;
  /** Stops the schedule; a sweep in progress submits no further runs and its promise settles. */
  stop(): Promise<void>;
}

/**
 * The bot's in-process nightly sweep (WC6). A tick that fires while the previous sweep still runs is
 * skipped with a log line (a slow sweep must not pile up behind itself). Returns null when `cron` is null.
 */
export function startSweepSchedule(options: SweepScheduleOptions): SweepSchedule | null {
  const { cron, timezone, onReport, sweep = runSweep, ...sweepOptions } = options;
  if (cron === null) {
    options.log.info("nightly sweep schedule is off (CCCI_SWEEP_CRON=off)");
    return null;
  }
  const log = options.log.child({ component: "sweep-schedule" });
  let current: { promise: Promise<SweepReport | "failed">; abort: AbortController } | null = null;

  const runNow = async (): Promise<SweepReport | "skipped" | "failed"> => {
    if (current) {
      log.warn("a sweep is still running: this tick is skipped");
      return "skipped";
    }
    const abort = new AbortController();
    const promise = sweep({ ...sweepOptions, signal: abort.signal }).then(
      (report) => {
        try {
          onReport?.(report);
        } catch (error) {
          log.error({ err: error }, "the sweep report listener failed");
        }
        return report;
      },
      (error) => {
        // runSweep has already recorded the BROKEN report; say it loudly here too.
        log.error({ err: error }, `the scheduled sweep failed: ${describeError(error)}`);
        return "failed" as const;
      },
    );
    current = { promise, abort };
    try {
      return await promise;
    } finally {
      current = null;
    }
  };

  const job = new Cron(cron, { timezone, catch: true }, () => runNow().then(() => undefined));
  log.info({ cron, next: job.nextRun()?.toISOString() }, "nightly sweep scheduled");
  return {
    nextRun: () => job.nextRun(),
    busy: () => current !== null,
    runNow,
    stop: async () => {
      job.stop();
      const running = current;
      running?.abort.abort("the sweep schedule was stopped");
      await running?.promise;
    },
  };
}
