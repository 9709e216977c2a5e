import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { createSweepMetrics } from "../../src/ops/sweep-metrics.js";
import { judgeSweep, type SweptRecipe } from "../../src/ops/sweep-report.js";

const swept = (recipe: string, state: SweptRecipe["state"]): SweptRecipe => ({
  recipe,
  repo: `/srv/${recipe}`,
  runId: `run-${recipe}`,
  state,
  sha: null,
  promotion: null,
});

describe("sweep metrics", () => {
  it("expose the last sweep's status, finish time and recipe outcomes", async () => {
    const registry = new Registry();
    const metrics = createSweepMetrics(registry);
    const report = judgeSweep({
      id: "s",
      startedAt: "2025-01-01T03:00:00.000Z",
      finishedAt: "2025-01-01T03:10:00.000Z",
      durationMs: 600_000,
      enrolment: "/state/recipes.yml",
      maxTests: 2,
      limit: 3,
      recipes: [swept("a", "passed"), swept("b", "passed"), swept("c", "failed")],
      leftOut: ["d"],
      notRun: [],
      canary: swept("canary", "failed"),
      peakConcurrent: 2,
      closure: { checked: true, finishedRuns: 4, leaks: [] },
    });
    metrics.record(report);
    const text = await registry.metrics();
    expect(text).toContain('ccci_sweep_status{status="red"} 1');
    expect(text).toContain('ccci_sweep_status{status="green"} 0');
    expect(text).toContain(`ccci_sweep_finished_timestamp_seconds ${Date.parse(report.finishedAt) / 1000}`);
    expect(text).toContain('ccci_sweep_recipes{outcome="passed"} 2');
    expect(text).toContain('ccci_sweep_recipes{outcome="failed"} 1');
    expect(text).toContain('ccci_sweep_recipes{outcome="left_out"} 1');
  });
});
