import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  API,
  APP_ID,
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
// Comments as GitHub lists them: ours are by the app's bot user and name the app that wrote them.
const ourBot = { login: "ccci[bot]", type: "Bot" };
const ourApp = { id: APP_ID };
const otherBot = { login: "other-ci[bot]", type: "Bot" };

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

function mockPullRequest(patch: (pr: Payload) => void = () => {}) {
  const pr = pullRequestObject();
  patch(pr);
  return nock(API).get(`${repoPath}/pulls/${EXAMPLE.pullNumber}`).reply(200, pr);
}

function mockQueuedReport(name = "ccci / cold", withStatus = true) {
  const scope = nock(API)
    .post(`${repoPath}/check-runs`, (body) => body.name === name && body.status === "queued")
    .reply(201, { id: 77, html_url: "https://github.com/Codertocat/Hello-World/runs/77" });
  if (withStatus) {
    scope
      .post(
        `${repoPath}/statuses/${EXAMPLE.headSha}`,
        (body) => body.state === "pending" && body.context === "ccci/cold",
      )
      .reply(201, {});
  }
  return scope;
}

describe("a !testme command from a write collaborator", () => {
  it("pins the head, submits a cold run and reports it queued", async () => {
    mockInstallationToken();
    mockPermission(commenter, "write");
    nock(API).post(`${repoPath}/issues/comments/492700400/reactions`, { content: "eyes" }).reply(201, {});
    mockPullRequest();
    mockQueuedReport();

    await harness.receive("issue_comment", commentOnPullRequest("!testme"));
    await harness.settle();

    expect(harness.engine.submitted).toEqual([
      {
        repo: "Codertocat/Hello-World#2",
        source: { kind: "git", url: EXAMPLE.cloneUrl },
        ref: EXAMPLE.headSha,
        recipe: "hello-world",
        mode: "cold",
        targetBranch: "master",
        requestedBy: commenter,
        origin: {
          trigger: "github",
          owner: "Codertocat",
          repo: "Hello-World",
          pullNumber: 2,
          installationId: 1,
          headSha: EXAMPLE.headSha,
          commentId: 492700400,
        },
      },
    ]);
    const created = harness.requests.find((r) => r.url.endsWith("/check-runs"));
    expect(created?.body).toMatchObject({ external_id: "run-1:cold", head_sha: EXAMPLE.headSha });
  });
});

function startCommand(body: string, mode: "cold" | "quick" = "cold") {
  mockInstallationToken();
  mockPermission(commenter, "admin");
  nock(API).post(`${repoPath}/issues/comments/492700400/reactions`).reply(201, {});
  mockPullRequest();
  mockQueuedReport(mode === "cold" ? "ccci / cold" : "ccci / quick", mode === "cold");
  return harness.receive("issue_comment", commentOnPullRequest(body)).then(() => harness.settle());
}

const passingAsserts = [
  {
    name: "generic:converged",
    kind: "generic" as const,
    passed: true,
    durationMs: 3100,
    detail: "1/1 services",
  },
  {
    name: "custom:10-serves-greeting",
    kind: "custom" as const,
    passed: true,
    durationMs: 800,
    detail: "ok | fine",
  },
];

