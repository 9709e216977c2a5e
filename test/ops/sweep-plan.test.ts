import { describe, expect, it } from "vitest";
import { peakConcurrency, planSweep } from "../../src/ops/sweep-plan.js";
import { type Enrolment, parseEnrolment } from "../../src/warm/enrolment.js";

const enrolment = (...names: string[]): Enrolment =>
  parseEnrolment(
    `recipes:\n${names.map((n) => `  ${n}:\n    repo: https://git.example.org/${n}.git\n    branch: trunk\n`).join("")}`,
    "/state/recipes.yml",
  );

describe("planning a sweep", () => {
  it("takes every enrolled recipe at its default branch when under the limit", () => {
    const plan = planSweep(enrolment("beta", "alpha"), 50);
    expect(plan.targets).toEqual([
      { recipe: "alpha", repo: "https://git.example.org/alpha.git", branch: "trunk" },
      { recipe: "beta", repo: "https://git.example.org/beta.git", branch: "trunk" },
    ]);
    expect(plan.leftOut).toEqual([]);
  });

  it("leaves recipes beyond the limit out and names them", () => {
    const plan = planSweep(enrolment("alpha", "beta", "gamma", "delta"), 2);
    expect(plan.targets.map((t) => t.recipe)).toEqual(["alpha", "beta"]);
    expect(plan.leftOut).toEqual(["delta", "gamma"]);
  });

  it("tests what the previous sweep left out first, so the tail of a long enrolment is not starved", () => {
    const plan = planSweep(enrolment("alpha", "beta", "gamma", "delta"), 2, ["gamma", "delta", "gone"]);
    expect(plan.targets.map((t) => t.recipe)).toEqual(["delta", "gamma"]);
    expect(plan.leftOut).toEqual(["alpha", "beta"]);
  });

  const empty: Array<[string, Enrolment, RegExp]> = [
    [
      "an enrolment file with no recipes",
      parseEnrolment("recipes: {}\n", "/state/recipes.yml"),
      /\/state\/recipes\.yml enrols no recipes/,
    ],
    [
      "no enrolment file at all",
      { recipes: {}, repositories: {}, source: null },
      /there is no enrolment file/,
    ],
  ];
  for (const [name, given, message] of empty) {
    it(`fails loudly on ${name}`, () => {
      expect(() => planSweep(given, 50)).toThrow(message);
      expect(() => planSweep(given, 50)).toThrow(/a sweep over nothing is not green/);
    });
  }
});

describe("peak concurrency from run timelines", () => {
  const at = (s: number) => new Date(Date.UTC(2025, 0, 1, 3, 0, s)).toISOString();
  const cases: Array<[string, Array<[number, number | undefined]>, number]> = [
    [
      "one after the other",
      [
        [0, 10],
        [10, 20],
        [20, 30],
      ],
      1,
    ],
    [
      "two overlapping, a third after",
      [
        [0, 10],
        [5, 15],
        [15, 20],
      ],
      2,
    ],
    [
      "three overlapping",
      [
        [0, 10],
        [1, 10],
        [2, 10],
      ],
      3,
    ],
    [
      "a run still running counts until the end",
      [
        [0, undefined],
        [50, 60],
      ],
      2,
    ],
    ["nothing", [], 0],
  ];
  for (const [name, spans, peak] of cases) {
    it(`${name}: ${peak}`, () => {
      const runs = spans.map(([s, e]) => ({
        startedAt: at(s),
        ...(e === undefined ? {} : { finishedAt: at(e) }),
      }));
      expect(peakConcurrency(runs)).toBe(peak);
    });
  }

  it("ignores runs that never started (cancelled while queued)", () => {
    expect(peakConcurrency([{ finishedAt: at(1) }, { startedAt: at(0), finishedAt: at(2) }])).toBe(1);
  });
});
