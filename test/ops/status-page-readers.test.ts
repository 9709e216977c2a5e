import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DurationHistory, durationFromJournal } from "../../src/ops/status/duration-history.js";
import { scrubDeep, scrubSecrets } from "../../src/ops/status/scrub.js";
import { SnapshotSummaryReader } from "../../src/ops/status/snapshot-summary.js";
import { SnapshotLayout } from "../../src/warm/snapshot-layout.js";
import { writeManifest } from "../../src/warm/snapshot-manifest.js";

let stateDir: string;
beforeEach(() => {
  stateDir = mkdtempSync(join(tmpdir(), "ccci-status-readers-"));
});
afterEach(() => rmSync(stateDir, { recursive: true, force: true }));

const line = (entry: Record<string, unknown>) => `${JSON.stringify(entry)}\n`;
const header = (at: string, mode = "cold") =>
  line({ at, type: "run", runId: "r1", recipe: "hello", mode, stack: "hell-abc123_ci" });
const state = (at: string, value: string) => line({ at, type: "state", state: value });

describe("durationFromJournal", () => {
  const t0 = "2026-01-01T10:00:00.000Z";
  const t1 = "2026-01-01T10:02:30.000Z";
  it.each([
    [
      "a finished cold run",
      header(t0) + state(t1, "passed"),
      { mode: "cold", state: "passed", durationMs: 150_000 },
    ],
    ["a failed quick run", header(t0, "quick") + state(t1, "failed"), { mode: "quick", state: "failed" }],
    [
      "a run with resources and origin entries between",
      header(t0) +
        line({ at: t0, type: "resource", resource: { kind: "volume", name: "v" } }) +
        state(t1, "errored"),
      { state: "errored", finishedAt: t1 },
    ],
    [
      "a run with a line torn by a crash",
      `${header(t0)}{"at":"2026-01-0\n${state(t1, "cancelled")}`,
      { state: "cancelled" },
    ],
  ])("reads %s", (_name, text, expected) => {
    expect(durationFromJournal(text)).toMatchObject({ runId: "r1", recipe: "hello", ...expected });
  });

  it.each([
    ["a run still going (no final state)", header(t0)],
    ["a run refused before its recipe was fetched (no run entry)", state(t1, "errored")],
    ["an empty file", ""],
    ["a run of an unknown mode", header(t0, "warm") + state(t1, "passed")],
    ["a non-final state", header(t0) + state(t1, "running")],
  ])("skips %s", (_name, text) => {
    expect(durationFromJournal(text)).toBeNull();
  });
});

describe("DurationHistory", () => {
  const journal = (runId: string, minutes: number, mode = "cold", final = "passed") => {
    mkdirSync(join(stateDir, "journal"), { recursive: true });
    const start = new Date(Date.UTC(2026, 0, 1, 10, 0));
    const end = new Date(start.getTime() + minutes * 60_000);
    const text =
      line({ at: start.toISOString(), type: "run", runId, recipe: "hello", mode }) +
      line({ at: end.toISOString(), type: "state", state: final });
    writeFileSync(join(stateDir, "journal", `${runId}.jsonl`), text);
  };

  it("reuses one scan until the TTL passes, then answers at once and refreshes in the background", async () => {
    let now = 1_000_000;
    const history = new DurationHistory({ stateDir, ttlMs: 10_000, now: () => now });
    journal("a", 2);
    expect((await history.points()).map((p) => p.runId)).toEqual(["a"]);
    journal("b", 3, "quick");
    now += 9_999;
    expect((await history.points()).map((p) => p.runId)).toEqual(["a"]);
    now += 1;
    expect((await history.points()).map((p) => p.runId)).toEqual(["a"]); // the last scan, without waiting
    await history.rescan(); // the background refresh the view started
    expect((await history.points()).map((p) => [p.runId, p.mode, p.durationMs])).toEqual([
      ["a", "cold", 120_000],
      ["b", "quick", 180_000],
    ]);
    rmSync(join(stateDir, "journal", "a.jsonl"));
    now += 10_000;
    await history.points();
    await history.rescan();
    expect((await history.points()).map((p) => p.runId)).toEqual(["b"]);
  });

  it("runs one scan at a time, shared by everyone waiting for it", async () => {
    journal("a", 1);
    const history = new DurationHistory({ stateDir });
    const first = history.rescan();
    expect(history.rescan()).toBe(first);
    expect(await first).toHaveLength(1);
    expect(history.rescan()).not.toBe(first);
  });

  it("keeps only the newest points, oldest first", async () => {
    for (const [i, id] of ["a", "b", "c"].entries()) journal(id, i + 1);
    const points = await new DurationHistory({ stateDir, limit: 2 }).points();
    expect(points.map((p) => p.runId)).toEqual(["b", "c"]);
  });

  it("is empty, not an error, before the first run", async () => {
    expect(await new DurationHistory({ stateDir }).points()).toEqual([]);
  });
});

