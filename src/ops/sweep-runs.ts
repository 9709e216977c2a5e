import type { EngineApi } from "../engine/api.js";
import type { Run, RunRequest } from "../engine/run.js";
import type { SweepTarget } from "./sweep-plan.js";
import type { SweptRecipe } from "./sweep-report.js";

/** A cold run of an enrolled recipe at its default-branch head, promoting the canonical when green. */
export function targetRequest(target: SweepTarget, sweepId: string): RunRequest {
  return {
    repo: target.repo,
    source: { kind: "git", url: target.repo },
    ref: target.branch,
    recipe: target.recipe,
    mode: "cold",
    requestedBy: "sweep",
    origin: { sweep: sweepId },
    promote: true,
  };
}

const promotionNote = (run: Run) =>
  run.notes.find((note) => /^(promoted|not promoted|promotion failed)/.test(note)) ?? null;

export function sweptRecipe(run: Run): SweptRecipe {
  return {
    recipe: run.recipe,
    repo: run.repo,
    ...(run.ref ? { ref: run.ref } : {}),
    runId: run.id,
    state: run.state,
    sha: run.sha,
    ...(run.startedAt ? { startedAt: run.startedAt } : {}),
    ...(run.finishedAt ? { finishedAt: run.finishedAt } : {}),
    ...(run.durationMs !== undefined ? { durationMs: run.durationMs } : {}),
    ...(run.reason ? { reason: run.reason } : {}),
    promotion: promotionNote(run),
  };
}

/**
 * Submits the requests so that at most `bound` of them are in the engine at once, each next one when
 * one finishes. The engine's MAX_TESTS bound holds anyway; this keeps the sweep from filling the
 * queue, so a pull request's run waits for one sweep run at most instead of the whole sweep.
 * Stops submitting (and returns what finished) once `signal` aborts.
 */
export async function runBounded(
  engine: Pick<EngineApi, "submit">,
  requests: RunRequest[],
  bound: number,
  signal?: AbortSignal,
): Promise<Run[]> {
  const finished: Run[] = [];
  let next = 0;
  const worker = async () => {
    while (next < requests.length && !signal?.aborted) {
      const request = requests[next++]!;
      finished.push(await engine.submit(request).done);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(bound, requests.length)) }, worker));
  return finished;
}
