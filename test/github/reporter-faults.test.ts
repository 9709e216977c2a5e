import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import type { CheckRunFields, CommitStatusFields, Forge } from "../../src/github/forge.js";
import { ReportOutbox } from "../../src/github/report-outbox.js";
import { retryDelay } from "../../src/github/report-retry.js";
import { Reporter } from "../../src/github/reporter.js";
import { FakeEngine } from "../helpers/fake-engine.js";
import { RecordingForge } from "../helpers/recording-forge.js";

const sha = "c".repeat(40);
const origin = {
  trigger: "github",
  owner: "o",
  repo: "hello",
  pullNumber: 4,
  installationId: 9,
  headSha: sha,
};

/** A RecordingForge whose writes fail while `failing` is above zero (each failure counts one down). */
class FlakyForge extends RecordingForge {
  failing = 0;
  failures = 0;
  constructor() {
    super();
    for (const method of [
      "createCheckRun",
      "updateCheckRun",
      "setCommitStatus",
      "ensureStickyComment",
    ] as const) {
      const real = (this[method] as (...args: unknown[]) => Promise<unknown>).bind(this);
      (this as unknown as Record<string, unknown>)[method] = async (...args: unknown[]) => {
        if (this.failing > 0) {
          this.failing -= 1;
          this.failures += 1;
          throw Object.assign(new Error("502 Bad Gateway"), { status: 502 });
        }
        return real(...args);
      };
    }
  }
}

const reporters: Reporter[] = [];
afterEach(() => {
  for (const reporter of reporters.splice(0)) reporter.stop();
});

function reporterWith(forge: Forge, engine: FakeEngine, outboxDir: string, attempts = 4) {
  const reporter = new Reporter({
    engine,
    forgeFor: async () => forge,
    log: pino({ level: "silent" }),
    progressIntervalMs: 0,
    outbox: new ReportOutbox(outboxDir),
    retry: { attempts, firstDelayMs: 5 },
  });
  reporter.start();
  reporters.push(reporter);
  return reporter;
}

const submit = (engine: FakeEngine, mode: "cold" | "quick" = "cold") =>
  engine.submit({ repo: "o/hello#4", source: { kind: "git", url: "file:///x" }, ref: sha, mode, origin }).run;

const lastCheck = (forge: RecordingForge) =>
  forge.calls
    .filter((c) => c.method === "createCheckRun" || c.method === "updateCheckRun")
    .map((c) => (c.method === "createCheckRun" ? c.args[0] : c.args[1]) as CheckRunFields)
    .at(-1);
const statuses = (forge: RecordingForge) =>
  forge.writes("setCommitStatus").map((c) => (c.args[0] as CommitStatusFields).state);

describe("reports under a failing GitHub", () => {
  it("retries failed writes with back-off until the final report is delivered", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ccci-outbox-"));
    const engine = new FakeEngine();
    const forge = new FlakyForge();
    const reporter = reporterWith(forge, engine, dir, 5);
    const run = submit(engine);
    await reporter.idle();
    forge.failing = 3; // the final check-run update, status and comment fail three times between them
    engine.finish(run.id, "passed");
    await reporter.idle();
    expect(forge.failures).toBe(3);
    expect(lastCheck(forge)).toMatchObject({ status: "completed", conclusion: "success" });
    expect(statuses(forge)).toEqual(["pending", "success"]);
    expect(forge.writes("ensureStickyComment")).toHaveLength(1);
    expect(readdirSync(dir)).toEqual([]); // delivered: nothing left for a restart
  });

  it("gives up after the bounded attempts, keeps the final result, and a restart delivers it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ccci-outbox-"));
    const engine = new FakeEngine();
    const forge = new FlakyForge();
    const first = reporterWith(forge, engine, dir, 3);
    const run = submit(engine);
    await first.idle();
    forge.failing = 1_000;
    engine.finish(run.id, "failed", { reason: "generic:healthy failed" });
    await first.idle();
    expect(forge.failures).toBe(3); // exactly the bound
    expect(readdirSync(dir)).toEqual([`${run.id}.json`]);
    first.stop();

    const healthy = new RecordingForge();
    const second = reporterWith(healthy, new FakeEngine(), dir);
    second.reportInterrupted([]);
    await second.idle();
    expect(lastCheck(healthy)).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(statuses(healthy)).toEqual(["failure"]);
    expect(forge.calls.filter((c) => c.method === "createCheckRun")).toHaveLength(1);
    expect(healthy.calls.filter((c) => c.method === "createCheckRun")).toHaveLength(0); // same check run
    expect(healthy.writes("ensureStickyComment")).toHaveLength(1);
    expect(readdirSync(dir)).toEqual([]);
  });

  it.each([
    ["queued", (_engine: FakeEngine, _id: string) => {}],
    ["in progress", (engine: FakeEngine, id: string) => void engine.start(id)],
  ])(
    "a run a crash left %s is completed at the next start, its gate never left pending",
    async (_n, advance) => {
      const dir = mkdtempSync(join(tmpdir(), "ccci-outbox-"));
      const engine = new FakeEngine();
      const forge = new RecordingForge();
      const first = reporterWith(forge, engine, dir);
      const run = submit(engine);
      await first.idle();
      advance(engine, run.id);
      await first.idle();
      first.stop(); // the process dies here: no final report

      const after = new RecordingForge();
      const second = reporterWith(after, new FakeEngine(), dir);
      second.reportInterrupted([]);
      await second.idle();
      expect(lastCheck(after)).toMatchObject({ status: "completed", conclusion: "cancelled" });
      expect(statuses(after)).toEqual(["error"]);
      expect(readdirSync(dir)).toEqual([]);
    },
  );

  it("a quick run left open is completed too, and gets no commit status", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ccci-outbox-"));
    const engine = new FakeEngine();
    const first = reporterWith(new RecordingForge(), engine, dir);
    submit(engine, "quick");
    await first.idle();
    first.stop();
    const after = new RecordingForge();
    const second = reporterWith(after, new FakeEngine(), dir);
    second.reportInterrupted([]);
    await second.idle();
    expect(lastCheck(after)).toMatchObject({ status: "completed", conclusion: "cancelled" });
    expect(statuses(after)).toEqual([]);
  });

  it.each([
    [1, 5],
    [2, 10],
    [4, 40],
    [30, 300_000],
  ])("retry %i waits %i ms (doubling, capped at 5 minutes)", (retry, ms) => {
    expect(retryDelay({ attempts: 99, firstDelayMs: 5, maxDelayMs: 300_000 }, retry)).toBe(ms);
  });
});
