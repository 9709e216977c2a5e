import { describe, expect, it } from "vitest";
import { renderClosure } from "../../src/cli/closure-command.js";
import type { ClosureReport } from "../../src/ops/closure.js";
import { emptyResources } from "../../src/ops/closure-inventory.js";

const stack = "hell-aaaaaa_ci_localhost";
const leakResources = { ...emptyResources(), volumes: [`${stack}_data`], networks: [`${stack}_default`] };
const report: ClosureReport = {
  at: "t",
  finishedRuns: 3,
  leaks: [{ stack, runId: "20261127T100000-aaaaaa", resources: leakResources, files: ["/s/hell.env"] }],
  orphans: [
    { stack: "gite-cccccc_ci_localhost", resources: { ...emptyResources(), secrets: ["x_v1"] }, files: [] },
  ],
};

describe("ccci closure output", () => {
  it("names each leaked stack, its run (or none) and every object left", () => {
    expect(renderClosure(report).split("\n")).toEqual([
      `LEAK   ${stack} (run 20261127T100000-aaaaaa): volumes: ${stack}_data; networks: ${stack}_default; files: /s/hell.env`,
      "ORPHAN gite-cccccc_ci_localhost (no journal): secrets: x_v1",
    ]);
  });

  it("says what --fix removed and what it could not", () => {
    const fixes = [
      { stack, left: emptyResources(), filesLeft: [] },
      {
        stack: "gite-cccccc_ci_localhost",
        left: { ...emptyResources(), secrets: ["x_v1"] },
        filesLeft: [],
        error: "secret is in use",
      },
    ];
    expect(renderClosure(report, fixes).split("\n").slice(2)).toEqual([
      `removed ${stack}`,
      "LEFT    gite-cccccc_ci_localhost: secrets: x_v1 (secret is in use)",
    ]);
  });

  it("says clean, with how many finished runs it checked", () => {
    expect(renderClosure({ ...report, leaks: [], orphans: [] })).toBe(
      "clean: nothing left by 3 finished runs",
    );
  });
});
