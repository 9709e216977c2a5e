import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StandInGitHub } from "../helpers/stand-in-github.js";
import { commentDelivery, recipeRepository, waitFor } from "./support/bot.js";
import { type BotProcess, botWithStandIn, checkRunInProgress } from "./support/bot-process.js";
import { leftovers } from "./support/swarm.js";

/** The stack of the cold run of `hello` once the swarm has its service. */
async function coldStack(): Promise<string | undefined> {
  const { stdout } = await execa("docker", ["service", "ls", "--format", "{{.Name}}"]);
  return stdout
    .split("\n")
    .find((name) => /^hell-[0-9a-f]{6}_/.test(name))
    ?.replace(/_app$/, "");
}

/**
 * (a) The bot is SIGKILLed (its whole process group) in the middle of a cold deploy: no handler runs,
 * nothing is torn down by the dying process. Started again on the same state dir, recovery must tear the
 * run down and complete its check run as cancelled, so the Re-run button works.
 */
describe("a bot killed with SIGKILL mid-deploy, then restarted", () => {
  let github: StandInGitHub;
  let bot: BotProcess;

  beforeAll(async () => {
    const repo = await recipeRepository();
    ({ github, bot } = await botWithStandIn({ repoDir: repo.dir, headSha: repo.headSha }));
    await bot.start();
  }, 120_000);

  afterAll(async () => {
    await bot?.stop();
    await github?.stop();
  }, 300_000);

  it("tears the run down at restart and completes its check run as cancelled", async () => {
    expect(await bot.deliver(commentDelivery("!testme", "maintainer"))).toBe(200);
    const check = await waitFor("the check run in progress", () => checkRunInProgress(github), 120_000);
    const stack = await waitFor("the deployed stack", coldStack, 120_000);

    await bot.kill();
    expect(await leftovers(stack)).not.toEqual([]); // the dead bot left its app behind
    expect(check.current.status).not.toBe("completed");

    await bot.start();
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
