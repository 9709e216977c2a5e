import { Gauge, type Registry } from "prom-client";
import { type SweepReport, sweepStatuses } from "./sweep-report.js";

/** The last sweep as Prometheus gauges, on ccci's own registry (CcciMetrics.registry). */
export interface SweepMetrics {
  record(report: SweepReport): void;
}

export function createSweepMetrics(registry: Registry): SweepMetrics {
  const registers = [registry];
  const status = new Gauge({
    name: "ccci_sweep_status",
    help: "1 for the status of the last nightly sweep (green, red, broken), 0 for the others.",
    labelNames: ["status"],
    registers,
  });
  const finished = new Gauge({
    name: "ccci_sweep_finished_timestamp_seconds",
    help: "When the last nightly sweep finished (alert when it is older than a day and a bit).",
    registers,
  });
  const recipes = new Gauge({
    name: "ccci_sweep_recipes",
    help: "Recipes of the last sweep by outcome (passed, failed, errored, cancelled, left_out).",
    labelNames: ["outcome"],
    registers,
  });
  return {
    record(report) {
      for (const s of sweepStatuses) status.set({ status: s }, s === report.status ? 1 : 0);
      finished.set(Date.parse(report.finishedAt) / 1000);
      recipes.reset();
      for (const r of report.recipes) recipes.inc({ outcome: r.state });
      recipes.set({ outcome: "left_out" }, report.leftOut.length);
    },
  };
}