describe("the report of a cold run", () => {
  it("goes queued → in_progress → completed success, with a ccci/cold status and a sticky comment", async () => {
    await startCommand("!testme");

    nock(API)
      .patch(`${repoPath}/check-runs/77`, (body) => body.status === "in_progress" && !("conclusion" in body))
      .reply(200, {});
    harness.engine.start("run-1");
    await harness.settle();

    let comment = "";
    nock(API)
      .patch(
        `${repoPath}/check-runs/77`,
        (body) => body.status === "completed" && body.conclusion === "success",
      )
      .reply(200, {})
      .post(
        `${repoPath}/statuses/${EXAMPLE.headSha}`,
        (body) => body.state === "success" && body.context === "ccci/cold",
      )
      .reply(201, {})
      .get(`${repoPath}/issues/2/comments`)
      .query({ per_page: 100 })
      .reply(200, [])
      .post(`${repoPath}/issues/2/comments`, (body) => {
        comment = body.body;
        return true;
      })
      .reply(201, {});
    harness.engine.finish("run-1", "passed", { asserts: passingAsserts });
    await harness.settle();

    expect(comment).toMatch(/^<!-- ccci:result mode=cold -->/);
    expect(comment).toContain("**Mode:** cold");
    expect(comment).toContain("`ec26c3e`");
    expect(comment).toContain("passed");
    expect(comment).toContain("| custom:10-serves-greeting | ✅ pass | 800 ms | ok \\| fine |");
    expect(comment).toContain("https://github.com/Codertocat/Hello-World/runs/77");
    expect(comment).toContain("`!testme`");
  });

  it("edits the existing sticky comment in place instead of adding another", async () => {
    await startCommand("!testme");
    nock(API)
      .patch(`${repoPath}/check-runs/77`)
      .reply(200, {})
      .post(`${repoPath}/statuses/${EXAMPLE.headSha}`, (body) => body.state === "failure")
      .reply(201, {})
      .get(`${repoPath}/issues/2/comments`)
      .query(true)
      .reply(200, [
        {
          id: 4,
          body: "<!-- ccci:result mode=cold -->\nanother bot's copy",
          user: otherBot,
          performed_via_github_app: { id: 999 },
        },
        {
          id: 5,
          body: "<!-- ccci:result mode=quick -->\nold quick",
          user: ourBot,
          performed_via_github_app: ourApp,
        },
        {
          id: 6,
          body: "<!-- ccci:result mode=cold -->\nold cold",
          user: ourBot,
          performed_via_github_app: ourApp,
        },
        { id: 7, body: "<!-- ccci:result mode=cold --> a human quoting it", user: { type: "User" } },
      ])
      .patch(`${repoPath}/issues/comments/6`, (body) => body.body.includes("FAILED"))
      .reply(200, {});
    harness.engine.finish("run-1", "failed", { reason: "generic:healthy failed" });
    await harness.settle();
  });
});

describe("the report of a quick run", () => {
  it("is advisory: neutral with 'FAILED (advisory)', notes shown, and no commit status", async () => {
    await startCommand("!testme --quick", "quick");
    expect(harness.engine.submitted[0]?.mode).toBe("quick");

    let completed: Payload = {};
    nock(API)
      .patch(`${repoPath}/check-runs/77`, (body) => {
        completed = body;
        return true;
      })
      .reply(200, {})
      .get(`${repoPath}/issues/2/comments`)
      .query(true)
      .reply(200, [])
      .post(`${repoPath}/issues/2/comments`, (body) =>
        body.body.startsWith("<!-- ccci:result mode=quick -->"),
      )
      .reply(201, {});
    harness.engine.finish("run-1", "failed", {
      notes: ["quick requested, no canonical for hello-world: ran cold instead"],
    });
    await harness.settle();

    expect(completed.conclusion).toBe("neutral");
    expect(completed.output.title).toContain("FAILED (advisory)");
    expect(completed.output.summary).toContain(
      "quick requested, no canonical for hello-world: ran cold instead",
    );
    expect(harness.requests.some((r) => r.url.includes("/statuses/"))).toBe(false);
  });
});

