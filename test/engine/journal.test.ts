import { appendFileSync, mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RunJournal, unfinishedJournals } from "../../src/engine/journal.js";

const stateDir = () => mkdtempSync(join(tmpdir(), "ccci-journal-"));

describe("RunJournal", () => {
  it("returns appended entries in order, each stamped with the time", async () => {
    const journal = RunJournal.open(stateDir(), "run-1");
    await journal.append({
      type: "run",
      runId: "run-1",
      recipe: "hello",
      mode: "cold",
      stack: "hell-a1b2c3_ci_localhost",
    });
    await journal.append({
      type: "resource",
      resource: { kind: "secret", name: "hell-a1b2c3_ci_localhost_api_key_v1" },
    });
    await journal.append({ type: "state", state: "passed" });
    const entries = await journal.entries();
    expect(entries.map((e) => e.type)).toEqual(["run", "resource", "state"]);
    expect(entries[1]).toMatchObject({
      resource: { kind: "secret", name: "hell-a1b2c3_ci_localhost_api_key_v1" },
    });
    for (const entry of entries) expect(Number.isNaN(Date.parse(entry.at))).toBe(false);
  });

  it("is readable by its owner only", async () => {
    const journal = RunJournal.open(stateDir(), "run-1");
    await journal.append({ type: "state", state: "running" });
    expect(statSync(journal.path).mode & 0o777).toBe(0o600);
  });

  it("ignores a last line torn by a crash mid-write and keeps everything before it", async () => {
    const journal = RunJournal.open(stateDir(), "run-1");
    await journal.append({ type: "resource", resource: { kind: "stack", name: "s" } });
    appendFileSync(journal.path, '{"at":"2026-01-01T00:00:00Z","type":"reso');
    expect(await journal.entries()).toEqual([expect.objectContaining({ type: "resource" })]);
  });

  it("has no entries before the first append", async () => {
    expect(await RunJournal.open(stateDir(), "fresh").entries()).toEqual([]);
  });
});

describe("unfinishedJournals", () => {
  it("lists the runs that never recorded a final state", async () => {
    const dir = stateDir();
    const states: Record<string, string[]> = {
      passed: ["passed"],
      crashed: [],
      running: ["running"],
      cancelled: ["cancelled"],
      errored: ["errored"],
      failed: ["failed"],
    };
    for (const [runId, list] of Object.entries(states)) {
      const journal = RunJournal.open(dir, runId);
      await journal.append({ type: "run", runId, recipe: "hello", mode: "cold" });
      for (const state of list) await journal.append({ type: "state", state });
    }
    const open = await unfinishedJournals(dir);
    expect(open.map((j) => j.path).sort()).toEqual([
      join(dir, "journal", "crashed.jsonl"),
      join(dir, "journal", "running.jsonl"),
    ]);
  });

  it("is empty when there is no journal directory", async () => {
    expect(await unfinishedJournals(join(stateDir(), "missing"))).toEqual([]);
  });
});
