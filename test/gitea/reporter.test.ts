import { pino } from "pino";
import { describe, expect, it } from "vitest";
import type { RunRequest } from "../../src/engine/run.js";
import { GiteaReporter } from "../../src/gitea/reporter.js";
import { FakeEngine } from "../helpers/fake-engine.js";
import { RecordingForge } from "../helpers/recording-forge.js";

const HEAD = "d".repeat(40);
const request = (mode: "cold" | "quick", trigger = "gitea"): RunRequest => ({
  repo: "maint/hello#4",
  source: { kind: "git", url: "http://127.0.0.1:1/maint/hello.git" },
  ref: HEAD,
  recipe: "hello",
  mode,
  origin: { trigger, owner: "maint", repo: "hello", pullNumber: 4, headSha: HEAD, commentId: 3 },
});

function setup() {
  const engine = new FakeEngine();
  const forge = new RecordingForge();
  const reporter = new GiteaReporter({
    engine,
    forge,
    log: pino({ level: "silent" }),
    progressIntervalMs: 60_000,
  });
  reporter.start();
  return { engine, forge, reporter };
}

describe("the Gitea reporter", () => {
  it("a cold run: ccci/cold pending then success, and one sticky comment written queued, running and final", async () => {
    const { engine, forge, reporter } = setup();
    const { run } = engine.submit(request("cold"));
    await reporter.idle();
    engine.start(run.id);
    await reporter.idle();
    engine.update(run.id, { notes: ["progress that comes too soon is held back"] });
    await reporter.idle();
    engine.finish(run.id, "passed");
    await reporter.idle();
    const statuses = forge.writes("setCommitStatus").map((c) => c.args[0]);
    expect(statuses).toMatchObject([
      { sha: HEAD, context: "ccci/cold", state: "pending" },
      { sha: HEAD, context: "ccci/cold", state: "success", description: "cold: passed" },
    ]);
    const bodies = forge.writes("ensureStickyComment").map((c) => c.args as [number, string, string]);
    expect(bodies.map(([pull, marker]) => [pull, marker])).toEqual(
      Array(3).fill([4, "<!-- ccci:result mode=cold -->"]),
    );
    expect(bodies.map(([, , body]) => body.split("\n")[1])).toEqual([
      "### ⏳ ccci · cold · queued",
      "### 🔄 ccci · cold · running",
      "### ✅ ccci · cold · passed",
    ]);
    expect(bodies.at(-1)?.[2]).not.toContain("check run");
    expect(bodies.at(-1)?.[2]).toContain("Re-run: comment `!testme`.");
    expect(forge.writes("createCheckRun")).toEqual([]);
  });

  it("a quick run never sets a commit status, whatever its verdict", async () => {
    const { engine, forge, reporter } = setup();
    const { run } = engine.submit(request("quick"));
    engine.start(run.id);
    engine.finish(run.id, "failed");
    await reporter.idle();
    expect(forge.writes("setCommitStatus")).toEqual([]);
    const last = forge.writes("ensureStickyComment").at(-1)?.args as [number, string, string];
    expect(last[1]).toBe("<!-- ccci:result mode=quick -->");
    expect(last[2]).toContain("FAILED (advisory)");
  });

  it("runs GitHub started are left to GitHub's reporter", async () => {
    const { engine, forge, reporter } = setup();
    const { run } = engine.submit(request("cold", "github"));
    engine.finish(run.id, "passed");
    await reporter.idle();
    expect(forge.calls).toEqual([]);
  });

  it("an interrupted cold run ends with an error status and an interrupted sticky comment", async () => {
    const { forge, reporter } = setup();
    reporter.reportInterrupted([
      { runId: "r1", mode: "cold", origin: request("cold").origin as Record<string, unknown>, leaks: "" },
      {
        runId: "r2",
        mode: "quick",
        origin: request("quick").origin as Record<string, unknown>,
        leaks: "volume x",
      },
      { runId: "r3", mode: "cold", origin: { trigger: "github" }, leaks: "" },
    ]);
    await reporter.idle();
    expect(forge.writes("setCommitStatus").map((c) => c.args[0])).toMatchObject([
      { state: "error", sha: HEAD },
    ]);
    const bodies = forge.writes("ensureStickyComment").map((c) => String(c.args[2]));
    expect(bodies).toHaveLength(2);
    expect(bodies[1]).toContain("Recovery left these behind: volume x");
  });
});
