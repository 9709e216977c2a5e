import { existsSync } from "node:fs";
import { execa, type ResultPromise } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testPrivateKey } from "../helpers/probot-harness.js";
import { signedDelivery } from "../helpers/signed-delivery.js";
import type { StandInGitHub } from "../helpers/stand-in-github.js";
import { pullRequestEvent } from "../helpers/webhook-examples.js";
import { botEnv, commentDelivery, mainJs, OWNER, recipeRepository, SECRET, waitFor } from "./support/bot.js";
import { standInAndBotEnv } from "./support/bot-process.js";
import { repoRoot } from "./support/cli.js";
import { leftovers } from "./support/swarm.js";

/**
 * The real `npm start` process (`node dist/main.js`) driven over HTTP with signed deliveries; GitHub's
 * API is a stand-in on 127.0.0.1 reached through GHE_HOST/GHE_PROTOCOL=http; the recipe is a git
 * repository made from the hello fixture, cloned over file://; the run happens on the real swarm.
 */
describe("npm start refuses bad settings", () => {
  beforeAll(async () => {
    const build = await execa("npm", ["run", "build"], { cwd: repoRoot, reject: false });
    if (build.exitCode !== 0)
      console.warn(`npm run build reported errors (dist may still be usable):\n${build.stdout}`);
    expect(existsSync(mainJs), "dist/main.js is built").toBe(true);
  }, 180_000);

  it.each([
    ["a malformed CCCI_MAX_TESTS", { CCCI_MAX_TESTS: "lots" }, /CCCI_MAX_TESTS: expected a whole number/],
    ["a missing WEBHOOK_SECRET", { WEBHOOK_SECRET: "" }, /WEBHOOK_SECRET: required/],
    ["a missing APP_ID", { APP_ID: "" }, /APP_ID: required/],
  ])("%s stops start-up with a message naming the variable", async (_name, patch, message) => {
    const env = botEnv({
      APP_ID: "1",
      PRIVATE_KEY: testPrivateKey(),
      WEBHOOK_SECRET: SECRET,
      PORT: "0",
      ...patch,
    });
    const result = await execa("node", [mainJs], { env, reject: false, timeout: 30_000 });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toContain("BEGIN RSA PRIVATE KEY");
  });
});

