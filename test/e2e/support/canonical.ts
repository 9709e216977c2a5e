import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { expect } from "vitest";
import { randomHex, stackName, warmDomain } from "../../../src/recipe/naming.js";
import { SnapshotStore } from "../../../src/warm/snapshot-store.js";
import { git } from "./bot.js";
import { ccci } from "./cli.js";
import { busyboxCompose, versionedRecipe } from "./versioned-recipe.js";

/**
 * A canonical of the bot-level crash tests: an enrolled fixture recipe whose repository is the stand-in
 * pull request's `hello` (mapped to the recipe by the enrolment), seeded with `ccci canonical seed` in the
 * bot's state dir before the bot starts. Its base domain is its own, so nothing of another suite matches.
 */
export interface CanonicalFixture {
  recipe: string;
  /** CCCI_DOMAIN of the bot and the CLI. */
  domain: string;
  stack: string;
  repoDir: string;
  knownGood: string;
  stateDir: string;
}

/** The known-good app: `mib` MiB of random data and a marker written once, at first boot; then it serves. */
export function knownGoodCompose(mib: number, page = "known-good"): string {
  return busyboxCompose(`
mkdir -p /data/www
if [ ! -f /data/marker ]; then
  dd if=/dev/urandom of=/data/blob bs=1M count=${mib} 2>/dev/null
  echo "written by the known-good at first boot" > /data/marker
fi
echo ${page} > /data/www/index.html
exec httpd -f -p 8080 -h /data/www`);
}

/** Settings the bot and the CLI share for a canonical (the convergence settle kept short). */
export function canonicalSettings(canonical: CanonicalFixture): Record<string, string> {
  return { CCCI_STATE_DIR: canonical.stateDir, CCCI_DOMAIN: canonical.domain, CCCI_SETTLE_SECONDS: "1" };
}

/** Creates the recipe repository, enrols it (`hello` → recipe) in `stateDir`, and seeds the canonical. */
export async function seededCanonical(
  recipe: string,
  stateDir: string,
  mib: number,
): Promise<CanonicalFixture> {
  const envSample = `TYPE=${recipe}\nDOMAIN=${recipe}.example.com\nLETS_ENCRYPT_ENV=production\nCOMPOSE_FILE="compose.yml"\n`;
  const repo = await versionedRecipe("hello", [
    { files: { "compose.yml": knownGoodCompose(mib), ".env.sample": envSample } },
  ]);
  writeFileSync(
    join(stateDir, "recipes.yml"),
    `recipes:\n  ${recipe}:\n    repo: file://${repo.dir}\n    branch: main\nrepositories:\n  hello: ${recipe}\n`,
  );
  const domain = `${recipe}-${randomHex(3)}.test`;
  const canonical = {
    recipe,
    domain,
    stack: stackName(warmDomain(recipe, domain)),
    repoDir: repo.dir,
    knownGood: repo.head,
    stateDir,
  };
  const seed = await ccci(["canonical", "seed", recipe], canonicalSettings(canonical));
  if (seed.exitCode !== 0) throw new Error(`seeding ${recipe} failed:\n${seed.stdout}\n${seed.stderr}`);
  return canonical;
}

/** Commits `compose` on `branch` (made from main unless it is main) and returns the commit. */
export async function commitCompose(dir: string, branch: string, compose: string): Promise<string> {
  if (branch !== "main") await git(dir, ["checkout", "-q", "-b", branch, "main"]);
  writeFileSync(join(dir, "compose.yml"), compose);
  await git(dir, ["commit", "-qam", branch]);
  const sha = await git(dir, ["rev-parse", "HEAD"]);
  if (branch !== "main") await git(dir, ["checkout", "-q", "main"]);
  return sha;
}

/** The store as it is on disk, opened without the repair `SnapshotStore.open` makes. */
export function storeOf(canonical: CanonicalFixture): SnapshotStore {
  return new SnapshotStore({
    stateDir: canonical.stateDir,
    recipe: canonical.recipe,
    stack: canonical.stack,
  });
}

export const registryText = (canonical: CanonicalFixture) =>
  readFileSync(join(canonical.stateDir, "canonicals.yml"), "utf8");

/** Services and containers of the canonical's stack: empty when it is undeployed. */
export async function deployedParts(stack: string): Promise<string[]> {
  const filter = `label=com.docker.stack.namespace=${stack}`;
  const services = await execa("docker", ["service", "ls", "-q", "--filter", filter]);
  const containers = await execa("docker", ["ps", "-aq", "--filter", filter]);
  return `${services.stdout}\n${containers.stdout}`.split("\n").filter(Boolean);
}

/**
 * The canonical equals its last-known-good: `current` is `snapshotId` and deep-verifies, every volume
 * is an empty scratch layer over it, and what the app would see digests to the manifest's digest.
 */
export async function expectLastKnownGood(canonical: CanonicalFixture, snapshotId: string): Promise<void> {
  const store = storeOf(canonical);
  const manifest = await store.verify("deep");
  expect(manifest.id).toBe(snapshotId);
  const states = await store.volumeStates();
  expect(Object.keys(states)).toEqual(manifest.volumes.map((v) => v.dockerName));
  expect(
    Object.values(states).every((s) => s === "pristine"),
    JSON.stringify(states),
  ).toBe(true);
  for (const volume of manifest.volumes)
    expect(await store.digestVolume(volume.dockerName)).toBe(volume.digest);
  expect(readdirSync(store.layout.generations)).toEqual([snapshotId]);
}

/** Removes the canonical (stack, volumes, secrets) and its state dir: it is meant to outlive runs, not tests. */
export async function removeCanonical(canonical: CanonicalFixture | undefined): Promise<void> {
  if (!canonical) return;
  await execa("docker", ["stack", "rm", canonical.stack], { reject: false });
  for (let i = 0; i < 30 && (await deployedParts(canonical.stack)).length > 0; i++)
    await new Promise((r) => setTimeout(r, 1000));
  for (const kind of ["volume", "secret", "config"]) {
    const names = (await execa("docker", [kind, "ls", "--format", "{{.Name}}"])).stdout
      .split("\n")
      .filter((n) => n.startsWith(`${canonical.stack}_`));
    if (names.length > 0) await execa("docker", [kind, "rm", ...names], { reject: false });
  }
  rmSync(canonical.stateDir, { recursive: true, force: true });
}
