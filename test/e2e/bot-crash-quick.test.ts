import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { commentDelivery, waitFor } from "./support/bot.js";
import { checkRunInProgress } from "./support/bot-process.js";
import { deployedParts, storeOf } from "./support/canonical.js";
import {
  canonicalBotSuite,
  expectQuickCheckCancelled,
  expectRecovered,
  quickRun,
} from "./support/crash-suite.js";
import { busyboxCompose } from "./support/versioned-recipe.js";

/**
 * A pull request whose upgrade is a slow migration: it changes the canonical's data at once, then takes
 * its time before it serves (a long start_period keeps swarm from killing it meanwhile).
 */
const slowMigration = busyboxCompose(`
echo "the pull request was here" > /data/pr-was-here
sleep 60
mkdir -p /data/www
echo pr > /data/www/index.html
exec httpd -f -p 8080 -h /data/www`).replace("start_period: 3s", "start_period: 120s");

/** The PR head's container of the canonical once it has changed the data (its file is there). */
async function prHeadChangedData(stack: string, commit: string): Promise<string | undefined> {
  const { stdout } = await execa("docker", [
    ...["ps", "-q", "--filter", `label=com.docker.swarm.service.name=${stack}_app`],
    ...["--filter", `label=ccci.commit=${commit}`],
  ]);
  for (const id of stdout.split("\n").filter(Boolean)) {
    const probe = await execa("docker", ["exec", id, "test", "-f", "/data/pr-was-here"], { reject: false });
    if (probe.exitCode === 0) return id;
  }
  return undefined;
}

/**
 * (b) The bot is SIGKILLed (its whole process group) while a `--quick` run upgrades the canonical to the
 * pull request's head, after the head has changed the canonical's data. Started again on the same state
 * dir, its recovery must undeploy the canonical, put every volume back to the last-known-good snapshot,
 * leave the registry alone and complete the check run as cancelled.
 */
describe("a bot killed with SIGKILL mid quick upgrade, then restarted", () => {
  const suite = canonicalBotSuite("bcquick", 1, { branch: "pr-migrates", compose: slowMigration });

  it("undeploys the canonical, restores its last-known-good and completes the check run as cancelled", async () => {
    const { bot, github, canonical, change } = suite();
    await bot.start();
    expect(await bot.deliver(commentDelivery("!testme --quick", "maintainer"))).toBe(200);
    const check = await waitFor("the quick check run in progress", () => checkRunInProgress(github), 120_000);
    await waitFor(
      "the PR head changing the canonical's data",
      () => prHeadChangedData(canonical.stack, change),
      120_000,
    );

    await bot.kill();
    expect(check.current.status).not.toBe("completed");
    expect(await deployedParts(canonical.stack)).not.toEqual([]); // the dead bot left the canonical deployed
    expect(Object.values(await storeOf(canonical).volumeStates())).toContain("modified");

    await bot.start();
    await expectQuickCheckCancelled(check);
    await expectRecovered(suite(), quickRun);
  });
});
