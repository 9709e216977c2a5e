import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import type { Run } from "../../src/engine/run.js";
import {
  createMetrics,
  metricsHandler,
  observeEngine,
  recordClosureReport,
  recordDiskReport,
} from "../../src/ops/metrics.js";

/** An engine that only emits the updates a test feeds it. */
function fakeEngine() {
  const listeners = new Set<(run: Run) => void>();
  return {
    onUpdate: (listener: (run: Run) => void) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    emit: (run: Run) => {
      for (const listener of listeners) listener(structuredClone(run));
    },
  };
}

const t0 = Date.parse("2026-11-27T10:00:00Z");
const at = (seconds: number) => new Date(t0 + seconds * 1000).toISOString();

function run(id: string, mode: Run["mode"], patch: Partial<Run> = {}): Run {
  return {
    id,
    repo: "r",
    sha: null,
    recipe: "hello",
    mode,
    state: "queued",
    steps: [],
    tiers: [],
    asserts: [],
    notes: [],
    queuedAt: at(0),
    request: { repo: "r", source: { kind: "dir", path: "/x" }, mode },
    ...patch,
  };
}

/** Feeds a run through queued -> running -> its verdict, the way the engine notifies. */
function lifecycle(
  engine: ReturnType<typeof fakeEngine>,
  id: string,
  mode: Run["mode"],
  waited: number,
  took: number,
  verdict: Run["state"],
) {
  engine.emit(run(id, mode));
  const started = { state: "running" as const, startedAt: at(waited) };
  engine.emit(run(id, mode, started));
  engine.emit(run(id, mode, started)); // a step update: the same state again
  const end = {
    state: verdict,
    startedAt: at(waited),
    finishedAt: at(waited + took),
    durationMs: took * 1000,
  };
  engine.emit(run(id, mode, end));
  engine.emit(run(id, mode, end)); // a late re-render of a finished run must not count twice
}

async function value(metrics: ReturnType<typeof createMetrics>, name: string) {
  const metric = (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === name)!;
  // Histogram samples carry their series name (`…_bucket`, `…_sum`, `…_count`); the typings omit it.
  return metric.values.map((v) => ({
    labels: v.labels,
    value: v.value,
    metricName: (v as { metricName?: string }).metricName,
  }));
}

