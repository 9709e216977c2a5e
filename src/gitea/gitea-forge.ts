import { z } from "zod";
import type {
  CheckRunFields,
  CheckRunRef,
  CommitStatusFields,
  ExistingCheckRun,
  Forge,
  Permission,
  PullRequestInfo,
  RepoRef,
} from "../github/forge.js";
import { GiteaApiError, type GiteaClient, segment } from "./client.js";

// Zod at the edge: only the fields ccci reads from Gitea's answers.
const pullRequestSchema = z.object({
  number: z.number(),
  state: z.enum(["open", "closed"]),
  html_url: z.string(),
  head: z.object({ sha: z.string(), repo: z.object({ clone_url: z.string() }).nullish() }),
  base: z.object({ ref: z.string(), repo: z.object({ name: z.string(), clone_url: z.string() }) }),
});
const permissionSchema = z.object({ permission: z.string() });
const commentSchema = z.object({
  id: z.number(),
  body: z.string().nullish(),
  user: z.object({ login: z.string() }).nullish(),
});
const anything = z.unknown();

/** Gitea's `owner` (an org owner) counts as admin; anything unknown counts as no access. */
const permissionLevels: Record<string, Permission> = {
  owner: "admin",
  admin: "admin",
  write: "write",
  read: "read",
};

/** Gitea caps descriptions of commit statuses; GitHub's 140 is safely below. */
const STATUS_DESCRIPTION_LIMIT = 140;

function repoPath(repo: RepoRef): string {
  return `/repos/${segment(repo.owner)}/${segment(repo.repo)}`;
}

/**
 * The Forge over Gitea's (and Forgejo's) API as one bot user. Gitea has no check runs: the reporter
 * for Gitea shows progress in the sticky comment and gates with the `ccci/cold` commit status, so the
 * check-run methods are never called and say so if they are.
 */
export class GiteaForge implements Forge {
  constructor(
    private readonly client: GiteaClient,
    /** The bot user's login: the sticky comment is only ever one of its own comments. */
    readonly botLogin: string,
  ) {}

  async getPullRequest(repo: RepoRef, pullNumber: number): Promise<PullRequestInfo> {
    const pr = await this.client.request(
      "GET",
      `${repoPath(repo)}/pulls/${segment(pullNumber)}`,
      pullRequestSchema,
    );
    return {
      number: pr.number,
      state: pr.state,
      headSha: pr.head.sha,
      headCloneUrl: pr.head.repo?.clone_url ?? null,
      // Gitea's API has no push time; the Gitea trigger pins the head named in the signed comment instead.
      headPushedAt: null,
      baseCloneUrl: pr.base.repo.clone_url,
      baseRepoName: pr.base.repo.name,
      baseRef: pr.base.ref,
      htmlUrl: pr.html_url,
    };
  }

  /** Needs the bot to be a repository admin (403 otherwise); team write reads as `read` here. */
  async getPermission(repo: RepoRef, user: string): Promise<Permission> {
    try {
      const answer = await this.client.request(
        "GET",
        `${repoPath(repo)}/collaborators/${segment(user)}/permission`,
        permissionSchema,
      );
      return permissionLevels[answer.permission] ?? "none";
    } catch (error) {
      if (error instanceof GiteaApiError && error.status === 404) return "none";
      throw error;
    }
  }

  async acknowledgeComment(repo: RepoRef, commentId: number): Promise<void> {
    await this.client.request(
      "POST",
      `${repoPath(repo)}/issues/comments/${segment(commentId)}/reactions`,
      anything,
      { content: "eyes" },
      { idempotent: true }, // Gitea answers 200 for a reaction that is already there
    );
  }

  async reply(repo: RepoRef, pullNumber: number, body: string): Promise<void> {
    await this.client.request("POST", `${repoPath(repo)}/issues/${segment(pullNumber)}/comments`, anything, {
      body,
    });
  }

  async ensureStickyComment(repo: RepoRef, pullNumber: number, marker: string, body: string): Promise<void> {
    const comments = await this.client.request(
      "GET",
      `${repoPath(repo)}/issues/${segment(pullNumber)}/comments`,
      z.array(commentSchema),
    );
    // Only the bot's own comment: anyone can paste the marker into a comment of theirs.
    const ours = comments.find(
      (comment) => comment.user?.login === this.botLogin && (comment.body ?? "").includes(marker),
    );
    if (ours?.body === body) return;
    if (ours) {
      await this.client.request("PATCH", `${repoPath(repo)}/issues/comments/${segment(ours.id)}`, anything, {
        body,
      });
      return;
    }
    await this.reply(repo, pullNumber, body);
  }

  async setCommitStatus(repo: RepoRef, fields: CommitStatusFields): Promise<void> {
    await this.client.request(
      "POST",
      `${repoPath(repo)}/statuses/${segment(fields.sha)}`,
      anything,
      {
        state: fields.state,
        context: fields.context,
        description: fields.description.slice(0, STATUS_DESCRIPTION_LIMIT),
        ...(fields.targetUrl ? { target_url: fields.targetUrl } : {}),
      },
      { idempotent: true },
    ); // a repeated status with the same state changes nothing
  }

  createCheckRun(_repo: RepoRef, _fields: CheckRunFields): Promise<CheckRunRef> {
    return Promise.reject(new Error("Gitea has no check runs; the Gitea reporter never creates one"));
  }

  updateCheckRun(_repo: RepoRef, _checkRunId: number, _fields: CheckRunFields): Promise<void> {
    return Promise.reject(new Error("Gitea has no check runs; the Gitea reporter never updates one"));
  }

  /** No check suites on Gitea: a re-run is a new command comment. */
  async listCheckRunsInSuite(_repo: RepoRef, _checkSuiteId: number): Promise<ExistingCheckRun[]> {
    return [];
  }
}

/** The bot user behind the token (`GET /user`): checks the token at start and names the bot. */
export async function whoAmI(client: GiteaClient): Promise<string> {
  const me = await client.request("GET", "/user", z.object({ login: z.string().min(1) }));
  return me.login;
}
