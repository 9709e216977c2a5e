import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../src/log.js";
import { SnapshotStore } from "../../src/warm/snapshot-store.js";
import { ccci, cliPath, tempStateDir } from "./support/cli.js";
import { busyboxCompose, versionedRecipe } from "./support/versioned-recipe.js";

const recipe = "warmapp";
const stack = `warm-${recipe}_ci_localhost`;
const envSample = `TYPE=${recipe}\nDOMAIN=${recipe}.example.com\nLETS_ENCRYPT_ENV=production\nCOMPOSE_FILE="compose.yml"\n`;

/** The known-good app: writes its marker data once, at first boot, and serves it. */
const good = busyboxCompose(`
mkdir -p /data/www
[ -f /data/marker ] || echo "marker written by the known-good at first boot" > /data/marker
[ ! -f /data/pr-was-here ] || echo "a previous PR's change was still in the volume" > /data/stale
cp /data/marker /data/www/index.html
exec httpd -f -p 8080 -h /data/www`);

/** A passing PR: changes the volume (a migration, say) and serves; installs fresh too. */
const prPasses = busyboxCompose(`
mkdir -p /data/www
[ -f /data/marker ] || echo "marker written by a fresh install of the PR" > /data/marker
[ ! -f /data/pr-was-here ] || echo "a previous PR's change was still in the volume" > /data/stale
echo changed > /data/pr-was-here
cp /data/marker /data/www/index.html
exec httpd -f -p 8080 -h /data/www`);

/** Upgrades fine, but cannot install on empty volumes (it expects the marker): promotion must fail. */
const upgradeOnly = busyboxCompose(`
mkdir -p /data/www
cp /data/marker /data/www/index.html
exec httpd -f -p 8080 -h /data/www`);

/** A bad PR: corrupts the data, then never gets healthy. */
const prCorrupts = busyboxCompose(
  `
echo "CORRUPTED" > /data/marker
rm -rf /data/www
exec httpd -f -p 8080 -h /data/nowhere`,
  { healthcheck: '["CMD", "test", "-f", "/data/www/index.html"]' },
);

const noStale = {
  "tests/ccci/10-started-from-known-good": `#!/bin/sh
# The quick run must start from the last-known-good data, not from a previous PR's changes.
ccci-exec app -- sh -c '[ ! -f /data/stale ]'
`,
};

async function git(dir: string, ...args: string[]) {
  return (
    await execa("git", ["-c", "user.email=ci@example.org", "-c", "user.name=ci", ...args], { cwd: dir })
  ).stdout.trim();
}

async function branchWith(dir: string, branch: string, compose: string): Promise<string> {
  await git(dir, "checkout", "-q", "-b", branch, "main");
  writeFileSync(join(dir, "compose.yml"), compose);
  await git(dir, "commit", "-qam", branch);
  const sha = await git(dir, "rev-parse", "HEAD");
  await git(dir, "checkout", "-q", "main");
  return sha;
}

async function volumeFile(path: string): Promise<string> {
  const { stdout } = await execa(
    "docker",
    ["run", "--rm", "-v", `${stack}_data:/data:ro`, "ccci/busybox:local", "cat", path],
    { reject: false },
  );
  return stdout.trim();
}

