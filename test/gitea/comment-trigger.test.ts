import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { onGiteaComment } from "../../src/gitea/comment-trigger.js";
import { onGiteaPullRequestChanged } from "../../src/gitea/pull-request-trigger.js";
import { SeenComments } from "../../src/gitea/seen-comments.js";
import { BackgroundTasks } from "../../src/github/background.js";
import type { Permission, PullRequestInfo } from "../../src/github/forge.js";
import { FakeEngine } from "../helpers/fake-engine.js";
import { RecordingForge } from "../helpers/recording-forge.js";

const log = pino({ level: "silent" });
const HEAD = "a".repeat(40);

/** A PR comment as Gitea delivers it (the fields ccci reads, shaped like a real delivery). */
function commentPayload(
  patch: { body?: string; sender?: string; permissions?: unknown; isPull?: boolean; state?: string } = {},
) {
  return {
    action: "created",
    is_pull: patch.isPull ?? true,
    issue: { id: 9, number: 4, state: patch.state ?? "open", pull_request: { merged: false } },
    pull_request: { number: 4, head: { sha: HEAD, ref: "change" }, base: { ref: "main" } },
    comment: { id: 31, body: patch.body ?? "!testme", user: { login: patch.sender ?? "writer" } },
    repository: {
      name: "Hello",
      full_name: "maint/Hello",
      owner: { login: "maint", username: "maint" },
      ...(patch.permissions === undefined
        ? { permissions: { admin: false, push: true, pull: true } }
        : patch.permissions === null
          ? {}
          : { permissions: patch.permissions }),
    },
    sender: { login: patch.sender ?? "writer", username: patch.sender ?? "writer" },
  };
}

async function deliver(
  payload: unknown,
  options: { pr?: Partial<PullRequestInfo>; permission?: Permission } = {},
) {
  const engine = new FakeEngine();
  const forge = new RecordingForge(options.pr ?? {}, options.permission ?? "none");
  const tasks = new BackgroundTasks(log);
  const notified: string[] = [];
  onGiteaComment(
    {
      engine,
      forge,
      botLogin: "ccci-bot",
      seen: new SeenComments(),
      tasks,
      reporter: { notify: (run) => notified.push(run.id) },
    },
    payload,
    log,
  );
  await tasks.idle();
  return { engine, forge, notified };
}

describe("Gitea PR comments", () => {
  it("a write commenter's !testme pins the commented head and submits a cold run with a Gitea origin", async () => {
    const { engine, forge, notified } = await deliver(commentPayload());
    expect(forge.writes().map((c) => c.method)).toEqual(["acknowledgeComment"]);
    expect(forge.calls.some((c) => c.method === "getPermission")).toBe(false);
    expect(engine.submitted).toMatchObject([
      {
        repo: "maint/Hello#4",
        ref: HEAD,
        recipe: "hello",
        mode: "cold",
        targetBranch: "main",
        requestedBy: "writer",
        origin: {
          trigger: "gitea",
          owner: "maint",
          repo: "Hello",
          pullNumber: 4,
          headSha: HEAD,
          commentId: 31,
        },
      },
    ]);
    expect(notified).toEqual(["run-1"]);
  });

  it("--quick submits a quick run", async () => {
    const { engine } = await deliver(commentPayload({ body: "!testme --quick" }));
    expect(engine.submitted.map((r) => r.mode)).toEqual(["quick"]);
  });

  it.each([
    ["read only", { admin: false, push: false, pull: true }],
    ["no access at all", { admin: false, push: false, pull: false }],
  ])(
    "a commenter with %s (from the signed payload) is refused in a reply; nothing runs",
    async (_name, permissions) => {
      const { engine, forge } = await deliver(commentPayload({ sender: "visitor", permissions }));
      expect(engine.submitted).toEqual([]);
      expect(forge.writes()).toMatchObject([
        { method: "reply", args: [4, expect.stringContaining("@visitor only collaborators")] },
      ]);
    },
  );

  it("an admin without push (Gitea never sends that, but) may run", async () => {
    const { engine } = await deliver(commentPayload({ permissions: { admin: true, push: false } }));
    expect(engine.submitted).toHaveLength(1);
  });

  it.each([
    ["write", 1],
    ["read", 0],
  ] as const)(
    "without permissions in the payload the collaborator API decides (%s)",
    async (permission, runs) => {
      const { engine, forge } = await deliver(commentPayload({ permissions: null }), { permission });
      expect(forge.calls.filter((c) => c.method === "getPermission")).toEqual([
        { method: "getPermission", args: ["writer"] },
      ]);
      expect(engine.submitted).toHaveLength(runs);
    },
  );

  it("a PR that moved on after the comment is not run: the reply says so", async () => {
    const { engine, forge } = await deliver(commentPayload(), { pr: { headSha: "b".repeat(40) } });
    expect(engine.submitted).toEqual([]);
    expect(forge.writes("reply")).toMatchObject([
      { args: [4, expect.stringContaining("moved from `aaaaaaa` to `bbbbbbb`")] },
    ]);
  });

  it.each([
    ["the bot's own comment", commentPayload({ sender: "CCCI-Bot" })],
    ["a comment on a plain issue", commentPayload({ isPull: false })],
    ["a closed pull request", commentPayload({ state: "closed" })],
    ["a comment that is no command", commentPayload({ body: "looks good" })],
    ["an edited comment", { ...commentPayload(), action: "edited" }],
    ["a payload without a pull_request", { ...commentPayload(), pull_request: null }],
  ])("%s is ignored without any API call", async (_name, payload) => {
    const { engine, forge } = await deliver(payload);
    expect(forge.calls).toEqual([]);
    expect(engine.submitted).toEqual([]);
  });

  it("an unknown command gets the help reply", async () => {
    const { forge, engine } = await deliver(commentPayload({ body: "!testme --fast" }));
    expect(engine.submitted).toEqual([]);
    expect(forge.writes("reply")).toMatchObject([
      { args: [4, expect.stringContaining("did not understand")] },
    ]);
  });
});

