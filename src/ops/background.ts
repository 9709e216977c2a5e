import type { Settings } from "../config.js";
import type { Engine } from "../engine/engine.js";
import { isFinished } from "../engine/run.js";
import { describeError } from "../errors.js";
import type { Logger } from "../log.js";
import { reapWarmKeycloak } from "../sso/reap-command.js";
import { watchDisk } from "./disk-watch.js";
import {
  type CcciMetrics,
  createMetrics,
  metricsHandler,
  observeEngine,
  recordDiskReport,
} from "./metrics.js";
import { createSweepMetrics } from "./sweep-metrics.js";
import { startSweepSchedule } from "./sweep-schedule.js";
import { sweepCron } from "./sweep-settings.js";

/** Seconds between reaper passes over the warm Keycloak's realms. */
const REAP_EVERY_SECONDS = 600;

export interface BackgroundJobs {
  metrics: CcciMetrics;
  /** `addHandler` handlers to mount next to the GitHub webhooks (/metrics). */
  handlers: ReturnType<typeof metricsHandler>[];
  stop(): Promise<void>;
}

/** The realm reaper at start-up and every 10 minutes; a run the engine still has unfinished is live. */
function startReaper(engine: Engine, log: Logger): () => void {
  const reap = () => {
    const isLive = (runId: string) => {
      const run = engine.get(runId);
      return run !== undefined && !isFinished(run);
    };
    reapWarmKeycloak(process.env, { dryRun: false, isLive }, log).then(
      (report) =>
        report && report.deleted.length > 0 && log.info({ deleted: report.deleted }, "reaped orphan realms"),
      (error: unknown) => log.warn({ err: error }, `realm reaper failed: ${describeError(error)}`),
    );
  };
  const timer = setInterval(reap, REAP_EVERY_SECONDS * 1000);
  timer.unref();
  reap();
  return () => clearInterval(timer);
}

/**
 * What the bot runs besides answering webhooks: metrics fed from the engine, the periodic disk check,
 * the realm reaper, the nightly sweep (croner; CCCI_SWEEP_CRON). Each job logs its own failures and never stops the bot.
 */
export function startBackgroundJobs(engine: Engine, settings: Settings, log: Logger): BackgroundJobs {
  const metrics = createMetrics();
  const stopObserving = observeEngine(engine, metrics);
  const stopDisk = watchDisk(engine.disk, settings.CCCI_DISK_CHECK_INTERVAL, log, (report) =>
    recordDiskReport(metrics, report),
  );
  const stopReaper = startReaper(engine, log.child({ component: "reaper" }));
  const sweepMetrics = createSweepMetrics(metrics.registry);
  const sweeps = startSweepSchedule({
    cron: sweepCron(settings),
    engine,
    settings,
    log,
    onReport: (report) => sweepMetrics.record(report),
  });
  return {
    metrics,
    handlers: [metricsHandler(metrics.registry)],
    stop: async () => {
      stopObserving();
      stopDisk();
      stopReaper();
      await sweeps?.stop();
    },
  };
}