describe("warm canonicals, quick runs and promotion on the real swarm", () => {
  const stateDir = tempStateDir("ccci-warm-");
  const env = { CCCI_STATE_DIR: stateDir };
  const registryFile = join(stateDir, "canonicals.yml");
  let repo: string;
  let goodSha: string;
  let store: SnapshotStore;

  afterAll(async () => {
    // The canonical is meant to outlive runs; the test's canonical goes with the test.
    await execa("docker", ["stack", "rm", stack], { reject: false });
    for (let i = 0; i < 30; i++) {
      const left = await execa("docker", [
        "ps",
        "-aq",
        "--filter",
        `label=com.docker.stack.namespace=${stack}`,
      ]);
      if (left.stdout.trim() === "") break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    for (const kind of ["volume", "secret"]) {
      const names = (await execa("docker", [kind, "ls", "--format", "{{.Name}}"])).stdout
        .split("\n")
        .filter((n) => n.startsWith(`${stack}_`));
      if (names.length > 0) await execa("docker", [kind, "rm", ...names], { reject: false });
    }
  });

  beforeAll(async () => {
    const made = await versionedRecipe(recipe, [
      {
        files: { "compose.yml": good, ".env.sample": envSample, ...noStale },
        executables: Object.keys(noStale),
      },
    ]);
    repo = made.dir;
    goodSha = made.head;
    writeFileSync(
      join(stateDir, "recipes.yml"),
      `recipes:\n  ${recipe}:\n    repo: file://${repo}\n    branch: main\n`,
    );
    await execa("docker", ["stack", "rm", stack], { reject: false });
  });

  it("quick without a canonical falls back to cold and says so", async () => {
    const { run } = await ccci(["run", repo, "--quick", "--json"], env);
    expect(run?.mode).toBe("quick");
    expect(run?.state, run?.reason).toBe("passed");
    expect(run!.notes.join("\n")).toMatch(/quick requested, no canonical for warmapp yet: ran cold instead/);
    expect(run!.domain).toMatch(/^wrm-[0-9a-f]{6}\./);
  });

  it("seeds the canonical from a green cold run of the default-branch head", async () => {
    const { exitCode, stdout } = await ccci(["canonical", "seed", recipe], env);
    expect(stdout).toMatch(/promoted the canonical of warmapp/);
    expect(exitCode).toBe(0);
    const registry = readFileSync(registryFile, "utf8");
    expect(registry).toContain(goodSha);
    ({ store } = await SnapshotStore.open({ stateDir, recipe, stack, log: createLogger("warn") }));
    expect((await store.current())?.meta.commit).toBe(goodSha);
    expect(await volumeFile("/data/marker")).toBe("marker written by the known-good at first boot");
  });

  it("a passing quick run leaves the known-good and the snapshot alone, and the next one starts from the known-good data", async () => {
    const prSha = await branchWith(repo, "pr-passes", prPasses);
    const registryBefore = readFileSync(registryFile, "utf8");
    const snapshotBefore = (await store.current())!;
    for (const attempt of [1, 2]) {
      const { run } = await ccci(["run", repo, "--ref", prSha, "--quick", "--json"], env);
      expect(run?.state, `attempt ${attempt}: ${run?.reason}`).toBe("passed");
      expect(run!.domain).toBe(`warm-${recipe}.ci.localhost`);
      expect(run!.tiers.map((t) => [t.name, t.status])).toEqual([
        ["reattach", "passed"],
        ["upgrade", "passed"],
        ["custom", "passed"],
      ]);
    }
    expect(readFileSync(registryFile, "utf8")).toBe(registryBefore);
    expect((await store.current())!.id).toBe(snapshotBefore.id);
    expect(await volumeFile("/data/pr-was-here")).toBe("changed"); // the PR's change stays until the next run
  });

  it("rollback proof: a PR that corrupts the data and fails leaves the last-known-good intact", async () => {
    const badSha = await branchWith(repo, "pr-corrupts", prCorrupts);
    const registryBefore = readFileSync(registryFile, "utf8");
    const { exitCode, run } = await ccci(
      ["run", repo, "--ref", badSha, "--quick", "--timeout", "20", "--json"],
      env,
    );
    expect(exitCode).toBe(1);
    expect(run!.tiers.find((t) => t.name === "upgrade")?.status).toBe("failed");
    expect(run!.tiers.find((t) => t.name === "rollback")).toMatchObject({ status: "passed" });
    const manifest = (await store.current())!;
    for (const volume of manifest.volumes)
      expect(await store.digestVolume(volume.dockerName)).toBe(volume.digest);
    expect(await volumeFile("/data/marker")).toBe("marker written by the known-good at first boot");
    expect(readFileSync(registryFile, "utf8")).toBe(registryBefore);
  });

  it("crash during a quick upgrade: after SIGKILL, ccci recover undeploys the canonical and restores its data", async () => {
    const prSha = await git(repo, "rev-parse", "pr-passes");
    const child = execa("node", [cliPath, "run", repo, "--ref", prSha, "--quick"], {
      reject: false,
      env: { ...env, LOG_LEVEL: "warn" },
    });
    let output = "";
    await new Promise<void>((resolve) => {
      void child.then(() => resolve());
      child.stdout?.on("data", (chunk: Buffer) => {
        output += chunk.toString();
        if (/\.\.\. {2}upgrade: converge/.test(output) && !child.killed) {
          child.kill("SIGKILL");
          resolve();
        }
      });
    });
    await child;
    expect(output).toMatch(/upgrade: converge/);
    const services = await execa("docker", [
      "service",
      "ls",
      "-q",
      "--filter",
      `label=com.docker.stack.namespace=${stack}`,
    ]);
    expect(services.stdout.trim()).not.toBe(""); // the killed run left the canonical deployed mid-upgrade

    const recover = await ccci(["recover"], env);
    expect(recover.stdout).toContain("1 interrupted run(s) recovered");
    const after = await execa("docker", [
      "service",
      "ls",
      "-q",
      "--filter",
      `label=com.docker.stack.namespace=${stack}`,
    ]);
    expect(after.stdout.trim()).toBe("");
    const manifest = (await store.current())!;
    for (const volume of manifest.volumes)
      expect(await store.digestVolume(volume.dockerName)).toBe(volume.digest);
    expect(await volumeFile("/data/pr-was-here")).toBe(""); // the PR's change is gone with the scratch layer
  });

  it("never promotes a PR head; a failing promotion keeps the old canonical; a green default-branch head advances it", async () => {
    const prSha = await git(repo, "rev-parse", "pr-passes");
    const registryBefore = readFileSync(registryFile, "utf8");
    const pr = await ccci(["run", repo, "--ref", prSha, "--promote", "--json"], env);
    expect(pr.run?.state, pr.run?.reason).toBe("passed");
    expect(pr.run!.notes.join("\n")).toMatch(
      /not promoted: .* is neither the head of main nor the latest release/,
    );
    expect(readFileSync(registryFile, "utf8")).toBe(registryBefore);

    writeFileSync(join(repo, "compose.yml"), upgradeOnly);
    await git(repo, "commit", "-qam", "upgrade works, fresh install does not");
    const failing = await ccci(["canonical", "seed", recipe], env);
    expect(failing.exitCode).toBe(1);
    expect(failing.stdout).toMatch(/promotion failed: .*; the previous canonical is intact/);
    expect(readFileSync(registryFile, "utf8")).toBe(registryBefore);
    expect(await volumeFile("/data/marker")).toBe("marker written by the known-good at first boot");

    writeFileSync(join(repo, "compose.yml"), prPasses);
    await git(repo, "commit", "-qam", "fresh install fixed");
    const head = await git(repo, "rev-parse", "HEAD");
    const advanced = await ccci(["canonical", "seed", recipe], env);
    expect(advanced.exitCode, advanced.stdout).toBe(0);
    const list = await ccci(["canonical", "list", "--json"], env);
    expect(JSON.parse(list.stdout)[0].knownGood).toMatchObject({ commit: head, ref: "main" });
  });
});
