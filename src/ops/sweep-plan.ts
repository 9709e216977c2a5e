import { UserError } from "../errors.js";
import type { Enrolment } from "../warm/enrolment.js";

export interface SweepTarget {
  recipe: string;
  repo: string;
  branch: string;
}

export interface SweepPlan {
  targets: SweepTarget[];
  /** Enrolled recipes beyond the limit, named in the report. */
  leftOut: string[];
}

/**
 * Which enrolled recipes this sweep tests: at most `limit`, recipes a previous sweep left out first
 * (so a long enrolment is covered over a few nights instead of starving its tail), then by name.
 * An enrolment with no recipes fails loudly: a sweep over nothing is not green.
 */
export function planSweep(enrolment: Enrolment, limit: number, previouslyLeftOut: string[] = []): SweepPlan {
  const names = Object.keys(enrolment.recipes).sort();
  if (names.length === 0) {
    const where = enrolment.source
      ? `${enrolment.source} enrols no recipes`
      : "there is no enrolment file (CCCI_RECIPES, default <state dir>/recipes.yml)";
    throw new UserError("ENROLMENT_INVALID", `nothing to sweep: ${where}; a sweep over nothing is not green`);
  }
  const first = previouslyLeftOut.filter((name) => names.includes(name));
  const ordered = [...new Set([...first, ...names])];
  const chosen = ordered.slice(0, limit);
  return {
    targets: chosen.sort().map((recipe) => {
      const { repo, branch } = enrolment.recipes[recipe]!;
      return { recipe, repo, branch };
    }),
    leftOut: ordered.slice(limit).sort(),
  };
}

/** Most intervals open at one moment; an end and a start at the same instant do not overlap. */
export function peakConcurrency(intervals: Array<{ startedAt?: string; finishedAt?: string }>): number {
  const events: Array<[time: number, delta: number]> = [];
  for (const { startedAt, finishedAt } of intervals) {
    if (!startedAt) continue; // never started (cancelled while queued)
    events.push([Date.parse(startedAt), 1]);
    events.push([finishedAt ? Date.parse(finishedAt) : Number.POSITIVE_INFINITY, -1]);
  }
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let open = 0;
  let peak = 0;
  for (const [, delta] of events) {
    open += delta;
    peak = Math.max(peak, open);
  }
  return peak;
}
