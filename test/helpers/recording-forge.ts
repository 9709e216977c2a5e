import type {
  CheckRunFields,
  CheckRunRef,
  CommitStatusFields,
  ExistingCheckRun,
  Forge,
  Permission,
  PullRequestInfo,
  RepoRef,
} from "../../src/github/forge.js";

export type ForgeCall = { method: keyof Forge; args: unknown[] };

/** An in-memory Forge that records every side effect, for reporter and trigger unit tests. */
export class RecordingForge implements Forge {
  readonly calls: ForgeCall[] = [];
  private nextId = 100;

  constructor(
    private readonly pr: Partial<PullRequestInfo> = {},
    private readonly permission: Permission = "write",
  ) {}

  writes(method?: keyof Forge): ForgeCall[] {
    return this.calls.filter((c) =>
      method ? c.method === method : !["getPullRequest", "getPermission"].includes(c.method),
    );
  }

  async getPullRequest(_repo: RepoRef, pullNumber: number): Promise<PullRequestInfo> {
    this.calls.push({ method: "getPullRequest", args: [pullNumber] });
    return {
      number: pullNumber,
      state: "open",
      headSha: "a".repeat(40),
      headCloneUrl: "file:///x",
      headPushedAt: null,
      baseCloneUrl: "file:///x",
      baseRepoName: "hello",
      baseRef: "main",
      htmlUrl: "",
      ...this.pr,
    };
  }
  async getPermission(_repo: RepoRef, user: string): Promise<Permission> {
    this.calls.push({ method: "getPermission", args: [user] });
    return this.permission;
  }
  async acknowledgeComment(_repo: RepoRef, commentId: number): Promise<void> {
    this.calls.push({ method: "acknowledgeComment", args: [commentId] });
  }
  async reply(_repo: RepoRef, pullNumber: number, body: string): Promise<void> {
    this.calls.push({ method: "reply", args: [pullNumber, body] });
  }
  async ensureStickyComment(_repo: RepoRef, pullNumber: number, marker: string, body: string): Promise<void> {
    this.calls.push({ method: "ensureStickyComment", args: [pullNumber, marker, body] });
  }
  async createCheckRun(_repo: RepoRef, fields: CheckRunFields): Promise<CheckRunRef> {
    this.calls.push({ method: "createCheckRun", args: [fields] });
    this.nextId += 1;
    return { id: this.nextId, htmlUrl: `https://github.test/runs/${this.nextId}` };
  }
  async updateCheckRun(_repo: RepoRef, checkRunId: number, fields: CheckRunFields): Promise<void> {
    this.calls.push({ method: "updateCheckRun", args: [checkRunId, fields] });
  }
  async setCommitStatus(_repo: RepoRef, fields: CommitStatusFields): Promise<void> {
    this.calls.push({ method: "setCommitStatus", args: [fields] });
  }
  async listCheckRunsInSuite(_repo: RepoRef, checkSuiteId: number): Promise<ExistingCheckRun[]> {
    this.calls.push({ method: "listCheckRunsInSuite", args: [checkSuiteId] });
    return [];
  }
}
