import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import type { CheckRunFields, CommitStatusFields } from "../../src/github/forge.js";
import { Reporter } from "../../src/github/reporter.js";
import { FakeEngine } from "../helpers/fake-engine.js";
import { RecordingForge } from "../helpers/recording-forge.js";

const sha = "b".repeat(40);
const origin = {
  trigger: "github",
  owner: "o",
  repo: "hello",
  pullNumber: 4,
  installationId: 9,
  headSha: sha,
};

let reporter: Reporter | undefined;
afterEach(() => reporter?.stop());

function setup(progressIntervalMs: number) {
  const engine = new FakeEngine();
  const forge = new RecordingForge();
  const recorded: [string, Record<string, unknown>][] = [];
  reporter = new Reporter({
    engine,
    forgeFor: async () => forge,
    log: pino({ level: "silent" }),
    progressIntervalMs,
    recordOrigin: async (runId, extra) => {
      recorded.push([runId, extra]);
    },
  });
  reporter.start();
  const submit = (mode: "cold" | "quick" = "cold") =>
    engine.submit({ repo: "o/hello#4", source: { kind: "git", url: "file:///x" }, ref: sha, mode, origin })
      .run;
  return { engine, forge, submit, reporter, recorded };
}

const checkFields = (forge: RecordingForge) =>
  forge.calls
    .filter((c) => c.method === "createCheckRun" || c.method === "updateCheckRun")
    .map((c) => (c.method === "createCheckRun" ? c.args[0] : c.args[1]) as CheckRunFields);

describe("Reporter", () => {
  it("coalesces a burst of progress updates into the queued render and the final one", async () => {
    const { engine, forge, submit, reporter } = setup(60_000);
    const run = submit();
    await reporter.idle();
    engine.start(run.id);
    for (let i = 0; i < 20; i++) engine.update(run.id, { steps: [{ name: `step ${i}`, status: "running" }] });
    engine.finish(run.id, "passed");
    await reporter.idle();
    expect(checkFields(forge).map((f) => f.status)).toEqual(["queued", "completed"]);
    expect(forge.writes("ensureStickyComment")).toHaveLength(1);
  });

  it("renders progress again once the interval has passed, always the newest snapshot", async () => {
    const { engine, forge, submit, reporter } = setup(30);
    const run = submit();
    await reporter.idle();
    engine.start(run.id);
    engine.update(run.id, { steps: [{ name: "deploy", status: "running" }] });
    await reporter.idle();
    const fields = checkFields(forge);
    expect(fields.at(-1)?.status).toBe("in_progress");
    expect(fields.at(-1)?.title).toContain("running: deploy");
  });

  it("writes nothing for a snapshot it has already rendered, and nothing after the final render", async () => {
    const { engine, forge, submit, reporter } = setup(0);
    const run = submit();
    reporter.notify(run);
    reporter.notify(run);
    await reporter.idle();
    const finished = engine.finish(run.id, "passed");
    await reporter.idle();
    const before = forge.calls.length;
    reporter.notify(finished);
    engine.update(run.id, { notes: ["late"] });
    await reporter.idle();
    expect(forge.calls.length).toBe(before);
    expect(forge.writes("createCheckRun")).toHaveLength(1);
  });

  it("posts commit statuses for cold runs only, pending then final, each once", async () => {
    const { engine, forge, submit, reporter } = setup(0);
    const cold = submit("cold");
    const quick = submit("quick");
    await reporter.idle();
    engine.start(cold.id);
    engine.start(quick.id);
    await reporter.idle();
    engine.finish(cold.id, "failed", { reason: "x".repeat(500) });
    engine.finish(quick.id, "failed");
    await reporter.idle();
    const statuses = forge.writes("setCommitStatus").map((c) => c.args[0] as CommitStatusFields);
    expect(statuses.map((s) => [s.context, s.state])).toEqual([
      ["ccci/cold", "pending"],
      ["ccci/cold", "failure"],
    ]);
    expect(statuses.every((s) => s.description.length <= 140)).toBe(true);
  });

  it("ignores runs other triggers started (no GitHub origin)", async () => {
    const { engine, forge, reporter } = setup(0);
    engine.submit({ repo: "/tmp/hello", source: { kind: "dir", path: "/tmp/hello" }, mode: "cold" });
    await reporter.idle();
    expect(forge.calls).toEqual([]);
  });

  it("keeps a huge log excerpt and step details within GitHub's limits", async () => {
    const { engine, forge, submit, reporter } = setup(0);
    const run = submit();
    const steps = Array.from({ length: 500 }, (_, i) => ({
      name: `s${i}`,
      status: "failed" as const,
      detail: "d".repeat(1000),
    }));
    engine.finish(run.id, "failed", { logExcerpt: "```\n".repeat(40_000), steps });
    await reporter.idle();
    const final = checkFields(forge).at(-1);
    expect(final?.summary.length).toBeLessThanOrEqual(65_535);
    expect(final?.text?.length).toBeLessThanOrEqual(65_535);
    const comment = forge.writes("ensureStickyComment")[0]?.args[2] as string;
    expect(comment.length).toBeLessThan(65_536);
  });

  it("records the check run id with the run once the check run exists", async () => {
    const { submit, reporter, recorded, forge } = setup(0);
    const run = submit();
    await reporter.idle();
    const created = forge.writes("createCheckRun");
    expect(created).toHaveLength(1);
    expect(recorded).toEqual([[run.id, { checkRunId: 101 }]]);
  });

  it.each([
    ["cold", "cancelled", "🚫 cold: interrupted", 1],
    ["quick", "cancelled", "🚫 quick: interrupted (advisory)", 0],
  ] as const)(
    "completes the check run of an interrupted %s run as %s after a restart, titled %s",
    async (mode, conclusion, title, statuses) => {
      const { forge, reporter } = setup(0);
      reporter.reportInterrupted([
        { runId: "old-1", mode, origin: { ...origin, checkRunId: 55 }, leaks: "" },
        { runId: "cli-run", mode, origin: {}, leaks: "" },
        { runId: "no-check-yet", mode, origin, leaks: "" },
      ]);
      await reporter.idle();
      const updates = forge.writes("updateCheckRun");
      expect(updates).toHaveLength(1);
      expect(updates[0]?.args[0]).toBe(55);
      expect(updates[0]?.args[1]).toMatchObject({
        status: "completed",
        conclusion,
        title,
        externalId: `old-1:${mode}`,
      });
      expect(updates[0]?.args[1]).toHaveProperty("summary", expect.stringMatching(/ccci restarted/));
      expect(forge.writes("setCommitStatus")).toHaveLength(statuses);
    },
  );
});
