import { describe, expect, it } from "vitest";
import { ccci } from "./support/cli.js";
import { leftovers } from "./support/swarm.js";
import { busyboxCompose, type RecipeVersion, versionedRecipe } from "./support/versioned-recipe.js";

const envSample =
  'TYPE=migrating\nDOMAIN=migrating.example.com\nLETS_ENCRYPT_ENV=production\nCOMPOSE_FILE="compose.yml"\n';

/** v1 writes its data in format 1. */
const v1 = busyboxCompose(`
mkdir -p /data/www
[ -f /data/format ] || echo 1 > /data/format
echo "v1 serving format $(cat /data/format)" > /data/www/index.html
exec httpd -f -p 8080 -h /data/www`);

/** v2 migrates format-1 data to format 2, keeping the user's data. */
const v2Migrates = busyboxCompose(`
mkdir -p /data/www
[ -f /data/format ] || echo 2 > /data/format
if [ "$(cat /data/format)" = 1 ]; then echo "migrating 1 -> 2"; echo 2 > /data/format; fi
echo "v2 serving format $(cat /data/format)" > /data/www/index.html
exec httpd -f -p 8080 -h /data/www`);

/** v2 without its migration: refuses the old data (a fresh install would pass). */
const v2Refuses = busyboxCompose(`
mkdir -p /data/www
[ -f /data/format ] || echo 2 > /data/format
if [ "$(cat /data/format)" != 2 ]; then echo "refusing data in format $(cat /data/format)"; exit 1; fi
echo "v2 serving format 2" > /data/www/index.html
exec httpd -f -p 8080 -h /data/www`);

/** v2 whose new tasks never get healthy, with swarm told to roll a failed update back: the old version keeps running. */
const v2RollsBack = busyboxCompose(
  `
mkdir -p /data/www
echo "v2" > /data/www/index.html
exec httpd -f -p 8080 -h /data/www`,
  {
    healthcheck: '["CMD", "test", "-f", "/data/never"]',
    extraDeploy:
      "      update_config:\n        failure_action: rollback\n        monitor: 3s\n      rollback_config:\n        monitor: 1s\n",
  },
);

const writeMarker = `#!/bin/sh
# After install: the maintainer's data, written into the base version's volume.
set -eu
ccci-exec app -- sh -c 'echo "marker $0" > /data/user-data' "$CCCI_RUN_ID"
`;
const markerSurvived = `#!/bin/sh
# After the upgrade: the data written at install is still there, and it was migrated.
set -eu
ccci-exec app -- cat /data/user-data | grep -qx "marker $CCCI_RUN_ID"
ccci-exec app -- cat /data/format | grep -qx 2
echo "marker survived the upgrade in format 2"
`;
const tests = {
  files: {
    "tests/ccci/after-install/10-write-marker": writeMarker,
    "tests/ccci/20-marker-survived": markerSurvived,
  },
  executables: ["tests/ccci/after-install/10-write-marker", "tests/ccci/20-marker-survived"],
};

function recipe(head: string, options: { tagged?: boolean } = {}): RecipeVersion[] {
  const tagged = options.tagged ?? true;
  return [
    { files: { "compose.yml": v1, ".env.sample": envSample }, ...(tagged ? { tag: "0.1.0+1.0.0" } : {}) },
    { files: { "compose.yml": head, ...tests.files }, executables: tests.executables },
  ];
}

const tierStatus = (run: { tiers: { name: string; status: string }[] }) =>
  Object.fromEntries(run.tiers.map((t) => [t.name, t.status]));

describe("cold runs test the upgrade path on the real swarm", () => {
  it("installs the previous release, upgrades to the head, and the marker data survives the migration", async () => {
    const { dir, head } = await versionedRecipe("migrating", recipe(v2Migrates));
    const { exitCode, run } = await ccci(["run", dir, "--json"]);
    expect(run?.state, run?.reason).toBe("passed");
    expect(exitCode).toBe(0);
    expect(run!.sha).toBe(head);
    expect(tierStatus(run!)).toEqual({
      install: "passed",
      upgrade: "passed",
      backup: "skipped",
      restore: "skipped",
      custom: "passed",
    });
    expect(run!.tiers.find((t) => t.name === "install")?.detail).toContain("release 0.1.0+1.0.0");
    expect(run!.asserts.find((a) => a.name === "generic:moved")?.passed).toBe(true);
    expect(run!.asserts.find((a) => a.name === "custom:20-marker-survived")?.detail).toContain(
      "marker survived",
    );
    expect(await leftovers(run!.stack!)).toEqual([]);
  });

  it("fails at the upgrade tier when the head refuses the old data, though a fresh install of it passes", async () => {
    const { dir } = await versionedRecipe("refusing", recipe(v2Refuses));
    const upgrade = await ccci(["run", dir, "--json"]);
    expect(upgrade.exitCode).toBe(1);
    expect(tierStatus(upgrade.run!)).toMatchObject({
      install: "passed",
      upgrade: "failed",
      custom: "skipped",
    });
    expect(upgrade.run!.reason).toMatch(/^failed at upgrade/);
    expect(upgrade.run!.logExcerpt).toContain("refusing data in format 1");
    expect(await leftovers(upgrade.run!.stack!)).toEqual([]);

    const fresh = await ccci(["run", dir, "--tiers", "install", "--json"]);
    expect(fresh.run?.state, fresh.run?.reason).toBe("passed");
    expect(tierStatus(fresh.run!)).toMatchObject({
      install: "passed",
      upgrade: "skipped",
      custom: "skipped",
    });
  });

  it("skips the upgrade with its reason when the recipe has no tags and no canonical, and still runs install and custom", async () => {
    const { dir } = await versionedRecipe("untagged", [
      {
        files: {
          "compose.yml": v2Migrates,
          ".env.sample": envSample,
          "tests/ccci/10-format": "#!/bin/sh\nccci-exec app -- cat /data/format | grep -qx 2\n",
        },
        executables: ["tests/ccci/10-format"],
      },
    ]);
    const { run } = await ccci(["run", dir, "--json"]);
    expect(run?.state, run?.reason).toBe("passed");
    const upgrade = run!.tiers.find((t) => t.name === "upgrade")!;
    expect(upgrade.status).toBe("skipped");
    expect(upgrade.detail).toContain("no canonical, no release tag older than the head");
    expect(tierStatus(run!)).toMatchObject({ install: "passed", custom: "passed" });
  });

  it("fails the run when the upgrade silently kept the old version running", async () => {
    const { dir } = await versionedRecipe("rollback", recipe(v2RollsBack));
    const { exitCode, run } = await ccci([
      "run",
      dir,
      "--tiers",
      "install,upgrade",
      "--timeout",
      "60",
      "--json",
    ]);
    expect(exitCode).toBe(1);
    const moved = run!.asserts.find((a) => a.name === "generic:moved");
    expect(moved?.passed, JSON.stringify(run!.asserts)).toBe(false);
    expect(moved?.detail).toMatch(/did not move to the head/);
    expect(tierStatus(run!)).toMatchObject({ upgrade: "failed" });
    expect(await leftovers(run!.stack!)).toEqual([]);
  });
});
