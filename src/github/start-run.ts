import type { EngineApi } from "../engine/api.js";
import { isFinished, type Mode, type RecipeSource, type Run, type RunRequest } from "../engine/run.js";
import { describeError, isUserError } from "../errors.js";
import { validateRecipeName } from "../recipe/naming.js";
import type { Forge, RepoRef } from "./forge.js";
import { messages } from "./messages.js";
import { isSamePullRequest, type PullRequestOrigin, pullRequestOrigin } from "./origin.js";

export interface StartRunRequest {
  repo: RepoRef;
  pullNumber: number;
  mode: Mode;
  requestedBy: string;
  installationId: number;
  commentId?: number;
  checkSuiteId?: number;
  /** A re-run keeps its SHA; a command pins the PR head at the moment it is accepted. */
  sha?: string;
  /** When the command was posted (GitHub's `comment.created_at`): a later push refuses the run. */
  commentedAt?: string;
}

export type StartRunOutcome =
  | { kind: "started"; run: Run }
  /** The same run (pull request, head, mode) was already queued or running: the request joined it. */
  | { kind: "merged"; run: Run }
  | { kind: "refused"; reply: string };

/** An unfinished run of the same pull request, head SHA and mode, if there is one. */
function identicalRun(engine: EngineApi, origin: PullRequestOrigin, mode: Mode): Run | undefined {
  return engine.list().find((run) => {
    if (isFinished(run) || run.mode !== mode) return false;
    const other = pullRequestOrigin(run);
    return other !== undefined && isSamePullRequest(other, origin) && other.headSha === origin.headSha;
  });
}

/**
 * Stateless and conservative: GitHub's server time of the last push to the head repository later than
 * the comment's means the head may have moved since the maintainer read it (a push to any branch of the
 * head repository counts too). Both times come from GitHub's clock.
 */
function pushedAfter(pushedAt: string | null, commentedAt: string | undefined): boolean {
  if (!commentedAt || !pushedAt) return false;
  return Date.parse(pushedAt) > Date.parse(commentedAt);
}

/** Base versions come from the base repository only; the fork gives the pinned head commit and nothing else. */
export function sourceOf(baseCloneUrl: string, headCloneUrl: string): RecipeSource {
  return headCloneUrl === baseCloneUrl
    ? { kind: "git", url: baseCloneUrl }
    : { kind: "git", url: baseCloneUrl, headUrl: headCloneUrl };
}

/**
 * Plans and submits one run for a pull request: fetch the PR, pin its head, check it can run at all
 * (open, head repository still there, a valid recipe name), then hand the request to the engine — or
 * merge it into the identical run already queued or running, with a note on that run saying so.
 */
export async function startRun(
  engine: EngineApi,
  forge: Forge,
  request: StartRunRequest,
): Promise<StartRunOutcome> {
  const pr = await forge.getPullRequest(request.repo, request.pullNumber);
  if (pr.state !== "open") return { kind: "refused", reply: messages.closed() };
  if (pr.headCloneUrl === null) return { kind: "refused", reply: messages.headRepoDeleted() };
  if (pushedAfter(pr.headPushedAt, request.commentedAt))
    return { kind: "refused", reply: messages.headMoved() };
  let recipe: string;
  try {
    // Recipe repositories are named after their recipe; repo names may carry capitals, recipes may not.
    recipe = validateRecipeName(pr.baseRepoName.toLowerCase());
  } catch (error) {
    if (!isUserError(error)) throw error;
    return { kind: "refused", reply: messages.invalidRecipe(describeError(error)) };
  }
  const headSha = request.sha ?? pr.headSha;
  const origin: PullRequestOrigin = {
    trigger: "github",
    owner: request.repo.owner,
    repo: request.repo.repo,
    pullNumber: pr.number,
    installationId: request.installationId,
    headSha,
    ...(request.commentId ? { commentId: request.commentId } : {}),
    ...(request.checkSuiteId ? { checkSuiteId: request.checkSuiteId } : {}),
  };
  const same = identicalRun(engine, origin, request.mode);
  if (same) {
    engine.addNote(same.id, messages.merged(request.requestedBy, same.id));
    return { kind: "merged", run: same };
  }
  const runRequest: RunRequest = {
    repo: `${request.repo.owner}/${request.repo.repo}#${pr.number}`,
    source: sourceOf(pr.baseCloneUrl, pr.headCloneUrl),
    ref: headSha,
    recipe,
    mode: request.mode,
    targetBranch: pr.baseRef,
    requestedBy: request.requestedBy,
    origin,
  };
  try {
    return { kind: "started", run: engine.submit(runRequest).run };
  } catch (error) {
    // The engine refuses requests it cannot run (e.g. a recipe it does not know) with a UserError.
    if (!isUserError(error)) throw error;
    return { kind: "refused", reply: messages.invalidRecipe(describeError(error)) };
  }
}
