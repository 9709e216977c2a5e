import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { loadSettings } from "../../src/config.js";
import { createEngine } from "../../src/engine/engine.js";
import { createLogger } from "../../src/log.js";
import { tempStateDir } from "./support/cli.js";
import { leftovers } from "./support/swarm.js";
import { busyboxCompose, versionedRecipe } from "./support/versioned-recipe.js";

const envSample = 'TYPE=forked\nDOMAIN=forked.example.com\nCOMPOSE_FILE="compose.yml"\n';
const serving = (what: string) =>
  busyboxCompose(`
mkdir -p /data/www
echo "${what}" > /data/www/index.html
exec httpd -f -p 8080 -h /data/www`);

const git = (cwd: string, ...args: string[]) =>
  execa("git", ["-c", "user.email=ci@example.org", "-c", "user.name=ci", ...args], { cwd }).then((r) =>
    r.stdout.trim(),
  );

/**
 * A fork's pull request on the real swarm, the way the bot submits it (base repository cloned, head
 * fetched from the fork by SHA). The fork's author tagged an unreviewed commit as a newer release and
 * moved the fork's main there: the install tier must deploy upstream's release, never the fork's.
 */
describe("a fork's pull request installs upstream's base and upgrades to the pinned head", () => {
  it("installs release 1.0.0+1.0.0 from upstream, not the fork's 9.9.9+9.9.9, then the head", async () => {
    const upstream = await versionedRecipe("forked", [
      { files: { ".env.sample": envSample, "compose.yml": serving("v1") }, tag: "1.0.0+1.0.0" },
    ]);
    const fork = join(mkdtempSync(join(tmpdir(), "ccci-fork-")), "forked");
    await execa("git", ["clone", "-q", upstream.dir, fork]);
    await execa("cp", [join(upstream.dir, "compose.yml"), join(fork, "compose.yml")]);
    await git(fork, "commit", "-q", "--allow-empty", "-m", "unreviewed");
    const unreviewed = await git(fork, "rev-parse", "HEAD");
    await git(fork, "tag", "9.9.9+9.9.9");
    await git(fork, "checkout", "-q", "-b", "pr");
    await execa("sh", ["-c", `printf '%s' "$1" > compose.yml`, "sh", serving("v2")], { cwd: fork });
    await git(fork, "commit", "-qam", "the pull request");
    const head = await git(fork, "rev-parse", "HEAD");

    const settings = loadSettings({ CCCI_STATE_DIR: tempStateDir() });
    const engine = createEngine({ settings, log: createLogger("warn") });
    const run = await engine.submit({
      repo: "upstream/forked#1",
      source: { kind: "git", url: upstream.dir, headUrl: fork },
      ref: head,
      recipe: "forked",
      mode: "cold",
      targetBranch: "main",
      tiers: ["install", "upgrade"],
    }).done;
    expect(run.state, run.reason).toBe("passed");
    expect(run.sha).toBe(head);
    expect(run.tiers.find((t) => t.name === "install")?.detail).toContain("release 1.0.0+1.0.0");
    expect(JSON.stringify(run)).not.toContain("9.9.9");
    expect(JSON.stringify(run)).not.toContain(unreviewed.slice(0, 12));
    expect(run.tiers.find((t) => t.name === "upgrade")?.status).toBe("passed");
    expect(await leftovers(run.stack!)).toEqual([]);
  });
});
