import { describe, expect, it } from "vitest";
import { renderSweepMarkdown } from "../../src/ops/sweep-markdown.js";
import { judgeSweep, type SweepFacts, type SweptRecipe, sweepExitCode } from "../../src/ops/sweep-report.js";

const recipe = (name: string, patch: Partial<SweptRecipe> = {}): SweptRecipe => ({
  recipe: name,
  repo: `https://git.example.org/${name}.git`,
  ref: "main",
  runId: `run-${name}`,
  state: "passed",
  sha: "0123456789abcdef0123456789abcdef01234567",
  startedAt: "2025-01-01T03:00:00.000Z",
  finishedAt: "2025-01-01T03:01:00.000Z",
  durationMs: 60_000,
  promotion: `promoted the canonical of ${name} to 0123456789ab (main), snapshot s1`,
  ...patch,
});

const canaryFailed = recipe("canary", {
  state: "failed",
  ref: undefined,
  sha: null,
  reason: "generic:healthy failed",
  promotion: null,
});

const facts = (patch: Partial<SweepFacts> = {}): SweepFacts => ({
  id: "sweep-20250101T030000-abcd",
  startedAt: "2025-01-01T03:00:00.000Z",
  finishedAt: "2025-01-01T03:05:00.000Z",
  durationMs: 300_000,
  enrolment: "/state/recipes.yml",
  maxTests: 2,
  limit: 50,
  recipes: [recipe("alpha"), recipe("beta")],
  leftOut: [],
  notRun: [],
  canary: canaryFailed,
  peakConcurrent: 2,
  closure: { checked: true, finishedRuns: 3, leaks: [] },
  ...patch,
});

describe("the sweep verdict", () => {
  const cases: Array<{ name: string; facts: SweepFacts; status: string; problem?: RegExp }> = [
    { name: "every recipe passed and the canary failed: green", facts: facts(), status: "green" },
    {
      name: "the canary passes: broken, whatever the recipes did",
      facts: facts({ canary: { ...canaryFailed, state: "passed", reason: undefined } }),
      status: "broken",
      problem: /canary canary PASSED: a harness that cannot see red proves nothing/,
    },
    {
      name: "the canary errored instead of failing: broken",
      facts: facts({ canary: { ...canaryFailed, state: "errored", reason: "cannot clone" } }),
      status: "broken",
      problem: /did not reach a verdict \(errored: cannot clone\)/,
    },
    {
      name: "the canary never ran: broken",
      facts: facts({ canary: null }),
      status: "broken",
      problem: /the canary did not run/,
    },
    {
      name: "an empty enrolment: broken, never green over nothing",
      facts: facts({ recipes: [], canary: null, error: "ENROLMENT_INVALID: nothing to sweep" }),
      status: "broken",
      problem: /nothing to sweep/,
    },
    {
      name: "more runs at once than MAX_TESTS: broken",
      facts: facts({ peakConcurrent: 3 }),
      status: "broken",
      problem: /3 sweep runs ran at once, above CCCI_MAX_TESTS=2/,
    },
    {
      name: "a recipe failed: red",
      facts: facts({ recipes: [recipe("alpha"), recipe("beta", { state: "failed", reason: "TIMEOUT" })] }),
      status: "red",
      problem: /^beta: failed - TIMEOUT$/,
    },
    {
      name: "a green recipe whose promotion failed: red",
      facts: facts({ recipes: [recipe("alpha", { promotion: "promotion failed: disk full; intact" })] }),
      status: "red",
      problem: /^alpha: promotion failed: disk full/,
    },
    {
      name: "a green recipe that is not promotable (quick off): still green",
      facts: facts({
        recipes: [recipe("alpha", { promotion: "not promoted: alpha is not enrolled for quick runs" })],
      }),
      status: "green",
    },
    {
      name: "a leak after the sweep: red",
      facts: facts({
        closure: {
          checked: true,
          finishedRuns: 3,
          leaks: [{ stack: "alph-abc123_ci", runId: "r1", detail: "volumes: v" }],
        },
      }),
      status: "red",
      problem: /^leak: alph-abc123_ci \(run r1\): volumes: v$/,
    },
    {
      name: "the closure check itself failed: red",
      facts: facts({ closure: { checked: false, finishedRuns: 0, leaks: [], error: "docker not found" } }),
      status: "red",
      problem: /closure check failed: docker not found/,
    },
    {
      name: "recipes beyond the limit are left out: still green",
      facts: facts({ leftOut: ["gamma"], limit: 2 }),
      status: "green",
    },
    {
      name: "a sweep stopped before some recipes ran: red",
      facts: facts({ notRun: ["gamma"] }),
      status: "red",
      problem: /stopped before gamma ran/,
    },
  ];

  for (const c of cases) {
    it(c.name, () => {
      const report = judgeSweep(c.facts);
      expect(report.status).toBe(c.status);
      expect(sweepExitCode(report)).toBe(c.status === "green" ? 0 : 1);
      if (c.status === "green") expect(report.problems).toEqual([]);
      if (c.problem)
        expect(
          report.problems.some((p) => c.problem!.test(p)),
          report.problems.join("\n"),
        ).toBe(true);
    });
  }

  it("lists harness problems before recipe problems", () => {
    const report = judgeSweep(
      facts({
        canary: { ...canaryFailed, state: "passed" },
        recipes: [recipe("alpha", { state: "failed" })],
      }),
    );
    expect(report.status).toBe("broken");
    expect(report.problems[0]).toMatch(/canary/);
    expect(report.problems[1]).toMatch(/^alpha: failed/);
  });
});

describe("the sweep report as markdown", () => {
  it("lists every recipe with verdict, duration and promotion, the canary, left-out recipes and leaks", () => {
    const report = judgeSweep(
      facts({
        recipes: [
          recipe("alpha"),
          recipe("beta", {
            state: "failed",
            reason: "a | pipe\nand a newline",
            promotion: "not promoted: the cold run did not pass",
          }),
        ],
        leftOut: ["gamma", "delta"],
        limit: 2,
        closure: {
          checked: true,
          finishedRuns: 3,
          leaks: [{ stack: "beta-abc123_ci", detail: "secrets: s" }],
        },
      }),
    );
    const markdown = renderSweepMarkdown(report);
    expect(markdown).toMatch(/^## ccci nightly sweep: 🔴 RED/);
    expect(markdown).toContain(
      "| alpha | ✅ passed | 60.0 s | `0123456789ab` | promoted the canonical of alpha",
    );
    expect(markdown).toContain(
      "| beta | ❌ failed | 60.0 s | `0123456789ab` | a \\| pipe and a newline; not promoted",
    );
    expect(markdown).toMatch(/\*\*Canary\*\* `canary` \(run `run-canary`, 60\.0 s\): failed, as it must/);
    expect(markdown).toContain("**Left out** (beyond the limit of 2; first in line next time): gamma, delta");
    expect(markdown).toContain("- `beta-abc123_ci`: secrets: s");
  });

  it("shouts when the canary passed and says the closure check was clean", () => {
    const markdown = renderSweepMarkdown(judgeSweep(facts({ canary: { ...canaryFailed, state: "passed" } })));
    expect(markdown).toMatch(/BROKEN/);
    expect(markdown).toMatch(/\*\*PASSED\*\* - it must fail/);
    expect(markdown).toContain("**Closure check:** clean (3 finished runs).");
  });
});