describe("metrics from engine updates", () => {
  it("counts each finished run once by mode and verdict", async () => {
    const metrics = createMetrics({ processMetrics: false });
    const engine = fakeEngine();
    observeEngine(engine, metrics);
    lifecycle(engine, "a", "cold", 5, 120, "passed");
    lifecycle(engine, "b", "cold", 0, 300, "failed");
    lifecycle(engine, "c", "quick", 40, 60, "passed");
    engine.emit(run("d", "cold", { state: "cancelled", finishedAt: at(3) })); // cancelled while queued

    expect(await value(metrics, "ccci_runs_total")).toEqual([
      { labels: { mode: "cold", verdict: "passed" }, value: 1, metricName: undefined },
      { labels: { mode: "cold", verdict: "failed" }, value: 1, metricName: undefined },
      { labels: { mode: "quick", verdict: "passed" }, value: 1, metricName: undefined },
      { labels: { mode: "cold", verdict: "cancelled" }, value: 1, metricName: undefined },
    ]);
  });

  it("observes run durations and lock waits per mode, only for runs that started", async () => {
    const metrics = createMetrics({ processMetrics: false });
    const engine = fakeEngine();
    observeEngine(engine, metrics);
    lifecycle(engine, "a", "cold", 5, 120, "passed");
    lifecycle(engine, "b", "cold", 0, 300, "failed");
    lifecycle(engine, "c", "quick", 40, 60, "passed");
    engine.emit(run("d", "cold", { state: "cancelled", finishedAt: at(3) }));

    const sums = async (name: string) =>
      Object.fromEntries(
        (await value(metrics, name))
          .filter((v) => v.metricName?.endsWith("_sum") || v.metricName?.endsWith("_count"))
          .map((v) => [`${v.labels.mode}${v.metricName!.slice(name.length)}`, v.value]),
      );
    expect(await sums("ccci_run_duration_seconds")).toEqual({
      cold_sum: 420,
      cold_count: 2,
      quick_sum: 60,
      quick_count: 1,
    });
    expect(await sums("ccci_lock_wait_seconds")).toEqual({
      cold_sum: 5,
      cold_count: 2,
      quick_sum: 40,
      quick_count: 1,
    });
  });

  it("keeps the queue length and running gauges in step with run states", async () => {
    const metrics = createMetrics({ processMetrics: false });
    const engine = fakeEngine();
    observeEngine(engine, metrics);
    const gauges = async () => [
      (await value(metrics, "ccci_queue_length"))[0]!.value,
      (await value(metrics, "ccci_runs_running"))[0]!.value,
    ];
    engine.emit(run("a", "cold"));
    engine.emit(run("b", "cold"));
    engine.emit(run("c", "quick"));
    expect(await gauges()).toEqual([3, 0]);
    engine.emit(run("a", "cold", { state: "running", startedAt: at(1) }));
    expect(await gauges()).toEqual([2, 1]);
    engine.emit(run("a", "cold", { state: "passed", startedAt: at(1), finishedAt: at(9) }));
    engine.emit(run("b", "cold", { state: "cancelled", finishedAt: at(9) }));
    expect(await gauges()).toEqual([1, 0]);
  });

  it("records disk free space and leak counts from the ops reports", async () => {
    const metrics = createMetrics({ processMetrics: false });
    recordDiskReport(metrics, {
      at: at(0),
      pruned: [],
      errors: [],
      disks: [
        {
          roles: ["docker data root", "state dir"],
          path: "/var/lib/docker",
          freeBytes: 5e9,
          totalBytes: 4e10,
          softBytes: 6e9,
          hardBytes: 2e9,
          level: "soft",
        },
      ],
    });
    recordClosureReport(metrics, {
      at: at(0),
      finishedRuns: 9,
      leaks: [],
      orphans: [{} as never, {} as never],
    });
    expect(await value(metrics, "ccci_disk_free_bytes")).toEqual([
      {
        labels: { path: "/var/lib/docker", roles: "docker data root,state dir" },
        value: 5e9,
        metricName: undefined,
      },
    ]);
    expect((await value(metrics, "ccci_leaks_found")).map((v) => [v.labels.kind, v.value])).toEqual([
      ["leak", 0],
      ["orphan", 2],
    ]);
  });

  it("stops following the engine when unsubscribed", async () => {
    const metrics = createMetrics({ processMetrics: false });
    const engine = fakeEngine();
    const stop = observeEngine(engine, metrics);
    stop();
    lifecycle(engine, "a", "cold", 1, 2, "passed");
    expect(await value(metrics, "ccci_runs_total")).toEqual([]);
  });
});

describe("/metrics handler", () => {
  async function serve(handler: ReturnType<typeof metricsHandler>) {
    const server = createServer(async (req, res) => {
      if (!(await handler(req, res))) res.writeHead(404).end("not mine");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return {
      base: `http://127.0.0.1:${port}`,
      url: `http://127.0.0.1:${port}/metrics`,
      close: () => server.close(),
    };
  }

  it("serves the registry in Prometheus text format, with process metrics", async () => {
    const metrics = createMetrics();
    metrics.runsTotal.inc({ mode: "cold", verdict: "passed" });
    const server = await serve(metricsHandler(metrics.registry));
    try {
      const response = await fetch(server.url);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toContain("text/plain; version=0.0.4");
      const text = await response.text();
      expect(text).toContain('ccci_runs_total{mode="cold",verdict="passed"} 1');
      expect(text).toContain("# TYPE ccci_run_duration_seconds histogram");
      expect(text).toContain("ccci_process_resident_memory_bytes");
      const post = await fetch(server.url, { method: "POST" });
      expect(post.status).toBe(405);
      const other = await fetch(`${server.base}/ccci`);
      expect([other.status, await other.text()]).toEqual([404, "not mine"]);
    } finally {
      server.close();
    }
  });
});
