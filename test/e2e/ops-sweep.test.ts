import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { sweepCommand } from "../../src/cli/sweep-command.js";
import { loadSettings } from "../../src/config.js";
import { createEngine } from "../../src/engine/engine.js";
import { RunJournal } from "../../src/engine/journal.js";
import { createLogger } from "../../src/log.js";
import { renderSweepMarkdown } from "../../src/ops/sweep-markdown.js";
import { peakConcurrency } from "../../src/ops/sweep-plan.js";
import type { SweepReport } from "../../src/ops/sweep-report.js";
import { lastSweepPath } from "../../src/ops/sweep-store.js";
import { randomHex, stackName, warmDomain } from "../../src/recipe/naming.js";
import { fixture } from "./support/cli.js";
import { busyboxCompose, versionedRecipe } from "./support/versioned-recipe.js";

const base = `swp-${randomHex()}.test`; // a domain of this suite alone: its stacks never meet another's
const stateDir = mkdtempSync(join(tmpdir(), "ccci-sweep-e2e-"));
const env: NodeJS.ProcessEnv = {
  ...process.env,
  CCCI_STATE_DIR: stateDir,
  CCCI_DOMAIN: base,
  CCCI_MAX_TESTS: "2",
  CCCI_SETTLE_SECONDS: "2",
  LOG_LEVEL: "warn",
};
/** The red fixtures give up after 12 s instead of busyboxCompose's 40 (its `coop-cloud.<stack>.timeout` label). */
const shortTimeout = (compose: string) => compose.replace("TIMEOUT:-40}", "TIMEOUT:-12}");
const serve = (greeting: string) => `
mkdir -p /data/www
echo "${greeting}" > /data/www/index.html
exec httpd -f -p 8080 -h /data/www`;

/** 3 green recipes, one that never converges (crash loop), one whose healthcheck never passes. */
const fixtures: Record<string, { compose: string; green: boolean }> = {
  "swp-ok-a": { compose: busyboxCompose(serve("a")), green: true },
  "swp-ok-b": { compose: busyboxCompose(serve("b")), green: true },
  "swp-ok-c": { compose: busyboxCompose(serve("c")), green: true },
  "swp-never": {
    compose: shortTimeout(busyboxCompose("echo giving up; sleep 1; exit 3")),
    green: false,
  },
  "swp-sick": {
    compose: shortTimeout(busyboxCompose(serve("sick"), { healthcheck: '["CMD", "test", "-f", "/nope"]' })),
    green: false,
  },
};
/** Enrolled but beyond the sweep's limit of 5: named as left out, never run. */
const leftOut = "swp-zz-later"; // sorts last, so the limit of 5 leaves exactly it out
const heads: Record<string, string> = {};
const repoDirs: string[] = [];
const envSample = (name: string) =>
  `TYPE=${name}\nDOMAIN=${name}.example.com\nLETS_ENCRYPT_ENV=production\nCOMPOSE_FILE="compose.yml"\n`;

/** Runs `ccci sweep` in this process and returns its exit code and its `--json` report. */
async function sweep(...args: string[]) {
  const printed: string[] = [];
  const spy = vi.spyOn(console, "log").mockImplementation((text: string) => printed.push(text));
  try {
    const code = await sweepCommand([...args, "--json"], env);
    return { code, report: JSON.parse(printed.join("\n")) as SweepReport };
  } finally {
    spy.mockRestore();
  }
}

/** [start, end] of a run from its journal: the first entry and the final state entry. */
async function journalSpan(runId: string) {
  const entries = await RunJournal.open(stateDir, runId).entries();
  const final = entries.filter((e) => e.type === "state").at(-1);
  return { startedAt: entries[0]?.at, finishedAt: final?.at };
}

const warmStack = (recipe: string) => stackName(warmDomain(recipe, base));