describe("redeliveries", () => {
  it("the same comment delivered twice starts one run", async () => {
    const engine = new FakeEngine();
    const forge = new RecordingForge({}, "none");
    const tasks = new BackgroundTasks(log);
    const deps = {
      engine,
      forge,
      botLogin: "ccci-bot",
      seen: new SeenComments(),
      tasks,
      reporter: { notify: () => undefined },
    };
    onGiteaComment(deps, commentPayload(), log);
    onGiteaComment(deps, commentPayload(), log);
    await tasks.idle();
    expect(engine.submitted).toHaveLength(1);
    expect(forge.writes("acknowledgeComment")).toHaveLength(1);
  });

  it("remembers at most its limit of comments, forgetting the oldest first", () => {
    const seen = new SeenComments(3);
    expect([1, 2, 3].map((id) => seen.firstTime("o/r", id))).toEqual([true, true, true]);
    expect(seen.firstTime("O/R", 3)).toBe(false);
    expect(seen.firstTime("o/r", 4)).toBe(true); // the fourth pushes out comment 1
    expect(seen.firstTime("o/r", 1)).toBe(true);
    expect(seen.firstTime("o/r", 4)).toBe(false);
  });
});

describe("Gitea pull_request events", () => {
  function pushPayload(action: string, sha: string) {
    return {
      action,
      number: 4,
      pull_request: { head: { sha } },
      repository: { name: "hello", owner: { login: "maint" } },
    };
  }

  it("`synchronized` cancels runs of older heads of the same PR only; `closed` cancels queued runs", async () => {
    const { engine } = await deliver(commentPayload());
    engine.submit({
      ...engine.submitted[0],
      origin: { ...engine.submitted[0]?.origin, pullNumber: 5 },
    } as never);
    onGiteaPullRequestChanged(engine, pushPayload("synchronized", HEAD), log);
    expect(engine.cancelled).toEqual([]);
    onGiteaPullRequestChanged(engine, pushPayload("synchronized", "c".repeat(40)), log);
    expect(engine.cancelled).toEqual([{ runId: "run-1", reason: "superseded by a push of ccccccc" }]);

    const again = await deliver(commentPayload());
    onGiteaPullRequestChanged(again.engine, pushPayload("closed", HEAD), log);
    expect(again.engine.cancelled).toEqual([{ runId: "run-1", reason: "the pull request was closed" }]);
  });
});
