import type { EngineApi } from "../engine/api.js";
import { isFinished, type Mode, type Run } from "../engine/run.js";
import type { Forge, RepoRef } from "./forge.js";
import { messages } from "./messages.js";
import { isSamePullRequest, type PullRequestOrigin, pullRequestOrigin } from "./origin.js";
import { recipeOf, runnable, submitPullRequestRun } from "./pull-request-run.js";

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
  const pr = runnable(await forge.getPullRequest(request.repo, request.pullNumber));
  if ("kind" in pr) return pr;
  if (pushedAfter(pr.headPushedAt, request.commentedAt))
    return { kind: "refused", reply: messages.headMoved() };
  const named = recipeOf(pr);
  if ("kind" in named) return named;
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
  return submitPullRequestRun(engine, {
    repo: request.repo,
    pr,
    sha: headSha,
    recipe: named.recipe,
    mode: request.mode,
    requestedBy: request.requestedBy,
    origin,
  });
}
