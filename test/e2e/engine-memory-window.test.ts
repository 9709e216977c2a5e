import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { loadSettings } from "../../src/config.js";
import { createEngine } from "../../src/engine/engine.js";
import { collectStatus } from "../../src/ops/status/status-model.js";

/**
 * Finished runs leave memory: beyond CCCI_RUNS_IN_MEMORY only their journals keep them, and the status
 * page (which copies the engine's runs per view) works on that bounded window. Runs of a recipe
 * directory that does not exist fail at once, so many can cross the bound in seconds (real engine,
 * real Docker for its disk check, nothing deployed).
 */
describe("the engine's memory of finished runs", () => {
  it("keeps only the newest CCCI_RUNS_IN_MEMORY finished runs, and the status page reads only those", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "ccci-window-"));
    const settings = loadSettings(
      {},
      { CCCI_STATE_DIR: stateDir, CCCI_RUNS_IN_MEMORY: 5, CCCI_MAX_TESTS: 4 },
    );
    const engine = createEngine({ settings, log: pino({ level: "silent" }) });
    const handles = Array.from({ length: 12 }, (_, i) =>
      engine.submit({
        repo: `bad-${i}`,
        source: { kind: "dir", path: `/nonexistent/window-${i}` },
        mode: "cold",
        recipe: "window",
      }),
    );
    const finished = await Promise.all(handles.map((h) => h.done));
    expect(finished.every((run) => run.state === "errored" || run.state === "failed")).toBe(true);

    const kept = engine.list();
    expect(kept).toHaveLength(5);
    expect(kept.map((run) => run.repo)).toEqual(["bad-11", "bad-10", "bad-9", "bad-8", "bad-7"]);
    expect(engine.get(handles[0]!.run.id)).toBeUndefined(); // on disk only
    expect(engine.addNote(handles[11]!.run.id, "late")).toBe(false); // finished runs take no notes

    const page = await collectStatus(engine);
    expect(page.recent).toHaveLength(5);
    expect(page.queued).toEqual([]);
    expect(page.running).toEqual([]);
    await engine.shutdown();
  }, 120_000);
});
