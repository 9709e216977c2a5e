import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { RunHandle } from "../../src/engine/api.js";
import type { Run, RunRequest } from "../../src/engine/run.js";
import { UserError } from "../../src/errors.js";
import type { ClosureReport } from "../../src/ops/closure.js";
import { runSweep } from "../../src/ops/sweep.js";
import { bundledCanaryPath } from "../../src/ops/sweep-canary.js";
import { lastSweepPath, readLastSweep } from "../../src/ops/sweep-store.js";
import { parseEnrolment } from "../../src/warm/enrolment.js";
import { silentLog } from "./fakes.js";

type Verdict = "passed" | "failed" | "errored";

/**
 * An engine that finishes each run after a short delay with the verdict scripted for its recipe, and
 * records the requests and how many runs were in flight at once.
 */
class ScriptedEngine {
  readonly requests: RunRequest[] = [];
  inFlight = 0;
  peakInFlight = 0;
  constructor(
    private readonly verdicts: Record<string, Verdict>,
    readonly warm: {
      enrolment: () => Promise<ReturnType<typeof parseEnrolment>>;
      enrolmentPath: () => string;
    },
  ) {}

  submit(request: RunRequest): RunHandle {
    this.requests.push(request);
    this.inFlight += 1;
    this.peakInFlight = Math.max(this.peakInFlight, this.inFlight);
    const recipe = request.recipe!;
    const state = this.verdicts[recipe] ?? "passed";
    const startedAt = new Date().toISOString();
    const run: Run = {
      id: `run-${this.requests.length}`,
      repo: request.repo,
      ...(request.ref ? { ref: request.ref } : {}),
      sha: request.source.kind === "git" ? "a".repeat(40) : null,
      recipe,
      mode: "cold",
      state: "queued",
      steps: [],
      tiers: [],
      asserts: [],
      notes: [],
      queuedAt: startedAt,
      request,
    };
    const done = new Promise<Run>((resolve) =>
      setTimeout(() => {
        this.inFlight -= 1;
        const notes = !request.promote
          ? []
          : state === "passed"
            ? [`promoted the canonical of ${recipe} to aaaaaaaaaaaa (main), snapshot s1`]
            : ["not promoted: the cold run did not pass"];
        resolve({
          ...run,
          state,
          startedAt,
          finishedAt: new Date().toISOString(),
          durationMs: 5,
          notes,
          ...(state === "passed" ? {} : { reason: `${recipe} ${state}` }),
        });
      }, 5),
    );
    return { run, done };
  }
}

const enrolled = (...names: string[]) =>
  parseEnrolment(
    names.length === 0
      ? "recipes: {}\n"
      : `recipes:\n${names.map((n) => `  ${n}:\n    repo: /srv/recipes/${n}\n    branch: main\n`).join("")}`,
    "/state/recipes.yml",
  );

const stateDirs: string[] = [];
afterAll(() => {
  for (const dir of stateDirs) rmSync(dir, { recursive: true, force: true });
});

function setup(
  names: string[],
  verdicts: Record<string, Verdict>,
  maxTests = 2,
  enrolment = async () => enrolled(...names),
) {
  const stateDir = mkdtempSync(join(tmpdir(), "ccci-sweep-unit-"));
  stateDirs.push(stateDir);
  const engine = new ScriptedEngine(
    { canary: "failed", ...verdicts },
    { enrolment, enrolmentPath: () => "/state/recipes.yml" },
  );
  const settings = {
    CCCI_STATE_DIR: stateDir,
    CCCI_MAX_TESTS: maxTests,
    CCCI_DOMAIN: "ci.localhost",
    CCCI_DOCKER_BIN: "docker",
  };
  const closure = async (): Promise<ClosureReport> => ({ at: "", finishedRuns: 0, leaks: [], orphans: [] });
  return { stateDir, engine, options: { engine, settings, log: silentLog, closure } };
}

