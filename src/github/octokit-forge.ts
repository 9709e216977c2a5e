import type { ProbotOctokit } from "probot";
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
} from "./forge.js";

type Octokit = InstanceType<typeof ProbotOctokit>;

// Zod at the edge: only the fields ccci reads from GitHub's answers.
const pullRequestSchema = z.object({
  number: z.number(),
  state: z.enum(["open", "closed"]),
  html_url: z.string(),
  head: z.object({
    sha: z.string(),
    repo: z.object({ clone_url: z.string(), pushed_at: z.string().nullable() }).nullable(),
  }),
  base: z.object({ ref: z.string(), repo: z.object({ name: z.string(), clone_url: z.string() }) }),
});
const permissionSchema = z.object({ permission: z.string() });
const commentSchema = z.object({
  id: z.number(),
  body: z.string().optional().default(""),
  user: z.object({ type: z.string(), login: z.string().optional() }).nullable(),
  performed_via_github_app: z.object({ id: z.number() }).nullable().optional(),
});

/** Who this app is on GitHub: its id (from the configuration) and, when asked, its slug (`GET /app`). */
export interface AppIdentity {
  appId?: number;
  /** The app's slug: its comments are by `<slug>[bot]`. Resolved lazily; undefined when unknown. */
  slug(): Promise<string | undefined>;
}

/**
 * Only a comment this app wrote may be the sticky one: any other bot (or a human) can paste the marker,
 * and editing their comment would fail 403 on every update. GitHub names the app that wrote a comment in
 * `performed_via_github_app`; when it does not, the author must be the app's own `<slug>[bot]` user.
 */
async function isOwnComment(comment: z.infer<typeof commentSchema>, identity: AppIdentity): Promise<boolean> {
  if (comment.user?.type !== "Bot") return false;
  const app = comment.performed_via_github_app;
  if (app && identity.appId !== undefined) return app.id === identity.appId;
  const slug = await identity.slug();
  return slug !== undefined && comment.user.login === `${slug}[bot]`;
}
const checkRunSchema = z.object({ id: z.number(), html_url: z.string().nullable() });
const checkRunListSchema = z.object({
  check_runs: z.array(z.object({ name: z.string(), external_id: z.string().nullable() })),
});

const permissionLevels: Record<string, Permission> = {
  admin: "admin",
  maintain: "write",
  write: "write",
  triage: "read",
  read: "read",
};

function isNotFound(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { status?: unknown }).status === 404;
}

function checkRunBody(fields: CheckRunFields) {
  return {
    name: fields.name,
    head_sha: fields.headSha,
    external_id: fields.externalId,
    status: fields.status,
    ...(fields.conclusion ? { conclusion: fields.conclusion } : {}),
    ...(fields.startedAt ? { started_at: fields.startedAt } : {}),
    ...(fields.completedAt ? { completed_at: fields.completedAt } : {}),
    output: { title: fields.title, summary: fields.summary, ...(fields.text ? { text: fields.text } : {}) },
  };
}

/** The Forge over an installation-authenticated Probot Octokit (throttling and retries included). */
export class OctokitForge implements Forge {
  constructor(
    private readonly octokit: Octokit,
    private readonly identity: AppIdentity = { slug: async () => undefined },
  ) {}

  async getPullRequest(repo: RepoRef, pullNumber: number): Promise<PullRequestInfo> {
    const { data } = await this.octokit.request("GET /repos/{owner}/{repo}/pulls/{pull_number}", {
      ...repo,
      pull_number: pullNumber,
    });
    const pr = pullRequestSchema.parse(data);
    return {
      number: pr.number,
      state: pr.state,
      headSha: pr.head.sha,
      headCloneUrl: pr.head.repo?.clone_url ?? null,
      headPushedAt: pr.head.repo?.pushed_at ?? null,
      baseCloneUrl: pr.base.repo.clone_url,
      baseRepoName: pr.base.repo.name,
      baseRef: pr.base.ref,
      htmlUrl: pr.html_url,
    };
  }

  async getPermission(repo: RepoRef, user: string): Promise<Permission> {
    try {
      const { data } = await this.octokit.request(
        "GET /repos/{owner}/{repo}/collaborators/{username}/permission",
        { ...repo, username: user },
      );
      return permissionLevels[permissionSchema.parse(data).permission] ?? "none";
    } catch (error) {
      if (isNotFound(error)) return "none";
      throw error;
    }
  }

  async acknowledgeComment(repo: RepoRef, commentId: number): Promise<void> {
    await this.octokit.request("POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions", {
      ...repo,
      comment_id: commentId,
      content: "eyes",
    });
  }

  async reply(repo: RepoRef, pullNumber: number, body: string): Promise<void> {
    await this.octokit.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", {
      ...repo,
      issue_number: pullNumber,
      body,
    });
  }

  async ensureStickyComment(repo: RepoRef, pullNumber: number, marker: string, body: string): Promise<void> {
    const raw = await this.octokit.paginate("GET /repos/{owner}/{repo}/issues/{issue_number}/comments", {
      ...repo,
      issue_number: pullNumber,
      per_page: 100,
    });
    let ours: z.infer<typeof commentSchema> | undefined;
    for (const comment of z.array(commentSchema).parse(raw)) {
      if (comment.body.includes(marker) && (await isOwnComment(comment, this.identity))) {
        ours = comment;
        break;
      }
    }
    if (ours?.body === body) return;
    if (ours) {
      await this.octokit.request("PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}", {
        ...repo,
        comment_id: ours.id,
        body,
      });
      return;
    }
    await this.reply(repo, pullNumber, body);
  }

  async createCheckRun(repo: RepoRef, fields: CheckRunFields): Promise<CheckRunRef> {
    const { data } = await this.octokit.request("POST /repos/{owner}/{repo}/check-runs", {
      ...repo,
      ...checkRunBody(fields),
    });
    const created = checkRunSchema.parse(data);
    return { id: created.id, htmlUrl: created.html_url ?? "" };
  }

  async updateCheckRun(repo: RepoRef, checkRunId: number, fields: CheckRunFields): Promise<void> {
    // GitHub's update endpoint takes no head_sha: the check run stays on its commit.
    const { head_sha: _unused, ...body } = checkRunBody(fields);
    await this.octokit.request("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", {
      ...repo,
      check_run_id: checkRunId,
      ...body,
    });
  }

  async setCommitStatus(repo: RepoRef, fields: CommitStatusFields): Promise<void> {
    await this.octokit.request("POST /repos/{owner}/{repo}/statuses/{sha}", {
      ...repo,
      sha: fields.sha,
      state: fields.state,
      context: fields.context,
      description: fields.description.slice(0, 140),
      ...(fields.targetUrl ? { target_url: fields.targetUrl } : {}),
    });
  }

  async listCheckRunsInSuite(repo: RepoRef, checkSuiteId: number): Promise<ExistingCheckRun[]> {
    const { data } = await this.octokit.request(
      "GET /repos/{owner}/{repo}/check-suites/{check_suite_id}/check-runs",
      { ...repo, check_suite_id: checkSuiteId, per_page: 100 },
    );
    return checkRunListSchema
      .parse(data)
      .check_runs.map((run) => ({ name: run.name, externalId: run.external_id }));
  }
}
