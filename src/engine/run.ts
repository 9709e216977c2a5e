/**
 * The run: the one data type every part of ccci shares. Triggers (CLI, GitHub) create run requests,
 * the engine advances runs, reporters render them. Nothing else crosses between those rooms.
 */
export type Mode = "cold" | "quick";
export type RunState = "queued" | "running" | "passed" | "failed" | "cancelled" | "errored";
export type StepStatus = "pending" | "running" | "passed" | "failed" | "skipped";

export interface Step {
  name: string;
  status: StepStatus;
  startedAt?: string;
  durationMs?: number;
  /** One line saying what happened (the error for a failure, the reason for a skip). */
  detail?: string;
}

/** One row of the tier table: install → upgrade → backup → restore → custom on one deployment. */
export interface TierResult {
  name: "install" | "reattach" | "upgrade" | "backup" | "restore" | "custom" | "rollback";
  status: "passed" | "failed" | "skipped";
  durationMs: number;
  /** What was deployed (base / head), or why the tier was skipped or failed. */
  detail: string;
}

export interface AssertResult {
  /** `generic:converged`, `generic:healthy`, `generic:http`, `custom:<file>`. */
  name: string;
  kind: "generic" | "custom";
  /** The tier the assert ran in (install, upgrade, custom …). */
  tier?: string;
  passed: boolean;
  /** True when the assert did not apply (e.g. no HTTP port declared); `passed` is then true. */
  skipped?: boolean;
  durationMs: number;
  detail: string;
}

/**
 * Where the run's recipe comes from. A `dir` that is not a git repository is copied as it is. A pull
 * request from a fork clones the base repository (`url`: its tags and branches choose the base version)
 * and fetches only the pinned head commit from the fork (`headUrl`).
 */
export type RecipeSource = { kind: "git"; url: string; headUrl?: string } | { kind: "dir"; path: string };

export interface RunRequest {
  /** Human-readable origin: a git URL, a directory, or `owner/repo#PR`. */
  repo: string;
  source: RecipeSource;
  /** A ref (branch, tag, SHA) to pin, or the SHA already pinned by the trigger. */
  ref?: string;
  recipe?: string;
  mode: Mode;
  /** Who or what asked for the run (CLI, GitHub sender, sweep). */
  requestedBy?: string;
  /** Free-form data of the trigger (PR number, check-run ids …), carried for the reporters. */
  origin?: Record<string, unknown>;
  /** Seconds to wait for convergence; overrides the recipe's label and the configured default. */
  timeoutSeconds?: number;
  /** Limit the tiers (always including install); all tiers by default. */
  tiers?: Array<TierResult["name"]>;
  /** The branch a pull request targets: a fallback base for the upgrade tier. */
  targetBranch?: string;
  /**
   * Promote the canonical when this cold run passes. Only the recipe's default-branch head or latest
   * release tag of its enrolled repository can be promoted; anything else is refused with a note.
   */
  promote?: boolean;
  /** Rebuild the recipe's canonical from its known-good commit instead of testing (`ccci canonical rewarm`). */
  rewarm?: boolean;
}

export interface Run {
  id: string;
  repo: string;
  ref?: string;
  /** The pinned commit; null when the recipe is a plain directory. */
  sha: string | null;
  recipe: string;
  mode: Mode;
  state: RunState;
  domain?: string;
  stack?: string;
  steps: Step[];
  /** The tier table (cold runs). */
  tiers: TierResult[];
  asserts: AssertResult[];
  queuedAt: string;
  startedAt?: string;
  finishedAt?: string;
  durationMs?: number;
  /** Set when the run failed, errored or was cancelled: why, in one line. */
  reason?: string;
  /** The error catalogue code (src/errors.ts) when the run errored or was refused. */
  errorCode?: string;
  /** True when the run was refused as bad input (a user mistake, not a failure of the recipe). */
  userError?: boolean;
  /** Log excerpt (service logs of failing services), secrets redacted. */
  logExcerpt?: string;
  /** Notes for the report, e.g. "quick requested, no canonical: ran cold". */
  notes: string[];
  request: RunRequest;
}

export const finishedStates: readonly RunState[] = ["passed", "failed", "cancelled", "errored"];

export function isFinished(run: Run): boolean {
  return finishedStates.includes(run.state);
}
