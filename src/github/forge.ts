/**
 * The few things ccci asks of GitHub, named by what they achieve rather than by the REST call they make.
 * Triggers and the reporter depend on this interface only; `octokit-forge.ts` implements it.
 */
export interface RepoRef {
  owner: string;
  repo: string;
}

export interface PullRequestInfo {
  number: number;
  state: "open" | "closed";
  headSha: string;
  /** Null when the head repository (usually a fork) was deleted. */
  headCloneUrl: string | null;
  /** GitHub's time of the last push to the head repository (any branch); null when unknown. */
  headPushedAt: string | null;
  /** The base (upstream) repository: the only source of base versions, tags and the target branch. */
  baseCloneUrl: string;
  baseRepoName: string;
  /** The branch the pull request targets. */
  baseRef: string;
  htmlUrl: string;
}

/** `maintain` reports as `write` and `triage` as `read` in GitHub's legacy permission field. */
export type Permission = "admin" | "write" | "read" | "none";

export type CheckStatus = "queued" | "in_progress" | "completed";
export type CheckConclusion = "success" | "failure" | "neutral" | "cancelled";

export interface CheckRunFields {
  name: string;
  headSha: string;
  externalId: string;
  status: CheckStatus;
  conclusion?: CheckConclusion;
  startedAt?: string;
  completedAt?: string;
  title: string;
  summary: string;
  text?: string;
}

export interface CheckRunRef {
  id: number;
  htmlUrl: string;
}

export type CommitState = "pending" | "success" | "failure" | "error";

export interface CommitStatusFields {
  sha: string;
  context: string;
  state: CommitState;
  description: string;
  targetUrl?: string;
}

export interface ExistingCheckRun {
  name: string;
  externalId: string | null;
}

export interface Forge {
  getPullRequest(repo: RepoRef, pullNumber: number): Promise<PullRequestInfo>;
  getPermission(repo: RepoRef, user: string): Promise<Permission>;
  /** Acknowledges a command comment with a reaction (👀). */
  acknowledgeComment(repo: RepoRef, commentId: number): Promise<void>;
  /** Posts a one-off reply (help, refusal) on a pull request. */
  reply(repo: RepoRef, pullNumber: number, body: string): Promise<void>;
  /** Creates the comment carrying `marker`, or edits it in place; does nothing when the body is unchanged. */
  ensureStickyComment(repo: RepoRef, pullNumber: number, marker: string, body: string): Promise<void>;
  createCheckRun(repo: RepoRef, fields: CheckRunFields): Promise<CheckRunRef>;
  updateCheckRun(repo: RepoRef, checkRunId: number, fields: CheckRunFields): Promise<void>;
  setCommitStatus(repo: RepoRef, fields: CommitStatusFields): Promise<void>;
  listCheckRunsInSuite(repo: RepoRef, checkSuiteId: number): Promise<ExistingCheckRun[]>;
}

/** Gives a Forge acting as one installation of the app. */
export type ForgeFactory = (installationId: number) => Promise<Forge>;