describe("npm start on the real swarm", () => {
  let bot: ResultPromise | undefined;
  let github: StandInGitHub;
  let webhookUrl: string;
  let statusUrl: string;
  let headSha: string;
  let botLog = "";

  beforeAll(async () => {
    const repo = await recipeRepository();
    headSha = repo.headSha;
    const standIn = await standInAndBotEnv({ repoDir: repo.dir, headSha });
    github = standIn.github;
    const { env, port } = standIn;
    // What `npm start` runs, started directly so SIGTERM reaches the bot itself rather than npm.
    bot = execa("node", [mainJs], { cwd: repoRoot, env, reject: false, forceKillAfterDelay: 120_000 });
    bot.stderr?.on("data", (chunk: Buffer) => {
      botLog += chunk.toString();
    });
    webhookUrl = `http://127.0.0.1:${port}/api/github/webhooks`;
    statusUrl = `http://127.0.0.1:${port}/ccci`;
    await waitFor(
      "the bot's health check",
      async () => {
        const ok = await fetch(`${statusUrl}/healthz`).then(
          (r) => r.ok,
          () => false,
        );
        return ok ? true : undefined;
      },
      60_000,
    );
  }, 120_000);

  afterAll(async () => {
    await github?.stop();
    if (!bot) return;
    bot.kill("SIGTERM");
    const result = await bot;
    expect(result.exitCode, botLog.slice(-4000)).toBe(0);
  }, 300_000);

  function comment(body: string, sender: string) {
    return commentDelivery(body, sender);
  }

  it("a wrong signature is rejected and nothing reaches GitHub or the engine", async () => {
    const delivery = comment("!testme", "maintainer");
    delivery.headers["x-hub-signature-256"] = `sha256=${"f".repeat(64)}`;
    const response = await fetch(webhookUrl, {
      method: "POST",
      headers: delivery.headers,
      body: delivery.body,
    });
    expect(response.status).toBe(400);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(github.requests).toEqual([]);
  });

  it("a read-permission commenter is refused and nothing runs", async () => {
    const delivery = comment("!testme", "visitor");
    const response = await fetch(webhookUrl, {
      method: "POST",
      headers: delivery.headers,
      body: delivery.body,
    });
    expect(response.status).toBe(200);
    await waitFor("the refusal", () => github.comments.find((c) => c.body.includes("@visitor")), 30_000);
    expect(github.checkRuns).toEqual([]);
  });

  it("!testme from a write user runs cold: check run queued → completed success, ccci/cold status, sticky comment", async () => {
    const delivery = comment("!testme", "maintainer");
    const started = performance.now();
    const response = await fetch(webhookUrl, {
      method: "POST",
      headers: delivery.headers,
      body: delivery.body,
    });
    const ackMs = performance.now() - started;
    expect(response.status).toBe(200);
    expect(ackMs).toBeLessThan(1000);

    const check = await waitFor(
      "the completed check run",
      () => github.checkRuns.find((r) => r.current.status === "completed"),
      540_000,
    );
    expect(check.current.conclusion, `${JSON.stringify(check.current.output)}\n${botLog.slice(-3000)}`).toBe(
      "success",
    );
    expect(check.history[0]).toMatchObject({ name: "ccci / cold", status: "queued", head_sha: headSha });
    expect(check.history.map((h) => h.status)).toContain("in_progress");
    expect(String(check.current.external_id)).toMatch(/:cold$/);
    expect(github.reactions).toMatchObject([{ content: "eyes" }]);

    // The reporter writes check run → commit status → sticky comment: the comment is the last write.
    const sticky = await waitFor(
      "the sticky comment",
      () => github.comments.find((c) => c.body.startsWith("<!-- ccci:result mode=cold -->")),
      30_000,
    );
    const statuses = github.statuses.map((s) => [s.context, s.state, s.sha]);
    expect(statuses[0]).toEqual(["ccci/cold", "pending", headSha]);
    expect(statuses.at(-1)).toEqual(["ccci/cold", "success", headSha]);
    expect(sticky.body).toContain(headSha.slice(0, 7));
    expect(sticky.body).toContain("passed");
    expect(sticky.body).toContain(`/runs/${check.id}`);
    expect(github.problems).toEqual([]);

    const status = (await (await fetch(statusUrl, { headers: { accept: "application/json" } })).json()) as {
      recent: { state: string; mode: string; stack?: string }[];
    };
    expect(status.recent).toMatchObject([{ state: "passed", mode: "cold" }]);
    const stack = status.recent[0]?.stack;
    expect(stack).toMatch(/^hell-[0-9a-f]{6}_/);
    expect(await leftovers(stack as string)).toEqual([]);
  });

  it("a push supersedes the running run: it tears down, ends cancelled, and the sticky comment is edited in place", async () => {
    const checksBefore = github.checkRuns.length;
    const stickyBefore = github.comments.filter((c) => c.body.startsWith("<!-- ccci:result mode=cold -->"));
    const delivery = comment("!testme", "maintainer");
    expect(
      (await fetch(webhookUrl, { method: "POST", headers: delivery.headers, body: delivery.body })).status,
    ).toBe(200);
    const check = await waitFor(
      "the new check run in progress",
      () => {
        const candidate = github.checkRuns[checksBefore];
        return candidate?.history.some((h) => h.status === "in_progress") ? candidate : undefined;
      },
      120_000,
    );

    const push = pullRequestEvent("synchronize", "2".repeat(40));
    push.repository.name = "hello";
    push.repository.full_name = `${OWNER}/hello`;
    push.repository.owner.login = OWNER;
    const signed = signedDelivery("pull_request", push, SECRET);
    expect(
      (await fetch(webhookUrl, { method: "POST", headers: signed.headers, body: signed.body })).status,
    ).toBe(200);

    await waitFor(
      "the cancelled check run",
      () => (check.current.status === "completed" ? true : undefined),
      300_000,
    );
    expect(check.current.conclusion).toBe("cancelled");
    expect(String(JSON.stringify(check.current.output))).toContain("superseded by a push of 2222222");
    const sticky = await waitFor(
      "the edited sticky comment",
      () => {
        const found = github.comments.find((c) => c.body.startsWith("<!-- ccci:result mode=cold -->"));
        return found?.body.includes("cancelled") ? found : undefined;
      },
      30_000,
    );
    expect(github.comments.filter((c) => c.body.startsWith("<!-- ccci:result mode=cold -->"))).toHaveLength(
      1,
    );
    expect(sticky.id).toBe(stickyBefore[0]?.id);
    expect(github.statuses.at(-1)).toMatchObject({ context: "ccci/cold", state: "error" });
    expect(github.problems).toEqual([]);

    const status = (await (await fetch(statusUrl, { headers: { accept: "application/json" } })).json()) as {
      recent: { state: string; stack?: string }[];
    };
    const cancelled = status.recent.find((r) => r.state === "cancelled");
    expect(cancelled?.stack).toMatch(/^hell-[0-9a-f]{6}_/);
    expect(await leftovers(cancelled?.stack as string)).toEqual([]);
  });

  it("!testme --quick reports under ccci / quick with the engine's note, and posts no commit status", async () => {
    const checksBefore = github.checkRuns.length;
    const statusesBefore = github.statuses.length;
    const delivery = comment("!testme --quick", "maintainer");
    expect(
      (await fetch(webhookUrl, { method: "POST", headers: delivery.headers, body: delivery.body })).status,
    ).toBe(200);
    const sticky = await waitFor(
      "the quick sticky comment",
      () => github.comments.find((c) => c.body.startsWith("<!-- ccci:result mode=quick -->")),
      540_000,
    );
    const check = github.checkRuns[checksBefore];
    expect(check?.history[0]).toMatchObject({ name: "ccci / quick", status: "queued" });
    expect(check?.current.status).toBe("completed");
    expect(["success", "neutral"]).toContain(check?.current.conclusion);
    expect(String(check?.current.external_id)).toMatch(/:quick$/);
    expect(sticky.body).toContain("**Mode:** quick");
    expect(sticky.body).toContain("Advisory");
    // hello has no warm canonical here: the engine falls back to cold and says so in the run's notes.
    expect(sticky.body).toMatch(/> \*\*Note:\*\* quick requested, .*: ran cold instead/);
    expect(github.statuses.length).toBe(statusesBefore);
    expect(github.problems).toEqual([]);
  });

  it("serves Prometheus metrics at /metrics counting the runs it finished, by mode and verdict", async () => {
    const text = await fetch(statusUrl.replace(/\/ccci$/, "/metrics")).then((r) => r.text());
    expect(text).toMatch(/ccci_runs_total\{mode="cold",verdict="passed"\} [1-9]/);
    expect(text).toMatch(/ccci_runs_total\{mode="quick",verdict="passed"\} [1-9]/);
    expect(text).toContain("ccci_disk_free_bytes");
  });
});
