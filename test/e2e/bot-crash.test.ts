import { execa, type ResultPromise } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testPrivateKey } from "../helpers/probot-harness.js";
import { StandInGitHub } from "../helpers/stand-in-github.js";
import {
  botEnv,
  commentDelivery,
  freePort,
  mainJs,
  OWNER,
  recipeRepository,
  SECRET,
  waitFor,
} from "./support/bot.js";
import { repoRoot } from "./support/cli.js";
import { leftovers } from "./support/swarm.js";

/**
 * The bot is SIGKILLed in the middle of a cold deploy (no handler runs, nothing is torn down by the dying
 * process) and started again on the same state dir: recovery must tear the run down and complete its
 * check run as cancelled, so the Re-run button works.
 */
describe("a bot killed with SIGKILL mid-deploy, then restarted", () => {
  let github: StandInGitHub;
  let env: Record<string, string>;
  let port: number;
  let bot: ResultPromise | undefined;

  const start = async () => {
    bot = execa("node", [mainJs], { cwd: repoRoot, env, reject: false });
    await waitFor(
      "the bot's health check",
      async () =>
        (await fetch(`http://127.0.0.1:${port}/ccci/healthz`).then(
          (r) => r.ok,
          () => false,
        ))
          ? true
          : undefined,
      60_000,
    );
  };

  beforeAll(async () => {
    const repo = await recipeRepository();
    github = new StandInGitHub(
      {
        owner: OWNER,
        repo: "hello",
        number: 2,
        headSha: repo.headSha,
        cloneUrl: `file://${repo.dir}`,
        baseRef: "main",
      },
      { maintainer: "write" },
    );
    const gheHost = await github.start();
    port = await freePort();
    env = botEnv({
      APP_ID: "1",
      PRIVATE_KEY: testPrivateKey(),
      WEBHOOK_SECRET: SECRET,
      PORT: String(port),
      GHE_HOST: gheHost,
      GHE_PROTOCOL: "http",
    });
    await start();
  }, 120_000);

  afterAll(async () => {
    bot?.kill("SIGTERM");
    await bot;
    await github?.stop();
  }, 300_000);

  it("tears the run down at restart and completes its check run as cancelled", async () => {
    const delivery = commentDelivery("!testme", "maintainer");
    const webhook = `http://127.0.0.1:${port}/api/github/webhooks`;
    expect(
      (await fetch(webhook, { method: "POST", headers: delivery.headers, body: delivery.body })).status,
    ).toBe(200);
    const check = await waitFor(
      "the check run in progress",
      () => {
        const candidate = github.checkRuns[0];
        return candidate?.history.some((h) => h.status === "in_progress") ? candidate : undefined;
      },
      120_000,
    );
    const stack = await waitFor(
      "the deployed stack",
      async () => {
        const { stdout } = await execa("docker", ["service", "ls", "--format", "{{.Name}}"]);
        return stdout
          .split("\n")
          .find((name) => /^hell-[0-9a-f]{6}_/.test(name))
          ?.replace(/_app$/, "");
      },
      120_000,
    );

    bot!.kill("SIGKILL");
    await bot;
    expect(await leftovers(stack)).not.toEqual([]); // the dead bot left its app behind
    expect(check.current.status).not.toBe("completed");

    await start();
    await waitFor(
      "the interrupted check run completed",
      () => (check.current.status === "completed" ? true : undefined),
      120_000,
    );
    expect(check.current.conclusion).toBe("cancelled");
    expect(JSON.stringify(check.current.output)).toMatch(/restart/i);
    await waitFor(
      "the recovered stack gone",
      async () => ((await leftovers(stack)).length === 0 ? true : undefined),
      60_000,
    );
    expect(github.problems).toEqual([]);
  });
});
