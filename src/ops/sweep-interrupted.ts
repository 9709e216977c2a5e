import type { Settings } from "../config.js";
import type { Engine } from "../engine/engine.js";
import type { RecoveredRun } from "../engine/recovery.js";
import type { Logger } from "../log.js";
import { judgeSweep, type SweepReport, type SweptRecipe } from "./sweep-report.js";
import { writeLastSweep } from "./sweep-store.js";

export interface InterruptedSweepContext {
  /** The enrolment file the sweep read (the warm layer's `enrolmentPath()`). */
  enrolment: string;
  maxTests: number;
  limit: number;
  now?: Date;
}

const INTERRUPTED = "interrupted: ccci restarted while this run was unfinished; recovery tore it down";

/** `sweep-20261127T124503-ab12` → the sweep's start (UTC, to the second), or null for another shape. */
function startOf(sweepId: string): Date | null {
  const m = /^sweep-(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})-/.exec(sweepId);
  return m ? new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`) : null;
}

function swept(run: RecoveredRun): SweptRecipe {
  return {
    recipe: run.recipe,
    repo: "",
    runId: run.runId,
    state: "cancelled",
    sha: null,
    reason: run.leaks ? `${INTERRUPTED}, leaving ${run.leaks}` : INTERRUPTED,
    promotion: null,
  };
}

/**
 * A sweep cut short by a crash or kill never writes its report, so the status page would go on showing
 * the sweep before it (or none) as if nothing had happened. Given what start-up recovery found, this
 * records the latest interrupted sweep as BROKEN, listing its unfinished runs as cancelled (runs of it
 * that had finished are not known here). Returns the report, or null when no sweep run was interrupted.
 */
export async function recordInterruptedSweep(
  stateDir: string,
  recovered: RecoveredRun[],
  context: InterruptedSweepContext,
): Promise<SweepReport | null> {
  const sweepOf = (run: RecoveredRun) => (typeof run.origin.sweep === "string" ? run.origin.sweep : null);
  const sweepId = recovered
    .map(sweepOf)
    .filter((id): id is string => id !== null)
    .sort()
    .at(-1);
  if (!sweepId) return null;
  const runs = recovered.filter((run) => sweepOf(run) === sweepId);
  const canary = runs.find((run) => run.origin.canary === true);
  const recipes = runs.filter((run) => run !== canary).map(swept);
  const now = context.now ?? new Date();
  const started = startOf(sweepId) ?? now;
  const report = judgeSweep({
    id: sweepId,
    startedAt: started.toISOString(),
    finishedAt: now.toISOString(),
    durationMs: Math.max(0, now.getTime() - started.getTime()),
    enrolment: context.enrolment,
    maxTests: context.maxTests,
    limit: context.limit,
    recipes: recipes.sort((a, b) => a.recipe.localeCompare(b.recipe)),
    leftOut: [],
    notRun: [],
    canary: canary ? swept(canary) : null,
    peakConcurrent: 0,
    closure: {
      checked: false,
      finishedRuns: 0,
      leaks: runs
        .filter((run) => run.leaks)
        .map((run) => ({ stack: run.stack ?? run.recipe, runId: run.runId, detail: run.leaks })),
    },
    error: `the sweep was interrupted by a restart of ccci: recovery cancelled ${runs.length} unfinished run(s) (${runs.map((r) => r.recipe).join(", ")})`,
  });
  await writeLastSweep(stateDir, report);
  return report;
}

/**
 * Start-up recovery as the bot and `ccci recover` do it: tear down the interrupted runs, then report an
 * interrupted sweep among them (a failure to write that report is logged, never fatal).
 */
export async function recoverInterrupted(
  engine: Pick<Engine, "recover" | "warm">,
  settings: Pick<Settings, "CCCI_STATE_DIR" | "CCCI_MAX_TESTS" | "CCCI_SWEEP_MAX">,
  log: Logger,
): Promise<RecoveredRun[]> {
  const recovered = await engine.recover();
  await recordInterruptedSweep(settings.CCCI_STATE_DIR, recovered, {
    enrolment: engine.warm.enrolmentPath(),
    maxTests: settings.CCCI_MAX_TESTS,
    limit: settings.CCCI_SWEEP_MAX,
  }).catch((error: unknown) => log.error({ err: error }, "cannot record the interrupted sweep"));
  return recovered;
}
