import { z } from "zod";

/**
 * The sweep report: what one nightly sweep did, as plain data. Written to `<state>/sweeps/last.json`
 * for the status page, so it is a zod schema (the file is read back across versions of ccci).
 */
const runStates = ["queued", "running", "passed", "failed", "cancelled", "errored"] as const;

export const sweptRecipeSchema = z.object({
  recipe: z.string(),
  /** The enrolled repository (or the canary's directory / URL). */
  repo: z.string(),
  /** The ref asked for: the enrolled default branch; absent for a plain directory. */
  ref: z.string().optional(),
  runId: z.string(),
  state: z.enum(runStates),
  /** The commit tested; null for a plain directory. */
  sha: z.string().nullable(),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
  durationMs: z.number().optional(),
  /** Why it failed, errored or was cancelled. */
  reason: z.string().optional(),
  /** The engine's promotion note ("promoted …", "not promoted: …", "promotion failed: …"). */
  promotion: z.string().nullable(),
});

export const sweepLeakSchema = z.object({
  stack: z.string(),
  runId: z.string().optional(),
  /** What is left, one line (`volumes: a, b; secrets: c`). */
  detail: z.string(),
});

export const sweepStatuses = ["green", "red", "broken"] as const;

export const sweepReportSchema = z.object({
  id: z.string(),
  startedAt: z.string(),
  finishedAt: z.string(),
  durationMs: z.number(),
  /** green: every recipe passed, promotions held, nothing leaked and the canary failed as it must. */
  status: z.enum(sweepStatuses),
  /** Why the status is not green, one line each. */
  problems: z.array(z.string()),
  /** The enrolment file read; null when it does not exist. */
  enrolment: z.string().nullable(),
  maxTests: z.number(),
  limit: z.number(),
  recipes: z.array(sweptRecipeSchema),
  /** Enrolled recipes beyond the limit: not tested this time, first in line next time. */
  leftOut: z.array(z.string()),
  /** Recipes planned but never submitted because the sweep was stopped (shutdown). */
  notRun: z.array(z.string()).default([]),
  canary: sweptRecipeSchema.nullable(),
  /** Most sweep runs that were running at the same moment, from their start/finish times. */
  peakConcurrent: z.number(),
  closure: z.object({
    checked: z.boolean(),
    finishedRuns: z.number(),
    leaks: z.array(sweepLeakSchema),
    error: z.string().optional(),
  }),
  /** Set when the sweep could not run at all (empty or unreadable enrolment). */
  error: z.string().optional(),
});

export type SweptRecipe = z.infer<typeof sweptRecipeSchema>;
export type SweepLeak = z.infer<typeof sweepLeakSchema>;
export type SweepStatus = (typeof sweepStatuses)[number];
export type SweepReport = z.infer<typeof sweepReportSchema>;

/** The report without its verdict: what `judgeSweep` reads. */
export type SweepFacts = Omit<SweepReport, "status" | "problems">;

const promotionFailed = (r: SweptRecipe) => r.promotion?.startsWith("promotion failed") ?? false;

/** Why the harness itself cannot be trusted this time: each line makes the sweep BROKEN. */
function harnessProblems(facts: SweepFacts): string[] {
  const problems: string[] = [];
  if (facts.error) problems.push(facts.error);
  const canary = facts.canary;
  if (!facts.error && !canary) problems.push("the canary did not run");
  if (canary?.state === "passed")
    problems.push(`the canary ${canary.recipe} PASSED: a harness that cannot see red proves nothing`);
  else if (canary && canary.state !== "failed")
    problems.push(
      `the canary ${canary.recipe} did not reach a verdict (${canary.state}: ${canary.reason ?? "?"})`,
    );
  if (facts.peakConcurrent > facts.maxTests)
    problems.push(`${facts.peakConcurrent} sweep runs ran at once, above CCCI_MAX_TESTS=${facts.maxTests}`);
  return problems;
}

/** What the recipes and the host got wrong: each line makes the sweep RED. */
function recipeProblems(facts: SweepFacts): string[] {
  const problems: string[] = [];
  for (const r of facts.recipes) {
    if (r.state !== "passed") problems.push(`${r.recipe}: ${r.state}${r.reason ? ` - ${r.reason}` : ""}`);
    else if (promotionFailed(r)) problems.push(`${r.recipe}: ${r.promotion}`);
  }
  if (facts.notRun.length > 0) problems.push(`the sweep was stopped before ${facts.notRun.join(", ")} ran`);
  if (facts.closure.error) problems.push(`closure check failed: ${facts.closure.error}`);
  for (const leak of facts.closure.leaks)
    problems.push(`leak: ${leak.stack}${leak.runId ? ` (run ${leak.runId})` : ""}: ${leak.detail}`);
  return problems;
}

/** The verdict: broken beats red beats green; the problems say why, harness first. */
export function judgeSweep(facts: SweepFacts): SweepReport {
  const broken = harnessProblems(facts);
  const red = recipeProblems(facts);
  const status: SweepStatus = broken.length > 0 ? "broken" : red.length > 0 ? "red" : "green";
  return { ...facts, status, problems: [...broken, ...red] };
}

/** ccci sweep's exit code: 0 green, 1 red or broken. */
export const sweepExitCode = (report: SweepReport): number => (report.status === "green" ? 0 : 1);
