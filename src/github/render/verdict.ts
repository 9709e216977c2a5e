import type { Run } from "../../engine/run.js";
import type { CheckConclusion, CheckStatus, CommitState } from "../forge.js";

/**
 * How a run reads on GitHub. Quick runs are advisory: their check run never concludes `failure` or
 * `cancelled` (both block a merge when a check is required), so they end `success` or `neutral`.
 */
export interface Verdict {
  status: CheckStatus;
  conclusion?: CheckConclusion;
  /** One short phrase for titles and the comment heading. */
  headline: string;
  icon: string;
}

const finalVerdicts: Record<"passed" | "failed" | "errored" | "cancelled", Record<Run["mode"], Verdict>> = {
  passed: {
    cold: { status: "completed", conclusion: "success", headline: "passed", icon: "✅" },
    quick: { status: "completed", conclusion: "success", headline: "passed (advisory)", icon: "✅" },
  },
  failed: {
    cold: { status: "completed", conclusion: "failure", headline: "FAILED", icon: "❌" },
    quick: { status: "completed", conclusion: "neutral", headline: "FAILED (advisory)", icon: "⚠️" },
  },
  errored: {
    cold: { status: "completed", conclusion: "failure", headline: "ERRORED", icon: "💥" },
    quick: { status: "completed", conclusion: "neutral", headline: "FAILED (advisory): errored", icon: "⚠️" },
  },
  cancelled: {
    cold: { status: "completed", conclusion: "cancelled", headline: "cancelled", icon: "🚫" },
    quick: { status: "completed", conclusion: "neutral", headline: "cancelled (advisory)", icon: "🚫" },
  },
};

export function verdictOf(run: Run, queuePosition?: number): Verdict {
  if (run.state === "queued") {
    const where = queuePosition === undefined ? "" : ` (position ${queuePosition})`;
    return { status: "queued", headline: `queued${where}`, icon: "⏳" };
  }
  if (run.state === "running") {
    const current = run.steps.find((step) => step.status === "running");
    return { status: "in_progress", headline: current ? `running: ${current.name}` : "running", icon: "🔄" };
  }
  return finalVerdicts[run.state][run.mode];
}

/** The commit status of a cold run (quick runs post none: no gating context may ever carry them). */
export function commitStateOf(run: Run): CommitState {
  switch (run.state) {
    case "queued":
    case "running":
      return "pending";
    case "passed":
      return "success";
    case "failed":
      return "failure";
    default:
      return "error";
  }
}
