import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RunRequest } from "../../src/engine/run.js";
import {
  API,
  createHarness,
  type Harness,
  mockInstallationToken,
  pendingMocksAfterCleanup,
} from "../helpers/probot-harness.js";
import {
  checkRunRerequested,
  checkSuiteRerequested,
  EXAMPLE,
  pullRequestEvent,
  pullRequestObject,
} from "../helpers/webhook-examples.js";

const repoPath = "/repos/Codertocat/Hello-World";
const otherSha = "1111111111111111111111111111111111111111";
let harness: Harness;

beforeEach(async () => {
  nock.disableNetConnect();
  harness = await createHarness();
});

afterEach(() => {
  harness.app.stop();
  expect(pendingMocksAfterCleanup()).toEqual([]);
  expect(harness.problems).toEqual([]);
  expect(harness.logs.filter((record) => record.level >= 50)).toEqual([]);
  nock.enableNetConnect();
});

/** A run as the comment trigger submits it, without going through GitHub. */
function runRequest(
  mode: "cold" | "quick",
  headSha: string,
  pullNumber: number = EXAMPLE.pullNumber,
): RunRequest {
  return {
    repo: `Codertocat/Hello-World#${pullNumber}`,
    source: { kind: "git", url: EXAMPLE.cloneUrl },
    ref: headSha,
    recipe: "hello-world",
    mode,
    requestedBy: "Codertocat",
    origin: {
      trigger: "github",
      owner: "Codertocat",
      repo: "Hello-World",
      pullNumber,
      installationId: 1,
      headSha,
    },
  };
}

