import { existsSync } from "node:fs";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { commentDelivery, waitFor } from "./support/bot.js";
import { checkRunInProgress } from "./support/bot-process.js";
import { storeOf } from "./support/canonical.js";
import {
  canonicalBotSuite,
  expectQuickCheckCancelled,
  expectRecovered,
  quickRun,
} from "./support/crash-suite.js";
import { killWhenAppears } from "./support/kill-on-file.js";
import { busyboxCompose } from "./support/versioned-recipe.js";

/** A bad pull request: corrupts the data and never gets healthy (its convergence gives up after 10 s). */
const corrupting = busyboxCompose(
  `
echo CORRUPTED > /data/marker
rm -f /data/blob
exec httpd -f -p 8080 -h /data/nowhere`,
  { healthcheck: '["CMD", "test", "-f", "/data/nowhere/index.html"]' },
).replace("TIMEOUT:-40}", "TIMEOUT:-10}");

/** True once a container of the canonical runs the pull request's head. */
async function prHeadDeployed(stack: string, commit: string): Promise<true | undefined> {
  const { stdout } = await execa("docker", [
    ...["ps", "-aq", "--filter", `label=com.docker.swarm.service.name=${stack}_app`],
    ...["--filter", `label=ccci.commit=${commit}`],
  ]);
  return stdout.trim() !== "" || undefined;
}

/**
 * (d) A `--quick` run whose pull request corrupts the canonical's data and fails; the bot is SIGKILLed
 * (whole process group) the moment the rollback's restore writes its intent, i.e. with the volumes about
 * to be switched back. Started again, recovery must finish the restore (every volume an empty scratch
 * layer over the current snapshot), leave the canonical undeployed and complete the check run as cancelled.
 */
describe("a bot killed with SIGKILL mid rollback restore, then restarted", () => {
  const suite = canonicalBotSuite("bcrestore", 1, { branch: "pr-corrupts", compose: corrupting });

  it("finishes the restore at restart, leaves the canonical undeployed and completes the check run as cancelled", async () => {
    const { bot, github, canonical, change } = suite();
    const store = storeOf(canonical);
    const intent = store.layout.restoreIntent;
    await bot.start();
    expect(await bot.deliver(commentDelivery("!testme --quick", "maintainer"))).toBe(200);
    const check = await waitFor("the quick check run in progress", () => checkRunInProgress(github), 120_000);
    // The run's first restore (back to the known-good before the reattach) is over once the head deploys.
    await waitFor("the PR head deployed", () => prHeadDeployed(canonical.stack, change), 120_000);
    const armed = killWhenAppears(
      bot,
      store.layout.root,
      (name) => name === "restore-intent.json" && existsSync(intent),
    );

    expect(await armed.killed).toBe("restore-intent.json");
    expect(await bot.exited()).toMatchObject({ signal: "SIGKILL" });
    expect(existsSync(intent), "the kill landed before the restore finished").toBe(true);
    expect(check.current.status).not.toBe("completed");

    await bot.start();
    await expectQuickCheckCancelled(check);
    expect(existsSync(intent)).toBe(false);
    await expectRecovered(suite(), quickRun);
  });
});