describe("commands that start nothing", () => {
  it.each([
    ["an unknown flag", "!testme --quik", /unknown argument "--quik"/],
    ["an unknown word", "!testme foo", /unknown argument "foo"/],
    ["a word glued to the command", "!testmefoo", /unknown command "!testmefoo"/],
  ])("%s gets one help reply listing the valid commands", async (_name, body, reason) => {
    mockInstallationToken();
    mockPermission(commenter, "write");
    let reply = "";
    nock(API)
      .post(`${repoPath}/issues/2/comments`, (b) => {
        reply = b.body;
        return true;
      })
      .reply(201, {});
    await harness.receive("issue_comment", commentOnPullRequest(body));
    await harness.settle();
    expect(reply).toMatch(reason);
    expect(reply).toContain("`!testme`");
    expect(reply).toContain("`!testme --quick`");
    expect(harness.engine.submitted).toEqual([]);
  });

  it.each([
    ["inside a code block", "```\n!testme\n```"],
    ["inside a quote", "> !testme"],
    ["an ordinary comment", "You are totally right! I'll get this fixed right away."],
    ["a 65,536-character comment", "x".repeat(65_536)],
  ])("a command %s is ignored without a single API call", async (_name, body) => {
    await harness.receive("issue_comment", commentOnPullRequest(body));
    await harness.settle();
    expect(harness.requests).toEqual([]);
    expect(harness.engine.submitted).toEqual([]);
  });

  it("a 65,536-character comment that ends with !testme still runs", async () => {
    const body = `${"x".repeat(65_536 - 8)}\n!testme`;
    expect(body.length).toBe(65_536);
    await startCommand(body);
    expect(harness.engine.submitted).toHaveLength(1);
  });

  it.each(["read", "none", "triage"])(
    "a commenter with %s permission is refused and nothing runs",
    async (permission) => {
      mockInstallationToken();
      mockPermission(commenter, permission);
      nock(API)
        .post(`${repoPath}/issues/2/comments`, (b) => b.body.includes("only collaborators with write access"))
        .reply(201, {});
      await harness.receive("issue_comment", commentOnPullRequest("!testme"));
      await harness.settle();
      expect(harness.engine.submitted).toEqual([]);
    },
  );

  it("a commenter who is no collaborator at all (404) is refused", async () => {
    mockInstallationToken();
    nock(API)
      .get(`${repoPath}/collaborators/${commenter}/permission`)
      .reply(404, { message: "Not Found" })
      .post(`${repoPath}/issues/2/comments`, (b) => b.body.includes("only collaborators"))
      .reply(201, {});
    await harness.receive("issue_comment", commentOnPullRequest("!testme"));
    await harness.settle();
    expect(harness.engine.submitted).toEqual([]);
  });

  it("a bot sender is ignored", async () => {
    const payload = commentOnPullRequest("!testme");
    payload.sender.type = "Bot";
    await harness.receive("issue_comment", payload);
    await harness.settle();
    expect(harness.requests).toEqual([]);
    expect(harness.engine.submitted).toEqual([]);
  });

  it("an edited comment never triggers", async () => {
    const payload = commentOnPullRequest("!testme");
    payload.action = "edited";
    payload.changes = { body: { from: "typo" } };
    await harness.receive("issue_comment", payload);
    await harness.settle();
    expect(harness.requests).toEqual([]);
    expect(harness.engine.submitted).toEqual([]);
  });

  it("a comment on an issue that is not a pull request is ignored", async () => {
    const payload = commentOnPullRequest("!testme");
    delete payload.issue.pull_request;
    await harness.receive("issue_comment", payload);
    await harness.settle();
    expect(harness.requests).toEqual([]);
  });

  it("a pull request whose head repository was deleted gets a clear reply and nothing runs", async () => {
    mockInstallationToken();
    mockPermission(commenter, "write");
    nock(API).post(`${repoPath}/issues/comments/492700400/reactions`).reply(201, {});
    mockPullRequest((pr) => {
      pr.head.repo = null;
    });
    nock(API)
      .post(`${repoPath}/issues/2/comments`, (b) =>
        b.body.includes("head repository of this pull request was deleted"),
      )
      .reply(201, {});
    await harness.receive("issue_comment", commentOnPullRequest("!testme"));
    await harness.settle();
    expect(harness.engine.submitted).toEqual([]);
  });

  it("a pull request closed between the comment and its handling runs nothing", async () => {
    mockInstallationToken();
    mockPermission(commenter, "write");
    nock(API).post(`${repoPath}/issues/comments/492700400/reactions`).reply(201, {});
    mockPullRequest((pr) => {
      pr.state = "closed";
    });
    nock(API)
      .post(`${repoPath}/issues/2/comments`, (b) => b.body.includes("closed"))
      .reply(201, {});
    await harness.receive("issue_comment", commentOnPullRequest("!testme"));
    await harness.settle();
    expect(harness.engine.submitted).toEqual([]);
  });

  it("a comment on a closed pull request is ignored outright", async () => {
    const payload = commentOnPullRequest("!testme");
    payload.issue.state = "closed";
    await harness.receive("issue_comment", payload);
    await harness.settle();
    expect(harness.requests).toEqual([]);
  });
});
