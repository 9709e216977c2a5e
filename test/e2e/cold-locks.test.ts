import { describe, expect, it } from "vitest";
import { loadSettings } from "../../src/config.js";
import { createEngine } from "../../src/engine/engine.js";
import type { Run } from "../../src/engine/run.js";
import { createLogger } from "../../src/log.js";
import { fixture, tempStateDir } from "./support/cli.js";

const interval = (run: Run) => ({ start: Date.parse(run.startedAt!), end: Date.parse(run.finishedAt!) });
const overlap = (a: Run, b: Run) => {
  const x = interval(a);
  const y = interval(b);
  return Math.min(x.end, y.end) - Math.max(x.start, y.start);
};

describe("run locks on the real swarm", () => {
  it("serializes two runs of one recipe and overlaps runs of two recipes", async () => {
    const settings = loadSettings({ CCCI_STATE_DIR: tempStateDir(), CCCI_MAX_TESTS: "3" });
    const engine = createEngine({ settings, log: createLogger("warn") });
    const source = { kind: "dir" as const, path: fixture("hello") };
    const [first, second, other] = await Promise.all(
      [
        { recipe: "hello" },
        { recipe: "hello" },
        { recipe: "greeting" }, // the same files under another recipe name: another app, another lock
      ].map(({ recipe }) => engine.submit({ repo: "test", source, recipe, mode: "cold" }).done),
    );
    for (const run of [first!, second!, other!]) expect(run.state, run.reason).toBe("passed");
    expect(overlap(first!, second!)).toBeLessThanOrEqual(0);
    expect(overlap(first!, other!)).toBeGreaterThan(0);
    await engine.shutdown();
  });
});
