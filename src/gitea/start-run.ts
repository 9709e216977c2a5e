import type { EngineApi } from "../engine/api.js";
import type { Mode, RunRequest } from "../engine/run.js";
import { describeError, isUserError } from "../errors.js";
import type { Forge, RepoRef } from "../github/forge.js";
import { messages } from "../github/messages.js";
import { type StartRunOutcome, sourceOf } from "../github/start-run.js";
import { validateRecipeName } from "../recipe/naming.js";
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
  const pr = await forge.getPullRequest(request.repo, request.pullNumber);
  if (pr.state !== "open") return { kind: "refused", reply: messages.closed() };
  if (pr.headCloneUrl === null) return { kind: "refused", reply: messages.headRepoDeleted() };
  if (pr.headSha !== request.pinnedSha)
    return { kind: "refused", reply: giteaMessages.headMoved(request.pinnedSha, pr.headSha) };
  let recipe: string;
  try {
    // The recipe is the repository the PR targets (not a fork's name), lowercased like GitHub's.
    recipe = validateRecipeName(pr.baseRepoName.toLowerCase());
  } catch (error) {
    if (!isUserError(error)) throw error;
    return { kind: "refused", reply: messages.invalidRecipe(describeError(error)) };
  }
  const origin: GiteaOrigin = {
    trigger: "gitea",
    owner: request.repo.owner,
    repo: request.repo.repo,
    pullNumber: pr.number,
    headSha: request.pinnedSha,
    commentId: request.commentId,
  };
  const runRequest: RunRequest = {
    repo: `${request.repo.owner}/${request.repo.repo}#${pr.number}`,
    // Base versions (release tags, the target branch) come from the base repository, never a fork.
    source: sourceOf(pr.baseCloneUrl, pr.headCloneUrl),
    ref: request.pinnedSha,
    recipe,
    mode: request.mode,
    targetBranch: pr.baseRef,
    requestedBy: request.requestedBy,
    origin,
  };
  try {
    return { kind: "started", run: engine.submit(runRequest).run };
  } catch (error) {
    if (!isUserError(error)) throw error;
    return { kind: "refused", reply: messages.invalidRecipe(describeError(error)) };
  }
}
