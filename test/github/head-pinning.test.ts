import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  API,
  createHarness,
  type Harness,
  mockInstallationToken,
  mockPermission,
  pendingMocksAfterCleanup,
} from "../helpers/probot-harness.js";
import {
  commentOnPullRequest,
  EXAMPLE,
  type Payload,
  pullRequestObject,
} from "../helpers/webhook-examples.js";

const repoPath = "/repos/Codertocat/Hello-World";
const commenter = "Codertocat";
const forkUrl = "https://github.com/Mallory/Hello-World.git";

let harness: Harness;

beforeEach(async () => {
  nock.disableNetConnect();
  harness = await createHarness();
});

afterEach(() => {
  harness.app.stop();
  expect(pendingMocksAfterCleanup()).toEqual([]);
  expect(harness.problems).toEqual([]);
  nock.enableNetConnect();
});

function accepted(patch: (pr: Payload) => void) {
  mockInstallationToken();
  mockPermission(commenter, "write");
  nock(API).post(`${repoPath}/issues/comments/492700400/reactions`, { content: "eyes" }).reply(201, {});
  const pr = pullRequestObject();
  patch(pr);
  nock(API).get(`${repoPath}/pulls/${EXAMPLE.pullNumber}`).reply(200, pr);
}

describe("the head tested is the head commented on; the base comes from upstream", () => {
  it("a fork's pull request clones the base repository and fetches only the pinned head from the fork", async () => {
    accepted((pr) => {
      pr.head.repo.clone_url = forkUrl;
    });
    nock(API).post(`${repoPath}/check-runs`).reply(201, { id: 77, html_url: "https://github.com/x/runs/77" });
    nock(API).post(`${repoPath}/statuses/${EXAMPLE.headSha}`).reply(201, {});
    await harness.receive("issue_comment", commentOnPullRequest("!testme"));
    await harness.settle();
    expect(harness.engine.submitted).toHaveLength(1);
    expect(harness.engine.submitted[0]).toMatchObject({
      source: { kind: "git", url: EXAMPLE.cloneUrl, headUrl: forkUrl },
      ref: EXAMPLE.headSha,
      targetBranch: "master",
    });
  });

  it("a push to the head repository after the comment refuses the run and asks for a new !testme", async () => {
    const payload = commentOnPullRequest("!testme");
    accepted((pr) => {
      pr.head.repo.clone_url = forkUrl;
      // GitHub's clock: one second after the comment was created.
      pr.head.repo.pushed_at = new Date(Date.parse(payload.comment.created_at) + 1000).toISOString();
    });
    nock(API)
      .post(
        `${repoPath}/issues/2/comments`,
        (b) =>
          b.body.includes("pushed to after this command was posted") && b.body.includes("`!testme` again"),
      )
      .reply(201, {});
    await harness.receive("issue_comment", payload);
    await harness.settle();
    expect(harness.engine.submitted).toEqual([]);
    expect(harness.requests.some((r) => r.url.endsWith("/check-runs"))).toBe(false);
  });

  it("a push at the very second of the comment (not after it) still runs", async () => {
    const payload = commentOnPullRequest("!testme");
    accepted((pr) => {
      pr.head.repo.pushed_at = payload.comment.created_at;
    });
    nock(API).post(`${repoPath}/check-runs`).reply(201, { id: 78, html_url: "https://github.com/x/runs/78" });
    nock(API).post(`${repoPath}/statuses/${EXAMPLE.headSha}`).reply(201, {});
    await harness.receive("issue_comment", payload);
    await harness.settle();
    expect(harness.engine.submitted).toHaveLength(1);
    // The same repository for head and base: a plain clone, as before.
    expect(harness.engine.submitted[0]?.source).toEqual({ kind: "git", url: EXAMPLE.cloneUrl });
  });
});
