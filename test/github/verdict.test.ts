import { describe, expect, it } from "vitest";
import type { Run } from "../../src/engine/run.js";
import { renderCheckRun } from "../../src/github/render/check-run.js";
import { commitStateOf, verdictOf } from "../../src/github/render/verdict.js";

const sha = "c".repeat(40);
function run(mode: Run["mode"], state: Run["state"]): Run {
  return {
    id: "r1",
    repo: "o/r#1",
    sha,
    recipe: "hello",
    mode,
    state,
    steps: [],
    tiers: [],
    asserts: [],
    notes: [],
    queuedAt: "2024-01-01T00:00:00Z",
    request: { repo: "o/r#1", source: { kind: "git", url: "u" }, mode },
  };
}

describe("verdictOf", () => {
  it.each([
    ["cold", "passed", "success", "passed"],
    ["cold", "failed", "failure", "FAILED"],
    ["cold", "errored", "failure", "ERRORED"],
    ["cold", "cancelled", "cancelled", "cancelled"],
    ["quick", "passed", "success", "passed (advisory)"],
    ["quick", "failed", "neutral", "FAILED (advisory)"],
    ["quick", "errored", "neutral", "FAILED (advisory): errored"],
    ["quick", "cancelled", "neutral", "cancelled (advisory)"],
  ] as const)("a %s run that %s concludes %s", (mode, state, conclusion, headline) => {
    expect(verdictOf(run(mode, state))).toMatchObject({ status: "completed", conclusion, headline });
  });

  it("a quick run can never conclude failure or cancelled, whatever its state", () => {
    for (const state of ["queued", "running", "passed", "failed", "errored", "cancelled"] as const) {
      expect(["failure", "cancelled"]).not.toContain(verdictOf(run("quick", state)).conclusion);
    }
  });

  it("a queued run shows its position", () => {
    expect(verdictOf(run("cold", "queued"), 3)).toEqual({
      status: "queued",
      headline: "queued (position 3)",
      icon: "⏳",
    });
  });

  it.each([
    ["queued", "pending"],
    ["running", "pending"],
    ["passed", "success"],
    ["failed", "failure"],
    ["errored", "error"],
    ["cancelled", "error"],
  ] as const)("a cold run %s sets the commit status %s", (state, expected) => {
    expect(commitStateOf(run("cold", state))).toBe(expected);
  });
});

describe("renderCheckRun", () => {
  it("names the check by mode and carries run id and mode in external_id", () => {
    expect(renderCheckRun(run("quick", "queued"), sha)).toMatchObject({
      name: "ccci / quick",
      externalId: "r1:quick",
    });
    expect(renderCheckRun(run("cold", "queued"), sha)).toMatchObject({
      name: "ccci / cold",
      externalId: "r1:cold",
    });
  });

  it("fences a log excerpt so backticks inside cannot end the block", () => {
    const fields = renderCheckRun({ ...run("cold", "failed"), logExcerpt: "a ```` b" }, sha);
    expect(fields.text).toContain("`````text\na ```` b\n`````");
  });
});