/** Lets the reporter's writes for runs the test submits directly go through unasserted. */
function allowReports() {
  nock(API)
    .persist()
    .post(/\/check-runs$/)
    .reply(201, { id: 9, html_url: "https://github.com/x/runs/9" });
  nock(API)
    .persist()
    .patch(/\/check-runs\/9$/)
    .reply(200, {});
  nock(API)
    .persist()
    .post(/\/statuses\//)
    .reply(201, {});
  nock(API)
    .persist()
    .get(/\/issues\/\d+\/comments/)
    .query(true)
    .reply(200, []);
  nock(API)
    .persist()
    .post(/\/issues\/\d+\/comments$/)
    .reply(201, {});
}

describe("pull_request.synchronize", () => {
  it("supersedes queued and running runs for older SHAs of that PR only", async () => {
    mockInstallationToken();
    allowReports();
    const oldQueued = harness.engine.submit(runRequest("cold", EXAMPLE.headSha)).run;
    const oldRunning = harness.engine.submit(runRequest("quick", EXAMPLE.headSha)).run;
    harness.engine.start(oldRunning.id);
    const sameSha = harness.engine.submit(runRequest("cold", otherSha)).run;
    const otherPr = harness.engine.submit(runRequest("cold", EXAMPLE.headSha, 3)).run;

    await harness.receive("pull_request", pullRequestEvent("synchronize", otherSha));
    await harness.settle();

    expect(harness.engine.cancelled.map((c) => c.runId).sort()).toEqual([oldQueued.id, oldRunning.id].sort());
    expect(harness.engine.cancelled[0]?.reason).toBe("superseded by a push of 1111111");
    expect(harness.engine.get(sameSha.id)?.state).toBe("queued");
    expect(harness.engine.get(otherPr.id)?.state).toBe("queued");
    nock.cleanAll();
  });
});

describe("pull_request.closed", () => {
  it("cancels the PR's queued runs; the cancelled check run concludes cancelled and the status errors", async () => {
    mockInstallationToken();
    const queued = harness.engine.submit(runRequest("cold", EXAMPLE.headSha)).run;
    const running = harness.engine.submit(runRequest("cold", EXAMPLE.headSha)).run;
    nock(API)
      .post(`${repoPath}/check-runs`)
      .times(2)
      .reply(201, { id: 9, html_url: "https://github.com/x/runs/9" })
      .post(`${repoPath}/statuses/${EXAMPLE.headSha}`, (b) => b.state === "pending")
      .times(2)
      .reply(201, {});
    await harness.settle();
    harness.engine.start(running.id);
    nock(API)
      .patch(`${repoPath}/check-runs/9`, (b) => b.status === "in_progress")
      .reply(200, {});
    await harness.settle();

    nock(API)
      .patch(`${repoPath}/check-runs/9`, (b) => b.conclusion === "cancelled")
      .reply(200, {})
      .post(
        `${repoPath}/statuses/${EXAMPLE.headSha}`,
        (b) => b.state === "error" && /cancelled/.test(b.description),
      )
      .reply(201, {})
      .get(`${repoPath}/issues/2/comments`)
      .query(true)
      .reply(200, [])
      .post(`${repoPath}/issues/2/comments`, (b) => b.body.includes("the pull request was closed"))
      .reply(201, {});
    await harness.receive("pull_request", pullRequestEvent("closed"));
    await harness.settle();

    expect(harness.engine.cancelled).toEqual([{ runId: queued.id, reason: "the pull request was closed" }]);
    expect(harness.engine.get(running.id)?.state).toBe("running");
  });
});

describe("re-run buttons", () => {
  function mockRerunPreamble(user: string) {
    mockInstallationToken();
    nock(API)
      .get(`${repoPath}/collaborators/${user}/permission`)
      .reply(200, { permission: "write" })
      .get(`${repoPath}/pulls/2`)
      .reply(200, pullRequestObject());
  }

  it("check_run.rerequested starts a new run with the mode from external_id and the same SHA", async () => {
    mockRerunPreamble("octocat");
    nock(API)
      .post(`${repoPath}/check-runs`, (b) => b.name === "ccci / quick" && b.external_id === "run-1:quick")
      .reply(201, { id: 10, html_url: "" });
    await harness.receive("check_run", checkRunRerequested("old-run:quick"));
    await harness.settle();
    expect(harness.engine.submitted).toMatchObject([
      { mode: "quick", ref: EXAMPLE.headSha, requestedBy: "octocat", origin: { pullNumber: 2 } },
    ]);
  });

  it("check_run.rerequested for a check run that is not ccci's does nothing", async () => {
    await harness.receive("check_run", checkRunRerequested(""));
    await harness.settle();
    expect(harness.requests).toEqual([]);
  });

  it("check_suite.rerequested re-runs each mode the suite held, found through the API after a restart", async () => {
    mockInstallationToken(957387);
    nock(API)
      .get(`${repoPath}/collaborators/Codertocat/permission`)
      .reply(200, { permission: "admin" })
      .get(`${repoPath}/check-suites/118578147/check-runs`)
      .query({ per_page: 100 })
      .reply(200, {
        total_count: 3,
        check_runs: [
          { name: "ccci / cold", external_id: "gone-1:cold" },
          { name: "ccci / quick", external_id: "gone-2:quick" },
          { name: "other-ci", external_id: "" },
        ],
      })
      .get(`${repoPath}/pulls/2`)
      .times(2)
      .reply(200, pullRequestObject());
    nock(API)
      .post(`${repoPath}/check-runs`)
      .times(2)
      .reply(201, { id: 11, html_url: "" })
      .post(`${repoPath}/statuses/${EXAMPLE.headSha}`)
      .reply(201, {});
    await harness.receive("check_suite", checkSuiteRerequested());
    await harness.settle();
    expect(harness.engine.submitted.map((r) => [r.mode, r.ref])).toEqual([
      ["cold", EXAMPLE.headSha],
      ["quick", EXAMPLE.headSha],
    ]);
  });

  it("a re-run asked by someone without write permission starts nothing", async () => {
    mockInstallationToken();
    nock(API).get(`${repoPath}/collaborators/octocat/permission`).reply(200, { permission: "read" });
    await harness.receive("check_run", checkRunRerequested("old-run:cold"));
    await harness.settle();
    expect(harness.engine.submitted).toEqual([]);
  });
});