describe("SnapshotSummaryReader", () => {
  const manifest = (id: string, volumes: Array<{ bytes: number; files: number }>) => ({
    format: 1 as const,
    id,
    recipe: "hello",
    stack: "warm-hello_ci_localhost",
    createdAt: "2026-01-01T09:00:00.000Z",
    meta: { commit: "0123abc" },
    volumes: volumes.map((v, i) => ({
      name: `vol${i}`,
      dockerName: `warm-hello_ci_localhost_vol${i}`,
      digest: "0".repeat(64),
      ...v,
      entries: [],
    })),
  });

  async function snapshot(id: string, volumes: Array<{ bytes: number; files: number }>) {
    const layout = new SnapshotLayout(join(stateDir, "snapshots", "hello"));
    mkdirSync(layout.generation(id), { recursive: true });
    await writeManifest(layout.manifest(id), manifest(id, volumes));
    await layout.switchCurrent(id);
  }

  it("sums size and files of every volume from the manifest alone (no volume data exists)", async () => {
    await snapshot("20260101T090000000Z-aaaaaa", [
      { bytes: 1000, files: 3 },
      { bytes: 24, files: 1 },
    ]);
    expect(await new SnapshotSummaryReader(stateDir).current("hello")).toEqual({
      id: "20260101T090000000Z-aaaaaa",
      createdAt: "2026-01-01T09:00:00.000Z",
      bytes: 1024,
      files: 4,
      volumes: 2,
    });
  });

  it("follows `current` to a new generation", async () => {
    const reader = new SnapshotSummaryReader(stateDir);
    await snapshot("gen-1", [{ bytes: 1, files: 1 }]);
    expect((await reader.current("hello"))?.id).toBe("gen-1");
    await snapshot("gen-2", [{ bytes: 2, files: 2 }]);
    expect(await reader.current("hello")).toMatchObject({ id: "gen-2", bytes: 2 });
  });

  it("is null for a recipe without a snapshot", async () => {
    expect(await new SnapshotSummaryReader(stateDir).current("hello")).toBeNull();
  });

  it("names the manifest when it is damaged", async () => {
    await snapshot("gen-1", [{ bytes: 1, files: 1 }]);
    const path = new SnapshotLayout(join(stateDir, "snapshots", "hello")).manifest("gen-1");
    rmSync(path);
    writeFileSync(path, JSON.stringify({ id: "gen-1", volumes: "nope" }));
    await expect(new SnapshotSummaryReader(stateDir).current("hello")).rejects.toThrow(path);
  });

  it("refuses a recipe name that is not a DNS label (it becomes a path)", async () => {
    await expect(new SnapshotSummaryReader(stateDir).current("../etc")).rejects.toThrow(
      /invalid recipe name/,
    );
  });
});

describe("scrubSecrets", () => {
  it.each([
    [
      "credentials in a git URL",
      "https://x-access-token:s3cr3t@github.com/o/r.git",
      "https://[redacted]@github.com/o/r.git",
    ],
    [
      "a bare user in an ssh URL",
      "fetch ssh://deploy@git.example/r failed",
      "fetch ssh://[redacted]@git.example/r failed",
    ],
    ["a GitHub token", "auth ghs_abcdefghijklmnopqrstuvwxyz0123 denied", "auth [redacted] denied"],
    ["a fine-grained token", "github_pat_11ABCDEFG0123456789_abcdefghij", "[redacted]"],
    [
      "a plain URL (unchanged)",
      "https://git.coopcloud.tech/coop-cloud/hello.git",
      "https://git.coopcloud.tech/coop-cloud/hello.git",
    ],
    ["an owner/repo#PR (unchanged)", "o/hello#12", "o/hello#12"],
  ])("scrubs %s", (_name, input, expected) => {
    expect(scrubSecrets(input)).toBe(expected);
  });

  it("scrubs every string inside nested data", () => {
    expect(scrubDeep({ a: ["https://u:p@h/x"], b: { c: 1, d: null } })).toEqual({
      a: ["https://[redacted]@h/x"],
      b: { c: 1, d: null },
    });
  });
});
