import type { IncomingMessage, ServerResponse } from "node:http";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { EngineApi } from "../engine/api.js";
import { isFinished, type Run } from "../engine/run.js";
import type { ClosureReport } from "./closure.js";
import type { DiskReport } from "./disk-guard.js";

/** ccci's own Prometheus registry (never prom-client's global one, which other libraries may fill). */
export interface CcciMetrics {
  registry: Registry;
  runsTotal: Counter<"mode" | "verdict">;
  runDuration: Histogram<"mode">;
  lockWait: Histogram<"mode">;
  queueLength: Gauge;
  runsRunning: Gauge;
  diskFree: Gauge<"path" | "roles">;
  diskTotal: Gauge<"path" | "roles">;
  leaksFound: Gauge<"kind">;
}

const minutes = (...values: number[]) => values.map((m) => m * 60);

export function createMetrics(options: { processMetrics?: boolean } = {}): CcciMetrics {
  const registry = new Registry();
  const registers = [registry];
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: "ccci_" });
  return {
    registry,
    runsTotal: new Counter({
      name: "ccci_runs_total",
      help: "Finished runs by mode (cold, quick) and verdict (passed, failed, cancelled, errored).",
      labelNames: ["mode", "verdict"],
      registers,
    }),
    runDuration: new Histogram({
      name: "ccci_run_duration_seconds",
      help: "Wall time of a run from its start (lock acquired) to the end of teardown.",
      labelNames: ["mode"],
      buckets: minutes(0.5, 1, 2, 5, 10, 20, 30, 60, 120),
      registers,
    }),
    lockWait: new Histogram({
      name: "ccci_lock_wait_seconds",
      help: "Time a run waited in the queue for its app lock and a MAX_TESTS slot.",
      labelNames: ["mode"],
      buckets: [1, 5, 15, 30, ...minutes(1, 5, 15, 30, 60)],
      registers,
    }),
    queueLength: new Gauge({ name: "ccci_queue_length", help: "Runs waiting for a slot.", registers }),
    runsRunning: new Gauge({ name: "ccci_runs_running", help: "Runs deploying or testing now.", registers }),
    diskFree: new Gauge({
      name: "ccci_disk_free_bytes",
      help: "Free space of the docker data root and the state dir, at the last disk check.",
      labelNames: ["path", "roles"],
      registers,
    }),
    diskTotal: new Gauge({
      name: "ccci_disk_total_bytes",
      help: "Size of the filesystems the disk guard watches.",
      labelNames: ["path", "roles"],
      registers,
    }),
    leaksFound: new Gauge({
      name: "ccci_leaks_found",
      help: "Stacks with resources left by finished runs (leak) or with no journal (orphan), at the last closure check.",
      labelNames: ["kind"],
      registers,
    }),
  };
}

/** Forgets the oldest ids beyond a bound: the process runs for months. */
function rememberBounded(set: Set<string>, id: string, bound = 10_000): void {
  set.add(id);
  if (set.size > bound) set.delete(set.values().next().value as string);
}

/**
 * Follows the engine's run updates: counts each finished run once, times its lock wait when it starts,
 * and keeps the queue and running gauges from the states it has seen.
 */
export function observeEngine(engine: Pick<EngineApi, "onUpdate">, metrics: CcciMetrics): () => void {
  const states = new Map<string, Run["state"]>();
  const counted = new Set<string>();
  const refreshGauges = () => {
    const values = [...states.values()];
    metrics.queueLength.set(values.filter((s) => s === "queued").length);
    metrics.runsRunning.set(values.filter((s) => s === "running").length);
  };
  return engine.onUpdate((run) => {
    if (counted.has(run.id)) return;
    const previous = states.get(run.id);
    if (run.state === "running" && previous !== "running" && run.startedAt) {
      const waited = (Date.parse(run.startedAt) - Date.parse(run.queuedAt)) / 1000;
      metrics.lockWait.observe({ mode: run.mode }, Math.max(0, waited));
    }
    if (isFinished(run)) {
      rememberBounded(counted, run.id);
      states.delete(run.id);
      metrics.runsTotal.inc({ mode: run.mode, verdict: run.state });
      if (run.startedAt) {
        const ms =
          run.durationMs ??
          Date.parse(run.finishedAt ?? new Date().toISOString()) - Date.parse(run.startedAt);
        metrics.runDuration.observe({ mode: run.mode }, ms / 1000);
      }
    } else {
      states.set(run.id, run.state);
    }
    refreshGauges();
  });
}

export function recordDiskReport(metrics: CcciMetrics, report: DiskReport): void {
  for (const disk of report.disks) {
    const labels = { path: disk.path, roles: disk.roles.join(",") };
    metrics.diskFree.set(labels, disk.freeBytes);
    metrics.diskTotal.set(labels, disk.totalBytes);
  }
}

export function recordClosureReport(metrics: CcciMetrics, report: ClosureReport): void {
  metrics.leaksFound.set({ kind: "leak" }, report.leaks.length);
  metrics.leaksFound.set({ kind: "orphan" }, report.orphans.length);
}

export const METRICS_PATH = "/metrics";

/**
 * A node `(req, res)` handler for `/metrics` in Probot 14's `addHandler` shape: it answers its own path
 * (true) and passes on every other request (false), so it can sit beside the status page handler.
 */
export function metricsHandler(registry: Registry, path = METRICS_PATH) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const requested = new URL(req.url ?? "/", "http://localhost").pathname.replace(/\/+$/, "") || "/";
    if (requested !== path) return false;
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" }).end();
      return true;
    }
    try {
      const body = await registry.metrics();
      res.writeHead(200, { "content-type": registry.contentType });
      res.end(req.method === "HEAD" ? undefined : body);
    } catch (error) {
      res.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
      res.end(`cannot collect metrics: ${(error as Error).message}\n`);
    }
    return true;
  };
}
