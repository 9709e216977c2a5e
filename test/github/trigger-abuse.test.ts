import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ReplyLimiter } from "../../src/github/reply-limiter.js";
import {
  API,
  APP_ID,
  createHarness,
  type Harness,
  mockInstallationToken,
  pendingMocksAfterCleanup,
} from "../helpers/probot-harness.js";
import { commentOnPullRequest, EXAMPLE, pullRequestObject } from "../helpers/webhook-examples.js";

const repoPath = "/repos/Codertocat/Hello-World";
const commenter = "Codertocat";

let harness: Harness;

beforeEach(async () => {
  nock.disableNetConnect();
});

afterEach(() => {
  harness.app.stop();
  expect(pendingMocksAfterCleanup()).toEqual([]);
  expect(harness.problems).toEqual([]);
  nock.enableNetConnect();
});

function permission(level: string, times = 1) {
  nock(API)
    .get(`${repoPath}/collaborators/${commenter}/permission`)
    .times(times)
    .reply(200, { permission: level, role_name: level, user: { login: commenter } });
}

/** The API calls of one accepted `!testme`: permission, 👀, the PR, the queued check run and status. */
function mockAcceptedCommand(times = 1) {
  permission("write", times);
  nock(API).post(`${repoPath}/issues/comments/492700400/reactions`).times(times).reply(201, {});
  nock(API).get(`${repoPath}/pulls/${EXAMPLE.pullNumber}`).times(times).reply(200, pullRequestObject());
  nock(API)
    .post(`${repoPath}/check-runs`)
    .reply(201, { id: 77, html_url: "https://github.com/Codertocat/Hello-World/runs/77" })
    .post(`${repoPath}/statuses/${EXAMPLE.headSha}`)
    .reply(201, {});
}

describe("replayed and racing deliveries", () => {
  it("the same X-GitHub-Delivery sent three times starts one run", async () => {
    harness = await createHarness();
    mockInstallationToken();
    mockAcceptedCommand();
    const payload = commentOnPullRequest("!testme");
    for (let i = 0; i < 3; i++)
      await harness.probot.receive({ id: "delivery-1", name: "issue_comment", payload } as never);
    await harness.settle();
    expect(harness.engine.submitted).toHaveLength(1);
  });

  it("an identical command while the run is queued joins it and says so on the run", async () => {
    harness = await createHarness();
    mockInstallationToken();
    mockAcceptedCommand(2);
    // The note re-renders the queued check run.
    nock(API)
      .patch(`${repoPath}/check-runs/77`, (b) => JSON.stringify(b).includes("merged into run run-1"))
      .reply(200, {});
    await harness.receive("issue_comment", commentOnPullRequest("!testme"));
    await harness.settle();
    await harness.receive("issue_comment", commentOnPullRequest("!testme"));
    await harness.settle();
    expect(harness.engine.submitted).toHaveLength(1);
    expect(harness.engine.get("run-1")?.notes).toEqual([
      `@${commenter} asked for the same run (same head, same mode) while it was queued or running: merged into run run-1.`,
    ]);
  });

  it("a command for the other mode is not merged", async () => {
    harness = await createHarness();
    mockInstallationToken();
    mockAcceptedCommand();
    permission("write");
    nock(API).post(`${repoPath}/issues/comments/492700400/reactions`).reply(201, {});
    nock(API).get(`${repoPath}/pulls/${EXAMPLE.pullNumber}`).reply(200, pullRequestObject());
    nock(API)
      .post(`${repoPath}/check-runs`, (b) => b.name === "ccci / quick")
      .reply(201, { id: 78, html_url: "" });
    await harness.receive("issue_comment", commentOnPullRequest("!testme"));
    await harness.settle();
    await harness.receive("issue_comment", commentOnPullRequest("!testme --quick"));
    await harness.settle();
    expect(harness.engine.submitted.map((r) => r.mode)).toEqual(["cold", "quick"]);
  });
});

