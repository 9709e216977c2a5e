import type { EngineApi } from "../engine/api.js";
import { isFinished } from "../engine/run.js";
import type { Logger } from "../log.js";
import { giteaOrigin, isSameGiteaPullRequest } from "./origin.js";
import { giteaPullRequestChangedSchema, repoRefOf } from "./payloads.js";

/**
 * Gitea's `pull_request` events: `synchronized` (a push) supersedes runs of older SHAs, `closed` cancels
 * queued ones. Both touch only the in-process engine, so they finish before the delivery is answered.
 */
export function onGiteaPullRequestChanged(engine: EngineApi, rawPayload: unknown, log: Logger): void {
  const parsed = giteaPullRequestChangedSchema.safeParse(rawPayload);
  if (!parsed.success) return;
  const payload = parsed.data;
  const pr = { ...repoRefOf(payload), pullNumber: payload.number };
  const newSha = payload.pull_request.head.sha;
  for (const run of engine.list()) {
    const origin = giteaOrigin(run);
    if (!origin || isFinished(run) || !isSameGiteaPullRequest(origin, pr)) continue;
    if (payload.action === "synchronized" && origin.headSha !== newSha) {
      const cancelled = engine.cancel(run.id, `superseded by a push of ${newSha.slice(0, 7)}`);
      log.info({ runId: run.id, cancelled }, "run superseded by a new push");
    }
    if (payload.action === "closed" && run.state === "queued") {
      const cancelled = engine.cancel(run.id, "the pull request was closed");
      log.info({ runId: run.id, cancelled }, "queued run cancelled: pull request closed");
    }
  }
}