describe("the nightly sweep on the real swarm", () => {
  let code: number;
  let report: SweepReport;

  beforeAll(async () => {
    const names = [...Object.keys(fixtures), leftOut];
    const lines = ["recipes:"];
    for (const name of names) {
      const compose = fixtures[name]?.compose ?? busyboxCompose(serve(name));
      const made = await versionedRecipe(name, [
        { files: { "compose.yml": compose, ".env.sample": envSample(name) } },
      ]);
      heads[name] = made.head;
      repoDirs.push(dirname(made.dir));
      lines.push(`  ${name}:`, `    repo: ${made.dir}`, "    branch: main");
    }
    writeFileSync(join(stateDir, "recipes.yml"), `${lines.join("\n")}\n`);
    ({ code, report } = await sweep("--limit", "5"));
  });

  afterAll(async () => {
    for (const name of [...Object.keys(fixtures), leftOut]) {
      const stack = warmStack(name);
      await execa("docker", ["stack", "rm", stack], { reject: false });
      await execa("docker", ["volume", "rm", "-f", `${stack}_data`], { reject: false });
    }
    rmSync(stateDir, { recursive: true, force: true });
    for (const dir of repoDirs) rmSync(dir, { recursive: true, force: true });
  });

  it("reports every recipe with its verdict, and is red because two recipes are", () => {
    expect(report.recipes.map((r) => [r.recipe, r.state])).toEqual(
      Object.entries(fixtures)
        .map(([name, f]) => [name, f.green ? "passed" : "failed"])
        .sort(),
    );
    for (const r of report.recipes) {
      expect(r.sha).toBe(heads[r.recipe]);
      expect(r.durationMs).toBeGreaterThan(0);
    }
    expect(report.status).toBe("red");
    expect(code).toBe(1);
    expect(report.problems.map((p) => p.split(":")[0]).sort()).toEqual(["swp-never", "swp-sick"]);
    const markdown = renderSweepMarkdown(report);
    for (const name of Object.keys(fixtures)) expect(markdown).toContain(`| ${name} |`);
    expect(markdown).toContain(leftOut);
    writeFileSync(join(tmpdir(), "ccci-sweep-e2e-report.md"), markdown); // a test artifact to read
  });

  it("names the recipe the limit left out", () => {
    expect(report.leftOut).toEqual([leftOut]);
    expect(report.recipes.some((r) => r.recipe === leftOut)).toBe(false);
  });

  it("sees the canary fail", () => {
    expect(report.canary?.recipe).toBe("canary");
    expect(report.canary?.state, report.canary?.reason).toBe("failed");
    expect(report.canary?.promotion).toBeNull();
  });

  it("never ran more than MAX_TESTS=2 at once, by the runs' times and by their journals", async () => {
    const runs = [...report.recipes, report.canary!];
    expect(peakConcurrency(runs)).toBe(2); // bounded, and the bound was used
    const spans = await Promise.all(runs.map((r) => journalSpan(r.runId)));
    for (const span of spans) expect(span.finishedAt, "every run journal ends with its state").toBeDefined();
    expect(peakConcurrency(spans)).toBeLessThanOrEqual(2);
    expect(report.peakConcurrent).toBe(2);
  });

  it("promoted exactly the green recipes, each to its default-branch head", async () => {
    const engine = createEngine({ settings: loadSettings(env), log: createLogger("warn") });
    const canonicals = await engine.warm.registry.list();
    expect(canonicals.map((c) => [c.recipe, c.knownGood.commit]).sort()).toEqual(
      Object.entries(fixtures)
        .filter(([, f]) => f.green)
        .map(([name]) => [name, heads[name]]),
    );
    for (const r of report.recipes)
      expect(r.promotion ?? "").toMatch(r.state === "passed" ? /^promoted/ : /^not promoted/);
  });

  it("left nothing behind (closure check in the report) and saved the report for the status page", () => {
    expect(report.closure).toMatchObject({ checked: true, leaks: [] });
    expect(report.closure.finishedRuns).toBeGreaterThanOrEqual(6);
    expect(existsSync(lastSweepPath(stateDir))).toBe(true);
    expect(JSON.parse(readFileSync(lastSweepPath(stateDir), "utf8"))).toEqual(report);
  });

  it("a canary that passes makes the next sweep BROKEN; that sweep tests the recipe left out last time", async () => {
    const next = await sweep("--limit", "1", "--canary", fixture("hello"));
    expect(next.code).toBe(1);
    expect(next.report.canary?.state, next.report.canary?.reason).toBe("passed");
    expect(next.report.status).toBe("broken");
    expect(next.report.problems[0]).toMatch(/the canary canary PASSED/);
    expect(next.report.recipes.map((r) => [r.recipe, r.state])).toEqual([[leftOut, "passed"]]);
    expect(next.report.leftOut).toEqual(Object.keys(fixtures).sort());
  });
});
