import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StandInGitHub } from "../helpers/stand-in-github.js";
import { commentDelivery, recipeRepository, waitFor } from "./support/bot.js";
import { type BotProcess, botWithStandIn } from "./support/bot-process.js";
import { leftovers } from "./support/swarm.js";

/**
 * A docker that breaks once teardown starts: after `docker stack rm` every `docker ps -a` (which the
 * closure check needs) fails as if the daemon had gone away. Everything else is the real docker.
 */
function brokenDocker(dir: string): string {
  const path = join(dir, "docker");
  writeFileSync(
    path,
    [
      "#!/bin/sh",
      `flag=${JSON.stringify(join(dir, "removing"))}`,
      'if [ "$1" = stack ] && [ "$2" = rm ]; then touch "$flag"; fi',
      'if [ -e "$flag" ] && [ "$1" = ps ] && [ "$2" = -a ]; then',
      '  echo "Cannot connect to the Docker daemon (injected by the test)" >&2; exit 1',
      "fi",
      'exec docker "$@"',
      "",
    ].join("\n"),
  );
  chmodSync(path, 0o755);
  return path;
}

/** Removes what the run left (its teardown could not look): the test's own stack only. */
async function removeLeftovers(stack: string): Promise<void> {
  for (let i = 0; i < 40 && (await leftovers(stack)).length > 0; i++) {
    const names = await leftovers(stack);
    for (const kind of ["container", "volume", "network", "secret", "config"]) {
      const args = kind === "container" ? ["rm", "-f", ...names] : [kind, "rm", ...names];
      await execa("docker", args, { reject: false });
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

describe("a closure check that cannot run", () => {
  let github: StandInGitHub;
  let bot: BotProcess;
  let stack: string | undefined;

  beforeAll(async () => {
    const repo = await recipeRepository();
    const docker = brokenDocker(mkdtempSync(join(tmpdir(), "ccci-broken-docker-")));
    ({ github, bot } = await botWithStandIn(
      { repoDir: repo.dir, headSha: repo.headSha },
      { CCCI_DOCKER_BIN: docker },
    ));
    await bot.start();
  }, 120_000);

  afterAll(async () => {
    await bot?.stop();
    await github?.stop();
    if (stack) await removeLeftovers(stack);
  }, 300_000);

  it("fails the run (never counts as clean) and says why", async () => {
    expect(await bot.deliver(commentDelivery("!testme", "maintainer"))).toBe(200);
    stack = await waitFor(
      "the deployed stack",
      async () => {
        const { stdout } = await execa("docker", ["service", "ls", "--format", "{{.Name}}"]);
        return stdout
          .split("\n")
          .find((name) => /^hell-[0-9a-f]{6}_/.test(name))
          ?.replace(/_app$/, "");
      },
      180_000,
    );
    const check = await waitFor(
      "the check run completed",
      () => (github.checkRuns[0]?.current.status === "completed" ? github.checkRuns[0] : undefined),
      300_000,
    );
    expect(check.current.conclusion).toBe("failure");
    expect(JSON.stringify(check.current.output)).toContain("the closure check could not run");
    await waitFor(
      "the gate set to failure",
      () => (github.statuses.at(-1)?.state === "failure" ? true : undefined),
      60_000,
    );
    expect(github.problems).toEqual([]);
  });
});