describe("runSweep", () => {
  it("runs every enrolled recipe cold at its default branch with promotion, plus the canary without", async () => {
    const { engine, options, stateDir } = setup(["alpha", "beta", "gamma"], {});
    const report = await runSweep(options);
    expect(report.status).toBe("green");
    const canary = engine.requests.find((r) => r.recipe === "canary")!;
    expect(canary).toMatchObject({ mode: "cold", source: { kind: "dir", path: bundledCanaryPath() } });
    expect(canary.promote).toBeUndefined();
    const targets = engine.requests.filter((r) => r.recipe !== "canary");
    expect(targets).toEqual(
      ["alpha", "beta", "gamma"].map((name) =>
        expect.objectContaining({
          recipe: name,
          source: { kind: "git", url: `/srv/recipes/${name}` },
          ref: "main",
          mode: "cold",
          promote: true,
          requestedBy: "sweep",
        }),
      ),
    );
    expect(report.recipes.map((r) => [r.recipe, r.state, r.promotion?.slice(0, 8)])).toEqual([
      ["alpha", "passed", "promoted"],
      ["beta", "passed", "promoted"],
      ["gamma", "passed", "promoted"],
    ]);
    expect(await readLastSweep(stateDir)).toEqual(report);
  });

  it("keeps at most MAX_TESTS of its runs in the engine at once", async () => {
    const { engine, options } = setup(["a1", "a2", "a3", "a4", "a5"], {}, 2);
    const report = await runSweep(options);
    expect(engine.requests).toHaveLength(6);
    expect(engine.peakInFlight).toBe(2);
    expect(report.peakConcurrent).toBeLessThanOrEqual(2);
  });

  it("is broken when the canary passes, even with every recipe green", async () => {
    const { options } = setup(["alpha"], { canary: "passed" });
    const report = await runSweep(options);
    expect(report.status).toBe("broken");
    expect(report.problems[0]).toMatch(/canary canary PASSED/);
  });

  it("is red when a recipe fails, and says which", async () => {
    const { options } = setup(["alpha", "beta"], { beta: "failed" });
    const report = await runSweep(options);
    expect(report.status).toBe("red");
    expect(report.problems).toEqual(["beta: failed - beta failed"]);
    expect(report.recipes.find((r) => r.recipe === "beta")?.promotion).toBe(
      "not promoted: the cold run did not pass",
    );
  });

  it("names the recipes the limit left out, and tests them first next time", async () => {
    const { engine, options } = setup(["alpha", "beta", "gamma"], {});
    const first = await runSweep({ ...options, limit: 2 });
    expect(first.recipes.map((r) => r.recipe)).toEqual(["alpha", "beta"]);
    expect(first.leftOut).toEqual(["gamma"]);
    engine.requests.length = 0;
    const second = await runSweep({ ...options, limit: 2 });
    expect(second.recipes.map((r) => r.recipe)).toEqual(["alpha", "gamma"]);
    expect(second.leftOut).toEqual(["beta"]);
  });

  it("fails loudly on an empty enrolment and records a BROKEN report", async () => {
    const { engine, options, stateDir } = setup([], {});
    const error = await runSweep(options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).code).toBe("ENROLMENT_INVALID");
    expect(engine.requests).toEqual([]);
    const saved = JSON.parse(readFileSync(lastSweepPath(stateDir), "utf8"));
    expect(saved.status).toBe("broken");
    expect(saved.problems[0]).toMatch(/nothing to sweep/);
  });

  it("fails loudly on an unreadable enrolment", async () => {
    const { engine, options, stateDir } = setup([], {}, 2, async () =>
      parseEnrolment("recipes: [not, a, map]\n", "/state/recipes.yml"),
    );
    await expect(runSweep(options)).rejects.toThrow(/invalid enrolment file \/state\/recipes\.yml/);
    expect((await readLastSweep(stateDir))?.status).toBe("broken");
    expect(engine.requests).toEqual([]);
  });

  it("submits nothing more once stopped, and names what did not run", async () => {
    const { engine, options } = setup(["alpha", "beta", "gamma"], {}, 1);
    const abort = new AbortController();
    const sweep = runSweep({ ...options, signal: abort.signal });
    await new Promise((resolve) => setTimeout(resolve, 1));
    abort.abort();
    const report = await sweep;
    expect(engine.requests.length).toBeLessThan(4);
    expect(report.notRun.length).toBeGreaterThan(0);
    expect(report.status).not.toBe("green");
  });
});
