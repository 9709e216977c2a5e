import { readFileSync } from "node:fs";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { onGiteaComment } from "../../src/gitea/comment-trigger.js";
import { giteaCommentCreatedSchema, giteaPullRequestChangedSchema } from "../../src/gitea/payloads.js";
import { onGiteaPullRequestChanged } from "../../src/gitea/pull-request-trigger.js";
import { SeenComments } from "../../src/gitea/seen-comments.js";
import { BackgroundTasks } from "../../src/github/background.js";
import { FakeEngine } from "../helpers/fake-engine.js";
import { RecordingForge } from "../helpers/recording-forge.js";

/** Deliveries a real Gitea 1.26.0 made (test/fixtures/gitea/, captured from scripts/gitea-up.sh's instance). */
function delivery(name: string): { headers: Record<string, string>; payload: Record<string, unknown> } {
  return JSON.parse(readFileSync(new URL(`../fixtures/gitea/${name}.json`, import.meta.url), "utf8"));
}

const log = pino({ level: "silent" });

async function comment(name: string) {
  const { payload } = delivery(name);
  const head = (payload.pull_request as { head: { sha: string } }).head.sha;
  const engine = new FakeEngine();
  const forge = new RecordingForge({ headSha: head, baseRepoName: "hello" }, "none");
  const tasks = new BackgroundTasks(log);
  onGiteaComment(
    {
      engine,
      forge,
      botLogin: "ccci-bot",
      seen: new SeenComments(),
      tasks,
      reporter: { notify: () => undefined },
    },
    payload,
    log,
  );
  await tasks.idle();
  return { engine, forge, head };
}

describe("real Gitea deliveries", () => {
  it("carry the headers the route dispatches on", () => {
    expect(delivery("comment-created-by-reader").headers).toMatchObject({
      "x-gitea-event": "issue_comment",
      "x-gitea-event-type": "pull_request_comment",
    });
    expect(delivery("pull-request-synchronized").headers).toMatchObject({
      "x-gitea-event": "pull_request",
      "x-gitea-event-type": "pull_request_sync",
    });
  });

  it("a PR comment parses; its permissions are the commenter's", () => {
    const reader = giteaCommentCreatedSchema.parse(delivery("comment-created-by-reader").payload);
    expect(reader.sender.login).toBe("bob");
    expect(reader.repository.permissions).toEqual({ admin: false, push: false });
    const admin = giteaCommentCreatedSchema.parse(delivery("comment-created-by-admin").payload);
    expect(admin.repository.permissions).toEqual({ admin: true, push: true });
  });

  it("the reader's !testme is refused; the admin's !testme --quick runs quick on the commented head", async () => {
    const refused = await comment("comment-created-by-reader");
    expect(refused.engine.submitted).toEqual([]);
    expect(refused.forge.writes("reply")).toHaveLength(1);
    const ran = await comment("comment-created-by-admin");
    expect(ran.engine.submitted).toMatchObject([{ mode: "quick", ref: ran.head, recipe: "hello" }]);
  });

  it("the push and the close parse and act on the engine", async () => {
    expect(giteaPullRequestChangedSchema.parse(delivery("pull-request-synchronized").payload).action).toBe(
      "synchronized",
    );
    expect(giteaPullRequestChangedSchema.parse(delivery("pull-request-closed").payload).action).toBe(
      "closed",
    );
    const { engine } = await comment("comment-created-by-admin");
    onGiteaPullRequestChanged(engine, delivery("pull-request-synchronized").payload, log);
    expect(engine.cancelled).toMatchObject([
      { runId: "run-1", reason: expect.stringMatching(/^superseded by a push of [0-9a-f]{7}$/) },
    ]);
  });
});
