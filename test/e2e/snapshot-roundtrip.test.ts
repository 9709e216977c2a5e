import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SnapshotStore } from "../../src/warm/snapshot-store.js";
import {
  createFixture,
  deployStack,
  inVolumes,
  listingScript,
  populateScript,
  type SnapFixture,
  waitUntilGone,
} from "../warm/snapshot-fixture.js";

describe("snapshot store on real Docker volumes", () => {
  let fx: SnapFixture;
  let store: SnapshotStore;
  let original: string;
  let originalDigests: string[];

  beforeAll(async () => {
    fx = await createFixture();
    await inVolumes(fx.volumes, populateScript);
    original = await inVolumes(fx.volumes, listingScript);
    ({ store } = await SnapshotStore.open({ stateDir: fx.stateDir, recipe: "snaptest", stack: fx.stack }));
    originalDigests = await Promise.all(fx.volumes.map((v) => store.digestVolume(v)));
  });
  afterAll(async () => fx?.cleanup());

  it("takes a snapshot whose manifest digests equal the plain volumes' digests", async () => {
    const manifest = await store.takeSnapshot({ commit: "abc1234" });
    expect(manifest.volumes.map((v) => v.dockerName)).toEqual(fx.volumes);
    expect(manifest.volumes.map((v) => v.digest)).toEqual(originalDigests);
    expect(manifest.meta).toEqual({ commit: "abc1234" });
    expect(await store.volumeStates()).toEqual(Object.fromEntries(fx.volumes.map((v) => [v, "pristine"])));
  });

  it("gives the app the same contents, modes, owners, symlinks, empty dirs and mtimes through the overlay", async () => {
    expect(original).toContain("./data/secret/key -rw------- 999 998");
    expect(original).toContain("./data/tool -rwsr-xr-x");
    expect(original).toContain("./data/empty/nested-empty drwxr-xr-x");
    expect(original).toMatch(/\.\/data\/dangling lrwxrwxrwx 0 0 \d+ -> nowhere/);
    expect(original).toMatch(/\.\/data\/pipe prw-r--r-- 0 0 \d+ fifo/);
    expect(original).toMatch(/\.\/data drwxr-x--- 33 33/);
    expect(await inVolumes(fx.volumes, listingScript)).toBe(original);
    expect(await Promise.all(fx.volumes.map((v) => store.digestVolume(v)))).toEqual(originalDigests);
  });

  it("restores the last-known-good after the app changed everything, in well under a second", async () => {
    await inVolumes(
      fx.volumes,
      "cd /v/data && echo corrupt > www/index.html && rm -r secret empty && chmod 777 . tool && " +
        "ln -sf elsewhere rel-link && echo new > new-file && cd /v/db && : > rows",
    );
    expect(await inVolumes(fx.volumes, listingScript)).not.toBe(original);
    expect(await store.digestVolume(fx.volumes[0] as string)).not.toBe(originalDigests[0]);
    expect(Object.values(await store.volumeStates())).toEqual(["modified", "modified"]);
    const started = performance.now();
    await store.restore();
    const elapsed = performance.now() - started;
    expect(elapsed).toBeLessThan(1000);
    expect(await inVolumes(fx.volumes, listingScript)).toBe(original);
    expect(await Promise.all(fx.volumes.map((v) => store.digestVolume(v)))).toEqual(originalDigests);
    await store.idle();
  });

  it("lets docker stack deploy use the overlay volume, and refuses snapshot and restore while deployed", async () => {
    await deployStack(fx.stack, fx.stateDir);
    try {
      const merged = await store.digestVolume(fx.volumes[0] as string);
      expect(merged).not.toBe(originalDigests[0]);
      await expect(store.takeSnapshot()).rejects.toThrow(
        new RegExp(`refusing to snapshot .*service ${fx.stack}_app`),
      );
      await expect(store.restore()).rejects.toMatchObject({ code: "SNAPSHOT_REFUSED" });
      await expect(store.restore()).rejects.toThrow(/container ccci-snaptest-.*_app\.1\./);
    } finally {
      await inVolumes([], "true").catch(() => undefined);
    }
    const { execa } = await import("execa");
    await execa("docker", ["stack", "rm", fx.stack]);
    await waitUntilGone(fx.stack);
    expect(await inVolumes([fx.volumes[0] as string], "cat /v/data/www/deploy.log")).toBe("deployed");
    await store.restore();
    expect(await inVolumes(fx.volumes, listingScript)).toBe(original);
  });

  it("promotes the merged data into a new generation and discards the old one", async () => {
    const before = (await store.current())?.id;
    await inVolumes(fx.volumes, "echo promoted > /v/data/www/index.html && rm /v/db/rows");
    const changed = await Promise.all(fx.volumes.map((v) => store.digestVolume(v)));
    const manifest = await store.takeSnapshot({ commit: "def5678" });
    await store.idle();
    expect(manifest.id).not.toBe(before);
    expect(manifest.volumes.map((v) => v.digest)).toEqual(changed);
    expect(await store.volumeStates()).toEqual(Object.fromEntries(fx.volumes.map((v) => [v, "pristine"])));
    const { readdir } = await import("node:fs/promises");
    expect(await readdir(store.layout.generations)).toEqual([manifest.id]);
    expect(await readdir(store.layout.layers)).toHaveLength(1);
    await inVolumes(fx.volumes, "echo later > /v/data/www/index.html");
    await store.restore("deep");
    expect(await inVolumes([fx.volumes[0] as string], "cat /v/data/www/index.html")).toBe("promoted");
  });

  it("commits volumes staged for a fresh deploy in place: the app's first boot wrote into the snapshot", async () => {
    const before = (await store.current())?.id;
    const staged = await store.stageFreshVolumes(["data", "db"]);
    expect(await store.volumeStates()).toEqual(Object.fromEntries(fx.volumes.map((v) => [v, "detached"])));
    await inVolumes(fx.volumes, populateScript);
    const firstBoot = await inVolumes(fx.volumes, listingScript);
    const firstBootDigests = await Promise.all(fx.volumes.map((v) => store.digestVolume(v)));
    const manifest = await store.takeSnapshot({ commit: "0a1b2c3" });
    await store.idle();
    expect(manifest.id).toBe(staged);
    expect(manifest.id).not.toBe(before);
    expect(manifest.volumes.map((v) => v.digest)).toEqual(firstBootDigests);
    expect(await inVolumes(fx.volumes, listingScript)).toBe(firstBoot);
    expect(await store.volumeStates()).toEqual(Object.fromEntries(fx.volumes.map((v) => [v, "pristine"])));
    const { readdir } = await import("node:fs/promises");
    expect(await readdir(store.layout.generations)).toEqual([staged]);
    await store.verify("deep");
  });
});
