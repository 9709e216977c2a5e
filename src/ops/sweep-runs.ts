import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { EngineApi } from "../engine/api.js";
import type { RecipeSource, Run, RunRequest } from "../engine/run.js";
import type { SweepTarget } from "./sweep-plan.js";
import type { SweptRecipe } from "./sweep-report.js";

/** The recipe name the canary runs under (its own app lock and `cana-<hex>` domains). */
export const CANARY_RECIPE = "canary";

/**
 * The canary bundled with ccci: a recipe whose healthcheck can never pass. `../../` is the package root
 * from both src/ops (tsx, vitest) and dist/ops (the build).
 */
export const defaultCanaryPath = (): string =>
  fileURLToPath(new URL("../../test/fixtures/recipes/canary", import.meta.url));

const isGitUrl = (spec: string) => /^((https?|ssh|git|file):\/\/|[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:)/.test(spec);

export function canarySource(spec: string = defaultCanaryPath()): RecipeSource {
  return isGitUrl(spec) ? { kind: "git", url: spec } : { kind: "dir", path: resolve(spec) };
}

/** A cold run of the canary: never promoted, whatever happens. */
export function canaryRequest(spec: string | undefined, sweepId: string): RunRequest {
  const source = canarySource(spec);
  return {
    repo: source.kind === "git" ? source.url : source.path,
    source,
    recipe: CANARY_RECIPE,
    mode: "cold",
    requestedBy: "sweep",
    origin: { sweep: sweepId, canary: true },
  };
}

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
