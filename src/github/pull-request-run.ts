import type { EngineApi } from "../engine/api.js";
import type { Mode, RecipeSource, Run, RunRequest } from "../engine/run.js";
import { describeError, isUserError } from "../errors.js";
import { validateRecipeName } from "../recipe/naming.js";
import type { PullRequestInfo, RepoRef } from "./forge.js";
import { messages } from "./messages.js";

export type Refusal = { kind: "refused"; reply: string };

/** Base versions come from the base repository only; the fork gives the pinned head commit and nothing else. */
export function sourceOf(baseCloneUrl: string, headCloneUrl: string): RecipeSource {
  return headCloneUrl === baseCloneUrl
    ? { kind: "git", url: baseCloneUrl }
    : { kind: "git", url: baseCloneUrl, headUrl: headCloneUrl };
}

export type RunnablePullRequest = PullRequestInfo & { headCloneUrl: string };

/** The pull request if it can be run at all, else why not (closed, head repository deleted). */
export function runnable(pr: PullRequestInfo): RunnablePullRequest | Refusal {
  if (pr.state !== "open") return { kind: "refused", reply: messages.closed() };
  if (pr.headCloneUrl === null) return { kind: "refused", reply: messages.headRepoDeleted() };
  return { ...pr, headCloneUrl: pr.headCloneUrl };
}

/** The recipe a pull request tests: the repository it targets, named after its recipe (capitals allowed). */
export function recipeOf(pr: PullRequestInfo): { recipe: string } | Refusal {
  try {
    return { recipe: validateRecipeName(pr.baseRepoName.toLowerCase()) };
  } catch (error) {
    if (!isUserError(error)) throw error;
    return { kind: "refused", reply: messages.invalidRecipe(describeError(error)) };
  }
}

export interface PullRequestRun {
  repo: RepoRef;
  pr: RunnablePullRequest;
  sha: string;
  recipe: string;
  mode: Mode;
  requestedBy: string;
  origin: NonNullable<RunRequest["origin"]>;
}

/** Hands a pull request's run to the engine; a request the engine refuses (a UserError) is a reply. */
export function submitPullRequestRun(
  engine: EngineApi,
  input: PullRequestRun,
): { kind: "started"; run: Run } | Refusal {
  const { repo, pr } = input;
  try {
    const run = engine.submit({
      repo: `${repo.owner}/${repo.repo}#${pr.number}`,
      source: sourceOf(pr.baseCloneUrl, pr.headCloneUrl),
      ref: input.sha,
      recipe: input.recipe,
      mode: input.mode,
      targetBranch: pr.baseRef,
      requestedBy: input.requestedBy,
      origin: input.origin,
    }).run;
    return { kind: "started", run };
  } catch (error) {
    // The engine refuses requests it cannot run (e.g. a recipe it does not know) with a UserError.
    if (!isUserError(error)) throw error;
    return { kind: "refused", reply: messages.invalidRecipe(describeError(error)) };
  }
}
