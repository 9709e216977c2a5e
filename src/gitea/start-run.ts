import type { EngineApi } from "../engine/api.js";
import type { Mode } from "../engine/run.js";
import type { Forge, RepoRef } from "../github/forge.js";
import { recipeOf, runnable, submitPullRequestRun } from "../github/pull-request-run.js";
import type { StartRunOutcome } from "../github/start-run.js";
import { giteaMessages } from "./messages.js";
import type { GiteaOrigin } from "./origin.js";

export interface GiteaStartRequest {
  repo: RepoRef;
  pullNumber: number;
  mode: Mode;
  requestedBy: string;
  commentId: number;
  /** The head the comment was made on, from the signed payload: the run tests exactly that commit. */
  pinnedSha: string;
}

/**
 * Plans and submits one run for a Gitea pull request: the head is pinned to the commit the command was
 * written against; if the PR has moved on since, that push supersedes the command and nothing runs.
 */
export async function startGiteaRun(
  engine: EngineApi,
  forge: Forge,
  request: GiteaStartRequest,
): Promise<StartRunOutcome> {
  const pr = runnable(await forge.getPullRequest(request.repo, request.pullNumber));
  if ("kind" in pr) return pr;
  if (pr.headSha !== request.pinnedSha)
    return { kind: "refused", reply: giteaMessages.headMoved(request.pinnedSha, pr.headSha) };
  const named = recipeOf(pr);
  if ("kind" in named) return named;
  const origin: GiteaOrigin = {
    trigger: "gitea",
    owner: request.repo.owner,
    repo: request.repo.repo,
    pullNumber: pr.number,
    headSha: request.pinnedSha,
    commentId: request.commentId,
  };
  // Base versions (release tags, the target branch) come from the base repository, never a fork.
  return submitPullRequestRun(engine, {
    repo: request.repo,
    pr,
    sha: request.pinnedSha,
    recipe: named.recipe,
    mode: request.mode,
    requestedBy: request.requestedBy,
    origin,
  });
}