describe("refusals", () => {
  it("are sent once per user and pull request within the window, however many commands come", async () => {
    let now = 0;
    harness = await createHarness({ replies: new ReplyLimiter({ windowMs: 60_000, now: () => now }) });
    mockInstallationToken();
    permission("read", 1); // the denial is remembered: one check for the whole flood
    nock(API).post(`${repoPath}/issues/2/comments`).times(2).reply(201, {});
    for (let i = 0; i < 5; i++) {
      await harness.receive("issue_comment", commentOnPullRequest("!testme"));
      await harness.settle();
    }
    now = 60_000; // the refusal window has passed: one more refusal may go
    await harness.receive("issue_comment", commentOnPullRequest("!testme"));
    await harness.settle();
    expect(harness.engine.submitted).toEqual([]);
  });

  it("a failing permission API gets the maintainer a reply to try again, and nothing runs", async () => {
    harness = await createHarness();
    mockInstallationToken();
    nock(API)
      .get(`${repoPath}/collaborators/${commenter}/permission`)
      .reply(500, { message: "Server Error" });
    let reply = "";
    nock(API)
      .post(`${repoPath}/issues/2/comments`, (b) => {
        reply = b.body;
        return true;
      })
      .reply(201, {});
    await harness.receive("issue_comment", commentOnPullRequest("!testme"));
    await harness.settle();
    expect(reply).toContain("could not check your permission");
    expect(reply).toContain("Try the command again");
    expect(harness.engine.submitted).toEqual([]);
  });

  it("the limiter forgets the oldest pairs beyond its bound", () => {
    const limiter = new ReplyLimiter({ bound: 2, windowMs: 1_000_000, now: () => 0 });
    expect(limiter.allow("refused", "o/r#1", "a")).toBe(true);
    expect(limiter.allow("refused", "o/r#1", "b")).toBe(true);
    expect(limiter.allow("refused", "o/r#1", "c")).toBe(true); // forgets a
    expect(limiter.allow("refused", "o/r#1", "b")).toBe(false);
    expect(limiter.allow("refused", "o/r#1", "a")).toBe(true);
  });
});

describe("the sticky comment", () => {
  it.each([
    ["another app's comment with the marker", { login: "other-ci[bot]", type: "Bot" }, { id: APP_ID + 1 }],
    ["a bot comment that names no app and is not ours", { login: "other-ci[bot]", type: "Bot" }, null],
    ["a person's comment quoting the marker", { login: "mallory", type: "User" }, null],
  ])("is never %s: ccci writes its own", async (_name, user, app) => {
    harness = await createHarness();
    mockInstallationToken();
    mockAcceptedCommand();
    await harness.receive("issue_comment", commentOnPullRequest("!testme"));
    await harness.settle();
    nock(API)
      .patch(`${repoPath}/check-runs/77`)
      .reply(200, {})
      .post(`${repoPath}/statuses/${EXAMPLE.headSha}`)
      .reply(201, {})
      .get(`${repoPath}/issues/2/comments`)
      .query(true)
      .reply(200, [
        { id: 9, body: "<!-- ccci:result mode=cold -->\nnot ours", user, performed_via_github_app: app },
      ])
      .post(`${repoPath}/issues/2/comments`, (b) => b.body.startsWith("<!-- ccci:result mode=cold -->"))
      .reply(201, {});
    if (app === null && user.type === "Bot")
      nock(API).get("/app").reply(200, { id: APP_ID, slug: "ccci", name: "ccci" });
    harness.engine.finish("run-1", "passed");
    await harness.settle();
  });

  it("is ours when it names no app but is by our `<slug>[bot]` user", async () => {
    harness = await createHarness();
    mockInstallationToken();
    mockAcceptedCommand();
    await harness.receive("issue_comment", commentOnPullRequest("!testme"));
    await harness.settle();
    nock(API)
      .patch(`${repoPath}/check-runs/77`)
      .reply(200, {})
      .post(`${repoPath}/statuses/${EXAMPLE.headSha}`)
      .reply(201, {})
      .get(`${repoPath}/issues/2/comments`)
      .query(true)
      .reply(200, [
        { id: 9, body: "<!-- ccci:result mode=cold -->\nold", user: { login: "ccci[bot]", type: "Bot" } },
      ])
      .get("/app")
      .reply(200, { id: APP_ID, slug: "ccci", name: "ccci" })
      .patch(`${repoPath}/issues/comments/9`)
      .reply(200, {});
    harness.engine.finish("run-1", "passed");
    await harness.settle();
  });
});

describe("the denial cache", () => {
  it("remembers a denial for its time-to-live only, within its bound", async () => {
    const { DeniedCache } = await import("../../src/github/denied-cache.js");
    let now = 0;
    const cache = new DeniedCache(60_000, 2, () => now);
    cache.remember("o/r", "a");
    expect(cache.isDenied("O/R", "A")).toBe(true);
    now = 60_000;
    expect(cache.isDenied("o/r", "a")).toBe(false); // a new collaborator waits at most a minute
    cache.remember("o/r", "a");
    cache.remember("o/r", "b");
    cache.remember("o/r", "c"); // forgets a
    expect(cache.isDenied("o/r", "a")).toBe(false);
    expect(cache.isDenied("o/r", "c")).toBe(true);
  });
});
