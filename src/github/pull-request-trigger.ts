import type { EngineApi } from "../engine/api.js";
import { isFinished, type Run } from "../engine/run.js";
import type { Logger } from "../log.js";
import { isSamePullRequest, pullRequestOrigin } from "./origin.js";
import { pullRequestEventSchema, repoRefOf } from "./payloads.js";

function runsOfPullRequest(
  engine: EngineApi,
  pr: { owner: string; repo: string; pullNumber: number },
): Run[] {
  return engine.list().filter((run) => {
    const origin = pullRequestOrigin(run);
    return origin !== undefined && !isFinished(run) && isSamePullRequest(origin, pr);
  });
}

/**
 * `pull_request.synchronize` supersedes runs for older SHAs; `pull_request.closed` cancels queued ones.
 * Both touch only the in-process engine, so they finish before the delivery is answered.
 */
export function onPullRequestChanged(engine: EngineApi, rawPayload: unknown, log: Logger): void {
  const parsed = pullRequestEventSchema.safeParse(rawPayload);
  if (!parsed.success) return;
  const payload = parsed.data;
  const pr = { ...repoRefOf(payload), pullNumber: payload.number };
  const newSha = payload.pull_request.head.sha;
  for (const run of runsOfPullRequest(engine, pr)) {
    if (payload.action === "synchronize" && pullRequestOrigin(run)?.headSha !== newSha) {
      const cancelled = engine.cancel(run.id, `superseded by a push of ${newSha.slice(0, 7)}`);
      log.info({ runId: run.id, cancelled }, "run superseded by a new push");
    }
    if (payload.action === "closed" && run.state === "queued") {
      const cancelled = engine.cancel(run.id, "the pull request was closed");
      log.info({ runId: run.id, cancelled }, "queued run cancelled: pull request closed");
    }
  }
}
