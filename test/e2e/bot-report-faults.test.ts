import { readFileSync } from "node:fs";
import { execa } from "execa";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { CheckRunRecord, StandInGitHub } from "../helpers/stand-in-github.js";
import { commentDelivery, recipeRepository, waitFor } from "./support/bot.js";
import { type BotProcess, botWithStandIn, checkRunInProgress } from "./support/bot-process.js";
import { leftovers } from "./support/swarm.js";

const completed = (check: CheckRunRecord | undefined) =>
  check?.current.status === "completed" ? check : undefined;
const coldStatuses = (github: StandInGitHub) =>
  github.statuses.filter((s) => s.context === "ccci/cold").map((s) => s.state);
const isFinal = (body: Record<string, unknown> | undefined) => body?.status === "completed";
/** The stack of the cold run of `hello` once the swarm has its service. */
async function coldStack(): Promise<string | undefined> {
  const { stdout } = await execa("docker", ["service", "ls", "--format", "{{.Name}}"]);
  return stdout
    .split("\n")
    .find((name) => /^hell-[0-9a-f]{6}_/.test(name))
    ?.replace(/_app$/, "");
}

/**
 * The real bot and a real cold run of the `hello` fixture on the swarm, with a stand-in GitHub that
 * fails while the result is reported: every result must reach GitHub in the end, within bounded
 * attempts, and a restart must complete what a crash or an outage left open.
 */
describe("reports when GitHub fails", () => {
  let github: StandInGitHub;
  let bot: BotProcess;

  beforeAll(async () => {
    const repo = await recipeRepository();
    ({ github, bot } = await botWithStandIn(
      { repoDir: repo.dir, headSha: repo.headSha },
      { CCCI_REPORT_ATTEMPTS: "3", CCCI_REPORT_BACKOFF: "1", CCCI_GITHUB_TIMEOUT: "3" },
    ));
    await bot.start();
  }, 120_000);

  afterEach(() => {
    github.heal();
    github.checkRuns.length = 0;
    github.statuses.length = 0;
  });

  afterAll(async () => {
    await bot?.stop();
    await github?.stop();
  }, 300_000);

  it("a final report that meets 5xx and a hung request is retried until delivered", async () => {
    // Each attempt is Octokit's request plus its own 3 retries: 6 failures span two of our attempts.
    const patch = github.fail({ route: /^PATCH \/check-runs\/\d+$/, when: isFinal, kind: "5xx", times: 6 });
    const status = github.fail({
      route: /^POST \/statuses\//,
      when: (b) => b?.state === "success" || b?.state === "failure",
      kind: "hang",
      times: 1,
    });
    expect(await bot.deliver(commentDelivery("!testme", "maintainer"))).toBe(200);
    const check = await waitFor(
      "the check run delivered completed",
      () => completed(github.checkRuns[0]),
      240_000,
    );
    expect(check.current.conclusion).toBe("success");
    expect(patch.hits).toBe(6);
    await waitFor(
      "the final status",
      () => (coldStatuses(github).at(-1) === "success" ? true : undefined),
      60_000,
    );
    expect(status.hits).toBe(1); // hung, aborted after CCCI_GITHUB_TIMEOUT, sent again
    await waitFor(
      "the sticky comment",
      () =>
        github.comments.some((c) => c.body.startsWith("<!-- ccci:result mode=cold -->")) ? true : undefined,
      60_000,
    );
    expect(github.problems).toEqual([]);
  });

  it("an outage longer than the attempts is logged loudly, and the next start delivers the result", async () => {
    const patch = github.fail({ route: /^PATCH \/check-runs\/\d+$/, when: isFinal, kind: "5xx" });
    expect(await bot.deliver(commentDelivery("!testme", "maintainer"))).toBe(200);
    await waitFor(
      "the give-up in the log",
      () => (/NOT DELIVERED after 3 attempts/.test(readFileSync(bot.log, "utf8")) ? true : undefined),
      300_000,
    );
    expect(patch.hits).toBe(12); // 3 attempts × (1 + Octokit's 3 retries): bounded
    const check = github.checkRuns[0] as CheckRunRecord;
    expect(check.current.status).not.toBe("completed");
    expect(coldStatuses(github).at(-1)).toBe("pending");

    await bot.stop();
    github.heal();
    await bot.start();
    await waitFor("the result delivered after the restart", () => completed(check), 60_000);
    expect(check.current.conclusion).toBe("success");
    await waitFor("the status", () => (coldStatuses(github).at(-1) === "success" ? true : undefined), 30_000);
    expect(github.checkRuns).toHaveLength(1); // the same check run, not a new one
    expect(github.problems).toEqual([]);
  });

  it("a crash with one run in progress and one queued completes both at restart; no gate stays pending", async () => {
    expect(await bot.deliver(commentDelivery("!testme", "maintainer"))).toBe(200);
    const running = await waitFor("the cold run in progress", () => checkRunInProgress(github), 120_000);
    expect(await bot.deliver(commentDelivery("!testme --quick", "maintainer"))).toBe(200);
    const queued = await waitFor("the quick run queued", () => github.checkRuns[1], 60_000);
    expect(queued.current.status).toBe("queued");
    const stack = await waitFor("the deployed stack", coldStack, 120_000);

    await bot.kill();
    expect(coldStatuses(github).at(-1)).toBe("pending");
    await bot.start();
    await waitFor(
      "both completed",
      () => (completed(running) && completed(queued) ? true : undefined),
      120_000,
    );
    expect(running.current.conclusion).toBe("cancelled");
    expect(queued.current.conclusion).toBe("cancelled");
    await waitFor(
      "the gate set to error",
      () => (coldStatuses(github).at(-1) === "error" ? true : undefined),
      60_000,
    );
    expect(coldStatuses(github)).not.toContain("success");
    await waitFor(
      "the stack gone",
      async () => ((await leftovers(stack)).length === 0 ? true : undefined),
      60_000,
    );
    expect(github.problems).toEqual([]);
  });
});
