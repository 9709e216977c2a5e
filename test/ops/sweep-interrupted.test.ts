import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { RecoveredRun } from "../../src/engine/recovery.js";
import { recordInterruptedSweep } from "../../src/ops/sweep-interrupted.js";
import { lastSweepPath, readLastSweep } from "../../src/ops/sweep-store.js";

const run = (runId: string, recipe: string, origin: Record<string, unknown>, leaks = ""): RecoveredRun => ({
  runId,
  recipe,
  mode: "cold",
  stack: `${recipe.slice(0, 4)}-abcdef_ci_localhost`,
  origin,
  leaks,
});

const context = {
  enrolment: "/state/recipes.yml",
  maxTests: 2,
  limit: 50,
  now: new Date("2026-11-27T12:46:03.000Z"),
};
const sweep = "sweep-20261127T124503-ab12";

describe("recordInterruptedSweep", () => {
  it.each([
    ["nothing was interrupted", []],
    [
      "only pull-request and CLI runs were interrupted",
      [run("r1", "hello", { trigger: "github" }), run("r2", "hello", {})],
    ],
  ])("writes no report when %s", async (_name, recovered) => {
    const stateDir = mkdtempSync(join(tmpdir(), "ccci-sweep-interrupted-"));
    expect(await recordInterruptedSweep(stateDir, recovered, context)).toBeNull();
    expect(existsSync(lastSweepPath(stateDir))).toBe(false);
  });

  it("records the interrupted sweep as broken, its unfinished runs cancelled, the canary apart", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "ccci-sweep-interrupted-"));
    const recovered = [
      run("r-zeta", "zeta", { sweep }),
      run("r-canary", "canary", { sweep, canary: true }),
      run("r-alpha", "alpha", { sweep }, "volumes: alph-abcdef_ci_localhost_data"),
      run("r-pr", "hello", { trigger: "github" }),
    ];
    const report = await recordInterruptedSweep(stateDir, recovered, context);
    expect(report).toMatchObject({
      id: sweep,
      status: "broken",
      startedAt: "2026-11-27T12:45:03.000Z",
      finishedAt: "2026-11-27T12:46:03.000Z",
      durationMs: 60_000,
      canary: { recipe: "canary", runId: "r-canary", state: "cancelled" },
    });
    expect(report!.recipes.map((r) => [r.recipe, r.state])).toEqual([
      ["alpha", "cancelled"],
      ["zeta", "cancelled"],
    ]);
    expect(report!.problems[0]).toMatch(
      /interrupted by a restart of ccci: recovery cancelled 3 unfinished run/,
    );
    expect(report!.closure.leaks).toEqual([
      {
        stack: "alph-abcdef_ci_localhost",
        runId: "r-alpha",
        detail: "volumes: alph-abcdef_ci_localhost_data",
      },
    ]);
    expect(await readLastSweep(stateDir)).toEqual(report);
  });

  it("picks the latest sweep when runs of two were interrupted", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "ccci-sweep-interrupted-"));
    const later = "sweep-20261127T130000-cd34";
    const report = await recordInterruptedSweep(
      stateDir,
      [run("a", "alpha", { sweep: later }), run("b", "beta", { sweep })],
      context,
    );
    expect(report).toMatchObject({ id: later, recipes: [{ recipe: "alpha" }] });
  });
});
